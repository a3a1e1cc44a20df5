//! Session token verification, in the order Clerk's own verifier uses:
//! header sanity, signature (RS256 only, key by `kid`), then claims (`iss`
//! exact, `exp`/`nbf`/`iat` with leeway, `sub`/`sid` present, `azp` allowed).
//!
//! Header fields that point at other keys (`jku`, `x5u`, `jwk`, `x5c`) are refused
//! outright: we only ever use keys from our configured key set, and never make an
//! outbound request a token asked for.
//!
//! A client sends the same token with every request until it expires, and the
//! RSA signature check is the costliest step of a request that reads one row.
//! So a verified token is remembered, by the SHA-256 of its text, with the key
//! that verified it. A remembered token passes again only while that very key
//! is still the key set's current one (a refresh of the key set, every `ttl`,
//! sends each token through the full check once more, and a removed key refuses
//! its tokens as before), and only until its `exp`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::digest::{SHA256, digest};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use moka::future::Cache;

use super::claims::SessionClaims;
use super::keys::{KeyError, KeyStore};
use crate::config::AuthSettings;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The token is refused; the text says why (safe to show the client).
    #[error("{0}")]
    Invalid(&'static str),
    /// The key set cannot be obtained, so nothing can be verified (503).
    #[error("signing keys unavailable")]
    KeysUnavailable,
}

/// How many verified tokens are remembered (about 300 bytes each).
const REMEMBERED_TOKENS: u64 = 10_000;

/// The longest a verified token is remembered, whatever its `exp`.
const REMEMBERED_FOR: Duration = Duration::from_secs(300);

/// A token that passed every check, and the key it was checked with.
struct Verified {
    claims: SessionClaims,
    kid: String,
    key: Arc<DecodingKey>,
}

/// Verifies session tokens against the configured issuer and key set.
pub struct TokenVerifier {
    keys: KeyStore,
    verified: Cache<[u8; 32], Arc<Verified>>,
    issuer: String,
    authorized_parties: HashSet<String>,
    require_azp: bool,
    leeway_secs: u64,
}

impl TokenVerifier {
    /// A verifier for `settings` using `keys`.
    pub fn new(settings: &AuthSettings, keys: KeyStore) -> Self {
        Self {
            keys,
            verified: Cache::builder().max_capacity(REMEMBERED_TOKENS).time_to_live(REMEMBERED_FOR).build(),
            issuer: settings.issuer.clone(),
            authorized_parties: settings.authorized_parties.iter().cloned().collect(),
            require_azp: settings.require_azp,
            leeway_secs: settings.leeway_secs,
        }
    }

    /// The claims of `token` when every check passes.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, VerifyError> {
        let fingerprint = fingerprint(token);
        if let Some(verified) = self.verified.get(&fingerprint).await
            && Arc::ptr_eq(&self.key(&verified.kid).await?, &verified.key)
        {
            self.check_expiry(&verified.claims)?;
            return Ok(verified.claims.clone());
        }
        let verified = self.verify_afresh(token).await?;
        let claims = verified.claims.clone();
        self.verified.insert(fingerprint, Arc::new(verified)).await;
        Ok(claims)
    }

    /// Every check, the signature included.
    async fn verify_afresh(&self, token: &str) -> Result<Verified, VerifyError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Invalid("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(VerifyError::Invalid("unsupported token algorithm"));
        }
        if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() || header.x5c.is_some() {
            return Err(VerifyError::Invalid("token header references a key"));
        }
        let kid = header.kid.ok_or(VerifyError::Invalid("token has no key id"))?;
        let key = self.key(&kid).await?;
        let claims = jsonwebtoken::decode::<SessionClaims>(token, &key, &self.validation())
            .map_err(|error| VerifyError::Invalid(describe(error.kind())))?
            .claims;
        self.check_iat_and_azp(&claims)?;
        Ok(Verified { claims, kid, key })
    }

    /// The key set's current key named `kid`.
    async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, VerifyError> {
        self.keys.key_for(kid).await.map_err(|error| match error {
            KeyError::UnknownKid => VerifyError::Invalid("unknown signing key"),
            KeyError::Unavailable => VerifyError::KeysUnavailable,
        })
    }

    /// A remembered token's `exp`, checked as `jsonwebtoken` checks it (its other
    /// time claims only grow truer with time).
    fn check_expiry(&self, claims: &SessionClaims) -> Result<(), VerifyError> {
        let leeway = i64::try_from(self.leeway_secs).unwrap_or(i64::MAX);
        if claims.exp < chrono::Utc::now().timestamp().saturating_sub(leeway) {
            return Err(VerifyError::Invalid("token expired"));
        }
        Ok(())
    }

    fn validation(&self) -> Validation {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "sub"]);
        validation
    }

    fn check_iat_and_azp(&self, claims: &SessionClaims) -> Result<(), VerifyError> {
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(self.leeway_secs).unwrap_or(i64::MAX);
        if claims.iat > now.saturating_add(leeway) {
            return Err(VerifyError::Invalid("token issued in the future"));
        }
        match &claims.azp {
            Some(azp) if !self.authorized_parties.contains(azp) => {
                Err(VerifyError::Invalid("token azp is not allowed"))
            }
            None if self.require_azp => Err(VerifyError::Invalid("token has no azp")),
            _ => Ok(()),
        }
    }
}

/// The SHA-256 of `token`: what a verified token is remembered by.
fn fingerprint(token: &str) -> [u8; 32] {
    let mut fingerprint = [0; 32];
    fingerprint.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
    fingerprint
}

fn describe(kind: &jsonwebtoken::errors::ErrorKind) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match kind {
        ErrorKind::ExpiredSignature => "token expired",
        ErrorKind::ImmatureSignature => "token not yet valid",
        ErrorKind::InvalidIssuer => "token issuer is not accepted",
        ErrorKind::InvalidSignature => "token signature is invalid",
        ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim",
        ErrorKind::Json(_) => "token claims are malformed",
        _ => "invalid token",
    }
}
