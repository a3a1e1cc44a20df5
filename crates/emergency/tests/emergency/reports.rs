//! The nearest clinics with a free slot soon, and the emergency figures.

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::fixtures::{self, clinic_profile};

use crate::fixtures::{north_of_pet, scene};

#[tokio::test]
async fn nearest_available_lists_clinics_with_a_free_slot_soon_with_the_first_one() {
    let scene = scene().await;
    let app = &scene.app;
    let morel = fixtures::vet(app, &scene.admin, &scene.clinic, "Dr Morel", "00:00", "23:59").await;
    let consultation =
        json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "45.00" });
    let service = fixtures::service(app, &scene.admin, &scene.clinic, consultation.clone()).await;
    // Nearer, offering the service, but with no vet to perform it.
    let mut empty = clinic_profile("Empty Rooms", 45.7580, 4.8325, "Europe/Paris");
    empty["open_24_7"] = json!(true);
    let empty = fixtures::clinic(app, &scene.admin, empty).await;
    fixtures::service(app, &scene.admin, &empty, consultation.clone()).await;
    // Farther, with its own vet: each clinic's slot is its own vet's.
    let mut farther = clinic_profile("Croix-Rousse", 45.7740, 4.8320, "Europe/Paris");
    farther["open_24_7"] = json!(true);
    let farther = fixtures::clinic(app, &scene.admin, farther).await;
    let petit = fixtures::vet(app, &scene.admin, &farther, "Dr Petit", "00:00", "23:59").await;
    fixtures::service(app, &scene.admin, &farther, consultation).await;

    let path = "/clinics/nearest-available?near=45.7578,4.832&service=consultation&species=dog&within=6h";
    let found = app.api(Method::GET, path).expect(200).await;
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["clinic_id"], scene.clinic.as_str());
    assert_eq!(found[0]["service_id"], service.as_str());
    assert_eq!(found[0]["vet_id"], morel.user_id.to_string());
    assert_eq!(found[1]["clinic_id"], farther.as_str());
    assert_eq!(found[1]["vet_id"], petit.user_id.to_string());
    let one = app.api(Method::GET, &format!("{path}&limit=1")).expect(200).await;
    assert_eq!(one.as_array().unwrap().len(), 1, "the nearest one only");
    let first = chrono::DateTime::parse_from_rfc3339(found[0]["first_slot"].as_str().unwrap()).unwrap();
    assert!(first < chrono::Utc::now() + chrono::Duration::hours(6));
    app.api(Method::GET, "/clinics/nearest-available?near=45.7578,4.832&service=consultation&within=today")
        .expect(200)
        .await;
    app.api(Method::GET, "/clinics/nearest-available?near=45.7578,4.832&service=consultation&within=500h")
        .expect(422)
        .await;
    app.api(Method::GET, "/clinics/nearest-available?near=95,4.832&service=consultation").expect(422).await;
    app.api(Method::GET, "/clinics/nearest-available?service=consultation").expect(400).await;
}

#[tokio::test]
async fn clinic_admins_see_their_clinics_figures_and_platform_admins_a_regions() {
    let scene = scene().await;
    let app = &scene.app;
    let vet = scene.vet_available(north_of_pet(1.0), 10.0).await;
    let case = scene.open_case().await;
    app.api(Method::POST, &format!("/emergency-requests/{}/accept", case["id"].as_str().unwrap()))
        .by(&vet)
        .expect(200)
        .await;
    let clinic_admin = fixtures::staff(app, &scene.admin, &scene.clinic, Role::ClinicAdmin).await;

    let mine = app
        .api(Method::GET, &format!("/emergency/metrics?clinic_id={}", scene.clinic))
        .by(&clinic_admin)
        .expect(200)
        .await;
    assert_eq!(mine["cases"], 1);
    assert_eq!(mine["accepted"], 1);
    assert_eq!(mine["acceptance_rate"], 1.0);
    assert_eq!(mine["offers"], 1);
    assert!(mine["time_to_accept_p50_secs"].as_f64().unwrap() >= 0.0);
    assert_eq!(mine["by_triage_level"], json!([{ "level": 1, "cases": 1 }]));

    let other = fixtures::clinic(app, &scene.admin, clinic_profile("Elsewhere", 48.85, 2.35, "Europe/Paris")).await;
    app.api(Method::GET, &format!("/emergency/metrics?clinic_id={other}")).by(&clinic_admin).expect(403).await;
    app.api(Method::GET, "/emergency/metrics").by(&clinic_admin).expect(403).await;
    app.api(Method::GET, &format!("/emergency/metrics?clinic_id={}", scene.clinic)).by(&vet).expect(403).await;

    let region =
        app.api(Method::GET, "/emergency/metrics?near=45.7578,4.832&radius_km=5").by(&scene.admin).expect(200).await;
    assert_eq!(region["cases"], 1);
    let paris =
        app.api(Method::GET, "/emergency/metrics?near=48.85,2.35&radius_km=5").by(&scene.admin).expect(200).await;
    assert_eq!(paris["cases"], 0);
    assert!(paris["acceptance_rate"].is_null());
}
