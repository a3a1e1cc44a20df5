//! Integration tests of the shared HTTP layer, through a real server on a free
//! port over a real database and Redis (see `testkit`).

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "a failed fixture must fail the test loudly")]

mod auth;
mod dependencies;
mod envelope;
mod hygiene;
mod idempotency;
mod probe;
mod routing;

use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Asserts that `response` is the error envelope with `status` and `code`, and
/// that its `request_id` is the one in the `X-Request-Id` header; returns the body.
pub async fn assert_envelope(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "unexpected status");
    let header_id = response
        .headers()
        .get("x-request-id")
        .expect("every response carries X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.expect("the body is JSON");
    let error = &body["error"];
    assert_eq!(error["code"], code, "unexpected code in {body}");
    assert!(error["message"].as_str().is_some_and(|message| !message.is_empty()));
    assert!(error["timestamp"].as_str().is_some());
    assert!(error.get("details").is_some());
    assert_eq!(error["request_id"], header_id.as_str());
    body
}
