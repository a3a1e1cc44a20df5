//! SMS through a Twilio-compatible Messages API.

use anyhow::Context;

use crate::settings::SmsSettings;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Provider, Receipt, SendError, Sms, classify, http_client, transport_error};

/// `POST {base_url}/2010-04-01/Accounts/{sid}/Messages.json`.
pub struct TwilioProvider {
    client: reqwest::Client,
    url: String,
    account_sid: String,
    auth_token: SecretString,
    from: String,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[derive(Deserialize)]
struct Failure {
    message: Option<String>,
}

impl TwilioProvider {
    /// Needs `account_sid`, `auth_token` and `from`.
    pub fn new(settings: &SmsSettings) -> anyhow::Result<Self> {
        let missing = |key: &str| format!("notifications.sms.{key} is required for the twilio provider");
        let account_sid = settings.account_sid.clone().with_context(|| missing("account_sid"))?;
        let auth_token = settings.auth_token.clone().with_context(|| missing("auth_token"))?;
        let from = settings.from.clone().with_context(|| missing("from"))?;
        let url =
            format!("{}/2010-04-01/Accounts/{account_sid}/Messages.json", settings.base_url.trim_end_matches('/'));
        Ok(Self { client: http_client(settings.timeout_ms)?, url, account_sid, auth_token, from })
    }
}

#[async_trait::async_trait]
impl Provider<Sms> for TwilioProvider {
    async fn send(&self, sms: &Sms) -> Result<Receipt, SendError> {
        let request = self
            .client
            .post(&self.url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            // Twilio answers a repeated token with the first message instead of sending again.
            .header("I-Twilio-Idempotency-Token", sms.delivery_id.to_string())
            .form(&[("To", sms.to.as_str()), ("From", self.from.as_str()), ("Body", sms.body.as_str())]);
        let response = platform::telemetry::send(request, "twilio send").await.map_err(transport_error)?;
        let status = response.status();
        if status.is_success() {
            let created: Created = response.json().await.map_err(transport_error)?;
            return Ok(Receipt { provider_message_id: created.sid });
        }
        let detail = response.json::<Failure>().await.ok().and_then(|failure| failure.message).unwrap_or_default();
        Err(match status.as_u16() {
            // Twilio answers 400 for numbers it cannot reach (codes 21211, 21614, ...).
            400 => SendError::InvalidRecipient(detail),
            _ => classify(status, detail),
        })
    }
}
