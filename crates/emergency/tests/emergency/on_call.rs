//! On-call shifts and "available now": the vet's own, the clinic's rota.

use chrono::{Duration, Utc};
use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::fixtures::{self, clinic_profile};

use crate::fixtures::scene;

#[tokio::test]
async fn a_vet_declares_shifts_at_their_clinic_and_never_two_at_once() {
    let scene = scene().await;
    let app = &scene.app;
    let vet = fixtures::staff(app, &scene.admin, &scene.clinic, Role::Veterinarian).await;
    let start = Utc::now() + Duration::hours(1);
    let shift = |from: chrono::DateTime<Utc>, hours: i64| json!({ "clinic_id": scene.clinic, "starts_at": from, "ends_at": from + Duration::hours(hours), "radius_km": 15.0 });
    let created = app.api(Method::POST, "/vets/me/on-call/shifts").by(&vet).json(&shift(start, 8)).expect(201).await;
    assert_eq!(created["kind"], "shift");
    assert_eq!(created["location"]["latitude"], 45.76, "a shift starts from the clinic");
    let overlap = app
        .api(Method::POST, "/vets/me/on-call/shifts")
        .by(&vet)
        .json(&shift(start + Duration::hours(4), 8))
        .expect(409)
        .await;
    assert_eq!(overlap["error"]["code"], "CONFLICT");
    app.api(Method::POST, "/vets/me/on-call/shifts")
        .by(&vet)
        .json(&shift(start + Duration::hours(8), 8))
        .expect(201)
        .await;
    let too_long = app
        .api(Method::POST, "/vets/me/on-call/shifts")
        .by(&vet)
        .json(&shift(start + Duration::days(2), 30))
        .expect(422)
        .await;
    assert!(too_long["error"]["details"]["fields"]["ends_at"].is_array(), "{too_long}");
    let mine = app.api(Method::GET, "/vets/me/on-call").by(&vet).expect(200).await;
    assert_eq!(mine.as_array().unwrap().len(), 2);

    let elsewhere = fixtures::clinic(app, &scene.admin, clinic_profile("Other", 48.85, 2.35, "Europe/Paris")).await;
    let body =
        json!({ "clinic_id": elsewhere, "starts_at": start, "ends_at": start + Duration::hours(2), "radius_km": 5.0 });
    app.api(Method::POST, "/vets/me/on-call/shifts").by(&vet).json(&body).expect(422).await;
    let receptionist = fixtures::staff(app, &scene.admin, &scene.clinic, Role::Receptionist).await;
    app.api(Method::POST, "/vets/me/on-call/shifts").by(&receptionist).json(&shift(start, 2)).expect(422).await;
}

#[tokio::test]
async fn the_clinic_desk_keeps_the_rota_and_others_cannot() {
    let scene = scene().await;
    let app = &scene.app;
    let vet = fixtures::staff(app, &scene.admin, &scene.clinic, Role::Veterinarian).await;
    let receptionist = fixtures::staff(app, &scene.admin, &scene.clinic, Role::Receptionist).await;
    let start = Utc::now() + Duration::hours(2);
    let body =
        json!({ "vet_id": vet.user_id, "starts_at": start, "ends_at": start + Duration::hours(12), "radius_km": 20.0 });
    let rota = format!("/clinics/{}/on-call", scene.clinic);
    app.api(Method::POST, &rota).by(&vet).json(&body).expect(403).await;
    app.api(Method::POST, &rota).by(&scene.owner).json(&body).expect(403).await;
    let entry = app.api(Method::POST, &rota).by(&receptionist).json(&body).expect(201).await;
    let not_a_vet = json!({ "vet_id": receptionist.user_id, "starts_at": start, "ends_at": start + Duration::hours(1), "radius_km": 5.0 });
    app.api(Method::POST, &rota).by(&receptionist).json(&not_a_vet).expect(422).await;

    let listed = app.api(Method::GET, &rota).by(&vet).expect(200).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    app.api(Method::GET, &rota).by(&scene.owner).expect(403).await;

    let id = entry["id"].as_str().unwrap();
    app.api(Method::DELETE, &format!("/vets/me/on-call/shifts/{id}")).by(&receptionist).expect(404).await;
    app.api(Method::DELETE, &format!("{rota}/{id}")).by(&receptionist).expect(204).await;
    assert_eq!(app.api(Method::GET, &rota).by(&vet).expect(200).await, json!([]));
}

#[tokio::test]
async fn available_now_switches_on_where_the_vet_is_and_off_at_once() {
    let scene = scene().await;
    let app = &scene.app;
    let vet = scene.vet_available((45.70, 4.80), 12.0).await;
    let mine = app.api(Method::GET, "/vets/me/on-call").by(&vet).expect(200).await;
    assert_eq!(mine[0]["kind"], "available_now");
    assert_eq!(mine[0]["location"]["latitude"], 45.70);
    let half = json!({ "available": true, "clinic_id": scene.clinic });
    app.api(Method::PUT, "/vets/me/on-call/available-now").by(&vet).json(&half).expect(422).await;
    let off = app
        .api(Method::PUT, "/vets/me/on-call/available-now")
        .by(&vet)
        .json(&json!({ "available": false }))
        .expect(200)
        .await;
    assert!(off.is_null());
    assert_eq!(app.api(Method::GET, "/vets/me/on-call").by(&vet).expect(200).await, json!([]));
}
