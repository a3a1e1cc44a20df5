//! Authentication: who is calling, from a Clerk-style session JWT or a
//! clinic's API key.
//!
//! - [`api_keys`]: a clinic's keys for third parties, checked on every request;
//! - [`keys`]: the JWKS cache (URL with refresh, or a file in development);
//! - [`verifier`]: signature and claim checks;
//! - [`principal`]: the caller's user id, role and active flag from our `users`
//!   table (provisioned on first sight), cached briefly;
//! - [`extractor`]: the `CurrentUser` / `MaybeUser` handler arguments;
//! - [`signing`]: RS256 keys to mint development and test tokens, verified by the
//!   same code as production tokens;
//! - [`session`]: `GET /api/v1/auth/session`, the caller's verified identity.

pub mod api_keys;
pub mod claims;
pub mod extractor;
pub mod keys;
pub mod principal;
pub mod session;
pub mod signing;
pub mod verifier;

pub use claims::SessionClaims;
pub use extractor::{CurrentUser, MaybeUser};
pub use keys::{KeySource, KeyStore};
pub use principal::Principals;
pub use signing::SigningKey;
pub use verifier::{TokenVerifier, VerifyError};
