//! Strangers learn nothing of an appointment, and a body cannot set what the
//! server owns.

use reqwest::Method;
use serde_json::json;
use testkit::{expect, fixtures};

use crate::fixtures::{Scene, berlin_at, vet};

#[tokio::test]
async fn strangers_get_404_on_an_appointment_its_reschedule_history_and_transitions() {
    let scene = Scene::new().await;
    let booked = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "10:00"))).await, 201).await;
    let id = booked["id"].as_str().unwrap();
    let (stranger, _) = scene.another_owner().await;
    let elsewhere = fixtures::clinic_profile("Elsewhere Vets", 48.85, 2.35, "Europe/Paris");
    let other_clinic = fixtures::clinic(&scene.app, &scene.admin, elsewhere).await;
    let other_vet = vet(&scene.app, &scene.admin, &other_clinic, "Dr Elsewhere").await;
    let reschedule = json!({ "starts_at": berlin_at(3, "11:00") });
    let cancel = json!({ "to": "cancelled" });
    for who in [&stranger, &other_vet] {
        for (method, tail, body) in [
            (Method::GET, "", None),
            (Method::GET, "/history", None),
            (Method::POST, "/reschedule", Some(reschedule.clone())),
            (Method::POST, "/transitions", Some(cancel.clone())),
        ] {
            let path = format!("/api/v1/appointments/{id}{tail}");
            expect(scene.app.call(method, &path, &who.token, body).await, 404).await;
        }
    }
    let path = format!("/api/v1/appointments/{id}");
    let shown = expect(scene.app.call(Method::GET, &path, &scene.owner.token, None).await, 200).await;
    assert_eq!((&shown["status"], &shown["starts_at"]), (&booked["status"], &booked["starts_at"]), "untouched");
}

#[tokio::test]
async fn bodies_naming_server_owned_fields_are_400_and_change_nothing() {
    let scene = Scene::new().await;
    let booked = expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "10:00"))).await, 201).await;
    let reschedule_path = format!("/api/v1/appointments/{}/reschedule", booked["id"].as_str().unwrap());
    let someone = scene.receptionist.user_id;
    for (field, value) in
        [("status", json!("completed")), ("owner_id", json!(someone)), ("clinic_id", json!(kernel::ClinicId::new()))]
    {
        let mut booking = scene.booking(berlin_at(4, "10:00"));
        booking[field] = value.clone();
        let refused = expect(scene.book(&scene.owner, booking).await, 400).await;
        assert!(refused.to_string().contains(field), "the answer names {field}: {refused}");
        let mut moved = json!({ "starts_at": berlin_at(3, "11:00") });
        moved[field] = value;
        expect(scene.app.call(Method::POST, &reschedule_path, &scene.owner.token, Some(moved)).await, 400).await;
    }
    let mine = expect(scene.app.call(Method::GET, "/api/v1/appointments", &scene.owner.token, None).await, 200).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "no refused body booked");
    assert_eq!((&items[0]["status"], &items[0]["starts_at"]), (&booked["status"], &booked["starts_at"]));
}
