//! What the gateway logs about a request, and what it never logs.

use std::time::Duration;

use serde_json::Value;

use crate::process::{ServeFixture, Served, terminate};

/// The trace id of the `traceparent` the client sends.
const INCOMING_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[tokio::test]
async fn request_logs_carry_id_route_status_latency_and_user_but_no_secrets() {
    let fixture = ServeFixture::new(Duration::ZERO).await;
    let log_path = std::env::temp_dir().join(format!("gateway-log-{}.jsonl", uuid::Uuid::now_v7().simple()));
    let log_file = std::fs::File::create(&log_path).unwrap();
    let mut environment = fixture.environment();
    environment.extend([("VET__LOG__FORMAT", "json".to_owned()), ("VET__LOG__FILTER", "debug".to_owned())]);
    let mut served = Served::start_logging_to(&environment, log_file).await;

    let token = fixture.tokens.token_for("user_logged");
    let client = reqwest::Client::new();
    let session = format!("{}/api/v1/auth/session", served.base_url);
    let response = client
        .get(&session)
        .bearer_auth(&token)
        .header("x-request-id", "trace-logs-1")
        .header("traceparent", format!("00-{INCOMING_TRACE}-00f067aa0ba902b7-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    client.get(format!("{session}?access_token={token}&email=alice@example.com")).send().await.unwrap();
    client.get(&session).bearer_auth("alice@example.com").send().await.unwrap();
    let api_key = format!("vpk_0123456789ab_{}", "5ec7e75ec7e7".repeat(4));
    let refused = client.get(&session).bearer_auth(&api_key).send().await.unwrap();
    assert_eq!(refused.status(), 401, "an unknown API key");

    terminate(&served);
    let waited = tokio::task::spawn_blocking(move || served.child.wait());
    tokio::time::timeout(Duration::from_secs(15), waited).await.unwrap().unwrap().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    std::fs::remove_file(&log_path).unwrap();

    let signature = token.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature), "a token reached the logs");
    assert!(!logs.contains("alice@example.com"), "an email reached the logs");
    assert!(!logs.contains("5ec7e75ec7e7"), "an API key reached the logs");

    let completed: Vec<Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["fields"]["message"] == "request completed")
        .collect();
    let traced = completed
        .iter()
        .find(|line| line["span"]["request_id"] == "trace-logs-1")
        .unwrap_or_else(|| panic!("no completion line for the request id in:\n{logs}"));
    assert_eq!(traced["span"]["route"], "/api/v1/auth/session");
    assert_eq!(traced["span"]["trace_id"], INCOMING_TRACE, "the log line lacks the continued trace id");
    assert_eq!(traced["span"]["method"], "GET");
    assert!(uuid::Uuid::parse_str(traced["span"]["user_id"].as_str().unwrap()).is_ok(), "the user id is ours");
    assert_eq!(traced["fields"]["status"], 200);
    assert!(traced["fields"]["latency_ms"].as_f64().is_some());
    assert!(completed.iter().filter(|line| line["fields"]["status"] == 401).count() >= 2);
}
