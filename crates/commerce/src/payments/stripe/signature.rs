//! `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>…`: an HMAC-SHA256
//! of `"{t}.{raw body}"` with the endpoint's signing secret. Several `v1`
//! signatures come while a secret is being rolled; one that verifies is
//! enough. Comparison is constant-time (`aws_lc_rs::hmac::verify`), and a
//! timestamp outside the tolerance is refused, so a captured delivery cannot
//! be replayed later.

use aws_lc_rs::hmac;

/// Why a delivery is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The header is missing or unreadable.
    Malformed(&'static str),
    /// Signed too long ago (or too far ahead).
    Stale,
    /// No signature verifies.
    NoMatch,
}

/// Checks `header` for `payload` at `now` (unix seconds).
pub fn verify(secret: &str, header: &str, payload: &[u8], now: i64, tolerance_secs: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("Stripe-Signature has no timestamp"))?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed("Stripe-Signature has no v1 signature"));
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(payload);
    if signatures.iter().any(|signature| hmac::verify(&key, &signed, signature).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::NoMatch)
    }
}

/// The header Stripe would send for `payload` at `timestamp` (tests, and
/// whoever replays an event by hand).
pub fn sign(secret: &str, payload: &[u8], timestamp: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(payload);
    format!("t={timestamp},v1={}", hex::encode(hmac::sign(&key, &signed).as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signature_of_the_body_with_the_secret_within_the_tolerance_verifies() {
        assert_eq!(verify(SECRET, &sign(SECRET, BODY, NOW - 10), BODY, NOW, 300), Ok(()));
    }

    #[test]
    fn one_good_signature_among_several_is_enough() {
        let good = sign(SECRET, BODY, NOW);
        let bad = sign("whsec_rolled_away", BODY, NOW);
        let both = format!("{bad},v1={}", good.split_once("v1=").unwrap().1);
        assert_eq!(verify(SECRET, &both, BODY, NOW, 300), Ok(()));
        assert_eq!(verify(SECRET, &format!("{both},v0=ignored,v1=nothex"), BODY, NOW, 300), Ok(()));
    }

    #[test]
    fn another_secret_another_body_or_an_old_timestamp_is_refused() {
        assert_eq!(verify(SECRET, &sign("whsec_other", BODY, NOW), BODY, NOW, 300), Err(SignatureError::NoMatch));
        assert_eq!(verify(SECRET, &sign(SECRET, BODY, NOW), b"{}", NOW, 300), Err(SignatureError::NoMatch));
        assert_eq!(verify(SECRET, &sign(SECRET, BODY, NOW - 301), BODY, NOW, 300), Err(SignatureError::Stale));
        assert_eq!(verify(SECRET, &sign(SECRET, BODY, NOW + 301), BODY, NOW, 300), Err(SignatureError::Stale));
    }

    #[test]
    fn a_header_without_a_timestamp_or_a_signature_is_malformed() {
        assert!(matches!(verify(SECRET, "", BODY, NOW, 300), Err(SignatureError::Malformed(_))));
        assert!(matches!(verify(SECRET, "t=abc,v1=00", BODY, NOW, 300), Err(SignatureError::Malformed(_))));
        assert!(matches!(verify(SECRET, &format!("t={NOW}"), BODY, NOW, 300), Err(SignatureError::Malformed(_))));
        assert!(matches!(verify(SECRET, &format!("t={NOW},v1=zz"), BODY, NOW, 300), Err(SignatureError::Malformed(_))));
    }
}
