//! A local Sentry: accepts event envelopes (`POST /api/{project}/envelope/`)
//! and hands back what was sent, raw and as events.

use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The fake Sentry.
pub struct SentryServer {
    server: MockServer,
}

impl SentryServer {
    /// Starts accepting envelopes.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
        Self { server }
    }

    /// A DSN pointing at this server (`error_tracking.sentry_dsn`).
    pub fn dsn(&self) -> String {
        format!("{}/1", self.server.uri().replacen("://", "://public@", 1))
    }

    /// Every envelope received, as text.
    pub async fn envelopes(&self) -> Vec<String> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        requests.iter().map(|request| String::from_utf8_lossy(&request.body).into_owned()).collect()
    }

    /// Every event received (the JSON items of type `event`).
    pub async fn events(&self) -> Vec<Value> {
        let mut events = Vec::new();
        for envelope in self.envelopes().await {
            let mut lines = envelope.lines().skip(1);
            while let (Some(header), Some(payload)) = (lines.next(), lines.next()) {
                let is_event = serde_json::from_str::<Value>(header).is_ok_and(|header| header["type"] == "event");
                if let (true, Ok(event)) = (is_event, serde_json::from_str::<Value>(payload)) {
                    events.push(event);
                }
            }
        }
        events
    }
}
