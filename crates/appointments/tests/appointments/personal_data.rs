//! A person's appointments in their data export, and what erasing them
//! cancels, removes and keeps.

use appointments::personal_data::{ERASED_OWNER_REASON, PersonalData};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::UserId;
use platform::personal_data::Holder;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::expect;

use crate::fixtures::{Scene, berlin_at};
use db::schema::notifications;

/// The templates and data of what `user` was told, oldest first.
async fn told(scene: &Scene, user: UserId) -> Vec<(String, Value)> {
    let mut connection = scene.app.db.connect().await;
    notifications::table
        .filter(notifications::recipient_id.eq(user))
        .order(notifications::id)
        .select((notifications::template, notifications::data))
        .load(&mut connection)
        .await
        .unwrap()
}

/// What the vet was told of cancellations: each notification's `reason`.
async fn cancellations_told_to_vet(scene: &Scene) -> Vec<Value> {
    let told = told(scene, scene.vet.user_id).await;
    told.into_iter().filter(|(_, data)| data["change"] == "cancelled").map(|(_, data)| data["reason"].clone()).collect()
}

#[tokio::test]
async fn erasure_cancels_future_appointments_removes_waitlist_places_and_keeps_past_visits() {
    let scene = Scene::new().await;
    let get = async |id: &str| {
        let path = format!("/api/v1/appointments/{id}");
        expect(scene.app.call(Method::GET, &path, &scene.receptionist.token, None).await, 200).await
    };
    // A visit that took place, one still to come, and a place in line for the same day as that one.
    let past = expect(scene.book(&scene.owner, scene.booking(berlin_at(2, "09:00"))).await, 201).await;
    let past = past["id"].as_str().unwrap().to_owned();
    for step in ["confirmed", "checked_in", "in_progress", "completed"] {
        expect(scene.move_to(&scene.receptionist, &past, step).await, 200).await;
    }
    let future = expect(scene.book(&scene.owner, scene.booking(berlin_at(5, "10:00"))).await, 201).await;
    let future = future["id"].as_str().unwrap().to_owned();
    let window = |pet: &str| json!({ "pet_id": pet, "service_id": scene.service, "from": berlin_at(5, "08:00"), "to": berlin_at(5, "18:00") });
    let place = expect(
        scene.app.call(Method::POST, "/api/v1/waitlist", &scene.owner.token, Some(window(&scene.pet))).await,
        201,
    )
    .await;
    // Someone else in line after them.
    let (other, other_pet) = scene.another_owner().await;
    expect(scene.app.call(Method::POST, "/api/v1/waitlist", &other.token, Some(window(&other_pet))).await, 201).await;
    scene.travel_to(berlin_at(2, "12:00"));
    let past_before = get(&past).await;

    let settings: appointments::Settings = scene.app.section();
    let holder = PersonalData::new(&settings);
    let mut connection = scene.app.db.connect().await;
    assert_eq!(holder.section(), "appointments");
    assert_eq!(holder.size(&mut connection, scene.owner.user_id).await.unwrap(), 3);
    let export = holder.export(&mut connection, scene.owner.user_id).await.unwrap();
    let exported: Vec<(&str, &str)> = export["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|appointment| (appointment["id"].as_str().unwrap(), appointment["status"].as_str().unwrap()))
        .collect();
    assert_eq!(exported, [(past.as_str(), "completed"), (future.as_str(), "requested")]);
    assert_eq!(export["appointments"][1]["vet_id"], json!(scene.vet.user_id));
    assert_eq!(export["waitlist"].as_array().unwrap().len(), 1);
    assert_eq!(export["waitlist"][0]["id"], place["id"]);
    assert!(cancellations_told_to_vet(&scene).await.is_empty());

    // Erasure may run twice (the API, then the identity provider's webhook).
    for _ in 0..2 {
        holder.erase(&mut connection, scene.owner.user_id, scene.app.clock.now()).await.unwrap();
    }

    let cancelled = get(&future).await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()),
        (Some("cancelled"), Some(ERASED_OWNER_REASON))
    );
    assert_eq!(cancellations_told_to_vet(&scene).await, [json!(ERASED_OWNER_REASON)], "the vet is told once");
    assert_eq!(get(&past).await, past_before, "a past visit is a clinical record and stays as it was");
    let offered = told(&scene, scene.owner.user_id).await;
    assert!(
        offered.iter().all(|(template, _)| template != "waitlist_offer"),
        "no slot is offered to them: {offered:?}"
    );
    let places = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &scene.owner.token, None).await, 200).await;
    assert_eq!(places, json!([]));
    // The freed slot went to the next in line, not back to the erased owner's place.
    let others = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &other.token, None).await, 200).await;
    assert_eq!(
        (others[0]["status"].as_str(), others[0]["offer"]["starts_at"].as_str()),
        (Some("offered"), cancelled["starts_at"].as_str())
    );
    let export = holder.export(&mut connection, scene.owner.user_id).await.unwrap();
    assert_eq!(export["appointments"].as_array().unwrap().len(), 2);
    assert_eq!(export["waitlist"], json!([]));
    assert_eq!(export["waitlist_offers"], json!([]));
}
