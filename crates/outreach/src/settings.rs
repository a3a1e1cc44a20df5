//! `[outreach]`: where links in campaigns point, the key that signs them,
//! and how fast campaigns go out.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The development key, refused in production.
pub const DEVELOPMENT_UNSUBSCRIBE_SECRET: &str = "development-only-unsubscribe-secret";

/// Campaign sending.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// The API's public address (`https://api.example.com`): unsubscribe
    /// links in emails start with it.
    pub public_url: String,
    /// Signs unsubscribe links (secret; the development key is refused in
    /// production).
    pub unsubscribe_secret: SecretString,
    /// Recipients one sending job takes.
    pub batch_size: i32,
    /// Seconds between two batches of a campaign: at most `batch_size` emails
    /// per interval leave for one campaign.
    pub batch_interval_secs: i64,
    /// Clients one campaign may reach at most (a larger audience is 422 when
    /// it is scheduled).
    pub max_audience: i64,
}

impl Settings {
    /// The unsubscribe link's key.
    pub(crate) fn unsubscribe_key(&self) -> &[u8] {
        self.unsubscribe_secret.expose_secret().as_bytes()
    }
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "outreach";

    fn check(&self, environment: platform::config::Environment) -> Result<(), String> {
        if self.batch_size < 1 || self.batch_interval_secs < 0 || self.max_audience < 1 {
            return Err("batch_size and max_audience must be at least 1, batch_interval_secs not negative".to_owned());
        }
        if !self.public_url.starts_with("https://") && !self.public_url.starts_with("http://") {
            return Err("public_url must be an http(s) URL".to_owned());
        }
        if environment == platform::config::Environment::Production {
            let secret = self.unsubscribe_secret.expose_secret();
            if secret == DEVELOPMENT_UNSUBSCRIBE_SECRET || secret.len() < 32 {
                return Err(
                    "set unsubscribe_secret (VET__OUTREACH__UNSUBSCRIBE_SECRET) to 32 or more random bytes in production"
                        .to_owned(),
                );
            }
            if !self.public_url.starts_with("https://") {
                return Err("public_url (VET__OUTREACH__PUBLIC_URL) must be https:// in production".to_owned());
            }
        }
        Ok(())
    }
}
