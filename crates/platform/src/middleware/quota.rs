//! The rate-limit middleware: identifies the caller once and counts the request.
//!
//! A request with a bearer token is verified here; the outcome is kept in the
//! request so `CurrentUser` does not verify it again. A request
//! without one, or with a bad one, is counted against the client address (the
//! extractor then answers 401 for the bad token). Health probes are not counted.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use actix_web::web;

use crate::auth::extractor::{authenticate, client_address};
use crate::error::ApiError;
use crate::openapi::RouteTable;
use crate::rate_limit::{RouteClass, quota_headers};
use crate::state::AppState;

/// Counts the request against its caller's quota; 429 beyond it.
pub async fn enforce_rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let route = route_of(&request);
    let state = match request.app_data::<web::Data<AppState>>() {
        Some(state) if !route.starts_with("/health/") => state.clone(),
        _ => return next.call(request).await.map(ServiceResponse::map_into_boxed_body),
    };
    let limiter = state.rate_limiter();
    let class = RouteClass::of(request.method(), &route, limiter.settings());
    // Webhook senders are third parties: counted by address, whatever they send.
    let principal = match class {
        RouteClass::Webhook => None,
        _ => authenticate(request.request()).await.ok().flatten(),
    };
    let identity = match &principal {
        Some(principal) => format!("user:{}", principal.user_id),
        None => {
            let trusted = limiter.settings().trusted_proxy_header.as_deref();
            format!("ip:{}", client_address(request.request(), trusted))
        }
    };
    let role = principal.as_ref().map(|principal| principal.role);
    let quota = match limiter.count(state.redis(), &identity, class, role).await {
        Ok(quota) => quota,
        Err(error) if limiter.settings().fail_open => {
            crate::metrics::redis_error("rate_limit");
            tracing::warn!(%error, "rate limiter unavailable; serving without a limit");
            None
        }
        Err(error) => {
            crate::metrics::redis_error("rate_limit");
            tracing::error!(%error, "rate limiter unavailable; refusing");
            return Err(ApiError::Domain(kernel::Error::Unavailable { dependency: "rate limiter" }).into());
        }
    };
    match quota {
        Some(quota) if !quota.allowed => {
            metrics::counter!("rate_limit_rejections_total", "class" => class.name()).increment(1);
            Err(ApiError::TooManyRequests { quota }.into())
        }
        Some(quota) => {
            let mut response = next.call(request).await?.map_into_boxed_body();
            for (name, value) in quota_headers(&quota) {
                response.headers_mut().insert(name, HeaderValue::from(value));
            }
            Ok(response)
        }
        None => next.call(request).await.map(ServiceResponse::map_into_boxed_body),
    }
}

/// The template of the route the router will match (`/api/v1/pets/{id}`), read
/// from the path as the router reads it (percent-decoded), so that
/// `/users/me/%65xport` counts as the export it is served as; that decoded path
/// when no route matches.
fn route_of(request: &ServiceRequest) -> String {
    let known = request.extensions().get::<RouteTemplate>().map(|template| template.0.clone());
    known.unwrap_or_else(|| route_template(request)).unwrap_or_else(|| request.match_info().as_str().to_owned())
}

/// The route template `observe` found, kept in the request's extensions so
/// the router's table is walked once per request.
pub(crate) struct RouteTemplate(pub(crate) Option<String>);

/// The template of the route the router will match, if any (read as
/// [`route_of`] reads it): a documented route from the [`RouteTable`], else
/// (`/openapi.json`, `/docs`) the router's own table, walked route by route.
pub(crate) fn route_template(request: &ServiceRequest) -> Option<String> {
    let path = request.match_info().as_str();
    let documented = request.app_data::<web::Data<RouteTable>>().and_then(|routes| routes.template(path));
    documented.map(str::to_owned).or_else(|| request.resource_map().match_pattern(path))
}
