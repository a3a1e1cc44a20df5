//! The middleware every request passes through, outermost first:
//!
//! 1. [`observe`]: request id (accepted or generated, echoed in `X-Request-Id`),
//!    a tracing span carrying it with the trace id (continuing an incoming
//!    `traceparent`), method, route and user id, one
//!    "request completed" log line with status and latency, the request
//!    metrics ([`crate::metrics`]), a panic barrier
//!    (a panicking handler becomes an opaque 500, the worker keeps serving), and
//!    the envelope for any error actix rendered itself;
//! 2. CORS from configuration ([`cors`]);
//! 3. security headers ([`security_headers`]);
//! 4. rate limiting per caller and route class ([`quota`]);
//! 5. the handler deadline (504 after `server.request_timeout_secs`).
//!
//! Logs carry the route template, never the raw path or query (which could hold
//! personal data or a token), and never headers.

pub mod quota;

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{HttpMessage, ResponseError};
use futures_util::FutureExt;
use sentry::SentryFutureExt;
use tracing::{Instrument, field};

use crate::config::Settings;
use crate::error::{ApiError, Enveloped};
use crate::request_id::{REQUEST_ID_HEADER, RequestId};

/// Content-Security-Policy: nothing from elsewhere; `/docs` needs its own
/// scripts, styles (inline) and data: images only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Request id, span, access log, panic barrier and error envelope fallback.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id =
        RequestId::from_header_or_new(request.headers().get(REQUEST_ID_HEADER).and_then(|value| value.to_str().ok()));
    // The route template, never the raw path (which may hold ids or personal data).
    let template = quota::route_template(&request);
    let route = template.clone().unwrap_or_else(|| "-".to_owned());
    request.extensions_mut().insert(quota::RouteTemplate(template));
    let method = request.method().clone();
    let span = tracing::info_span!(
        "request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = field::Empty,
        request_id = %request_id,
        trace_id = field::Empty,
        method = %method,
        route = %route,
        http.response.status_code = field::Empty,
        user_id = field::Empty,
    );
    span.record("trace_id", crate::telemetry::continue_trace(&span, request.headers()));
    let started = Instant::now();
    let in_flight = crate::metrics::InFlight::start();
    // Errors are rendered inside the request's scope so the envelope gets its id.
    let handled = async move {
        match AssertUnwindSafe(next.call(request)).catch_unwind().await {
            Ok(Ok(response)) => Ok(envelope_bare_errors(response.map_into_boxed_body())),
            Ok(Err(error)) => Err((error.error_response(), error.to_string())),
            Err(_) => {
                let error = ApiError::Domain(kernel::Error::internal("the handler panicked"));
                Err((error.error_response(), error.to_string()))
            }
        }
    };
    let hub = crate::error_tracking::request_hub(request_id.as_str(), &route);
    let outcome = request_id.clone().scope(handled).bind_hub(hub.clone()).instrument(span.clone()).await;
    let header_value = HeaderValue::from_str(request_id.as_str()).ok();
    let (status, outcome) = match outcome {
        Ok(mut response) => {
            if let Some(value) = header_value {
                response.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            (response.status(), Ok(response))
        }
        Err((mut rendered, cause)) => {
            if let Some(value) = header_value {
                rendered.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            (rendered.status(), Err(InternalError::from_response(cause, rendered).into()))
        }
    };
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
        crate::error_tracking::report_server_error(&hub, status, method.as_str(), &route);
    }
    let elapsed = started.elapsed();
    drop(in_flight);
    crate::metrics::record_request(&route, &method, status.as_u16(), elapsed);
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| tracing::info!(status = status.as_u16(), latency_ms, "request completed"));
    outcome
}

/// Error responses actix rendered itself (a resource's 405, a CORS rejection...)
/// get the envelope; their headers (`Allow`...) are kept.
fn envelope_bare_errors(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.response().extensions().contains::<Enveloped>()
    {
        return response;
    }
    let (request, bare) = response.into_parts();
    let mut enveloped = ApiError::envelope_for_status(status);
    for (name, value) in bare.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            enveloped.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, enveloped)
}

/// CORS from `[cors]`: listed origins only; requests from other origins are
/// served without `Access-Control-Allow-Origin`, so browsers refuse to read them.
pub fn cors(settings: &Settings) -> Cors {
    let cors_settings = &settings.cors;
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header(HeaderName::from_static("idempotency-key"))
        .allowed_header(HeaderName::from_static(REQUEST_ID_HEADER))
        .expose_headers([HeaderName::from_static(REQUEST_ID_HEADER), header::RETRY_AFTER])
        .max_age(cors_settings.max_age_secs)
        .block_on_origin_mismatch(false);
    for origin in &cors_settings.allowed_origins {
        cors = if origin == "*" { cors.allow_any_origin() } else { cors.allowed_origin(origin) };
    }
    if cors_settings.allow_credentials {
        cors = cors.supports_credentials();
    }
    cors
}

/// Security headers on every response; HSTS only when served behind TLS.
pub fn security_headers(settings: &Settings) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::CACHE_CONTROL, "no-store"));
    if settings.server.hsts {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"))
    } else {
        headers
    }
}
