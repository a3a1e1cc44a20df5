//! The same store on S3: uploads written in several multipart parts, ranges
//! read back, derivatives written by the job, and cleanup deleting from the
//! bucket, against a local S3 fake over real HTTP.

use image::ImageFormat;
use kernel::Role;
use reqwest::Method;
use testkit::{S3Server, expect};

use crate::downloads::fetch;
use crate::fixtures::{app_over, clean_up_over, photo, run_jobs_over, upload};

#[tokio::test]
async fn an_s3_bucket_holds_uploads_their_derivatives_and_loses_them_at_cleanup() {
    let s3 = S3Server::start().await;
    let app = app_over(|config| s3.configure(config)).await;
    let uploads = media::Uploads::from_settings(s3.configure(&app.config).section().unwrap()).unwrap();
    let owner = app.user(Role::PetOwner).await;

    let mut scan = b"%PDF-1.7\n".to_vec();
    scan.extend((0..12 * 1024 * 1024_u32).map(|index| (index % 251) as u8));
    let document = expect(upload(&app, &owner, "record_attachment", "x-ray.pdf", scan.clone()).await, 201).await;
    let document_id = document["id"].as_str().unwrap();
    assert_eq!(document["size_bytes"], scan.len());
    assert_eq!(fetch(&app, &owner, document_id, None).await, scan, "three multipart parts, joined in order");
    let link =
        expect(app.call(Method::POST, &format!("/api/v1/media/{document_id}/link"), &owner.token, None).await, 200)
            .await;
    let across_parts = 5 * 1024 * 1024 - 8..5 * 1024 * 1024 + 8;
    let part = app
        .client
        .get(app.url(link["url"].as_str().unwrap()))
        .header("Range", format!("bytes={}-{}", across_parts.start, across_parts.end - 1))
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap().as_ref(), &scan[across_parts]);

    // A day and an hour later on the App's clock, a photo: the document is past its grace period.
    app.clock.advance(chrono::Duration::hours(25));
    let picture =
        expect(upload(&app, &owner, "pet_photo", "rex.png", photo(ImageFormat::Png, 2000, 1000)).await, 201).await;
    let picture_id = picture["id"].as_str().unwrap();
    run_jobs_over(&app, &uploads).await;
    let ready =
        expect(app.call(Method::GET, &format!("/api/v1/media/{picture_id}"), &owner.token, None).await, 200).await;
    assert_eq!(ready["variants"], serde_json::json!(["128", "512", "1600"]));
    let small = image::load_from_memory(&fetch(&app, &owner, picture_id, Some("128")).await).unwrap();
    assert_eq!((small.width(), small.height()), (128, 64));
    let kept = s3.keys().await;
    assert_eq!(kept.len(), 5, "the document, the cleaned photo and three derivatives: {kept:?}");

    let mut connection = app.db.connect().await;
    let document_key: String = {
        use db::schema::media::dsl::{id, media, storage_key};
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        let document_uuid: uuid::Uuid = document_id.parse().unwrap();
        media.filter(id.eq(document_uuid)).select(storage_key.assume_not_null()).first(&mut connection).await.unwrap()
    };
    assert!(kept.contains(&document_key), "{document_key} in {kept:?}");
    let counts = clean_up_over(&app, &uploads).await;
    assert_eq!(counts, (1, 0));
    let left = s3.keys().await;
    assert_eq!(left, kept.into_iter().filter(|key| *key != document_key).collect::<Vec<_>>());
}
