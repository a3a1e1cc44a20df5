//! Routing over the vets on call, for `make bench`.
//!
//! `cargo run --release -p emergency --example route_bench -- <database-url> [cases]`
//! opens cases for distinct pets near Paris through the same service a
//! request calls (triage, the case, the first round's candidate search, its
//! offers, their push and SMS deliveries and the round's deadline, all
//! enqueued in one transaction) and prints the time each took, p50 and p99.
//! The configuration is the working directory's (`config/`, `APP_ENV`).

#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark program")]

use std::time::Instant;

use chat::api::Location;
use diesel::QueryableByName;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use emergency::api::EmergencyRequest;
use kernel::{PetId, Principal, Role, UserId, Valid};

#[derive(QueryableByName)]
struct Pet {
    #[diesel(sql_type = SqlUuid)]
    id: PetId,
    #[diesel(sql_type = SqlUuid)]
    primary_owner_id: UserId,
}

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args().skip(1);
    let url = arguments.next().expect("usage: route_bench <database-url> [cases]");
    let cases: i64 = arguments.next().map_or(300, |count| count.parse().expect("a number of cases"));
    let config = platform::config::Source::load().expect("the configuration");
    let settings: emergency::Settings = config.section().expect("[emergency]");
    let uploads = media::Uploads::from_settings(config.section().expect("[media]")).expect("the upload store");
    let mut connection = AsyncPgConnection::establish(&url).await.expect("connect to the bench database");
    let pets: Vec<Pet> = diesel::sql_query(
        "SELECT p.id, p.primary_owner_id FROM pets p \
         WHERE NOT EXISTS (SELECT 1 FROM emergency_cases c WHERE c.pet_id = p.id) ORDER BY p.id LIMIT $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(cases)
    .load(&mut connection)
    .await
    .expect("pets without a case");
    let mut took = Vec::with_capacity(pets.len());
    let mut offers = 0;
    for (index, pet) in pets.iter().enumerate() {
        let owner = Principal {
            user_id: pet.primary_owner_id,
            subject: String::new(),
            role: Role::PetOwner,
            memberships: Vec::new(),
            credential: kernel::Credential::Session,
        };
        // Spread over a 10 km square around the centre of Paris.
        let step = index as f64;
        let location = Location { latitude: 48.81 + (step * 0.37) % 0.09, longitude: 2.29 + (step * 0.53) % 0.13 };
        let request = Valid::new(EmergencyRequest {
            pet_id: pet.id,
            description: "Bench: collapsed in the street.".to_owned(),
            location: Some(location),
            triage: emergency::triage::Answers { conscious: Some(false), ..Default::default() },
            symptoms: Vec::new(),
            triage_level: None,
            photo_id: None,
        })
        .expect("a valid request");
        let started = Instant::now();
        let case = emergency::service::cases::create(
            &mut connection,
            &owner,
            &settings,
            &uploads,
            chrono::Utc::now(),
            &request,
        )
        .await
        .expect("open a case");
        took.push(started.elapsed());
        offers += case.offers_pending;
    }
    took.sort_unstable();
    let at = |share: f64| took[((took.len() as f64 * share) as usize).min(took.len() - 1)];
    let on_call: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM emergency_on_call WHERE period @> now())",
    ))
    .get_result(&mut connection)
    .await
    .expect("count the vets on call");
    println!(
        "{:<34} {:>12} {:>10} {:>10}  ({} cases, {:.1} offers each, {on_call} on call)",
        "routing: case to offers enqueued",
        "",
        format!("{:.2}ms", at(0.5).as_secs_f64() * 1000.0),
        format!("{:.2}ms", at(0.99).as_secs_f64() * 1000.0),
        took.len(),
        offers as f64 / took.len() as f64,
    );
}
