//! `[notifications]`: retention and each channel's provider. Every provider
//! defaults to `log`, which needs no account.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

/// Notification channels; each provider defaults to `log` (no account needed).
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Days notifications (inbox entries and their delivery log) are kept.
    pub retention_days: i32,
    /// Email.
    pub email: EmailSettings,
    /// SMS.
    pub sms: SmsSettings,
    /// Mobile push.
    pub push: PushSettings,
    /// Outgoing webhooks to clinics' systems.
    pub webhooks: WebhookSettings,
}

/// Outgoing webhooks: retries, when an endpoint is given up on, and which
/// addresses a receiver may have.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookSettings {
    /// Attempts per delivery, spaced by the job queue's backoff (12: about a day).
    pub max_attempts: i32,
    /// Deliveries in a row that fail every attempt before the endpoint is
    /// disabled (and the clinic's admins told).
    pub disable_after_failures: i32,
    /// Seconds one attempt may take, connecting included.
    pub timeout_secs: u64,
    /// Networks a receiver may be on although they are not public, and where
    /// plain `http://` is accepted: a receiver on loopback in tests. Empty in
    /// production, where only public addresses over HTTPS are reached.
    pub local_networks: Vec<ipnet::IpNet>,
    /// Fixed answers for host names, `name=address` (like `/etc/hosts`),
    /// asked before DNS and checked like DNS answers.
    pub hosts: Vec<HostAnswer>,
}

/// A fixed answer for a host name, written `name=address`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct HostAnswer {
    /// The name, lower case.
    pub name: String,
    /// Its address.
    pub address: std::net::IpAddr,
}

impl TryFrom<String> for HostAnswer {
    type Error = String;

    fn try_from(entry: String) -> Result<Self, String> {
        let parsed = entry.split_once('=').and_then(|(name, address)| Some((name, address.trim().parse().ok()?)));
        match parsed {
            Some((name, address)) if !name.trim().is_empty() => {
                Ok(Self { name: name.trim().to_ascii_lowercase(), address })
            }
            _ => Err(format!("`{entry}` is not name=address")),
        }
    }
}

/// Which implementation a channel uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Log the delivery (no contact details) and report success.
    Log,
    /// SMTP for email.
    Smtp,
    /// A Twilio-compatible Messages API for SMS.
    Twilio,
    /// Firebase Cloud Messaging HTTP v1 for push.
    Fcm,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a local relay or a test server only).
    None,
    /// Upgrade with STARTTLS (usually port 587); refuse if the server cannot.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Email through SMTP.
#[derive(Debug, Clone, Deserialize)]
pub struct EmailSettings {
    /// `log` or `smtp`.
    pub provider: ProviderKind,
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP server port.
    pub smtp_port: u16,
    /// Connection security.
    pub tls: SmtpTls,
    /// SMTP user name, when the server requires authentication.
    pub username: Option<String>,
    /// SMTP password (secret).
    pub password: Option<SecretString>,
    /// Default `From` (a clinic's own address replaces it when the clinic sends).
    pub from: String,
    /// Milliseconds one SMTP exchange may take.
    pub timeout_ms: u64,
}

/// SMS through a Twilio-compatible HTTP API.
#[derive(Debug, Clone, Deserialize)]
pub struct SmsSettings {
    /// `log` or `twilio`.
    pub provider: ProviderKind,
    /// API base URL, e.g. `https://api.twilio.com`.
    pub base_url: String,
    /// Account SID.
    pub account_sid: Option<String>,
    /// Auth token (secret).
    pub auth_token: Option<SecretString>,
    /// Sending number (E.164) or messaging service.
    pub from: Option<String>,
    /// Milliseconds one API call may take.
    pub timeout_ms: u64,
}

/// Push through FCM HTTP v1.
#[derive(Debug, Clone, Deserialize)]
pub struct PushSettings {
    /// `log` or `fcm`.
    pub provider: ProviderKind,
    /// API base URL, e.g. `https://fcm.googleapis.com`.
    pub base_url: String,
    /// Google service account key file (JSON: `project_id`, `client_email`,
    /// `private_key`, `token_uri`).
    pub service_account_file: Option<PathBuf>,
    /// Milliseconds one API call may take.
    pub timeout_ms: u64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "notifications";

    fn check(&self, environment: platform::config::Environment) -> Result<(), String> {
        if self.retention_days < 1 {
            return Err("retention_days must be at least 1".to_owned());
        }
        let webhooks = &self.webhooks;
        if !(1..=25).contains(&webhooks.max_attempts)
            || webhooks.disable_after_failures < 1
            || webhooks.timeout_secs < 1
        {
            return Err(
                "webhooks need 1 to 25 attempts, disable_after_failures and timeout_secs of at least 1".to_owned()
            );
        }
        if environment == platform::config::Environment::Production && !webhooks.local_networks.is_empty() {
            return Err("webhooks.local_networks must be empty in production".to_owned());
        }
        Ok(())
    }
}
