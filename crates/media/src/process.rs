//! Cleaning an uploaded image: decoded within limits (pixels and memory, so a
//! decompression bomb fails instead of eating the worker), turned upright from
//! its EXIF orientation, re-encoded (which drops EXIF, GPS and every other
//! metadata block), and resized to each `media.derivative_sizes` long side.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// One encoded image.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub content_type: &'static str,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// The cleaned original and its derivatives, by long side.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The original, upright and without metadata, in its own format.
    pub original: Encoded,
    /// `(long side, image)`, smallest first; none is larger than the original.
    pub derivatives: Vec<(u32, Encoded)>,
}

/// Decode and encode limits.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Most pixels an image may have.
    pub max_pixels: u64,
    /// Most bytes one decode may allocate.
    pub max_decode_bytes: u64,
}

/// Processes `bytes` of `format` (CPU-bound: run it on a blocking thread).
pub fn process(bytes: &[u8], format: ImageFormat, bounds: Bounds, sizes: &[u32]) -> Result<Processed, String> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let side = u32::try_from(bounds.max_pixels.min(u64::from(u32::MAX))).unwrap_or(u32::MAX);
    let mut limits = Limits::default();
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits.max_alloc = Some(bounds.max_decode_bytes);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|error| format!("cannot read the image: {error}"))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > bounds.max_pixels {
        return Err(format!("the image has {width} × {height} pixels; at most {} are accepted", bounds.max_pixels));
    }
    // The decoder's own allocation limit is not enforced on every path: check
    // what the decoded pixels would take before any of it is allocated.
    if decoder.total_bytes() > bounds.max_decode_bytes {
        return Err(format!(
            "decoding the image would take {} bytes; at most {} are allowed",
            decoder.total_bytes(),
            bounds.max_decode_bytes
        ));
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| format!("cannot decode the image: {error}"))?;
    image.apply_orientation(orientation);
    let original = encode(&image, format)?;
    let long_side = image.width().max(image.height());
    let mut derivatives = Vec::new();
    for &size in sizes {
        let resized = if size < long_side { image.thumbnail(size, size) } else { image.clone() };
        let derivative_format = if image.color().has_alpha() { ImageFormat::Png } else { ImageFormat::Jpeg };
        derivatives.push((size, encode(&resized, derivative_format)?));
    }
    Ok(Processed { original, derivatives })
}

/// Encodes `image` as `format` with no metadata.
fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Encoded, String> {
    let mut bytes = Vec::new();
    let result = match format {
        ImageFormat::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 85))
        }
        other => image.write_to(&mut Cursor::new(&mut bytes), other),
    };
    result.map_err(|error| format!("cannot encode the image: {error}"))?;
    Ok(Encoded { bytes, content_type: format.to_mime_type(), width: image.width(), height: image.height() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(width, height, image::Rgb([200, 120, 40])));
        encode(&image, ImageFormat::Jpeg).map(|encoded| encoded.bytes).unwrap_or_default()
    }

    #[test]
    fn derivatives_keep_the_aspect_and_never_grow() {
        let bounds = Bounds { max_pixels: 10_000_000, max_decode_bytes: 256 << 20 };
        let processed = process(&jpeg(800, 400), ImageFormat::Jpeg, bounds, &[128, 512, 1600])
            .unwrap_or_else(|error| panic!("{error}"));
        let sizes: Vec<(u32, u32, u32)> =
            processed.derivatives.iter().map(|(side, image)| (*side, image.width, image.height)).collect();
        assert_eq!(sizes, [(128, 128, 64), (512, 512, 256), (1600, 800, 400)]);
    }

    #[test]
    fn too_many_pixels_fail_without_decoding() {
        let bounds = Bounds { max_pixels: 1000, max_decode_bytes: 1 << 20 };
        assert!(process(&jpeg(100, 100), ImageFormat::Jpeg, bounds, &[128]).is_err());
    }
}
