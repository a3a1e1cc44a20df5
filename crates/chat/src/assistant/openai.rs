//! An OpenAI-compatible chat-completions client (`POST {base_url}/chat/completions`),
//! streaming the answer as server-sent events.

use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::assistant::{ModelError, Turn};
use crate::settings::AssistantSettings;

/// The client, with its base URL, model and key.
#[derive(Clone)]
pub struct OpenAi {
    http: reqwest::Client,
    base_url: String,
    model: String,
    api_key: Option<SecretString>,
    max_tokens: u32,
}

impl std::fmt::Debug for OpenAi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OpenAi")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    messages: &'a [Turn],
    max_tokens: u32,
    stream: bool,
}

impl OpenAi {
    /// The client `settings` describe; `None` without a base URL.
    pub fn new(settings: &AssistantSettings) -> Option<Self> {
        let base_url = settings.base_url.as_deref()?.trim_end_matches('/').to_owned();
        Some(Self {
            http: reqwest::Client::new(),
            base_url,
            model: settings.model.clone(),
            api_key: settings.api_key.clone(),
            max_tokens: settings.max_tokens,
        })
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.model
    }

    async fn post(&self, turns: &[Turn], stream: bool) -> Result<reqwest::Response, ModelError> {
        let body = Request { model: &self.model, messages: turns, max_tokens: self.max_tokens, stream };
        let mut request = self.http.post(format!("{}/chat/completions", self.base_url)).json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = platform::telemetry::send(request, "model chat.completions").await.map_err(ModelError::Http)?;
        if !response.status().is_success() {
            return Err(ModelError::Status(response.status().as_u16()));
        }
        Ok(response)
    }

    /// Streams the answer: each part goes to `parts` as it arrives; the whole
    /// answer is returned at the end.
    pub async fn stream(&self, turns: &[Turn], parts: &mpsc::Sender<String>) -> Result<String, ModelError> {
        let response = self.post(turns, true).await?;
        let mut body = response.bytes_stream();
        let (mut pending, mut answer) = (Vec::<u8>::new(), String::new());
        while let Some(chunk) = body.next().await {
            pending.extend_from_slice(&chunk.map_err(ModelError::Http)?);
            while let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                let line = String::from_utf8_lossy(&line);
                let Some(data) = line.trim().strip_prefix("data:").map(str::trim) else { continue };
                if data == "[DONE]" {
                    return finished(answer);
                }
                let event: serde_json::Value = serde_json::from_str(data).map_err(|_| ModelError::Malformed)?;
                if let Some(part) = event["choices"][0]["delta"]["content"].as_str().filter(|part| !part.is_empty()) {
                    answer.push_str(part);
                    let _ = parts.send(part.to_owned()).await;
                }
            }
        }
        finished(answer)
    }

    /// The whole answer at once.
    pub async fn complete(&self, turns: &[Turn]) -> Result<String, ModelError> {
        let response = self.post(turns, false).await?;
        let body: serde_json::Value = response.json().await.map_err(ModelError::Http)?;
        finished(body["choices"][0]["message"]["content"].as_str().unwrap_or_default().to_owned())
    }
}

fn finished(answer: String) -> Result<String, ModelError> {
    if answer.trim().is_empty() { Err(ModelError::Malformed) } else { Ok(answer) }
}
