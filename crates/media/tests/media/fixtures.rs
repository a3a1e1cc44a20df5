//! Images made for the tests (one with GPS EXIF, a decompression bomb), an
//! upload helper and a worker that runs the media jobs.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use testkit::{TestApp, TestUser};

/// The App over the media routes.
pub async fn app() -> TestApp {
    app_over(|config| config.clone()).await
}

/// The App with `configure` applied to its configuration (an S3 store, limits).
pub async fn app_over(configure: impl FnOnce(&platform::config::Source) -> platform::config::Source) -> TestApp {
    TestApp::spawn(|config| {
        let uploads = media::Uploads::from_settings(configure(config).section().unwrap()).unwrap();
        move |routes: &mut platform::Routes| media::routes(routes, &uploads)
    })
    .await
}

/// The store the App serves from.
pub fn uploads(app: &TestApp) -> media::Uploads {
    media::Uploads::from_settings(app.section()).unwrap()
}

/// `POST /api/v1/media?purpose=` with `bytes` as the file `name`.
pub async fn upload(app: &TestApp, user: &TestUser, purpose: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.upload(user, purpose, name, bytes).await
}

/// Runs the media jobs that are due, over `uploads`.
pub async fn run_jobs_over(app: &TestApp, uploads: &media::Uploads) {
    testkit::run_due_jobs(media::worker_options(testkit::worker_options(app), uploads).unwrap()).await;
}

/// Runs the media jobs that are due.
pub async fn run_jobs(app: &TestApp) {
    run_jobs_over(app, &uploads(app)).await;
}

/// Runs the hourly cleanup now, on the App's clock, over `uploads`:
/// (unattached uploads removed, released files removed).
pub async fn clean_up_over(app: &TestApp, uploads: &media::Uploads) -> (usize, usize) {
    let resources = jobs::Resources::of_state(&app.state);
    media::jobs::clean_up(&resources, uploads).await.unwrap()
}

/// Runs the hourly cleanup of the App's local store now.
pub async fn clean_up(app: &TestApp) -> (usize, usize) {
    clean_up_over(app, &uploads(app)).await
}

/// A photo encoded by the image crate.
pub fn photo(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let image =
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| Rgb([(x * 7) as u8, (y * 5) as u8, 90])));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
    bytes
}

/// A PNG of noise, which does not compress: `width × height × 3` bytes or so.
pub fn noise_png(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_u32;
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |_, _| {
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state & 0xFF) as u8
        };
        Rgb([next(), next(), next()])
    }));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
    bytes
}

/// A 40 × 20 JPEG whose EXIF says "rotate 90° clockwise" and carries a GPS
/// position: what a phone writes into every photo.
pub fn jpeg_with_gps() -> Vec<u8> {
    let jpeg = photo(ImageFormat::Jpeg, 40, 20);
    // TIFF, little-endian: IFD0 {Orientation = 6, GPS IFD pointer}, GPS IFD {latitude 48°51'N}.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8_u32.to_le_bytes());
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut bytes = tag.to_le_bytes().to_vec();
        bytes.extend(kind.to_le_bytes());
        bytes.extend(count.to_le_bytes());
        bytes.extend(value.to_le_bytes());
        bytes
    };
    let gps_ifd = 8 + 2 + 2 * 12 + 4;
    tiff.extend(2_u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, gps_ifd));
    tiff.extend(0_u32.to_le_bytes());
    let rational = gps_ifd + 2 + 2 * 12 + 4;
    tiff.extend(2_u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0])));
    tiff.extend(entry(0x0002, 5, 3, rational));
    tiff.extend(0_u32.to_le_bytes());
    for (numerator, denominator) in [(48_u32, 1_u32), (51, 1), (2400, 100)] {
        tiff.extend(numerator.to_le_bytes());
        tiff.extend(denominator.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// A valid, tiny PNG whose header declares 100 000 × 100 000 pixels (ten
/// gigapixels): decoding it naively would need ~30 GB.
pub fn decompression_bomb() -> Vec<u8> {
    let small = photo(ImageFormat::Png, 8, 8);
    let mut bomb = small.clone();
    // IHDR data starts after the 8-byte signature, 4-byte length and 4-byte type.
    bomb[16..20].copy_from_slice(&100_000_u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000_u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    bomb
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Whether `bytes` hold an EXIF block or GPS data anywhere.
pub fn has_exif(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|window| window == b"Exif\0\0") || bytes.windows(4).any(|window| window == b"II*\0")
}

/// Every file under `dir`.
pub fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { found.extend(files_in(&path)) } else { found.push(path) }
    }
    found
}
