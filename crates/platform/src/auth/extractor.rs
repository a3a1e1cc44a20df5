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
//! strings end up in proxy logs).

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use kernel::Principal;

use super::principal::ResolveError;
use super::verifier::VerifyError;
use crate::error::ApiError;
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
    Unavailable(&'static str),
    Internal,
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Invalid(reason) => ApiError::Unauthenticated { reason, credentials_sent: true },
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
    let claims = state.verifier().verify(token).await.map_err(|error| match error {
        VerifyError::Invalid(reason) => Failure::Invalid(reason),
        VerifyError::KeysUnavailable => Failure::Unavailable("identity provider"),
    })?;
    let principal = state.principals().resolve(state.db(), &claims.sub).await.map_err(|error| match error {
        ResolveError::Deactivated => Failure::Invalid("account deactivated"),
        ResolveError::Lookup(cause) => match *cause {
            kernel::Error::Unavailable { dependency } => Failure::Unavailable(dependency),
            ref other => {
                tracing::error!(error = %other, "resolving the caller failed");
                Failure::Internal
            }
        },
    })?;
    Ok(Some(principal))
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
