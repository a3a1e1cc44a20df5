//! Push through Firebase Cloud Messaging HTTP v1, authenticated as a Google
//! service account (a signed JWT exchanged for an hour-long access token,
//! cached until a minute before it expires).

use std::time::{Duration, Instant};

use anyhow::Context;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use crate::settings::PushSettings;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::{Provider, Push, Receipt, SendError, classify, http_client, transport_error};

const SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// The fields of a service account key file we need.
#[derive(Deserialize)]
struct ServiceAccount {
    project_id: String,
    client_email: String,
    private_key: String,
    token_uri: String,
}

/// Sends to one FCM project.
pub struct FcmProvider {
    client: reqwest::Client,
    send_url: String,
    client_email: String,
    token_uri: String,
    key: EncodingKey,
    access_token: Mutex<Option<(String, Instant)>>,
}

#[derive(Serialize)]
struct Assertion<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

#[derive(Deserialize)]
struct AccessToken {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct Sent {
    name: String,
}

impl FcmProvider {
    /// Reads the service account key file named in the settings.
    pub fn new(settings: &PushSettings) -> anyhow::Result<Self> {
        let path = settings
            .service_account_file
            .as_ref()
            .context("notifications.push.service_account_file is required for the fcm provider")?;
        let file = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
        let account: ServiceAccount = serde_json::from_str(&file).with_context(|| path.display().to_string())?;
        let key = EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .with_context(|| format!("{}: private_key", path.display()))?;
        let send_url =
            format!("{}/v1/projects/{}/messages:send", settings.base_url.trim_end_matches('/'), account.project_id);
        Ok(Self {
            client: http_client(settings.timeout_ms)?,
            send_url,
            client_email: account.client_email,
            token_uri: account.token_uri,
            key,
            access_token: Mutex::new(None),
        })
    }

    async fn access_token(&self) -> Result<String, SendError> {
        let mut cached = self.access_token.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && Instant::now() < *expires
        {
            return Ok(token.clone());
        }
        let now = chrono::Utc::now().timestamp();
        let claims =
            Assertion { iss: &self.client_email, scope: SCOPE, aud: &self.token_uri, iat: now, exp: now + 3600 };
        let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|error| SendError::Unavailable(format!("signing the token request: {error}")))?;
        let request = self
            .client
            .post(&self.token_uri)
            .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion.as_str())]);
        let response = platform::telemetry::send(request, "fcm token").await.map_err(transport_error)?;
        if !response.status().is_success() {
            return Err(SendError::Unavailable(format!("token endpoint answered {}", response.status())));
        }
        let token: AccessToken = response.json().await.map_err(transport_error)?;
        let lifetime = Duration::from_secs(token.expires_in.saturating_sub(60));
        *cached = Some((token.access_token.clone(), Instant::now() + lifetime));
        Ok(token.access_token)
    }
}

#[async_trait::async_trait]
impl Provider<Push> for FcmProvider {
    async fn send(&self, push: &Push) -> Result<Receipt, SendError> {
        let token = self.access_token().await?;
        let body = serde_json::json!({
            "message": {
                "token": push.token,
                "notification": { "title": push.title, "body": push.body },
                "data": push.data,
            }
        });
        let request = self.client.post(&self.send_url).bearer_auth(token).json(&body);
        let response = platform::telemetry::send(request, "fcm send").await.map_err(transport_error)?;
        let status = response.status();
        if status.is_success() {
            let sent: Sent = response.json().await.map_err(transport_error)?;
            return Ok(Receipt { provider_message_id: sent.name });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            *self.access_token.lock().await = None;
        }
        let detail = response.text().await.unwrap_or_default();
        // FCM answers 404 UNREGISTERED for a token the app no longer has, and
        // 400 INVALID_ARGUMENT for one that never was.
        if status == reqwest::StatusCode::NOT_FOUND
            || detail.contains("UNREGISTERED")
            || detail.contains("registration token")
        {
            return Err(SendError::InvalidRecipient("device token no longer registered".into()));
        }
        Err(classify(status, detail.chars().take(200).collect()))
    }
}
