//! What a file really is, from its first bytes: the declared name and type are
//! never trusted. Each purpose allows a few types.

use std::io::Cursor;

use image::ImageFormat;

use crate::api::Purpose;

/// Bytes read before deciding what the file is.
pub const HEAD_BYTES: usize = 64 * 1024;

/// A type we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An image we decode and re-encode.
    Image(ImageFormat),
    /// A PDF, stored as received.
    Pdf,
}

impl Kind {
    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Image(format) => format.to_mime_type(),
            Self::Pdf => "application/pdf",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Image(format) => format.extensions_str().first().copied().unwrap_or("bin"),
            Self::Pdf => "pdf",
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a type this purpose allows (415).
    Type(String),
    /// An image with more pixels than allowed (422): a decompression bomb or just too big.
    Pixels(u64),
}

/// The file's kind from its first bytes, if it is one we accept for `purpose`.
pub fn classify(head: &[u8], purpose: Purpose) -> Result<Kind, Refusal> {
    let detected = infer::get(head).map(|found| found.mime_type()).unwrap_or("application/octet-stream");
    let kind = match detected {
        "image/jpeg" => Kind::Image(ImageFormat::Jpeg),
        "image/png" => Kind::Image(ImageFormat::Png),
        "image/webp" => Kind::Image(ImageFormat::WebP),
        "application/pdf" => Kind::Pdf,
        other => return Err(Refusal::Type(other.to_owned())),
    };
    let allowed = match purpose {
        Purpose::RecordAttachment | Purpose::ChatAttachment => true,
        Purpose::PetPhoto
        | Purpose::ClinicPhoto
        | Purpose::VetPhoto
        | Purpose::EmergencyPhoto
        | Purpose::ProductImage => {
            matches!(kind, Kind::Image(_))
        }
        Purpose::PersonalDataExport | Purpose::SalesReport | Purpose::Invoice => false,
    };
    if allowed { Ok(kind) } else { Err(Refusal::Type(detected.to_owned())) }
}

/// Refuses an image whose header declares more than `max_pixels`, before any
/// decoding (a few bytes can declare gigapixels). Unknown dimensions pass:
/// the decoder's own limits catch them later.
pub fn check_pixels(head: &[u8], kind: Kind, max_pixels: u64) -> Result<(), Refusal> {
    let Kind::Image(format) = kind else { return Ok(()) };
    let reader = image::ImageReader::with_format(Cursor::new(head), format);
    match reader.into_dimensions() {
        Ok((width, height)) if u64::from(width) * u64::from(height) > max_pixels => {
            Err(Refusal::Pixels(u64::from(width) * u64::from(height)))
        }
        _ => Ok(()),
    }
}

/// A file name safe for `Content-Disposition`: the last path segment, only
/// letters, digits, `.`, `-` and `_`, at most 100 characters, never empty.
pub fn sanitize_file_name(declared: Option<&str>, kind: Kind) -> String {
    let last = declared.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let stem: String = last
        .rsplit_once('.')
        .map_or(last, |(stem, _)| stem)
        .chars()
        .map(|character| if character.is_ascii_alphanumeric() || "-_".contains(character) { character } else { '_' })
        .take(90)
        .collect();
    let stem = stem.trim_matches('_');
    let stem = if stem.is_empty() { "file" } else { stem };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_executable_named_png_is_refused_and_a_pdf_is_a_document_only() {
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        assert!(matches!(classify(elf, Purpose::PetPhoto), Err(Refusal::Type(_))));
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(classify(pdf, Purpose::RecordAttachment), Ok(Kind::Pdf));
        assert!(matches!(classify(pdf, Purpose::PetPhoto), Err(Refusal::Type(_))));
    }

    #[test]
    fn file_names_lose_paths_and_odd_characters_and_take_the_real_extension() {
        let png = Kind::Image(ImageFormat::Png);
        assert_eq!(sanitize_file_name(Some("../../etc/x-ray 1.JPG"), png), "x-ray_1.png");
        assert_eq!(sanitize_file_name(Some("\u{202e}gpj.exe"), png), "gpj.png");
        assert_eq!(sanitize_file_name(None, Kind::Pdf), "file.pdf");
    }
}
