//! Clinic and vet photos: set by the clinic's admins and the vet, seen by anyone.

use std::io::Cursor;

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{admin, app, clinic, profile, staff};

pub async fn upload(app: &TestApp, user: &TestUser, purpose: &str) -> String {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(300, 200, image::Rgb([40, 90, 200])));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg).unwrap();
    let response = app.upload(user, purpose, "front.jpg", bytes).await;
    expect(response, 201).await["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_clinic_and_its_vets_show_photos_that_only_they_set() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let manager = staff(&app, &admin, &id, Role::ClinicAdmin).await;
    let receptionist = staff(&app, &admin, &id, Role::Receptionist).await;
    let front = upload(&app, &receptionist, "clinic_photo").await;
    expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/clinics/{id}/photo"),
            &receptionist.token,
            Some(json!({ "media_id": front })),
        )
        .await,
        403,
    )
    .await;
    let theirs = upload(&app, &manager, "clinic_photo").await;
    expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/clinics/{id}/photo"),
            &manager.token,
            Some(json!({ "media_id": front })),
        )
        .await,
        422,
    )
    .await;
    let shown = expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/clinics/{id}/photo"),
            &manager.token,
            Some(json!({ "media_id": theirs })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(shown["photo_id"], theirs.as_str());
    let uploads = media::Uploads::from_settings(app.section()).unwrap();
    testkit::run_due_jobs(media::worker_options(testkit::worker_options(&app), &uploads).unwrap()).await;
    let public = app.get(&format!("/api/v1/clinics/{id}/photo?variant=128")).await;
    assert_eq!(public.status(), 200, "anyone sees a clinic's photo");

    let vet = staff(&app, &admin, &id, Role::Veterinarian).await;
    let portrait = upload(&app, &vet, "vet_photo").await;
    expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/vets/{}/photo", vet.user_id),
            &vet.token,
            Some(json!({ "media_id": portrait })),
        )
        .await,
        404,
    )
    .await;
    expect(
        app.call(Method::PUT, "/api/v1/vets/me", &vet.token, Some(json!({ "display_name": "Dr Okafor" }))).await,
        200,
    )
    .await;
    let someone_elses = format!("/api/v1/vets/{}/photo", manager.user_id);
    expect(app.call(Method::PUT, &someone_elses, &vet.token, Some(json!({ "media_id": portrait }))).await, 403).await;
    let mine = expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/vets/{}/photo", vet.user_id),
            &vet.token,
            Some(json!({ "media_id": portrait })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(mine["photo_id"], portrait.as_str());
    expect(app.get(&format!("/api/v1/vets/{}/photo", vet.user_id)).await, 409).await;
}
