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
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use kernel::Principal;

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

/// `Ok(None)` when no `Authorization` header was sent.
async fn authenticate(request: &HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = |reason| ApiError::Unauthenticated { reason, credentials_sent: true };
    let token = value
        .to_str()
        .ok()
        .and_then(bearer_token)
        .ok_or_else(|| invalid("expected `Authorization: Bearer <token>`"))?;
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Domain(kernel::Error::internal("AppState is not registered")))?;
    let claims = state.verifier().verify(token).await.map_err(|error| match error {
        VerifyError::Invalid(reason) => invalid(reason),
        VerifyError::KeysUnavailable => {
            ApiError::Domain(kernel::Error::Unavailable { dependency: "identity provider" })
        }
    })?;
    tracing::Span::current().record("user_id", claims.sub.as_str());
    Ok(Some(Principal { subject: claims.sub, session_id: claims.sid }))
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
