//! A pet's photo and its records' attachments, under the pet's access rules
//! (RELIABILITY 11 and 16 for files).

use std::io::Cursor;

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{Patient, app, dog, patient, pet, record};

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
    let Patient { owner, rex, here, vet } = patient(&app).await;
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

/// Statements a records page with addenda and attachments sends at most: the
/// caller's access to the pet, the page (with each record's attachments and
/// whether it has addenda), the addenda, and the attached files with their
/// variants. It was 6 while attachments and addenda were a query of their
/// own and each file's variants one more (no connection check: see
/// `RECORDS_PAGE_STATEMENTS` in `records.rs`).
const AMENDED_PAGE_STATEMENTS: u64 = 4;

#[tokio::test]
async fn a_records_page_shows_each_records_own_addenda_and_attachments_in_order() {
    let app = app().await;
    let Patient { owner, rex, here, vet } = patient(&app).await;
    let note = |date: &str, text: &str| json!({ "record_date": date, "clinic_id": here, "details": { "type": "note", "text": text } });
    let plain = record(&app, &vet, &rex, note("2026-02-03", "Plain.")).await;
    let amended = record(&app, &vet, &rex, note("2026-02-02", "Amended.")).await;
    let attached = record(&app, &vet, &rex, note("2026-02-01", "Attached.")).await;
    let path = |record: &serde_json::Value, tail: &str| {
        format!("/api/v1/pets/{rex}/records/{}{tail}", record["id"].as_str().unwrap())
    };
    for body in ["First thought.", "Second thought."] {
        let addendum = Some(json!({ "body": body }));
        expect(app.call(Method::POST, &path(&amended, "/addenda"), &vet.token, addendum).await, 201).await;
    }
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    let files = [
        upload(&app, &vet, "record_attachment", pdf, "report.pdf").await,
        upload(&app, &vet, "record_attachment", png(600, 400), "x-ray.png").await,
    ];
    for file in &files {
        let attach = Some(json!({ "media_id": file["id"] }));
        expect(app.call(Method::POST, &path(&attached, "/attachments"), &vet.token, attach).await, 201).await;
    }
    process(&app).await;

    let before = db::spans::statements_sent();
    let page =
        expect(app.call(Method::GET, &format!("/api/v1/pets/{rex}/records"), &owner.token, None).await, 200).await;
    let sent = db::spans::statements_sent() - before;
    let items = page["items"].as_array().unwrap();
    let ids: Vec<&serde_json::Value> = items.iter().map(|item| &item["id"]).collect();
    assert_eq!(ids, [&plain["id"], &amended["id"], &attached["id"]], "newest record date first");
    let bodies: Vec<&str> =
        items[1]["addenda"].as_array().unwrap().iter().map(|a| a["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["First thought.", "Second thought."]);
    let names: Vec<&str> =
        items[2]["attachments"].as_array().unwrap().iter().map(|a| a["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["report.pdf", "x-ray.png"], "oldest attachment first");
    for (shown, file) in items[2]["attachments"].as_array().unwrap().iter().zip(&files) {
        let own = format!("/api/v1/media/{}", file["id"].as_str().unwrap());
        let uploaded = expect(app.call(Method::GET, &own, &vet.token, None).await, 200).await;
        assert_eq!(shown["variants"], uploaded["variants"], "the page lists the variants the upload has");
    }
    for (item, field) in
        [(&items[0], "addenda"), (&items[0], "attachments"), (&items[1], "attachments"), (&items[2], "addenda")]
    {
        assert_eq!(item[field], json!([]), "{field} of another record do not show on this one");
    }
    assert!(sent <= AMENDED_PAGE_STATEMENTS, "the page sent {sent} statements, more than {AMENDED_PAGE_STATEMENTS}");
}
