//! A local OpenTelemetry collector: accepts OTLP/HTTP JSON trace exports
//! (`POST /v1/traces`) and lists the spans received.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One span as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSpan {
    /// Its name.
    pub name: String,
    /// Hex trace id.
    pub trace_id: String,
    /// Hex span id.
    pub span_id: String,
    /// Hex id of its parent span; empty for a root.
    pub parent_span_id: String,
    /// `(trace id, span id)` of the spans it links to.
    pub links: Vec<(String, String)>,
}

/// The collector.
pub struct OtlpReceiver {
    server: MockServer,
}

impl OtlpReceiver {
    /// Starts accepting exports.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/traces"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
            .mount(&server)
            .await;
        Self { server }
    }

    /// The endpoint to configure as `telemetry.otlp_endpoint`.
    pub fn endpoint(&self) -> String {
        self.server.uri()
    }

    /// Every span received so far.
    pub async fn spans(&self) -> Vec<ReceivedSpan> {
        let requests = self.server.received_requests().await.unwrap_or_default();
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        let mut spans = Vec::new();
        for request in requests {
            let Ok(export) = serde_json::from_slice::<Value>(&request.body) else { continue };
            let resources = export["resourceSpans"].as_array().cloned().unwrap_or_default();
            for scope in
                resources.iter().flat_map(|resource| resource["scopeSpans"].as_array().cloned().unwrap_or_default())
            {
                for span in scope["spans"].as_array().cloned().unwrap_or_default() {
                    let links = span["links"].as_array().cloned().unwrap_or_default();
                    spans.push(ReceivedSpan {
                        name: text(&span["name"]),
                        trace_id: text(&span["traceId"]),
                        span_id: text(&span["spanId"]),
                        parent_span_id: text(&span["parentSpanId"]),
                        links: links.iter().map(|link| (text(&link["traceId"]), text(&link["spanId"]))).collect(),
                    });
                }
            }
        }
        spans
    }
}
