//! A pet's transfer and deletion carry through to its appointments.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::UserId;
use reqwest::Method;
use serde_json::json;
use testkit::{SmtpServer, TestApp, expect};

use crate::fixtures::{Scene, berlin_at};
use db::schema::appointments;

async fn run_jobs(app: &TestApp, smtp: &SmtpServer) {
    let options = ::appointments::worker_options(testkit::worker_options(app), &app.section());
    let options = notifications::worker_options(options, &smtp.configure(&app.config).section().unwrap()).unwrap();
    testkit::run_due_jobs(options).await;
}

async fn owner_of(app: &TestApp, appointment: &serde_json::Value) -> UserId {
    let id: uuid::Uuid = appointment["id"].as_str().unwrap().parse().unwrap();
    let mut connection = app.db.connect().await;
    appointments::table.find(id).select(appointments::owner_id).first(&mut connection).await.unwrap()
}

#[tokio::test]
async fn a_transferred_pets_appointments_follow_it_and_a_deleted_pets_are_cancelled() {
    let scene = Scene::new().await;
    let smtp = SmtpServer::start().await;
    let first = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "10:00"))).await, 201).await;
    let second = expect(scene.book(&scene.owner, scene.booking(berlin_at(4, "10:00"))).await, 201).await;

    // A co-owner takes the pet over.
    let (heir, _) = scene.another_owner().await;
    let pet = format!("/api/v1/pets/{}", scene.pet);
    let invite = json!({ "user_id": heir.user_id });
    expect(scene.app.call(Method::POST, &format!("{pet}/co-owners"), &scene.owner.token, Some(invite)).await, 202)
        .await;
    let invitations =
        expect(scene.app.call(Method::GET, "/api/v1/pet-invitations", &heir.token, None).await, 200).await;
    let accept = format!("/api/v1/pet-invitations/{}/accept", invitations[0]["id"].as_str().unwrap());
    expect(scene.app.call(Method::POST, &accept, &heir.token, None).await, 204).await;
    let transfer = json!({ "user_id": heir.user_id });
    expect(scene.app.call(Method::POST, &format!("{pet}/transfer"), &scene.owner.token, Some(transfer)).await, 204)
        .await;
    run_jobs(&scene.app, &smtp).await;
    for appointment in [&first, &second] {
        assert_eq!(owner_of(&scene.app, appointment).await, heir.user_id, "reminders and notices go to the new owner");
    }

    // The new owner deletes the pet: its upcoming appointments are cancelled for the clinic.
    expect(scene.app.call(Method::DELETE, &pet, &heir.token, None).await, 204).await;
    run_jobs(&scene.app, &smtp).await;
    run_jobs(&scene.app, &smtp).await;
    for appointment in [&first, &second] {
        let path = format!("/api/v1/appointments/{}", appointment["id"].as_str().unwrap());
        let shown = expect(scene.app.call(Method::GET, &path, &scene.receptionist.token, None).await, 200).await;
        assert_eq!(
            (shown["status"].as_str(), shown["cancel_reason"].as_str()),
            (Some("cancelled"), Some(::appointments::service::pet_events::REMOVED_PET_REASON))
        );
    }
    let slot = scene.booking(berlin_at(3, "10:00"));
    let (other, other_pet) = scene.another_owner().await;
    let mut theirs = slot;
    theirs["pet_id"] = json!(other_pet);
    expect(scene.book(&other, theirs).await, 201).await;
}
