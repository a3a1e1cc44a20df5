//! Recurring appointments: conflicts are reported, future occurrences cancel together.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{Scene, berlin_at};

#[tokio::test]
async fn a_series_books_what_it_can_reports_the_rest_and_cancels_its_future_together() {
    let scene = Scene::with(|settings| settings.horizon_days = 200).await;
    let first = berlin_at(7, "10:00");
    let (other, other_pet) = scene.another_owner().await;
    // Someone already holds the third occurrence's time.
    let mut theirs = scene.booking(first + Duration::weeks(8));
    theirs["pet_id"] = json!(other_pet);
    expect(scene.book(&other, theirs).await, 201).await;
    let request = json!({
        "pet_id": scene.pet, "service_id": scene.service, "vet_id": scene.vet.user_id,
        "first_starts_at": first, "interval_weeks": 4, "count": 4,
    });
    let series = expect(
        scene.app.call(Method::POST, "/api/v1/appointment-series", &scene.owner.token, Some(request)).await,
        201,
    )
    .await;
    assert_eq!(series["booked"].as_array().unwrap().len(), 3);
    assert_eq!(series["conflicts"].as_array().unwrap().len(), 1);
    assert!(series["conflicts"][0]["reason"].as_str().unwrap().contains("already booked"), "{series}");
    let locals: Vec<&str> =
        series["booked"].as_array().unwrap().iter().map(|item| &item["local_start"].as_str().unwrap()[11..]).collect();
    assert_eq!(locals, ["10:00", "10:00", "10:00"], "the same wall-clock time every time");

    let path = format!("/api/v1/appointment-series/{}/cancel", series["series_id"].as_str().unwrap());
    expect(scene.app.call(Method::POST, &path, &other.token, Some(json!({}))).await, 404).await;
    expect(
        scene.app.call(Method::POST, &path, &scene.owner.token, Some(json!({ "reason": "moving away" }))).await,
        204,
    )
    .await;
    let upcoming =
        expect(scene.app.call(Method::GET, "/api/v1/appointments", &scene.owner.token, None).await, 200).await;
    let statuses: Vec<&str> =
        upcoming["items"].as_array().unwrap().iter().map(|item| item["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "cancelled", "cancelled"]);
}
