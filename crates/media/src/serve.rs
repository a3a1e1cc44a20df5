//! Sending a file: the right type and disposition, caching headers, `ETag`
//! revalidation and single byte ranges (206), streamed from storage.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::TryStreamExt;
use platform::ApiError;

use crate::api::Status;
use crate::models::{Media, Variant};
use crate::storage::Storage;

/// How long a client may cache a file: contents never change under an id.
const CACHE_CONTROL: &str = "private, max-age=86400, immutable";

/// The response for `variant` (or the original) of `media`: 409 while it is
/// processing, 404 when it failed or there is no such variant.
pub async fn respond(
    storage: &Storage,
    media: &Media,
    variants: &[Variant],
    variant: Option<&str>,
    request: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    match media.status {
        Status::Ready => {}
        Status::Processing => {
            return Err(kernel::Error::Conflict {
                message: "the file is still being processed; try again shortly".to_owned(),
                details: serde_json::json!({ "status": "processing" }),
            }
            .into());
        }
        Status::Failed => return Err(kernel::Error::NotFound { resource: "file" }.into()),
    }
    let (key, content_type) = match variant {
        None => (media.storage_key.clone(), media.content_type.clone()),
        Some(name) => match variants.iter().find(|(variant, ..)| variant == name) {
            Some((_, content_type, key)) => (Some(key.clone()), content_type.clone()),
            None => return Err(kernel::Error::NotFound { resource: "variant" }.into()),
        },
    };
    let key = key.ok_or(kernel::Error::NotFound { resource: "file" })?;
    let etag = format!("\"{}-{}\"", media.id, variant.unwrap_or("original"));
    if request.headers().get(header::IF_NONE_MATCH).and_then(|value| value.to_str().ok()) == Some(etag.as_str()) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    let size = storage.size(&key).await?;
    let range = match request.headers().get(header::RANGE).and_then(|value| value.to_str().ok()) {
        None => None,
        Some(text) => match parse_range(text, size) {
            Ok(range) => range,
            Err(()) => {
                return Ok(HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                    .finish());
            }
        },
    };
    let found = storage.get(&key, range.clone()).await?;
    let mut response = match &range {
        Some(range) => {
            let mut partial = HttpResponse::build(StatusCode::PARTIAL_CONTENT);
            partial.insert_header((header::CONTENT_RANGE, format!("bytes {}-{}/{size}", range.start, range.end - 1)));
            partial
        }
        None => HttpResponse::Ok(),
    };
    let disposition = if content_type.starts_with("image/") { "inline" } else { "attachment" };
    let length = range.as_ref().map_or(size, |range| range.end - range.start);
    response
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_LENGTH, length))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .insert_header((
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&format!("{disposition}; filename=\"{}\"", media.file_name))
                .unwrap_or(HeaderValue::from_static("attachment")),
        ));
    let body = found.into_stream().map_err(|error| actix_web::error::ErrorServiceUnavailable(error.to_string()));
    Ok(response.no_chunking(length).streaming(body))
}

/// One `bytes=` range within `size`: `Ok(None)` for ranges we ignore (several
/// at once, other units), `Err` for an unsatisfiable one.
fn parse_range(header: &str, size: u64) -> Result<Option<std::ops::Range<u64>>, ()> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let suffix: u64 = suffix.parse().map_err(drop)?;
            (size.saturating_sub(suffix), size)
        }
        (start, "") => (start.parse().map_err(drop)?, size),
        (start, end) => (start.parse().map_err(drop)?, end.parse::<u64>().map_err(drop)?.saturating_add(1).min(size)),
    };
    if start >= end || start >= size { Err(()) } else { Ok(Some(start..end)) }
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn byte_ranges_are_read_like_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Ok(Some(0..100)));
        assert_eq!(parse_range("bytes=900-", 1000), Ok(Some(900..1000)));
        assert_eq!(parse_range("bytes=-100", 1000), Ok(Some(900..1000)));
        assert_eq!(parse_range("bytes=990-2000", 1000), Ok(Some(990..1000)));
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), Ok(None));
        assert_eq!(parse_range("bytes=1000-", 1000), Err(()));
        assert_eq!(parse_range("bytes=a-b", 1000), Err(()));
    }
}
