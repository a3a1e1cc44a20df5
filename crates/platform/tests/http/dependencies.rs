//! Readiness and behaviour when Postgres or Redis fail (RELIABILITY 31-33).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;
use reqwest::StatusCode;
use serde_json::Value;
use testkit::{FaultProxy, ProxyMode, TestApp};

use crate::{assert_envelope, probe};

const POSTGRES: &str = "127.0.0.1:5432";
const REDIS: &str = "127.0.0.1:6379";

fn address(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

/// Asserts a 503 `NOT_READY` whose failed checks are exactly `failed`.
async fn assert_not_ready(app: &TestApp, failed: &[&str]) {
    let started = Instant::now();
    let response = app.get("/health/ready").await;
    assert!(started.elapsed() <= Duration::from_secs(3), "readiness took {:?}", started.elapsed());
    assert_eq!(response.headers()["retry-after"], "2");
    let body = assert_envelope(response, StatusCode::SERVICE_UNAVAILABLE, "NOT_READY").await;
    let checks = body["error"]["details"]["checks"].as_object().unwrap().clone();
    for (name, outcome) in checks {
        let expected = if failed.contains(&name.as_str()) { "failing" } else { "ok" };
        assert_eq!(outcome, expected, "check {name}: the cause stays in the log");
    }
}

/// Routes that do not need Redis keep answering.
async fn assert_unaffected_routes_serve(app: &TestApp) {
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
    assert_eq!(app.get_as("user_alice", "/api/v1/auth/session").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn ready_reports_every_check_when_all_is_well() {
    let app = TestApp::spawn(probe::mount).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"], serde_json::json!({ "database": "ok", "migrations": "ok", "redis": "ok" }));
    assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn redis_down_or_stopped_makes_ready_503_and_nothing_else_fails() {
    let proxy = FaultProxy::start(address(REDIS)).await;
    let redis_url = format!("redis://{}/0", proxy.address());
    let app = TestApp::spawn_with(probe::mount, move |settings| settings.redis.url = redis_url.into()).await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);

    for outage in [ProxyMode::Blackhole, ProxyMode::Refuse] {
        proxy.set_mode(outage);
        assert_not_ready(&app, &["redis"]).await;
        assert_unaffected_routes_serve(&app).await;
    }
    proxy.set_mode(ProxyMode::Pass);
    assert_recovers(&app).await;
}

#[tokio::test]
async fn postgres_down_or_stopped_makes_ready_503_within_three_seconds() {
    let proxy = FaultProxy::start(address(POSTGRES)).await;
    let proxy_address = proxy.address();
    let app = TestApp::spawn_with(probe::mount, move |settings| {
        use secrecy::ExposeSecret;
        let url = settings.database.url.expose_secret().replace(POSTGRES, &proxy_address.to_string());
        settings.database.url = url.into();
    })
    .await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);

    let token = app.tokens.token_for("user_new_during_outage");
    for outage in [ProxyMode::Blackhole, ProxyMode::Refuse] {
        proxy.set_mode(outage);
        assert_not_ready(&app, &["database", "migrations"]).await;
        assert_eq!(app.get("/health/live").await.status(), StatusCode::OK);
        // Resolving a caller needs the database: a fast 503, never a 500 or a hang.
        let started = Instant::now();
        let response = app.get_with_token(&token, "/api/v1/auth/session").await;
        assert!(started.elapsed() <= Duration::from_secs(3), "took {:?}", started.elapsed());
        assert_envelope(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    }
    proxy.set_mode(ProxyMode::Pass);
    assert_recovers(&app).await;
}

#[tokio::test]
async fn terminated_backends_are_replaced_without_a_5xx_storm() {
    let app = TestApp::spawn(probe::mount).await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
    let mut admin = app.db.connect().await;
    admin
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            app.db.name()
        ))
        .await
        .unwrap();
    for _ in 0..5 {
        let status = app.get("/health/ready").await.status();
        assert!(status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE, "got {status}");
    }
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_locked_table_is_503_at_the_statement_timeout() {
    let app = TestApp::spawn_with(probe::mount, |settings| settings.database.statement_timeout_ms = 300).await;
    let mut locker = app.db.connect().await;
    locker.batch_execute("BEGIN; LOCK TABLE __diesel_schema_migrations IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let started = Instant::now();
    assert_not_ready(&app, &["database", "migrations"]).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    // A business route waiting on a locked table is cut off the same way.
    locker.batch_execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let started = Instant::now();
    let response = app.get_with_token(&app.tokens.token_for("user_behind_a_lock"), "/api/v1/auth/session").await;
    assert_envelope(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    locker.batch_execute("ROLLBACK").await.unwrap();
    assert_recovers(&app).await;
}

#[tokio::test]
async fn an_exhausted_pool_is_a_fast_503_not_a_queue() {
    let app = TestApp::spawn_with(probe::mount, |settings| {
        settings.database.max_connections = 1;
        settings.database.wait_timeout_ms = 200;
    })
    .await;
    let held = app.state.db().get().await.unwrap();
    let started = Instant::now();
    assert_not_ready(&app, &["database", "migrations"]).await;
    assert!(started.elapsed() < Duration::from_secs(1));
    // A business route needing a connection gets the same fast 503.
    let started = Instant::now();
    let response = app.get_with_token(&app.tokens.token_for("user_in_a_queue"), "/api/v1/auth/session").await;
    assert_envelope(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    drop(held);
    assert_recovers(&app).await;
}

#[tokio::test]
async fn a_passing_readiness_is_reused_so_probes_cannot_drain_the_pool() {
    let app = TestApp::spawn_with(probe::mount, |settings| {
        settings.server.readiness_cache_ms = 60_000;
        settings.database.max_connections = 1;
        settings.database.wait_timeout_ms = 200;
    })
    .await;
    assert_eq!(app.get("/health/ready").await.status(), StatusCode::OK);
    let held = app.state.db().get().await.unwrap();
    let probes = futures_util::future::join_all((0..50).map(|_| app.get("/health/ready"))).await;
    let statuses: Vec<StatusCode> = probes.iter().map(reqwest::Response::status).collect();
    assert!(statuses.iter().all(|status| *status == StatusCode::OK), "no probe needs a connection: {statuses:?}");
    drop(held);
}

/// Readiness returns to 200 by itself within a few seconds.
async fn assert_recovers(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = app.get("/health/ready").await.status();
        if status == StatusCode::OK {
            return;
        }
        assert!(Instant::now() < deadline, "still {status} after the outage ended");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
