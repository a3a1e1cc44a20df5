//! Webhook signatures the Standard Webhooks way (Svix's scheme): what the
//! platform checks on Clerk's deliveries and signs on its own to clinics.
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

/// Bytes of a new endpoint secret (Standard Webhooks: 24 to 64).
const SECRET_BYTES: usize = 32;

/// A new random secret, `whsec_<base64>`.
pub fn new_secret() -> kernel::Result<String> {
    let mut key = [0_u8; SECRET_BYTES];
    aws_lc_rs::rand::fill(&mut key).map_err(|_| kernel::Error::internal("no randomness for a webhook secret"))?;
    Ok(format!("whsec_{}", STANDARD.encode(key)))
}

/// The `v1,<base64>` signature of message `id` sent at `timestamp` (epoch
/// seconds) with `body`, under `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, SignatureError> {
    let key = key_of(secret)?;
    let signature = hmac::sign(&key, &signed_content(id, &timestamp.to_string(), body));
    Ok(format!("v1,{}", STANDARD.encode(signature.as_ref())))
}

fn key_of(secret: &str) -> Result<hmac::Key, SignatureError> {
    let bytes =
        STANDARD.decode(secret.strip_prefix("whsec_").unwrap_or(secret)).map_err(|_| SignatureError::BadSecret)?;
    Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes))
}

/// `{id}.{timestamp}.{body}`.
fn signed_content(id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut signed = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    signed.extend_from_slice(id.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    signed
}

/// Checks `delivery` over `body` against `secret` at time `now` (epoch seconds).
pub fn verify(
    secret: &str,
    delivery: SignedDelivery<'_>,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let key = key_of(secret)?;
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
    let signed = signed_content(delivery.id, delivery.timestamp, body);
    let matches = candidates.iter().any(|signature| hmac::verify(&key, &signed, signature).is_ok());
    if matches { Ok(()) } else { Err(SignatureError::NoMatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_signed_verifies_and_nothing_else_does() {
        let secret = new_secret().unwrap();
        let signature = sign(&secret, "msg_1", 1_700_000_000, b"{}").unwrap();
        let delivery = SignedDelivery { id: "msg_1", timestamp: "1700000000", signatures: &signature };
        assert_eq!(verify(&secret, delivery, b"{}", 1_700_000_010, 300), Ok(()));
        assert_eq!(verify(&secret, delivery, b"{ }", 1_700_000_010, 300), Err(SignatureError::NoMatch));
        let other = new_secret().unwrap();
        assert_ne!(secret, other);
        assert_eq!(verify(&other, delivery, b"{}", 1_700_000_010, 300), Err(SignatureError::NoMatch));
    }
}
