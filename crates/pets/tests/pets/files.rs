//! A pet's photo and its records' attachments, under the pet's access rules
//! (RELIABILITY 11 and 16 for files).

use std::io::Cursor;

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{app, clinic, dog, pet, record, register, staff};

async fn upload(app: &TestApp, user: &TestUser, purpose: &str, bytes: Vec<u8>, name: &str) -> serde_json::Value {
    expect(app.upload(user, purpose, name, bytes).await, 201).await
}

/// A `width` × `height` PNG.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(width, height, image::Rgb([10, 200, 90])));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

async fn process(app: &TestApp) {
    let uploads = media::Uploads::from_settings(app.section()).unwrap();
    testkit::run_due_jobs(media::worker_options(testkit::worker_options(app), &uploads).unwrap()).await;
}

#[tokio::test]
async fn another_owner_cannot_reach_a_pets_photo_by_any_path() {
    let app = app().await;
    let (alice, bob) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let rex = pet(&app, &alice, dog("Rex")).await;
    let photo = upload(&app, &alice, "pet_photo", png(600, 400), "rex.png").await;
    let photo_id = photo["id"].as_str().unwrap();
    // Bob cannot attach Alice's upload to his own pet, nor his upload to her pet.
    let bella = pet(&app, &bob, dog("Bella")).await;
    expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/pets/{bella}/photo"),
            &bob.token,
            Some(json!({ "media_id": photo_id })),
        )
        .await,
        422,
    )
    .await;
    let shown = expect(
        app.call(
            Method::PUT,
            &format!("/api/v1/pets/{rex}/photo"),
            &alice.token,
            Some(json!({ "media_id": photo_id })),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(shown["photo_id"], photo_id);
    process(&app).await;

    let photo_path = format!("/api/v1/pets/{rex}/photo?variant=512");
    let mine = app.call(Method::GET, &photo_path, &alice.token, None).await;
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.headers()["content-type"], "image/jpeg");
    expect(app.call(Method::GET, &photo_path, &bob.token, None).await, 404).await;
    expect(app.call(Method::POST, &format!("/api/v1/pets/{rex}/photo/link"), &bob.token, None).await, 404).await;
    expect(app.call(Method::GET, &format!("/api/v1/media/{photo_id}"), &bob.token, None).await, 404).await;
    // Not even with the id (or the storage key) of the file itself, without a signature.
    let unsigned = app.client.get(app.url(&format!("/api/v1/media/{photo_id}/content"))).send().await.unwrap();
    assert!(unsigned.status().is_client_error());
    let key: String = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let mut connection = app.db.connect().await;
        db::schema::media::table
            .select(db::schema::media::storage_key)
            .first::<Option<String>>(&mut connection)
            .await
            .unwrap()
            .unwrap()
    };
    for path in [format!("/api/v1/media/{key}/content"), format!("/{key}"), format!("/api/v1/pets/{rex}/photo/{key}")] {
        let response = app.call(Method::GET, &path, &bob.token, None).await;
        assert!([400, 404].contains(&response.status().as_u16()), "{path}: {}", response.status());
    }
    let link = expect(
        app.call(Method::POST, &format!("/api/v1/pets/{rex}/photo/link?variant=128"), &alice.token, None).await,
        200,
    )
    .await;
    let shared = app.client.get(app.url(link["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(shared.status(), 200, "the owner's signed link works without credentials");
}

#[tokio::test]
async fn a_lab_report_attaches_to_a_record_for_the_clinic_and_the_owner() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let rex = pet(&app, &owner, dog("Rex")).await;
    let here = clinic(&app, "Here").await;
    let vet = staff(&app, here, Role::Veterinarian).await;
    register(&app, &owner, &rex, here).await;
    let lab = json!({ "record_date": "2026-02-01", "clinic_id": here, "details": { "type": "lab_result", "test": "CBC", "result": "normal" } });
    let written = record(&app, &vet, &rex, lab).await;
    let record_id = written["id"].as_str().unwrap();
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    let report = upload(&app, &vet, "record_attachment", pdf.clone(), "CBC results.pdf").await;
    let attach = json!({ "media_id": report["id"] });
    let stranger = app.user(Role::PetOwner).await;
    expect(
        app.call(
            Method::POST,
            &format!("/api/v1/pets/{rex}/records/{record_id}/attachments"),
            &stranger.token,
            Some(attach.clone()),
        )
        .await,
        404,
    )
    .await;
    let attached = expect(
        app.call(
            Method::POST,
            &format!("/api/v1/pets/{rex}/records/{record_id}/attachments"),
            &vet.token,
            Some(attach),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(attached["attachments"][0]["file_name"], "CBC_results.pdf");
    let path = format!("/api/v1/pets/{rex}/records/{record_id}/attachments/{}", report["id"].as_str().unwrap());
    let by_owner = app.call(Method::GET, &path, &owner.token, None).await;
    assert_eq!(by_owner.headers()["content-disposition"], "attachment; filename=\"CBC_results.pdf\"");
    assert_eq!(by_owner.bytes().await.unwrap().to_vec(), pdf);
    expect(app.call(Method::GET, &path, &stranger.token, None).await, 404).await;
    let history = expect(
        app.call(Method::GET, &format!("/api/v1/pets/{rex}/records/{record_id}/history"), &owner.token, None).await,
        200,
    )
    .await;
    assert_eq!(history[1]["action"], "health_record.attachment_added");
}
