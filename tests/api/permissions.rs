//! Who may call what: every mounted route, called by every kind of caller on
//! one seeded world, as a reviewed table (`snapshots/api__permissions__*.snap`).
//! A route mounted without a row, or any status that changes, fails the test
//! until the table is reviewed again (`cargo insta review`).
//!
//! Callers, from the least to the most privileged: anonymous, another owner,
//! a vet of another clinic, the clinic's receptionist, its clinic admin, the
//! pet's owner, a platform admin. Ids in paths are the world's (the owner's
//! pet, the clinic, its vet, the owner's appointment, the owner as a user);
//! other ids are unknown ones. Writes send `{}`, so an allowed caller gets the
//! validation answer (400 or 422) where a refused one gets 401, 403 or 404.

use std::fmt::Write;

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, fixtures};

const UNKNOWN_ID: &str = "01936b2e-0000-7000-8000-000000000000";

struct World {
    clinic: String,
    vet: TestUser,
    pet: String,
    owner: TestUser,
    appointment: String,
    callers: Vec<(&'static str, Option<TestUser>)>,
}

async fn world(app: &TestApp) -> World {
    let admin = fixtures::admin(app).await;
    let clinic = fixtures::clinic(app, &admin, fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")).await;
    let elsewhere = fixtures::clinic(app, &admin, fixtures::clinic_profile("There", 45.76, 4.84, "Europe/Paris")).await;
    fixtures::open_every_day(app, &admin, &clinic, "00:00", "23:59").await;
    let vet = fixtures::vet(app, &admin, &clinic, "Dr Here", "00:00", "23:59").await;
    let vet_elsewhere = fixtures::vet(app, &admin, &elsewhere, "Dr There", "09:00", "17:00").await;
    let desk = fixtures::staff(app, &admin, &clinic, Role::Receptionist).await;
    let clinic_admin = fixtures::staff(app, &admin, &clinic, Role::ClinicAdmin).await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "40.00" });
    let service = fixtures::service(app, &admin, &clinic, offer).await;
    let (owner, pet) = fixtures::owner_with_dog(app, "Rex").await;
    fixtures::register_with_clinic(app, &owner, &pet, &clinic).await;
    let (other_owner, _) = fixtures::owner_with_dog(app, "Bello").await;
    let from = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT00:00:00Z");
    let to = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%dT00:00:00Z");
    let slots: Value = app
        .api(Method::GET, &format!("/availability?clinic_id={clinic}&service_id={service}&from={from}&to={to}"))
        .expect_json(200)
        .await;
    let starts_at = slots["slots"][0]["starts_at"].clone();
    let booking = json!({ "pet_id": pet, "service_id": service, "vet_id": vet.user_id, "starts_at": starts_at });
    let booked: Value = app.api(Method::POST, "/appointments").by(&owner).json(&booking).expect_json(201).await;
    let callers = vec![
        ("anonymous", None),
        ("other_owner", Some(other_owner)),
        ("vet_elsewhere", Some(vet_elsewhere)),
        ("receptionist", Some(desk)),
        ("clinic_admin", Some(clinic_admin)),
        ("owner", Some(owner.clone())),
        ("platform_admin", Some(admin)),
    ];
    World { clinic, vet, pet, owner, appointment: fixtures::id_of(&booked), callers }
}

/// `path` with the world's ids in place of its parameters.
fn concrete(world: &World, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let mut concrete = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let previous = index.checked_sub(1).map_or("", |before| segments[before]);
        let value = match (*segment, previous) {
            ("{id}", "pets") => world.pet.clone(),
            ("{id}", "clinics") | ("{clinic_id}", _) => world.clinic.clone(),
            ("{id}", "appointments") => world.appointment.clone(),
            ("{id}", "vets") => world.vet.user_id.to_string(),
            ("{id}", "users") => world.owner.user_id.to_string(),
            (parameter, _) if parameter.starts_with('{') => UNKNOWN_ID.to_owned(),
            (literal, _) => literal.to_owned(),
        };
        concrete.push(value);
    }
    concrete.join("/")
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_table_says() {
    let app = TestApp::spawn_with(crate::modules, |settings| settings.rate_limit.enabled = false).await;
    let world = world(&app).await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut operations: Vec<(Method, String)> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path.clone()));
            }
        }
    }
    // Reads first, then writes, deletions last, so a write's effect shows in a
    // fixed place; within each, paths in order.
    let rank = |method: &Method| match *method {
        Method::GET => 0,
        Method::DELETE => 2,
        _ => 1,
    };
    operations.sort_by(|(a, pa), (b, pb)| (rank(a), pa).cmp(&(rank(b), pb)));

    let mut table = String::new();
    for (method, path) in &operations {
        let url = app.url(&concrete(&world, path));
        let mut row = format!("{:<6} {path}", method.as_str());
        for (name, caller) in &world.callers {
            let mut request = app.client.request(method.clone(), &url);
            if let Some(caller) = caller {
                request = request.bearer_auth(&caller.token);
            }
            if *method != Method::GET && *method != Method::DELETE {
                request = request.json(&json!({}));
            }
            let status = request.send().await.unwrap().status().as_u16();
            assert!(status < 500, "{method} {path} as {name}: {status}");
            write!(row, " {name}={status}").unwrap();
        }
        table.push_str(&row);
        table.push('\n');
    }
    insta::assert_snapshot!("permissions", table);
}
