//! The extractors handlers take, and actix's own rejections rendered as the
//! envelope.
//!
//! - [`ValidJson`] and [`ValidQuery`]: the body or query string, parsed and
//!   then checked by its `validator` rules, as a [`Valid<T>`] services take;
//! - [`Db`]: one pooled connection for the request (503 when none is free);
//! - [`Now`]: the request's time on the App's clock.
//!
//! [`configure_extractors`] is registered once on the App, so every JSON body,
//! path and query in every crate answers bad input the same way:
//! - malformed or too deeply nested JSON, a type mismatch: 400 `MALFORMED_JSON`;
//! - a missing or wrong `Content-Type`: 415;
//! - a body over `server.json_limit_bytes`: 413;
//! - an unparsable path or query parameter: 400 `INVALID_PARAMETER`;
//! - well-formed input that breaks a rule: 422 `VALIDATION_ERROR` by field.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::{FromRequest, HttpRequest, web};
use kernel::Valid;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body that passed its rules: `ValidJson(pet): ValidJson<PetProfile>`.
#[derive(Debug)]
pub struct ValidJson<T>(pub Valid<T>);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<T>::from_request(request, payload);
        Box::pin(async move {
            let web::Json(value) = body.await?;
            Ok(Self(Valid::new(value).map_err(ApiError::from)?))
        })
    }
}

/// A query string that passed its rules: `ValidQuery(filter): ValidQuery<PetFilter>`.
#[derive(Debug)]
pub struct ValidQuery<T>(pub Valid<T>);

impl<T: DeserializeOwned + Validate> FromRequest for ValidQuery<T> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = web::Query::<T>::from_request(request, payload)
            .into_inner()
            .and_then(|web::Query(value)| Ok(Self(Valid::new(value).map_err(ApiError::from)?)));
        std::future::ready(checked)
    }
}

/// The time of the request on the App's clock, for services whose rules
/// compare against "now" (`Now(now): Now`); tests move that clock.
#[derive(Debug, Clone, Copy)]
pub struct Now(pub chrono::DateTime<chrono::Utc>);

impl FromRequest for Now {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let now = request.app_data::<web::Data<AppState>>().map(|state| Self(state.clock().now()));
        std::future::ready(now.ok_or_else(|| kernel::Error::internal("the App state is not registered").into()))
    }
}

/// One pooled connection for the request; derefs to `AsyncPgConnection`, so
/// `service(&mut connection, ...)` passes it on (name it `connection`: `db` is
/// the crate). Put it after `CurrentUser`: a caller
/// refused there never takes a connection.
pub struct Db(db::Connection);

impl FromRequest for Db {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pool = request.app_data::<web::Data<AppState>>().map(|state| state.db().clone());
        Box::pin(async move {
            let pool = pool.ok_or_else(|| kernel::Error::internal("the App state is not registered"))?;
            Ok(Self(db::connect(&pool).await?))
        })
    }
}

impl Deref for Db {
    type Target = db::AsyncPgConnection;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Db {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

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
            #[expect(clippy::cast_possible_truncation, reason = "the value is integral and range-checked first")]
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
