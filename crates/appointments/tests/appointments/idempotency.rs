//! `Idempotency-Key` on bookings (RELIABILITY 28).

use reqwest::Method;
use testkit::expect;

use crate::fixtures::{Scene, berlin_at, vet};

async fn book_with_key(
    scene: &Scene,
    who: &testkit::TestUser,
    key: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    scene
        .app
        .client
        .request(Method::POST, scene.app.url("/api/v1/appointments"))
        .bearer_auth(&who.token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn appointments(scene: &Scene) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut connection = scene.app.db.connect().await;
    db::schema::appointments::table.count().get_result::<i64>(&mut connection).await.unwrap()
}

#[tokio::test]
async fn a_replay_returns_the_stored_answer_and_another_body_with_the_key_is_422() {
    let scene = Scene::new().await;
    let body = scene.booking(berlin_at(3, "10:00"));
    let first = book_with_key(&scene, &scene.owner, "booking-1", body.clone()).await;
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = expect(first, 201).await;
    let replay = book_with_key(&scene, &scene.owner, "booking-1", body.clone()).await;
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(expect(replay, 201).await, first, "the very same answer");
    assert_eq!(appointments(&scene).await, 1, "booked once");

    let other_body = scene.booking(berlin_at(3, "12:00"));
    let refused = expect(book_with_key(&scene, &scene.owner, "booking-1", other_body).await, 422).await;
    assert!(refused["error"]["details"]["fields"]["Idempotency-Key"].is_array(), "{refused}");
    expect(book_with_key(&scene, &scene.owner, "   ", body).await, 400).await;
    assert_eq!(appointments(&scene).await, 1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_execute_once_and_keys_belong_to_their_caller() {
    let scene = Scene::with_connections(16).await;
    // Four vets and a body that lets the clinic choose: without the key, four
    // of these requests would book (one per vet), so the count below cannot
    // be the exclusion constraint's doing.
    for name in ["Dr Adler", "Dr Brandt", "Dr Claus"] {
        vet(&scene.app, &scene.admin, &scene.clinic, name).await;
    }
    let mut body = scene.booking(berlin_at(3, "10:00"));
    body.as_object_mut().unwrap().remove("vet_id");
    let attempts = (0..8).map(|_| book_with_key(&scene, &scene.owner, "same-key", body.clone()));
    let responses = futures_util::future::join_all(attempts).await;
    let statuses: Vec<u16> = responses.iter().map(|response| response.status().as_u16()).collect();
    assert!(statuses.iter().all(|status| *status == 201), "each gets the one answer: {statuses:?}");
    let replayed = responses.iter().filter(|response| response.headers().contains_key("idempotent-replayed")).count();
    assert_eq!(replayed, 7, "{statuses:?}");
    assert_eq!(appointments(&scene).await, 1, "one execution: {statuses:?}");
    let booked: serde_json::Value = responses.into_iter().next().unwrap().json().await.unwrap();

    // Another owner's identical key is theirs: it runs (and finds the vet taken).
    let (other, other_pet) = scene.another_owner().await;
    let mut theirs = body.clone();
    theirs["pet_id"] = serde_json::json!(other_pet);
    theirs["vet_id"] = booked["vet_id"].clone();
    let response = book_with_key(&scene, &other, "same-key", theirs).await;
    assert_eq!(expect(response, 409).await["error"]["details"]["reason"], "taken");
    // A failed request does not keep its key: after a change of plan it can be reused.
    let mut later = scene.booking(berlin_at(3, "13:00"));
    later["pet_id"] = serde_json::json!(other_pet);
    expect(book_with_key(&scene, &other, "same-key", later).await, 201).await;
}
