//! A local OpenAI-compatible model API (`POST /v1/chat/completions`): answers
//! streamed as server-sent events, or a plain completion, or an error, or
//! nothing for a while; it records what it was asked.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The fake model API.
pub struct ModelServer {
    server: MockServer,
}

impl ModelServer {
    /// Answers every request with `parts`, streamed (or as one completion
    /// when the request does not ask for a stream).
    pub async fn answering(parts: &[&str]) -> Self {
        let server = MockServer::start().await;
        let mut stream = String::new();
        for part in parts {
            let chunk = json!({ "choices": [{ "index": 0, "delta": { "content": part } }] });
            stream.push_str(&format!("data: {chunk}\n\n"));
        }
        stream.push_str("data: [DONE]\n\n");
        let whole =
            json!({ "choices": [{ "index": 0, "message": { "role": "assistant", "content": parts.concat() } }] });
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(wiremock::matchers::body_partial_json(json!({ "stream": true })))
            .respond_with(ResponseTemplate::new(200).set_body_raw(stream, "text/event-stream"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(ResponseTemplate::new(200).set_body_json(whole))
            .mount(&server)
            .await;
        Self { server }
    }

    /// Answers every request with HTTP `status`.
    pub async fn failing(status: u16) -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        Self { server }
    }

    /// Answers every request correctly, but only after `delay`.
    pub async fn slow(delay: Duration) -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw("data: [DONE]\n\n", "text/event-stream").set_delay(delay),
            )
            .mount(&server)
            .await;
        Self { server }
    }

    /// The base URL to configure (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.server.uri())
    }

    /// The request bodies received, in order.
    pub async fn requests(&self) -> Vec<Value> {
        let received = self.server.received_requests().await.unwrap_or_default();
        received.iter().filter_map(|request| serde_json::from_slice(&request.body).ok()).collect()
    }
}
