//! Every error path answers with the envelope and the right status.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use testkit::TestApp;

use crate::{assert_envelope, probe};

async fn app() -> TestApp {
    TestApp::spawn_with(probe::mount, |settings| {
        settings.server.json_limit_bytes = 1024;
        settings.server.request_timeout_secs = 1;
    })
    .await
}

/// `POST /probe/echo` with `content_type` and `body`.
async fn post_echo(app: &TestApp, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    app.client.post(app.url("/api/v1/probe/echo")).header(CONTENT_TYPE, content_type).body(body).send().await.unwrap()
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = app().await;
    let response = post_echo(&app, "application/json", "{\"name\": ").await;
    assert_envelope(response, StatusCode::BAD_REQUEST, "MALFORMED_JSON").await;
}

#[tokio::test]
async fn deeply_nested_json_is_400_fast() {
    let app = TestApp::spawn_with(probe::mount, |settings| settings.server.json_limit_bytes = 100_000).await;
    let body = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let started = Instant::now();
    let response = post_echo(&app, "application/json", body).await;
    assert_envelope(response, StatusCode::BAD_REQUEST, "MALFORMED_JSON").await;
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = app().await;
    let response = post_echo(&app, "text/plain", "{}").await;
    assert_envelope(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE").await;
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let app = app().await;
    let body = format!("{{\"padding\": \"{}\"}}", "x".repeat(4096));
    let response = post_echo(&app, "application/json", body).await;
    assert_envelope(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413() {
    let app = app().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..8).map(|index| Ok(if index == 0 { b"{\"a\":\"".to_vec() } else { vec![b'x'; 512] })).collect();
    let response =
        post_echo(&app, "application/json", reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))).await;
    assert_envelope(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
}

#[tokio::test]
async fn unknown_route_is_404() {
    let app = app().await;
    assert_envelope(app.get("/no/such/route").await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = app().await;
    for method in [reqwest::Method::POST, reqwest::Method::DELETE, reqwest::Method::from_bytes(b"TRACE").unwrap()] {
        let response = app.client.request(method, app.url("/health/live")).send().await.unwrap();
        assert_eq!(response.headers()["allow"], "GET");
        assert_envelope(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
    }
    let response = app.client.get(app.url("/api/v1/probe/echo")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "POST");
}

#[tokio::test]
async fn unparsable_path_parameter_is_400() {
    let app = app().await;
    for bad in ["/api/v1/probe/items/abc", "/api/v1/probe/items/-1", "/api/v1/probe/items/99999999999"] {
        assert_envelope(app.get(bad).await, StatusCode::BAD_REQUEST, "INVALID_PARAMETER").await;
    }
    assert_eq!(app.get("/api/v1/probe/items/7").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn unparsable_query_parameter_is_400() {
    let app = app().await;
    for bad in [
        "/api/v1/probe/search?limit=abc",
        "/api/v1/probe/search?limit=-5",
        "/api/v1/probe/search?limit=1000000000000",
        "/api/v1/probe/search",
    ] {
        assert_envelope(app.get(bad).await, StatusCode::BAD_REQUEST, "INVALID_PARAMETER").await;
    }
}

#[tokio::test]
async fn a_panicking_handler_is_an_opaque_500_and_the_server_keeps_serving() {
    let app = app().await;
    for _ in 0..3 {
        let body =
            assert_envelope(app.get("/api/v1/probe/panic").await, StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR")
                .await;
        assert!(!body.to_string().contains("a bug in a handler"), "the panic message leaked: {body}");
    }
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_handler_past_the_deadline_is_504() {
    let app = app().await;
    let started = Instant::now();
    assert_envelope(app.get("/api/v1/probe/slow").await, StatusCode::GATEWAY_TIMEOUT, "TIMEOUT").await;
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_an_insane_one_replaced() {
    let app = app().await;
    let response = app.client.get(app.url("/no/such")).header("x-request-id", "trace-abc-123").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
    let body = assert_envelope(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    assert_eq!(body["error"]["request_id"], "trace-abc-123");

    let response =
        app.client.get(app.url("/health/live")).header("x-request-id", "no spaces <allowed>").send().await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "expected a generated id, got {id}");
}
