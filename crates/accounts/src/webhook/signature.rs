//! Svix webhook signatures, exactly as Svix specifies them.
//!
//! The signed content is `{svix-id}.{svix-timestamp}.{raw body}`, signed with
//! HMAC-SHA256 under the base64 key that follows `whsec_` in the secret; the
//! `svix-signature` header holds one or more space-separated `v1,<base64>`
//! entries (several during secret rotation) and any entry may match. Entries of
//! other versions or that are not base64 are skipped. Comparison is constant
//! time, and the timestamp must be within the tolerance of now, both ways.
//!
//! Headers that are missing or not in the Svix format are a malformed request
//! (400); a well-formed delivery that does not verify (stale, forged, altered)
//! is unauthenticated (401).

use aws_lc_rs::hmac;
use base64::Engine;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

/// Signatures are compared as bytes, so their text may carry non-zero padding
/// bits without harm; accepting them keeps "not base64" distinct from "forged".
const SIGNATURE_DECODER: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The three Svix headers of one delivery.
#[derive(Debug, Clone, Copy)]
pub struct SignedDelivery<'a> {
    /// `svix-id`: the message id (stable across redeliveries).
    pub id: &'a str,
    /// `svix-timestamp`: seconds since the epoch, as text.
    pub timestamp: &'a str,
    /// `svix-signature`: space-separated `v1,<base64>` entries.
    pub signatures: &'a str,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The secret is not `whsec_<base64>` (a configuration error).
    #[error("the webhook secret is malformed")]
    BadSecret,
    /// A header is missing or not in the Svix format.
    #[error("{0}")]
    Malformed(&'static str),
    /// The timestamp is too far from now.
    #[error("the svix-timestamp is outside the tolerance")]
    OutsideTolerance,
    /// No `v1` entry matches.
    #[error("no signature matches")]
    NoMatch,
}

/// Checks `delivery` over `body` against `secret` at time `now` (epoch seconds).
pub fn verify(
    secret: &str,
    delivery: SignedDelivery<'_>,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let key_bytes =
        STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).map_err(|_| SignatureError::BadSecret)?;
    if delivery.id.is_empty() || delivery.id.len() > 200 {
        return Err(SignatureError::Malformed("the svix-id header is missing or too long"));
    }
    let timestamp: i64 = delivery
        .timestamp
        .parse()
        .ok()
        .filter(|seconds| chrono::DateTime::from_timestamp(*seconds, 0).is_some())
        .ok_or(SignatureError::Malformed("the svix-timestamp header is not a time in seconds"))?;
    let candidates: Vec<Vec<u8>> = delivery
        .signatures
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|encoded| SIGNATURE_DECODER.decode(encoded).ok())
        .collect();
    if candidates.is_empty() {
        return Err(SignatureError::Malformed("the svix-signature header has no v1 signature"));
    }
    // `abs_diff`: a timestamp at either end of i64 is far from now, not an overflow.
    if now.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
        return Err(SignatureError::OutsideTolerance);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes);
    let mut signed = Vec::with_capacity(delivery.id.len() + delivery.timestamp.len() + body.len() + 2);
    signed.extend_from_slice(delivery.id.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(delivery.timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    let matches = candidates.iter().any(|signature| hmac::verify(&key, &signed, signature).is_ok());
    if matches { Ok(()) } else { Err(SignatureError::NoMatch) }
}
