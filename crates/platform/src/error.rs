//! The error envelope and how every failure becomes one.
//!
//! Every error response of the service, whether it comes from a service
//! (`kernel::Error`), from authentication, from actix's own extractors (bad
//! JSON, wrong content type, body too large, unparsable path or query) or from
//! routing (unknown path, wrong method), has the same body:
//!
//! ```json
//! {"error": {"code": "VALIDATION_ERROR", "message": "...", "details": {...},
//!            "timestamp": "2026-11-25T10:00:00Z", "request_id": "..."}}
//! ```
//!
//! 5xx bodies carry a generic message only; their cause is logged once, with the
//! request id, by [`ApiError::error_response`].

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::request_id::RequestId;

/// Seconds a client should wait after a 503 before retrying.
pub const RETRY_AFTER_UNAVAILABLE_SECS: u64 = 2;

/// Marker put in the extensions of responses rendered as an envelope, so the
/// outer middleware does not wrap them again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Enveloped;

/// The body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorBody,
}

/// The contents of [`ErrorEnvelope`].
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `NOT_FOUND`, `VALIDATION_ERROR`.
    pub code: String,
    /// Human readable explanation; never internal details.
    pub message: String,
    /// Structured data the client can act on (field errors, conflicting slot...).
    #[schema(value_type = Object, nullable = true)]
    pub details: Value,
    /// When the error happened (RFC 3339, UTC).
    pub timestamp: chrono::DateTime<chrono::Utc>,
    /// The request id, as in the `X-Request-Id` response header.
    pub request_id: Option<String>,
}

/// Every failure an HTTP handler or extractor can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A domain error from a service.
    #[error(transparent)]
    Domain(#[from] kernel::Error),
    /// No credentials, or credentials that cannot be verified.
    #[error("unauthenticated: {reason}")]
    Unauthenticated {
        /// Why, for the log. A client that sent credentials is only told they
        /// are invalid or expired, whatever the cause, so an answer never says
        /// that a signature checked out.
        reason: &'static str,
        /// Whether credentials were sent at all (RFC 6750 `error="invalid_token"`).
        credentials_sent: bool,
    },
    /// The request is malformed (unparsable JSON, path or query parameter).
    #[error("bad request: {message}")]
    BadRequest {
        /// Stable code, e.g. `MALFORMED_JSON`, `INVALID_PARAMETER`.
        code: &'static str,
        /// What is wrong, for the client.
        message: String,
    },
    /// The body exceeds the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body's content type is not accepted by this endpoint.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// An uploaded file's real type (sniffed from its bytes) is not accepted here.
    #[error("unsupported file type {found}")]
    UnsupportedFile {
        /// The type found, e.g. `application/x-executable`.
        found: String,
        /// What the upload was for.
        purpose: &'static str,
    },
    /// No route matches the path.
    #[error("route not found")]
    RouteNotFound,
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// Value of the `Allow` header, e.g. `GET, POST`.
        allow: String,
    },
    /// The handler ran past the request deadline.
    #[error("request timed out")]
    Timeout,
    /// A signed delivery (webhook) whose signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// The caller is over its quota.
    #[error("rate limited")]
    TooManyRequests {
        /// The quota, for the `Retry-After` and `RateLimit-*` headers.
        quota: crate::rate_limit::Quota,
    },
    /// A readiness check failed; each check's outcome is in `details.checks`.
    #[error("not ready")]
    NotReady {
        /// Check name → `ok` or what failed.
        checks: std::collections::BTreeMap<String, String>,
    },
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            Self::Domain(error) => match error {
                kernel::Error::NotFound { .. } => "NOT_FOUND",
                kernel::Error::Forbidden(_) => "FORBIDDEN",
                kernel::Error::Conflict { .. } => "CONFLICT",
                kernel::Error::Validation(_) => "VALIDATION_ERROR",
                kernel::Error::RateLimited { .. } => "RATE_LIMITED",
                kernel::Error::Unavailable { .. } => "SERVICE_UNAVAILABLE",
                kernel::Error::Internal(_) => "INTERNAL_ERROR",
            },
            Self::Unauthenticated { .. } => "UNAUTHENTICATED",
            Self::BadRequest { code, .. } => code,
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::UnsupportedFile { .. } => "UNSUPPORTED_FILE_TYPE",
            Self::RouteNotFound => "NOT_FOUND",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::Timeout => "TIMEOUT",
            Self::NotReady { .. } => "NOT_READY",
            Self::TooManyRequests { .. } => "RATE_LIMITED",
            Self::InvalidSignature => "INVALID_SIGNATURE",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Domain(kernel::Error::Internal(_)) => "an unexpected error occurred".to_owned(),
            Self::Domain(kernel::Error::Unavailable { .. }) => {
                "a dependency is temporarily unavailable; retry shortly".to_owned()
            }
            Self::Domain(kernel::Error::Validation(_)) => "the request is invalid".to_owned(),
            Self::Domain(kernel::Error::Conflict { message, .. }) => message.clone(),
            Self::Domain(kernel::Error::Forbidden(message)) => message.clone(),
            Self::Domain(error) => error.to_string(),
            Self::Unauthenticated { credentials_sent: true, .. } => "invalid or expired token".to_owned(),
            Self::Unauthenticated { reason, credentials_sent: false } => (*reason).to_owned(),
            Self::BadRequest { message, .. } => message.clone(),
            Self::PayloadTooLarge => "the request body is too large".to_owned(),
            Self::UnsupportedMediaType => "unsupported content type; send application/json".to_owned(),
            Self::UnsupportedFile { found, purpose } => format!("a file of type {found} is not accepted for {purpose}"),
            Self::RouteNotFound => "no such route".to_owned(),
            Self::MethodNotAllowed { allow } => format!("method not allowed; allowed: {allow}"),
            Self::Timeout => "the request took too long".to_owned(),
            Self::NotReady { .. } => "the service is not ready".to_owned(),
            Self::TooManyRequests { quota } => {
                format!("too many requests; retry in {} s", quota.reset_secs)
            }
            Self::InvalidSignature => {
                "the signature does not verify, or its timestamp is too old or too new".to_owned()
            }
        }
    }

    fn details(&self) -> Value {
        match self {
            Self::Domain(kernel::Error::Validation(fields)) => json!({ "fields": fields }),
            Self::Domain(kernel::Error::Conflict { details, .. }) => details.clone(),
            Self::Domain(kernel::Error::Unavailable { dependency }) => {
                json!({ "dependency": dependency })
            }
            Self::Domain(kernel::Error::RateLimited { retry_after_secs }) => {
                json!({ "retry_after_secs": retry_after_secs })
            }
            Self::NotReady { checks } => json!({ "checks": checks }),
            Self::TooManyRequests { quota } => json!({ "limit": quota.limit, "retry_after_secs": quota.reset_secs }),
            _ => Value::Null,
        }
    }

    /// Renders `status` with the envelope; used for errors actix produced itself.
    pub(crate) fn envelope_for_status(status: StatusCode) -> HttpResponse {
        let code = match status {
            StatusCode::NOT_FOUND => "NOT_FOUND",
            StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
            StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
            status if status.is_server_error() => "INTERNAL_ERROR",
            _ => "BAD_REQUEST",
        };
        let message = status.canonical_reason().unwrap_or("error").to_lowercase();
        render(status, code, message, Value::Null)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Domain(error) => match error {
                kernel::Error::NotFound { .. } => StatusCode::NOT_FOUND,
                kernel::Error::Forbidden(_) => StatusCode::FORBIDDEN,
                kernel::Error::Conflict { .. } => StatusCode::CONFLICT,
                kernel::Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                kernel::Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                kernel::Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                kernel::Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType | Self::UnsupportedFile { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Self::NotReady { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::InvalidSignature => StatusCode::UNAUTHORIZED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else if let Self::Unauthenticated { reason, credentials_sent: true } = self {
            tracing::info!(reason, "credentials refused");
        } else {
            tracing::debug!(error = %self, "request rejected");
        }
        let mut response = render(status, self.code(), self.message(), self.details());
        let headers = response.headers_mut();
        match self {
            Self::Unauthenticated { credentials_sent, .. } => {
                let challenge = if *credentials_sent { r#"Bearer error="invalid_token""# } else { "Bearer" };
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
            }
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::TooManyRequests { quota } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(quota.reset_secs));
                for (name, value) in crate::rate_limit::quota_headers(quota) {
                    headers.insert(name, HeaderValue::from(value));
                }
            }
            Self::Domain(kernel::Error::RateLimited { retry_after_secs }) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Domain(kernel::Error::Unavailable { .. }) | Self::NotReady { .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_UNAVAILABLE_SECS));
            }
            _ => {}
        }
        response
    }
}

fn render(status: StatusCode, code: &str, message: String, details: Value) -> HttpResponse {
    // Messages may quote the request (`unknown variant ...`): never echo control
    // characters back, NUL included.
    let message =
        message.chars().map(|character| if character.is_control() { '\u{FFFD}' } else { character }).collect();
    let envelope = ErrorEnvelope {
        error: ErrorBody {
            code: code.to_owned(),
            message,
            details,
            timestamp: chrono::Utc::now(),
            request_id: RequestId::current().map(|id| id.to_string()),
        },
    };
    let mut response = HttpResponse::build(status).json(envelope);
    response.extensions_mut().insert(Enveloped);
    response
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, Value) {
        let response = error.error_response();
        let status = response.status();
        let bytes = to_bytes(response.into_body()).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause() {
        let (status, body) = body_of(kernel::Error::internal("relation \"secret_table\" does not exist").into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "INTERNAL_ERROR");
        assert!(!body.to_string().contains("secret_table"));
    }

    #[tokio::test]
    async fn validation_errors_list_their_fields() {
        let (status, body) = body_of(kernel::Error::invalid_field("name", "is empty").into()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["details"]["fields"]["name"][0], "is empty");
    }

    #[tokio::test]
    async fn the_envelope_carries_the_current_request_id() {
        let id = RequestId::generate();
        let (_, body) = id.clone().scope(body_of(ApiError::RouteNotFound)).await;
        assert_eq!(body["error"]["request_id"], id.as_str());
    }

    #[test]
    fn unavailable_tells_when_to_retry() {
        let response = ApiError::from(kernel::Error::Unavailable { dependency: "database" }).error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "2");
    }
}
