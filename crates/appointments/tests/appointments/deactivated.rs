//! A clinic taken off the platform: hidden, no bookings, its appointments
//! still there for its staff and owners to handle.

use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{Scene, berlin_at};

#[tokio::test]
async fn a_deactivated_clinic_is_hidden_takes_no_bookings_and_keeps_its_appointments() {
    let scene = Scene::new().await;
    let booked = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "10:00"))).await, 201).await;
    let clinic = format!("/api/v1/clinics/{}", scene.clinic);
    expect(scene.app.call(Method::POST, &format!("{clinic}/deactivate"), &scene.receptionist.token, None).await, 403)
        .await;
    let deactivated =
        expect(scene.app.call(Method::POST, &format!("{clinic}/deactivate"), &scene.admin.token, None).await, 200)
            .await;
    assert_eq!(deactivated["is_active"], false);

    // Hidden: its public page and search; its staff still see it.
    expect(scene.app.get(&clinic).await, 404).await;
    expect(scene.app.call(Method::GET, &clinic, &scene.owner.token, None).await, 404).await;
    expect(scene.app.call(Method::GET, &clinic, &scene.receptionist.token, None).await, 200).await;
    let near = expect(scene.app.get("/api/v1/clinics?near=52.52,13.40&radius_km=50").await, 200).await;
    assert!(near["items"].as_array().unwrap().is_empty(), "{near}");

    // No bookings, no availability.
    expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "12:00"))).await, 404).await;
    let availability = format!(
        "/api/v1/availability?clinic_id={}&service_id={}&from={}&to={}",
        scene.clinic,
        scene.service,
        berlin_at(3, "00:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        berlin_at(4, "00:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    expect(scene.app.get(&availability).await, 404).await;

    // The appointment already booked: the owner sees it, staff find it in the calendar and handle it.
    let mine = expect(scene.app.call(Method::GET, "/api/v1/appointments", &scene.owner.token, None).await, 200).await;
    assert_eq!(mine["items"][0]["id"], booked["id"]);
    let calendar = format!(
        "{clinic}/calendar?from={}&to={}",
        berlin_at(3, "00:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        berlin_at(4, "00:00").to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    let calendar = expect(scene.app.call(Method::GET, &calendar, &scene.receptionist.token, None).await, 200).await;
    assert!(calendar.to_string().contains(booked["id"].as_str().unwrap()), "{calendar}");
    let cancel = format!("/api/v1/appointments/{}/transitions", booked["id"].as_str().unwrap());
    let body = json!({ "to": "cancelled", "reason": "the clinic closed" });
    expect(scene.app.call(Method::POST, &cancel, &scene.receptionist.token, Some(body)).await, 200).await;

    // Back on the platform: public again and bookable.
    expect(scene.app.call(Method::POST, &format!("{clinic}/reactivate"), &scene.admin.token, None).await, 200).await;
    expect(scene.app.get(&clinic).await, 200).await;
    expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "12:00"))).await, 201).await;
}
