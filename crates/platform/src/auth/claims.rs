//! The claims of a Clerk session token that we rely on.

use serde::{Deserialize, Serialize};

/// Claims of a Clerk session token (v2).
///
/// `sub`, `sid`, `iss`, `exp`, `nbf` and `iat` are required: a token missing any
/// of them is rejected. Anything else in the token (names, roles, metadata) is
/// ignored: authorization comes from our own database, never from claims.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionClaims {
    /// The user id at the identity provider.
    pub sub: String,
    /// The session id.
    pub sid: String,
    /// The issuer (Clerk frontend API URL).
    pub iss: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    pub nbf: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Authorized party: the origin that requested the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
}
