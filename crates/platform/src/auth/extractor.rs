//! `CurrentUser` and `MaybeUser`: the caller, as handler arguments.
//!
//! - [`CurrentUser`] requires valid credentials: no `Authorization` header, a
//!   scheme other than `Bearer`, or a token that fails verification all give
//!   401 with `WWW-Authenticate: Bearer`.
//! - [`MaybeUser`] is for endpoints that also serve anonymous callers; it is
//!   anonymous only when *no* credentials were sent. Bad credentials are still
//!   401, so a client with a broken token learns it instead of silently being
//!   served the anonymous view.
//!
//! Tokens are read from the header only, never from the query string (query
//! strings end up in proxy logs). A bearer token that starts `vpk_` is a
//! clinic's API key ([`super::api_keys`]): an unknown, revoked or expired one
//! is 401, a live one on a route its scopes do not open 403.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use kernel::{Credential, Principal};

use super::api_keys;
use super::principal::ResolveError;
use super::verifier::VerifyError;
use crate::error::ApiError;
use crate::openapi::{KeyAccess, RouteTable};
use crate::state::AppState;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Principal);

/// The caller when credentials were sent, `None` when none were.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Principal>);

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            match authenticate(&request).await? {
                Some(principal) => Ok(Self(principal)),
                None => Err(ApiError::Unauthenticated { reason: "missing bearer token", credentials_sent: false }),
            }
        })
    }
}

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { authenticate(&request).await.map(Self) })
    }
}

/// The outcome of authenticating a request, kept in its extensions so the
/// rate limiter and the extractor verify a token only once per request.
#[derive(Debug, Clone)]
struct Outcome(Result<Option<Principal>, Failure>);

/// A failed authentication, in a form that can be kept and replayed.
#[derive(Debug, Clone, Copy)]
enum Failure {
    Invalid(&'static str),
    /// An API key on a route its scopes do not open.
    OutOfScope(&'static str),
    Unavailable(&'static str),
    Internal,
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Invalid(reason) => ApiError::Unauthenticated { reason, credentials_sent: true },
            Failure::OutOfScope(reason) => ApiError::Domain(kernel::Error::Forbidden(reason.to_owned())),
            Failure::Unavailable(dependency) => ApiError::Domain(kernel::Error::Unavailable { dependency }),
            Failure::Internal => ApiError::Domain(kernel::Error::internal("authentication failed")),
        }
    }
}

/// The caller of `request`: `Ok(None)` when no `Authorization` header was sent.
/// Computed once per request; later calls return the same outcome.
pub async fn authenticate(request: &HttpRequest) -> Result<Option<Principal>, ApiError> {
    if let Some(Outcome(outcome)) = request.extensions().get::<Outcome>() {
        return outcome.clone().map_err(ApiError::from);
    }
    let outcome = resolve(request).await;
    if let Ok(Some(principal)) = &outcome {
        tracing::Span::current().record("user_id", tracing::field::display(principal.user_id));
        crate::error_tracking::set_user(principal.user_id);
    }
    request.extensions_mut().insert(Outcome(outcome.clone()));
    outcome.map_err(ApiError::from)
}

async fn resolve(request: &HttpRequest) -> Result<Option<Principal>, Failure> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(bearer_token)
        .ok_or(Failure::Invalid("expected `Authorization: Bearer <token>`"))?;
    let state = request.app_data::<web::Data<AppState>>().ok_or(Failure::Internal)?;
    if api_keys::is_api_key(token) {
        return key_holder(request, state, token).await.map(Some);
    }
    let claims = state.verifier().verify(token).await.map_err(|error| match error {
        VerifyError::Invalid(reason) => Failure::Invalid(reason),
        VerifyError::KeysUnavailable => Failure::Unavailable("identity provider"),
    })?;
    let principal = state.principals().resolve(state.db(), &claims.sub).await.map_err(|error| match error {
        ResolveError::Deactivated => Failure::Invalid("account deactivated"),
        ResolveError::Lookup(cause) => lookup_failed(&cause),
    })?;
    Ok(Some(principal))
}

/// A failed read of who the caller is: the database is down (503), or
/// something that is logged (500).
fn lookup_failed(error: &kernel::Error) -> Failure {
    match error {
        kernel::Error::Unavailable { dependency } => Failure::Unavailable(dependency),
        other => {
            tracing::error!(error = %other, "resolving the caller failed");
            Failure::Internal
        }
    }
}

/// The clinic an API key stands for, on a route its scopes open.
async fn key_holder(request: &HttpRequest, state: &AppState, token: &str) -> Result<Principal, Failure> {
    let failed = |error: kernel::Error| lookup_failed(&error);
    let mut connection = db::connect(state.db()).await.map_err(failed)?;
    let address = client_address(request, state.rate_limiter().settings().trusted_proxy_header.as_deref());
    let principal = api_keys::authenticate(&mut connection, token, &address, chrono::Utc::now())
        .await
        .map_err(failed)?
        .ok_or(Failure::Invalid("unknown, revoked or expired API key"))?;
    let routes = request.app_data::<web::Data<RouteTable>>().ok_or(Failure::Internal)?;
    let Credential::ApiKey { scopes, .. } = &principal.credential else { return Err(Failure::Internal) };
    // The path as the router matches it (percent-decoded): `/%61pi-keys` is `/api-keys`.
    match routes.key_access(request.method().as_str(), request.match_info().as_str()) {
        KeyAccess::NoRoute => Ok(principal),
        KeyAccess::Closed => Err(Failure::OutOfScope("API keys may not call this route")),
        KeyAccess::Needs(needed) if needed.iter().all(|scope| scopes.contains(scope)) => Ok(principal),
        KeyAccess::Needs(_) => Err(Failure::OutOfScope("this API key's scopes do not open this route")),
    }
}

/// The client address: the last entry of the trusted proxy's header, else the peer.
pub(crate) fn client_address(request: &HttpRequest, trusted_proxy_header: Option<&str>) -> String {
    let forwarded = trusted_proxy_header
        .and_then(|name| request.headers().get(name))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .map(|address| address.trim().to_owned())
        .filter(|address| !address.is_empty());
    forwarded
        .or_else(|| request.peer_addr().map(|address| address.ip().to_string()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The token of a `Bearer` credential (scheme case-insensitive, RFC 6750).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_refused() {
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
