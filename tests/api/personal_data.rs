//! A person's data across every crate of the gateway: the export holds all of
//! it (built by a job and downloaded through a signed link when large), and
//! erasure follows the policy of `platform::personal_data`.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, fixtures};

/// An owner with two pets at one clinic (Rex, with a record a vet wrote and a
/// booked appointment; Mia, shared with a co-owner), and that clinic's vet.
struct Household {
    owner: TestUser,
    co_owner: TestUser,
    vet: TestUser,
    rex: String,
    mia: String,
    record: String,
    appointment: String,
}

async fn household(app: &TestApp) -> Household {
    let admin = fixtures::admin(app).await;
    let clinic = fixtures::clinic(app, &admin, fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")).await;
    fixtures::open_every_day(app, &admin, &clinic, "00:00", "23:59").await;
    let vet = fixtures::vet(app, &admin, &clinic, "Dr Here", "00:00", "23:59").await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "40.00" });
    let service = fixtures::service(app, &admin, &clinic, offer).await;
    let (owner, rex) = fixtures::owner_with_dog(app, "Rex").await;
    fixtures::register_with_clinic(app, &owner, &rex, &clinic).await;
    let exam = json!({ "record_date": "2026-02-01", "clinic_id": clinic,
                       "details": { "type": "note", "text": "Healthy and cheerful" } });
    let record: Value =
        app.api(Method::POST, &format!("/pets/{rex}/records")).by(&vet).json(&exam).expect_json(201).await;

    let mia = fixtures::pet(app, &owner, fixtures::pet_profile("Mia", "cat")).await;
    let co_owner = app.user(Role::PetOwner).await;
    let invite = json!({ "user_id": co_owner.user_id });
    let invitation: Value =
        app.api(Method::POST, &format!("/pets/{mia}/co-owners")).by(&owner).json(&invite).expect_json(202).await;
    let accept = format!("/pet-invitations/{}/accept", fixtures::id_of(&invitation));
    app.api(Method::POST, &accept).by(&co_owner).expect(204).await;

    let from = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%dT00:00:00Z");
    let to = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%dT00:00:00Z");
    let slots: Value = app
        .api(Method::GET, &format!("/availability?clinic_id={clinic}&service_id={service}&from={from}&to={to}"))
        .expect_json(200)
        .await;
    let booking = json!({ "pet_id": rex, "service_id": service, "starts_at": slots["slots"][0]["starts_at"] });
    let booked: Value = app.api(Method::POST, "/appointments").by(&owner).json(&booking).expect_json(201).await;
    Household {
        owner,
        co_owner,
        vet,
        rex,
        mia,
        record: fixtures::id_of(&record),
        appointment: fixtures::id_of(&booked),
    }
}

#[tokio::test]
async fn the_export_holds_the_owners_pets_records_and_appointments() {
    let app = TestApp::spawn(crate::modules).await;
    let world = household(&app).await;
    let export: Value = app.api(Method::GET, "/users/me/export").by(&world.owner).expect_json(200).await;
    let text = export.to_string();
    for (what, expected) in [
        ("the email", format!("{}@example.com", world.owner.subject)),
        ("a pet", world.rex.clone()),
        ("a co-owned pet", world.mia.clone()),
        ("a health record", world.record.clone()),
        ("an appointment", world.appointment.clone()),
    ] {
        assert!(text.contains(&expected), "{what} ({expected}) is missing from the export");
    }
    for section in ["appointments", "clinics", "notifications", "pets", "uploads"] {
        assert!(export["sections"].get(section).is_some(), "no `{section}` section in {export}");
    }
    let others: Value = app.api(Method::GET, "/users/me/export").by(&world.co_owner).expect_json(200).await;
    assert!(!others.to_string().contains(&world.rex), "another owner's export shows the owner's pet");
}

#[tokio::test]
async fn erasure_cancels_future_appointments_passes_or_archives_pets_and_keeps_clinical_records() {
    let app = TestApp::spawn(crate::modules).await;
    let world = household(&app).await;

    app.api(Method::DELETE, "/users/me").by(&world.owner).expect(204).await;
    app.api(Method::GET, "/users/me").by(&world.owner).expect(401).await;

    // The future appointment is cancelled, and the vet is told.
    let appointment: Value =
        app.api(Method::GET, &format!("/appointments/{}", world.appointment)).by(&world.vet).expect_json(200).await;
    assert_eq!(appointment["status"], "cancelled");
    let inbox: Value = app.api(Method::GET, "/notifications").by(&world.vet).expect_json(200).await;
    assert!(inbox.to_string().to_lowercase().contains("cancel"), "the vet was not told: {inbox}");

    // Mia passed to her co-owner; Rex, with no one else, is archived, and his
    // record stays for the clinic that wrote it.
    let mia: Value = app.api(Method::GET, &format!("/pets/{}", world.mia)).by(&world.co_owner).expect_json(200).await;
    assert_eq!(mia["primary_owner_id"], world.co_owner.user_id.to_string());
    let record_path = format!("/pets/{}/records/{}", world.rex, world.record);
    let record: Value = app.api(Method::GET, &record_path).by(&world.vet).expect_json(200).await;
    assert_eq!(record["details"]["text"], "Healthy and cheerful");
    let rex: Value = app.api(Method::GET, &format!("/pets/{}", world.rex)).by(&world.vet).expect_json(200).await;
    assert_eq!(rex["is_active"], false);

    // Nothing personal is left on the account row.
    let mut connection = app.db.connect().await;
    use db::schema::users;
    let (email, first_name, active): (Option<String>, Option<String>, bool) = users::table
        .find(world.owner.user_id)
        .select((users::email, users::first_name, users::is_active))
        .first(&mut connection)
        .await
        .unwrap();
    assert_eq!((email, first_name, active), (None, None, false));
}

#[tokio::test]
async fn a_large_export_is_built_by_a_job_downloaded_through_a_signed_link_then_expires() {
    let app = TestApp::spawn(|config| {
        crate::modules(&config.clone().with_override("accounts.export_inline_max_items", 0).unwrap())
    })
    .await;
    let world = household(&app).await;

    let pending = app.api(Method::GET, "/users/me/export").by(&world.owner).send().await;
    assert_eq!(pending.status(), 202);
    let location = pending.headers()["location"].to_str().unwrap().to_owned();
    let pending: Value = pending.json().await.unwrap();
    assert_eq!(pending["status"], "pending");
    let again: Value = app.api(Method::GET, "/users/me/export").by(&world.owner).expect_json(202).await;
    assert_eq!(again["id"], pending["id"], "asking again while it is built returns the same export");
    let status_path = location.trim_start_matches(platform::routes::API_PREFIX).to_owned();
    app.api(Method::GET, &status_path).by(&world.co_owner).expect(404).await;

    let modules = crate::modules(&app.config.clone().with_override("accounts.export_inline_max_items", 0).unwrap());
    testkit::run_due_jobs(modules.worker_options(testkit::worker_options(&app)).unwrap()).await;
    let ready: Value = app.api(Method::GET, &status_path).by(&world.owner).expect_json(200).await;
    assert_eq!(ready["status"], "ready");
    let link = ready["download"]["url"].as_str().unwrap().to_owned();
    let document: Value = app.client.get(app.url(&link)).send().await.unwrap().json().await.unwrap();
    assert!(document["sections"]["pets"].to_string().contains(&world.rex), "the document lacks the pets");
    let inbox: Value = app.api(Method::GET, "/notifications").by(&world.owner).expect_json(200).await;
    assert!(inbox.to_string().contains("Your data export is ready"), "the owner was not told: {inbox}");

    app.clock.advance(chrono::Duration::hours(73));
    let mut connection = app.db.connect().await;
    jobs::enqueue(&mut connection, &accounts::jobs::ExpireDataExports {}, jobs::EnqueueOptions::default())
        .await
        .unwrap();
    testkit::run_due_jobs(modules.worker_options(testkit::worker_options(&app)).unwrap()).await;
    let expired: Value = app.api(Method::GET, &status_path).by(&world.owner).expect_json(200).await;
    assert_eq!((expired["status"].as_str(), &expired["download"]), (Some("expired"), &Value::Null));
    let gone = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(gone.status(), 404, "an expired export's file is still served");
    let files: i64 = db::schema::media::table
        .filter(db::schema::media::purpose.eq("personal_data_export"))
        .filter(db::schema::media::deleted_at.is_null())
        .count()
        .get_result(&mut connection)
        .await
        .unwrap();
    assert_eq!(files, 0);
}
