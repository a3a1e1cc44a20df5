//! `[accounts]`: the identity provider's webhooks, personal data exports and
//! clinics' API keys.

use secrecy::SecretString;
use serde::Deserialize;

/// Incoming webhooks from the identity provider (Clerk, signed by Svix).
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Clerk's Svix signing secret (`whsec_...`); webhooks answer 503 without it.
    pub clerk_webhook_secret: Option<SecretString>,
    /// Largest accepted distance between a signature's timestamp and now, in seconds.
    pub webhook_tolerance_secs: i64,
    /// Days a processed webhook's id is kept, so a redelivery has no second effect.
    pub webhook_retention_days: i32,
    /// A data export of up to this many items is answered at once; a larger
    /// one is built by a job and downloaded through a signed link.
    pub export_inline_max_items: i64,
    /// Hours a built data export stays downloadable before it is deleted.
    pub export_retention_hours: i64,
    /// Hours a rotated API key keeps working beside the key that replaced it.
    pub api_key_rotation_grace_hours: i64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "accounts";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if self.webhook_tolerance_secs < 1 || self.webhook_retention_days < 1 {
            return Err("webhook_tolerance_secs and webhook_retention_days must be at least 1".to_owned());
        }
        if self.export_inline_max_items < 0 || !(1..=24 * 30).contains(&self.export_retention_hours) {
            return Err("export_inline_max_items must not be negative, export_retention_hours 1 to 720".to_owned());
        }
        if !(0..=24 * 30).contains(&self.api_key_rotation_grace_hours) {
            return Err("api_key_rotation_grace_hours must be 0 to 720".to_owned());
        }
        Ok(())
    }
}
