//! The waitlist: a freed slot goes to the first in line, then to the next.

use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{Scene, berlin_at};

#[tokio::test]
async fn a_freed_slot_is_offered_in_line_and_an_ignored_offer_passes_on() {
    let scene = Scene::new().await;
    let slot = berlin_at(3, "10:00");
    let booked = expect(scene.book(&scene.owner, scene.booking(slot)).await, 201).await;
    let (first, first_pet) = scene.another_owner().await;
    let (second, second_pet) = scene.another_owner().await;
    let window = |pet: &str| json!({ "pet_id": pet, "service_id": scene.service, "from": berlin_at(3, "08:00"), "to": berlin_at(3, "18:00") });
    for (who, pet) in [(&first, &first_pet), (&second, &second_pet)] {
        let entry =
            expect(scene.app.call(Method::POST, "/api/v1/waitlist", &who.token, Some(window(pet))).await, 201).await;
        assert_eq!(entry["status"], "waiting");
    }
    expect(scene.move_to(&scene.owner, booked["id"].as_str().unwrap(), "cancelled").await, 200).await;

    let firsts = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &first.token, None).await, 200).await;
    assert_eq!(firsts[0]["status"], "offered");
    let offer = firsts[0]["offer"]["id"].as_str().unwrap().to_owned();
    let seconds = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &second.token, None).await, 200).await;
    assert_eq!(seconds[0]["status"], "waiting", "one offer at a time");
    let mut connection = scene.app.db.connect().await;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let told: Vec<String> = db::schema::notifications::table
        .filter(db::schema::notifications::recipient_id.eq(first.user_id))
        .select(db::schema::notifications::template)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(told, ["waitlist_offer"], "the first in line is told");

    // The first in line lets it lapse: it passes to the second.
    expect(
        scene.app.call(Method::POST, &format!("/api/v1/waitlist-offers/{offer}/accept"), &second.token, None).await,
        404,
    )
    .await;
    scene.app.clock.advance(chrono::Duration::minutes(121));
    expect(
        scene.app.call(Method::POST, &format!("/api/v1/waitlist-offers/{offer}/accept"), &first.token, None).await,
        409,
    )
    .await;
    let seconds = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &second.token, None).await, 200).await;
    assert_eq!(seconds[0]["status"], "offered");
    let second_offer = seconds[0]["offer"]["id"].as_str().unwrap();
    let appointment = expect(
        scene
            .app
            .call(Method::POST, &format!("/api/v1/waitlist-offers/{second_offer}/accept"), &second.token, None)
            .await,
        201,
    )
    .await;
    assert_eq!(
        (appointment["pet_id"].as_str(), appointment["starts_at"].as_str()),
        (Some(second_pet.as_str()), Some(slot.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).as_str()))
    );
    let seconds = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &second.token, None).await, 200).await;
    assert_eq!(seconds[0]["status"], "booked");
    let firsts = expect(scene.app.call(Method::GET, "/api/v1/waitlist", &first.token, None).await, 200).await;
    assert_eq!(firsts[0]["status"], "waiting", "still in line for another slot");
}
