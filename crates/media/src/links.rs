//! Signed links: `/api/v1/media/{id}/content?variant=&expires=&signature=`
//! works without credentials until it expires, so an `<img src>` can show a
//! private photo. The signature is HMAC-SHA256 over the id, variant and expiry
//! with `media.signing_secret`, checked in constant time.

use aws_lc_rs::hmac;
use chrono::{DateTime, Duration, Utc};
use kernel::MediaId;
use platform::ApiError;
use secrecy::ExposeSecret;

use crate::api::{LinkView, SignedQuery};
use crate::settings::Settings;

fn key(settings: &Settings) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, settings.signing_secret.expose_secret().as_bytes())
}

fn message(id: MediaId, variant: Option<&str>, expires: i64) -> String {
    format!("{id}:{}:{expires}", variant.unwrap_or("original"))
}

/// A link to `variant` of `id`, valid for `media.link_ttl_secs`.
pub fn link(settings: &Settings, id: MediaId, variant: Option<&str>) -> LinkView {
    link_until(settings, id, variant, Utc::now() + Duration::seconds(settings.link_ttl_secs))
}

/// A link valid until `expires_at` (tests make expired ones).
pub fn link_until(settings: &Settings, id: MediaId, variant: Option<&str>, expires_at: DateTime<Utc>) -> LinkView {
    let expires = expires_at.timestamp();
    let tag = hmac::sign(&key(settings), message(id, variant, expires).as_bytes());
    let signature: String = tag.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    let variant = variant.map(|variant| format!("variant={variant}&")).unwrap_or_default();
    let prefix = platform::routes::API_PREFIX;
    LinkView {
        url: format!("{prefix}/media/{id}/content?{variant}expires={expires}&signature={signature}"),
        expires_at,
    }
}

/// Refuses (403) a link that is expired or whose signature does not verify.
pub fn verify(settings: &Settings, id: MediaId, query: &SignedQuery) -> Result<(), ApiError> {
    let refused = |reason: &str| ApiError::Domain(kernel::Error::Forbidden(reason.to_owned()));
    if query.expires < Utc::now().timestamp() {
        return Err(refused("the link has expired"));
    }
    let signature = decode_hex(&query.signature).ok_or_else(|| refused("the link's signature does not verify"))?;
    hmac::verify(&key(settings), message(id, query.variant.as_deref(), query.expires).as_bytes(), &signature)
        .map_err(|_| refused("the link's signature does not verify"))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|index| u8::from_str_radix(text.get(index..index + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        platform::config::Source::load_from(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config"),
            platform::config::Environment::Test,
        )
        .and_then(|config| config.section())
        .unwrap_or_else(|error| panic!("{error}"))
    }

    fn query_of(link: &LinkView) -> SignedQuery {
        let query = link.url.split_once('?').map(|(_, query)| query).unwrap_or_default();
        let value =
            |name: &str| query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).map(str::to_owned);
        SignedQuery {
            variant: value("variant"),
            expires: value("expires").and_then(|text| text.parse().ok()).unwrap_or_default(),
            signature: value("signature").unwrap_or_default(),
        }
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_not_for_another_file_or_variant() {
        let settings = settings();
        let id = MediaId::new();
        let link = link(&settings, id, Some("512"));
        let query = query_of(&link);
        assert!(verify(&settings, id, &query).is_ok());
        assert!(verify(&settings, MediaId::new(), &query).is_err());
        assert!(verify(&settings, id, &SignedQuery { variant: Some("1600".into()), ..query.clone() }).is_err());
        let stale = query_of(&link_until(&settings, id, Some("512"), Utc::now() - Duration::seconds(1)));
        assert!(verify(&settings, id, &stale).is_err());
    }
}
