//! Image cleaning throughput, for `make bench`.
//!
//! `cargo run --release -p media --example media_bench -- <out.jpg>` makes a
//! 12-megapixel JPEG (4000 × 3000), times the full cleaning of it (decode,
//! orientation, re-encode without metadata, 128/512/1600 derivatives) and
//! prints images/s; it leaves the photo at `<out.jpg>` for the upload benchmark.

#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark program")]

use std::io::Cursor;
use std::time::Instant;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use media::process::{Bounds, process};

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| "target/bench-12mp.jpg".to_owned());
    let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(4000, 3000, |x, y| {
        let wave = ((x as f32 / 37.0).sin() * (y as f32 / 23.0).cos() * 60.0) as i32;
        Rgb([(x % 256) as u8, (y % 256) as u8, (128 + wave).clamp(0, 255) as u8])
    }));
    let mut jpeg = Vec::new();
    photo.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).expect("encode the test photo");
    std::fs::write(&out, &jpeg).expect("write the test photo");
    let bounds = Bounds { max_pixels: 50_000_000, max_decode_bytes: 512 << 20 };
    let runs = 5;
    let started = Instant::now();
    for _ in 0..runs {
        process(&jpeg, ImageFormat::Jpeg, bounds, &[128, 512, 1600]).expect("process the photo");
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:<34} {:>12.2} images/s ({:.0} ms each, {:.1} MB JPEG, one core)",
        "clean 12 MP JPEG + 3 derivatives",
        f64::from(runs) / seconds,
        seconds * 1000.0 / f64::from(runs),
        jpeg.len() as f64 / 1e6
    );
}
