//! Security headers, CORS and slow clients.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use testkit::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::probe;

const LISTED_ORIGIN: &str = "https://app.test.vet-platform.local";

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn(probe::mount).await;
    for path in ["/health/live", "/no/such/route"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert!(headers.get("strict-transport-security").is_none(), "HSTS is off unless behind TLS");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_configured() {
    let app = TestApp::spawn_with(probe::mount, |settings| settings.server.hsts = true).await;
    let response = app.get("/health/live").await;
    assert!(response.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
}

#[tokio::test]
async fn a_listed_origin_is_allowed_and_an_unlisted_one_is_not() {
    let app = TestApp::spawn(probe::mount).await;
    let response = app.client.get(app.url("/health/live")).header("origin", LISTED_ORIGIN).send().await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], LISTED_ORIGIN);

    let response =
        app.client.get(app.url("/health/live")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("access-control-allow-origin").is_none());

    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/session"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_slow_header_client_is_cut_off_while_others_are_served() {
    let app = TestApp::spawn_with(probe::mount, |settings| settings.server.client_request_timeout_ms = 500).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\n").await.unwrap();

    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK, "others are served meanwhile");

    let started = Instant::now();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the slow client was not cut off");
    assert!(started.elapsed() < Duration::from_secs(3));
    let answer = String::from_utf8_lossy(&buffer);
    assert!(!answer.contains("200 OK"), "the incomplete request was served: {answer}");
}
