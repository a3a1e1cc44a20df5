//! Signed links, ranges, caching, processing state, cleanup.

use chrono::{Duration, Utc};
use image::ImageFormat;
use kernel::Role;
use reqwest::Method;
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{app, clean_up, files_in, photo, run_jobs, upload, uploads};

/// Downloads `variant` of an upload of `user`'s through a fresh signed link.
pub async fn fetch(app: &TestApp, user: &TestUser, id: &str, variant: Option<&str>) -> Vec<u8> {
    let query = variant.map(|variant| format!("?variant={variant}")).unwrap_or_default();
    let link =
        expect(app.call(Method::POST, &format!("/api/v1/media/{id}/link{query}"), &user.token, None).await, 200).await;
    let response = app.client.get(app.url(link["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(response.status(), 200, "{variant:?}");
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn derivatives_appear_after_the_job_and_links_expire() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let uploaded =
        expect(upload(&app, &owner, "pet_photo", "rex.png", photo(ImageFormat::Png, 2000, 1000)).await, 201).await;
    let id = uploaded["id"].as_str().unwrap();
    let link = expect(app.call(Method::POST, &format!("/api/v1/media/{id}/link"), &owner.token, None).await, 200).await;
    let early = app.client.get(app.url(link["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(early.status(), 409, "nothing is served before it is cleaned");
    run_jobs(&app).await;
    let ready = expect(app.call(Method::GET, &format!("/api/v1/media/{id}"), &owner.token, None).await, 200).await;
    assert_eq!(ready["variants"], serde_json::json!(["128", "512", "1600"]));
    let small = image::load_from_memory(&fetch(&app, &owner, id, Some("128")).await).unwrap();
    assert_eq!((small.width(), small.height()), (128, 64));

    let media_id = kernel::MediaId(id.parse().unwrap());
    let stale = media::links::link_until(uploads(&app).settings(), media_id, None, Utc::now() - Duration::seconds(1));
    let refused = app.client.get(app.url(&stale.url)).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let forged = link["url"].as_str().unwrap().replace("signature=", "signature=0");
    assert!(app.client.get(app.url(&forged)).send().await.unwrap().status().is_client_error());
    let other_file = link["url"].as_str().unwrap().replace(id, &kernel::MediaId::new().to_string());
    assert_eq!(app.client.get(app.url(&other_file)).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn downloads_answer_ranges_and_revalidation_with_the_right_headers() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    let uploaded = expect(upload(&app, &owner, "record_attachment", "lab.pdf", pdf.clone()).await, 201).await;
    let id = uploaded["id"].as_str().unwrap();
    let link = expect(app.call(Method::POST, &format!("/api/v1/media/{id}/link"), &owner.token, None).await, 200).await;
    let url = app.url(link["url"].as_str().unwrap());
    let whole = app.client.get(&url).send().await.unwrap();
    let header =
        |response: &reqwest::Response, name: &str| response.headers().get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(header(&whole, "content-type"), "application/pdf");
    assert_eq!(header(&whole, "content-disposition"), "attachment; filename=\"lab.pdf\"");
    assert_eq!(header(&whole, "accept-ranges"), "bytes");
    let etag = header(&whole, "etag");
    assert_eq!(whole.bytes().await.unwrap().to_vec(), pdf);
    let part = app.client.get(&url).header("Range", "bytes=0-7").send().await.unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(header(&part, "content-range"), format!("bytes 0-7/{}", pdf.len()));
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"%PDF-1.7");
    let beyond = app.client.get(&url).header("Range", "bytes=100000-").send().await.unwrap();
    assert_eq!(beyond.status(), 416);
    let cached = app.client.get(&url).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(cached.status(), 304);
}

#[tokio::test]
async fn cleanup_removes_uploads_nobody_attached_and_their_files() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let uploaded =
        expect(upload(&app, &owner, "pet_photo", "rex.png", photo(ImageFormat::Png, 300, 200)).await, 201).await;
    run_jobs(&app).await;
    // A day and an hour later on the App's clock, another upload.
    app.clock.advance(chrono::Duration::hours(25));
    let fresh =
        expect(upload(&app, &owner, "pet_photo", "bella.png", photo(ImageFormat::Png, 30, 20)).await, 201).await;
    run_jobs(&app).await;
    assert!(files_in(app.media_dir.path()).len() >= 8, "two originals and their derivatives");
    let counts = clean_up(&app).await;
    assert_eq!(counts, (1, 0));
    assert_eq!(files_in(app.media_dir.path()).len(), 4, "only the fresh upload's files are left");
    expect(
        app.call(Method::GET, &format!("/api/v1/media/{}", uploaded["id"].as_str().unwrap()), &owner.token, None).await,
        404,
    )
    .await;
    expect(
        app.call(Method::GET, &format!("/api/v1/media/{}", fresh["id"].as_str().unwrap()), &owner.token, None).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn an_upload_cleaned_up_before_its_processing_ran_leaves_no_failing_job() {
    #[derive(diesel::QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        jobs: i64,
    }
    use diesel_async::RunQueryDsl;
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    expect(upload(&app, &owner, "pet_photo", "rex.png", photo(ImageFormat::Png, 30, 20)).await, 201).await;
    // Never attached, and cleaned up before any worker processed it.
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(clean_up(&app).await, (1, 0));
    run_jobs(&app).await;
    let waiting: Waiting =
        diesel::sql_query("SELECT count(*) AS jobs FROM graphile_worker.jobs WHERE task_identifier = 'media_process'")
            .get_result(&mut app.db.connect().await)
            .await
            .unwrap();
    assert_eq!(waiting.jobs, 0, "the processing job keeps failing on the vanished upload");
}
