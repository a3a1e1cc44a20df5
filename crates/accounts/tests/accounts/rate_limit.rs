//! Quotas in Redis (RELIABILITY 18, 31).

use std::net::SocketAddr;

use kernel::Role;
use platform::config::ClassLimits;
use reqwest::Method;
use testkit::{FaultProxy, ProxyMode, TestApp};

use crate::{call, expect, mount};

fn small_limits(settings: &mut platform::Settings) {
    let limits = ClassLimits { read: 5, write: 5, auth_sensitive: 2, webhook: 5 };
    settings.rate_limit.limits.insert("pet_owner".into(), limits);
    settings.rate_limit.limits.insert("anonymous".into(), limits);
}

#[tokio::test]
async fn a_burst_over_the_limit_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(mount, small_limits).await;
    let owner = app.user(Role::PetOwner).await;
    for remaining in (0..5).rev() {
        let response = call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await;
        assert_eq!(response.headers()["ratelimit-limit"], "5");
        assert_eq!(response.headers()["ratelimit-remaining"], remaining.to_string().as_str());
        expect(response, 200).await;
    }
    let refused = call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await;
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(refused.headers()["ratelimit-remaining"], "0");
    let body = expect(refused, 429).await;
    assert_eq!(body["error"]["code"], "RATE_LIMITED");

    // Writes and exports have budgets of their own; another user is unaffected.
    expect(call(&app, Method::PATCH, "/api/v1/users/me", &owner.token, Some(serde_json::json!({}))).await, 200).await;
    let other = app.user(Role::PetOwner).await;
    expect(call(&app, Method::GET, "/api/v1/users/me", &other.token, None).await, 200).await;
}

#[tokio::test]
async fn the_export_is_counted_as_the_export_however_its_path_is_spelled() {
    let app = TestApp::spawn_with(mount, small_limits).await;
    let owner = app.user(Role::PetOwner).await;
    for spelling in ["/api/v1/users/me/export", "/api/v1/users/me/%65xport"] {
        expect(call(&app, Method::GET, spelling, &owner.token, None).await, 200).await;
    }
    // The export's budget (2) is spent by both spellings; reads (5) are untouched.
    let refused = call(&app, Method::GET, "/api/v1/users/me/%65xp%6Frt", &owner.token, None).await;
    assert_eq!(refused.headers()["ratelimit-limit"], "2");
    expect(refused, 429).await;
    expect(call(&app, Method::GET, "/api/v1/users/me", &owner.token, None).await, 200).await;
}

#[tokio::test]
async fn anonymous_callers_are_limited_by_address() {
    let app = TestApp::spawn_with(mount, small_limits).await;
    for _ in 0..5 {
        assert_eq!(app.get("/api/v1/users/me").await.status(), 401);
    }
    assert_eq!(app.get("/api/v1/users/me").await.status(), 429);
    assert_eq!(app.get("/health/live").await.status(), 200, "probes are not counted");
}

/// Two gateway instances over one database and one quota namespace, each
/// with `limits`.
async fn two_instances(limits: fn(&mut platform::Settings)) -> (TestApp, TestApp) {
    let first = TestApp::spawn_with(mount, limits).await;
    let (url, prefix) = (first.db.url().to_owned(), first.state.settings().rate_limit.key_prefix.clone());
    let second = TestApp::spawn_with(mount, move |settings| {
        limits(settings);
        settings.database.url = url.into();
        settings.rate_limit.key_prefix = prefix;
    })
    .await;
    (first, second)
}

#[tokio::test]
async fn two_gateway_instances_share_one_budget() {
    let (first, second) = two_instances(small_limits).await;
    let owner = first.user(Role::PetOwner).await;
    let second_token = second.tokens.token_for(&owner.subject);
    for index in 0..5 {
        let (app, token) = if index % 2 == 0 { (&first, &owner.token) } else { (&second, &second_token) };
        expect(call(app, Method::GET, "/api/v1/users/me", token, None).await, 200).await;
    }
    expect(call(&second, Method::GET, "/api/v1/users/me", &second_token, None).await, 429).await;
    expect(call(&first, Method::GET, "/api/v1/users/me", &owner.token, None).await, 429).await;
}

#[tokio::test]
async fn instances_lease_numbers_of_the_budget_and_never_admit_more_than_it() {
    let budget = |settings: &mut platform::Settings| {
        let limits = ClassLimits { read: 300, write: 5, auth_sensitive: 2, webhook: 5 };
        settings.rate_limit.limits.insert("pet_owner".into(), limits);
    };
    let (first, second) = two_instances(budget).await;
    let owner = first.user(Role::PetOwner).await;
    let second_token = second.tokens.token_for(&owner.subject);
    let admitted = async |app: &TestApp, token: &str| {
        let mut admitted = 0;
        while call(app, Method::GET, "/api/v1/users/me", token, None).await.status() == 200 {
            admitted += 1;
        }
        admitted
    };
    // The first request leases numbers 1 to 3 (a hundredth of 300) to the first
    // instance; the second leases the rest, three at a time, and stops at 300.
    expect(call(&first, Method::GET, "/api/v1/users/me", &owner.token, None).await, 200).await;
    assert_eq!(admitted(&second, &second_token).await, 297);
    assert_eq!(admitted(&first, &owner.token).await, 2, "the first instance's lease still holds two");
}

#[tokio::test]
async fn with_redis_down_reads_keep_working_or_fail_closed_when_configured() {
    let redis: SocketAddr = "127.0.0.1:6379".parse().unwrap();
    let proxy = FaultProxy::start(redis).await;
    let redis_url = format!("redis://{}/0", proxy.address());
    let open_url = redis_url.clone();
    let open = TestApp::spawn_with(mount, move |settings| settings.redis.url = open_url.into()).await;
    let closed = TestApp::spawn_with(mount, move |settings| {
        settings.redis.url = redis_url.into();
        settings.rate_limit.fail_open = false;
    })
    .await;
    let owner = open.user(Role::PetOwner).await;
    let closed_owner = closed.user(Role::PetOwner).await;
    proxy.set_mode(ProxyMode::Refuse);
    for _ in 0..3 {
        let started = std::time::Instant::now();
        expect(call(&open, Method::GET, "/api/v1/users/me", &owner.token, None).await, 200).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    expect(call(&closed, Method::GET, "/api/v1/users/me", &closed_owner.token, None).await, 503).await;
    proxy.set_mode(ProxyMode::Pass);
}

#[tokio::test]
async fn the_client_address_comes_from_the_proxy_header_only_when_it_is_trusted() {
    let burst = |app: &TestApp, forwarded: &'static str| {
        let request = app.client.get(app.url("/api/v1/users/me")).header("x-forwarded-for", forwarded);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let untrusted = TestApp::spawn_with(mount, small_limits).await;
    for index in 0..5 {
        let spoofed = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"][index];
        assert_eq!(burst(&untrusted, spoofed).await, 401);
    }
    assert_eq!(burst(&untrusted, "10.0.0.6").await, 429, "a spoofed header must not buy a new budget");

    let trusted = TestApp::spawn_with(mount, |settings| {
        small_limits(settings);
        settings.rate_limit.trusted_proxy_header = Some("x-forwarded-for".into());
    })
    .await;
    for _ in 0..5 {
        assert_eq!(burst(&trusted, "203.0.113.7, 10.0.0.1").await, 401);
    }
    assert_eq!(burst(&trusted, "203.0.113.7, 10.0.0.1").await, 429);
    assert_eq!(burst(&trusted, "203.0.113.7, 10.0.0.2").await, 401, "another client behind the proxy");
}
