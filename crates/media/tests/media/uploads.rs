//! What an upload is, what it is allowed to be, and what is kept of it.

use image::ImageFormat;
use kernel::Role;
use testkit::expect;

use crate::fixtures::{app, app_over, decompression_bomb, files_in, jpeg_with_gps, photo, run_jobs, upload};

async fn media_rows(app: &testkit::TestApp) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut connection = app.db.connect().await;
    db::schema::media::table.count().get_result::<i64>(&mut connection).await.unwrap()
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_not_the_name() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let renamed =
        expect(upload(&app, &owner, "pet_photo", "holiday.jpg", photo(ImageFormat::Png, 30, 30)).await, 201).await;
    assert_eq!(
        (renamed["content_type"].as_str(), renamed["file_name"].as_str()),
        (Some("image/png"), Some("holiday.png"))
    );
    assert_eq!(renamed["status"], "processing");

    let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00".repeat(8);
    let refused = expect(upload(&app, &owner, "pet_photo", "cute.png", elf.clone()).await, 415).await;
    assert_eq!(refused["error"]["code"], "UNSUPPORTED_FILE_TYPE");
    let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    expect(upload(&app, &owner, "pet_photo", "scan.pdf", pdf.clone()).await, 415).await;
    let document = expect(upload(&app, &owner, "record_attachment", "../lab report.PDF", pdf).await, 201).await;
    assert_eq!((document["status"].as_str(), document["file_name"].as_str()), (Some("ready"), Some("lab_report.pdf")));
    let not_multipart = app
        .client
        .post(app.url("/api/v1/media?purpose=pet_photo"))
        .bearer_auth(&owner.token)
        .body(elf)
        .send()
        .await
        .unwrap();
    expect(not_multipart, 415).await;
    for form in [
        reqwest::multipart::Form::new()
            .text("note", "hi")
            .part("file", reqwest::multipart::Part::bytes(photo(ImageFormat::Png, 4, 4))),
        reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(photo(ImageFormat::Png, 4, 4)))
            .text("note", "hi"),
    ] {
        let extra = app
            .client
            .post(app.url("/api/v1/media?purpose=pet_photo"))
            .bearer_auth(&owner.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        expect(extra, 400).await;
    }
    assert_eq!(media_rows(&app).await, 2, "refused uploads leave no row");
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_and_leaves_nothing_behind() {
    let app = app_over(|config| config.clone().with_override("media.max_image_bytes", 20_000).unwrap()).await;
    let owner = app.user(Role::PetOwner).await;
    let big = crate::fixtures::noise_png(120, 120);
    assert!(big.len() > 20_000, "{}", big.len());
    let refused = expect(upload(&app, &owner, "pet_photo", "big.png", big).await, 413).await;
    assert_eq!(refused["error"]["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(media_rows(&app).await, 0);
    assert!(files_in(app.media_dir.path()).is_empty(), "{:?}", files_in(app.media_dir.path()));
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_before_it_is_decoded_and_its_decode_is_bounded() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let bomb = decompression_bomb();
    assert!(bomb.len() < 1_000, "a small file");
    let refused = expect(upload(&app, &owner, "pet_photo", "bomb.png", bomb.clone()).await, 422).await;
    assert!(refused["error"]["details"]["fields"]["file"][0].as_str().unwrap().contains("pixels"), "{refused}");
    assert_eq!(media_rows(&app).await, 0);

    // Even a decoder handed the bomb directly stops at its limits, without allocating.
    let peak_before = peak_memory_kib();
    let bounds = media::process::Bounds { max_pixels: u64::MAX, max_decode_bytes: 64 << 20 };
    assert!(media::process::process(&bomb, ImageFormat::Png, bounds, &[128]).is_err());
    let grown = peak_memory_kib().saturating_sub(peak_before);
    assert!(grown < 128 * 1024, "decoding the bomb raised peak memory by {grown} KiB");
}

fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_phones_photo_loses_its_exif_and_gps_and_is_turned_upright() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let original = jpeg_with_gps();
    assert!(crate::fixtures::has_exif(&original));
    let uploaded = expect(upload(&app, &owner, "pet_photo", "IMG_0001.JPG", original).await, 201).await;
    let id = uploaded["id"].as_str().unwrap();
    run_jobs(&app).await;
    let ready =
        expect(app.call(reqwest::Method::GET, &format!("/api/v1/media/{id}"), &owner.token, None).await, 200).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!((ready["width"].as_i64(), ready["height"].as_i64()), (Some(20), Some(40)), "rotated by its orientation");
    for variant in [None, Some("128"), Some("512"), Some("1600")] {
        let bytes = crate::downloads::fetch(&app, &owner, id, variant).await;
        assert!(!crate::fixtures::has_exif(&bytes), "{variant:?} still has EXIF");
        assert!(image::load_from_memory(&bytes).is_ok());
    }
    let stranger = app.user(Role::PetOwner).await;
    expect(app.call(reqwest::Method::GET, &format!("/api/v1/media/{id}"), &stranger.token, None).await, 404).await;
}
