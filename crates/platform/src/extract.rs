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

/// `#[serde(deserialize_with = "platform::extract::integer")]`: an integer field
/// that also takes an integral number written with a fraction (`3.0`), as JSON
/// Schema's `integer` does; `3.5` and out-of-range values are refused.
pub fn integer<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::Deserialize;
    use serde::de::Error;
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = match (number.as_i64(), number.as_f64()) {
        (Some(whole), _) => whole,
        (None, Some(float)) if float.fract() == 0.0 && float.abs() < 9.0e15 => {
            #[allow(clippy::cast_possible_truncation, reason = "the value is integral and range-checked first")]
            let whole = float as i64;
            whole
        }
        _ => return Err(D::Error::custom(format!("expected an integer, got {number}"))),
    };
    T::try_from(whole).map_err(|_| D::Error::custom(format!("{whole} is out of range")))
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Minutes {
        #[serde(deserialize_with = "super::integer")]
        minutes: i16,
    }

    #[test]
    fn integers_may_be_written_with_a_zero_fraction_only() {
        let read = |json: &str| serde_json::from_str::<Minutes>(json).map(|value| value.minutes);
        assert_eq!(read(r#"{"minutes": 30}"#).ok(), Some(30));
        assert_eq!(read(r#"{"minutes": 30.0}"#).ok(), Some(30));
        assert!(read(r#"{"minutes": 30.5}"#).is_err());
        assert!(read(r#"{"minutes": 70000}"#).is_err());
        assert!(read(r#"{"minutes": "30"}"#).is_err());
    }
}
