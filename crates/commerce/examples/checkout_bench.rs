//! Checkout throughput, for `make bench`.
//!
//! `cargo run --release -p commerce --example checkout_bench -- <database-url> [buyers] [seconds]`
//! runs `buyers` owners at once, each putting the bench product in their
//! cart and checking it out, again and again, through the same services a
//! request calls (the cart line; then in one transaction the stock taken by
//! a conditional update, the order, its lines, its payment, the unpaid
//! deadline's job and the owner's notice), and prints orders per second and
//! the checkout's p50 and p99. All buyers take the same product: its row is
//! the contended one. The configuration is the working directory's.

#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark program")]

use std::time::{Duration, Instant};

use commerce::api::{CartLineUpdate, Checkout, Fulfilment};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, ProductId, Role, UserId, Valid};

const CLINIC: &str = "00000000-0000-7000-8000-00000000c0de";
const PRODUCT: &str = "00000000-0000-7000-8000-00000000b0b0";

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args().skip(1);
    let url = arguments.next().expect("usage: checkout_bench <database-url> [buyers] [seconds]");
    let buyers: usize = arguments.next().map_or(16, |count| count.parse().expect("a number of buyers"));
    let seconds: u64 = arguments.next().map_or(10, |count| count.parse().expect("a number of seconds"));
    let config = platform::config::Source::load().expect("the configuration");
    let settings: commerce::Settings = config.section().expect("[commerce]");
    let clinic: ClinicId = CLINIC.parse().expect("the bench clinic");
    let product: ProductId = PRODUCT.parse().expect("the bench product");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..buyers)
        .map(|buyer| {
            let (url, settings) = (url.clone(), settings.clone());
            tokio::spawn(async move {
                let mut connection = AsyncPgConnection::establish(&url).await.expect("connect to the bench database");
                let owner = Principal {
                    user_id: UserId::new(),
                    subject: format!("bench_buyer_{buyer}"),
                    role: Role::PetOwner,
                    memberships: Vec::new(),
                    credential: kernel::Credential::Session,
                };
                diesel::sql_query("INSERT INTO users (id, clerk_id, email, role) VALUES ($1, $2, $3, 'pet_owner')")
                    .bind::<diesel::sql_types::Uuid, _>(owner.user_id)
                    .bind::<diesel::sql_types::Text, _>(format!("bench_buyer_{}", owner.user_id))
                    .bind::<diesel::sql_types::Text, _>(format!("buyer-{}@bench.example", owner.user_id))
                    .execute(&mut connection)
                    .await
                    .expect("a buyer");
                let line = Valid::new(CartLineUpdate { quantity: 1, pet_id: None }).expect("a valid line");
                let order = Valid::new(Checkout { fulfilment: Fulfilment::Pickup, shipping_address: None, note: None })
                    .expect("a valid checkout");
                let mut took = Vec::new();
                while Instant::now() < deadline {
                    let now = chrono::Utc::now();
                    commerce::service::cart::put_line(&mut connection, &owner, &settings, clinic, product, &line, now)
                        .await
                        .expect("put the product in the cart");
                    let started = Instant::now();
                    commerce::service::checkout::checkout(&mut connection, &owner, &settings, clinic, &order, now)
                        .await
                        .expect("check out");
                    took.push(started.elapsed());
                }
                took
            })
        })
        .collect();
    let started = Instant::now();
    let mut took: Vec<Duration> = Vec::new();
    for task in tasks {
        took.extend(task.await.expect("a buyer finished"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    took.sort_unstable();
    let at = |share: f64| took[((took.len() as f64 * share) as usize).min(took.len() - 1)];
    println!(
        "{:<34} {:>12} {:>10} {:>10}  ({} orders, {buyers} buyers of one product)",
        "checkout (cart to order)",
        format!("{:.1}", took.len() as f64 / elapsed),
        format!("{:.2}ms", at(0.5).as_secs_f64() * 1000.0),
        format!("{:.2}ms", at(0.99).as_secs_f64() * 1000.0),
        took.len(),
    );
}
