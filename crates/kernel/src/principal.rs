//! Who is calling.

/// The authenticated caller, as established by the HTTP layer from a verified
/// session token.
///
/// Services authorize against this value and never against raw token claims.
/// Until the identity issue maps subjects to local users it carries the
/// identity provider's subject and session only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The identity provider's user id (Clerk `sub`).
    pub subject: String,
    /// The identity provider's session id (Clerk `sid`).
    pub session_id: String,
}
