//! Channels behind one provider trait, each with a real implementation and a
//! `log` default that needs no account.
//!
//! | channel | real provider | module |
//! | --- | --- | --- |
//! | email | SMTP (lettre), TLS configurable | [`smtp`] |
//! | SMS | a Twilio-compatible Messages API | [`twilio`] |
//! | push | Firebase Cloud Messaging HTTP v1 | [`fcm`] |
//!
//! Every message carries the delivery id, which providers use as their
//! idempotency key (`Message-ID`, `I-Twilio-Idempotency-Token`).

pub mod fcm;
pub mod log;
pub mod smtp;
pub mod twilio;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::models::{Attachment, Sender};
use crate::settings::{ProviderKind, Settings};

/// Sends one kind of message.
#[async_trait::async_trait]
pub trait Provider<M: Send + Sync>: Send + Sync {
    /// Hands `message` to the provider.
    async fn send(&self, message: &M) -> Result<Receipt, SendError>;
}

/// The provider accepted the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's id for it.
    pub provider_message_id: String,
}

/// Why a provider did not accept a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The address (email, number, device token) is not valid or no longer
    /// exists; retrying cannot help.
    #[error("invalid recipient: {0}")]
    InvalidRecipient(String),
    /// The provider refused the message itself; retrying cannot help.
    #[error("rejected: {0}")]
    Rejected(String),
    /// Unreachable, throttled, failing or misconfigured: retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

/// An email.
#[derive(Debug, Clone)]
pub struct Email {
    /// The delivery id (unique `Message-ID`).
    pub delivery_id: uuid::Uuid,
    /// Recipient address.
    pub to: String,
    /// Recipient display name.
    pub to_name: Option<String>,
    /// The sending clinic, if any (else the platform's default `From`).
    pub from: Option<Sender>,
    /// Subject.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Files it carries.
    pub attachments: Vec<Attachment>,
    /// A one-click unsubscribe URL (RFC 8058): sent as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post`; taken from the notification's
    /// `unsubscribe_url` (marketing carries one).
    pub unsubscribe: Option<String>,
}

/// A text message.
#[derive(Debug, Clone)]
pub struct Sms {
    /// The delivery id (idempotency key).
    pub delivery_id: uuid::Uuid,
    /// E.164 number.
    pub to: String,
    /// The message text, as the recipient reads it.
    pub body: String,
}

/// A push message to one device.
#[derive(Debug, Clone)]
pub struct Push {
    /// The delivery id.
    pub delivery_id: uuid::Uuid,
    /// FCM registration token.
    pub token: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// String data for the app (ids to open).
    pub data: BTreeMap<String, String>,
}

/// The provider of every channel, built from `[notifications]`.
#[derive(Clone)]
pub struct Channels {
    /// Email.
    pub email: Arc<dyn Provider<Email>>,
    /// SMS.
    pub sms: Arc<dyn Provider<Sms>>,
    /// Push.
    pub push: Arc<dyn Provider<Push>>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Channels").finish_non_exhaustive()
    }
}

impl Channels {
    /// Builds the configured providers; a provider missing its settings is an error.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let email: Arc<dyn Provider<Email>> = match settings.email.provider {
            ProviderKind::Log => Arc::new(log::LogProvider("email")),
            ProviderKind::Smtp => Arc::new(smtp::SmtpProvider::new(&settings.email)?),
            other => bail!("notifications.email: provider {other:?} is not an email provider"),
        };
        let sms: Arc<dyn Provider<Sms>> = match settings.sms.provider {
            ProviderKind::Log => Arc::new(log::LogProvider("sms")),
            ProviderKind::Twilio => Arc::new(twilio::TwilioProvider::new(&settings.sms)?),
            other => bail!("notifications.sms: provider {other:?} is not an SMS provider"),
        };
        let push: Arc<dyn Provider<Push>> = match settings.push.provider {
            ProviderKind::Log => Arc::new(log::LogProvider("push")),
            ProviderKind::Fcm => Arc::new(fcm::FcmProvider::new(&settings.push)?),
            other => bail!("notifications.push: provider {other:?} is not a push provider"),
        };
        Ok(Self { email, sms, push })
    }
}

/// An HTTP client for a provider API, with its deadline.
fn http_client(timeout_ms: u64) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_millis(timeout_ms))
        .connect_timeout(Duration::from_millis(timeout_ms.min(5_000)))
        .build()
        .context("a provider's HTTP client")
}

/// Maps a provider's HTTP status: 429 and 5xx are worth a retry, 401/403 are
/// our credentials (retry once fixed), other 4xx refuse the message.
fn classify(status: reqwest::StatusCode, detail: String) -> SendError {
    match status.as_u16() {
        401 | 403 | 408 | 429 | 500..=599 => SendError::Unavailable(format!("HTTP {status}: {detail}")),
        _ => SendError::Rejected(format!("HTTP {status}: {detail}")),
    }
}

/// A transport failure (connect, timeout, reset) is always worth a retry.
fn transport_error(error: reqwest::Error) -> SendError {
    SendError::Unavailable(format!("transport: {}", error.without_url()))
}
