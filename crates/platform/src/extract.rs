//! Extractor configuration: actix's own rejections rendered as the envelope.
//!
//! Registered once on the App by [`configure_extractors`], so every `web::Json`,
//! `web::Path` and `web::Query` in every crate answers bad input the same way:
//! - malformed or too deeply nested JSON, a type mismatch: 400 `MALFORMED_JSON`;
//! - a missing or wrong `Content-Type`: 415;
//! - a body over `server.json_limit_bytes`: 413;
//! - an unparsable path or query parameter: 400 `INVALID_PARAMETER`.

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::web;

use crate::error::ApiError;

/// Registers the JSON, path, query and raw payload configs on an App or scope.
pub fn configure_extractors(json_limit_bytes: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config
            .app_data(
                web::JsonConfig::default().limit(json_limit_bytes).error_handler(|error, _| json_error(error).into()),
            )
            .app_data(web::PayloadConfig::default().limit(json_limit_bytes))
            .app_data(web::PathConfig::default().error_handler(|error, _| path_error(&error).into()))
            .app_data(web::QueryConfig::default().error_handler(|error, _| query_error(&error).into()));
    }
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => ApiError::PayloadTooLarge,
        JsonPayloadError::Payload(PayloadError::Overflow) => ApiError::PayloadTooLarge,
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(error) => {
            ApiError::BadRequest { code: "MALFORMED_JSON", message: format!("the JSON body is invalid: {error}") }
        }
        other => {
            ApiError::BadRequest { code: "MALFORMED_JSON", message: format!("the body could not be read: {other}") }
        }
    }
}

fn path_error(error: &PathError) -> ApiError {
    let PathError::Deserialize(cause) = error else {
        return ApiError::BadRequest { code: "INVALID_PARAMETER", message: "invalid path parameter".to_owned() };
    };
    ApiError::BadRequest { code: "INVALID_PARAMETER", message: format!("invalid path parameter: {cause}") }
}

fn query_error(error: &QueryPayloadError) -> ApiError {
    let QueryPayloadError::Deserialize(cause) = error else {
        return ApiError::BadRequest { code: "INVALID_PARAMETER", message: "invalid query string".to_owned() };
    };
    ApiError::BadRequest { code: "INVALID_PARAMETER", message: format!("invalid query parameter: {cause}") }
}
