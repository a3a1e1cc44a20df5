//! Session token verification (RELIABILITY cases 1-8 and 20).

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use platform::auth::SigningKey;
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{FaultProxy, ProxyMode, TestApp};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{assert_envelope, probe};

const SESSION: &str = "/api/v1/auth/session";

async fn app() -> TestApp {
    TestApp::spawn(probe::mount).await
}

fn encode_part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// A refused token gets the one answer, whatever the cause (the log keeps it):
/// an answer must not tell that a signature checked out.
async fn assert_rejected(app: &TestApp, token: &str) {
    let response = app.get_with_token(token, SESSION).await;
    assert_eq!(response.headers()["www-authenticate"], r#"Bearer error="invalid_token""#);
    let body = assert_envelope(response, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    assert_eq!(body["error"]["message"], "invalid or expired token");
}

#[tokio::test]
async fn a_valid_token_identifies_the_caller() {
    let app = app().await;
    let alice = app.user(kernel::Role::Veterinarian).await;
    let response = app.get_with_token(&alice.token, SESSION).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "user_id": alice.user_id.to_string(), "subject": alice.subject, "role": "veterinarian" }));
}

#[tokio::test]
async fn missing_empty_or_non_bearer_credentials_are_401() {
    let app = app().await;
    let response = app.get(SESSION).await;
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_envelope(response, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
    for header in ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"] {
        let response = app.client.get(app.url(SESSION)).header("authorization", header).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "header {header:?}");
        assert!(response.headers().contains_key("www-authenticate"));
    }
}

#[tokio::test]
async fn a_token_in_the_query_string_only_is_401() {
    let app = app().await;
    let token = app.tokens.token_for("user_alice");
    let response = app.get(&format!("{SESSION}?token={token}&access_token={token}")).await;
    assert_envelope(response, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
}

#[tokio::test]
async fn unsigned_alg_none_tokens_are_401() {
    let app = app().await;
    let claims = serde_json::to_value(app.tokens.claims_for("user_alice")).unwrap();
    for alg in ["none", "NoNe", "NONE"] {
        let header = json!({ "alg": alg, "typ": "JWT", "kid": app.tokens.key().kid() });
        assert_rejected(&app, &format!("{}.{}.", encode_part(&header), encode_part(&claims))).await;
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_401() {
    let app = app().await;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(app.tokens.key().kid().to_owned());
    let secret = jsonwebtoken::EncodingKey::from_secret(app.tokens.key().public_key_pem().as_bytes());
    let token = jsonwebtoken::encode(&header, &app.tokens.claims_for("user_alice"), &secret).unwrap();
    assert_rejected(&app, &token).await;
}

#[tokio::test]
async fn a_tampered_payload_is_401() {
    let app = app().await;
    let token = app.tokens.token_for("user_alice");
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["sub"] = json!("user_admin");
    assert_rejected(&app, &format!("{}.{}.{}", parts[0], encode_part(&claims), parts[2])).await;
}

#[tokio::test]
async fn an_unknown_kid_is_401() {
    let app = app().await;
    let stranger = SigningKey::generate("not-published").unwrap();
    assert_rejected(&app, &stranger.sign(&app.tokens.claims_for("user_alice")).unwrap()).await;
}

#[tokio::test]
async fn expiry_is_checked_with_five_seconds_of_leeway() {
    let app = app().await;
    let now = chrono::Utc::now().timestamp();
    let mut claims = app.tokens.claims_for("user_alice");
    claims.exp = now - 30;
    assert_rejected(&app, &app.tokens.sign(&claims)).await;
    claims.exp = now - 2;
    assert_eq!(app.get_with_token(&app.tokens.sign(&claims), SESSION).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_remembered_token_still_expires_at_its_exp() {
    let app = app().await;
    let mut claims = app.tokens.claims_for("user_alice");
    // Valid for one more second: expired four seconds ago, with five of leeway.
    claims.exp = chrono::Utc::now().timestamp() - 4;
    let token = app.tokens.sign(&claims);
    for _ in 0..2 {
        assert_eq!(app.get_with_token(&token, SESSION).await.status(), StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_rejected(&app, &token).await;
}

#[tokio::test]
async fn tokens_from_the_future_are_401() {
    let app = app().await;
    let now = chrono::Utc::now().timestamp();
    let mut not_yet_valid = app.tokens.claims_for("user_alice");
    not_yet_valid.nbf = now + 60;
    assert_rejected(&app, &app.tokens.sign(&not_yet_valid)).await;
    let mut issued_later = app.tokens.claims_for("user_alice");
    issued_later.iat = now + 60;
    assert_rejected(&app, &app.tokens.sign(&issued_later)).await;
}

#[tokio::test]
async fn a_wrong_issuer_is_401_even_with_a_trailing_slash() {
    let app = app().await;
    let issuer = app.state.settings().auth.issuer.clone();
    for wrong in [format!("{issuer}/"), "https://clerk.other-instance.example".to_owned(), issuer.to_uppercase()] {
        let mut claims = app.tokens.claims_for("user_alice");
        claims.iss = wrong;
        assert_rejected(&app, &app.tokens.sign(&claims)).await;
    }
}

#[tokio::test]
async fn a_token_missing_a_required_claim_is_401() {
    let app = app().await;
    for claim in ["sub", "sid", "nbf", "exp", "iat", "iss"] {
        let mut claims = serde_json::to_value(app.tokens.claims_for("user_alice")).unwrap();
        claims.as_object_mut().unwrap().remove(claim);
        assert_rejected(&app, &app.tokens.sign(&claims)).await;
    }
}

#[tokio::test]
async fn azp_must_be_an_authorized_party() {
    let app = app().await;
    let mut claims = app.tokens.claims_for("user_alice");
    claims.azp = Some("https://evil.example".into());
    assert_rejected(&app, &app.tokens.sign(&claims)).await;
    claims.azp = None;
    assert_rejected(&app, &app.tokens.sign(&claims)).await;

    let lenient = TestApp::spawn_with(probe::mount, |settings| settings.auth.require_azp = false).await;
    let response = lenient.get_with_token(&lenient.tokens.sign(&claims), SESSION).await;
    assert_eq!(response.status(), StatusCode::OK, "azp may be absent when not required");
}

#[tokio::test]
async fn key_reference_headers_are_refused_without_any_outbound_request() {
    let app = app().await;
    let lure = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app.tokens.key().jwks()))
        .mount(&lure)
        .await;
    let private_key = jsonwebtoken::EncodingKey::from_rsa_pem(app.tokens.key().private_key_pem().as_bytes()).unwrap();
    let claims = app.tokens.claims_for("user_alice");
    let forged_headers: [fn(&mut jsonwebtoken::Header, &str, &Value); 4] = [
        |header, lure, _| header.jku = Some(format!("{lure}/jwks.json")),
        |header, lure, _| header.x5u = Some(format!("{lure}/cert.pem")),
        |header, _, _| header.jku = Some("http://169.254.169.254/latest/meta-data/".into()),
        |header, _, jwk| header.jwk = Some(serde_json::from_value(jwk.clone()).unwrap()),
    ];
    for forge in forged_headers {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(app.tokens.key().kid().to_owned());
        forge(&mut header, &lure.uri(), &app.tokens.key().jwk());
        // Signed with the real key: only the header is suspicious.
        let token = jsonwebtoken::encode(&header, &claims, &private_key).unwrap();
        assert_rejected(&app, &token).await;
    }
    assert!(lure.received_requests().await.unwrap().is_empty(), "a token made the server fetch a URL");
}

#[tokio::test]
async fn maybe_user_is_anonymous_only_without_credentials() {
    let app = app().await;
    let body: Value = app.get("/api/v1/probe/whoami").await.json().await.unwrap();
    assert_eq!(body["subject"], Value::Null);
    let body: Value = app.get_as("user_alice", "/api/v1/probe/whoami").await.json().await.unwrap();
    assert_eq!(body["subject"], "user_alice");
    let response = app.get_with_token("not-a-token", "/api/v1/probe/whoami").await;
    assert_envelope(response, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED").await;
}

#[tokio::test]
async fn key_rotation_takes_effect_without_a_restart() {
    let app = TestApp::spawn_with(probe::mount, |settings| settings.auth.jwks_cache_ttl_secs = 1).await;
    let old_token = app.tokens.token_for("user_alice");
    assert_eq!(app.get_with_token(&old_token, SESSION).await.status(), StatusCode::OK);

    // The provider adds k2: an unknown kid triggers a refetch.
    let new_key = SigningKey::generate("test-key-2").unwrap();
    publish(&app.jwks, &[app.tokens.key(), &new_key]).await;
    let new_token = new_key.sign(&app.tokens.claims_for("user_bob")).unwrap();
    assert_eq!(app.get_with_token(&new_token, SESSION).await.status(), StatusCode::OK);
    assert_eq!(app.get_with_token(&old_token, SESSION).await.status(), StatusCode::OK);

    // With the cool-down (30 s) just started, random kids cause no further fetch.
    let fetches = || async { app.jwks.received_requests().await.unwrap_or_default().len() };
    let before = fetches().await;
    for attempt in 0..5 {
        let random = SigningKey::generate(format!("random-{attempt}")).unwrap();
        assert_rejected(&app, &random.sign(&app.tokens.claims_for("user_mallory")).unwrap()).await;
    }
    assert!(fetches().await - before <= 1, "random kids hammered the JWKS endpoint");

    // The provider removes k1: once the cache expires, k1 tokens are refused.
    publish(&app.jwks, &[&new_key]).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_rejected(&app, &old_token).await;
    assert_eq!(app.get_with_token(&new_token, SESSION).await.status(), StatusCode::OK);
}

async fn publish(server: &MockServer, keys: &[&SigningKey]) {
    server.reset().await;
    let jwks = json!({ "keys": keys.iter().map(|key| key.jwk()).collect::<Vec<_>>() });
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(jwks)).mount(server).await;
}

#[tokio::test]
async fn a_warm_cache_keeps_serving_when_the_jwks_is_unreachable() {
    let (_jwks, proxy, app) = app_behind_jwks_proxy(1).await;
    let token = app.tokens.token_for("user_alice");
    assert_eq!(app.get_with_token(&token, SESSION).await.status(), StatusCode::OK);
    proxy.set_mode(ProxyMode::Refuse);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for _ in 0..3 {
        assert_eq!(app.get_with_token(&token, SESSION).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_cold_cache_with_an_unreachable_jwks_is_503_within_the_timeout() {
    for mode in [ProxyMode::Refuse, ProxyMode::Blackhole] {
        let (_jwks, proxy, app) = app_behind_jwks_proxy(300).await;
        proxy.set_mode(mode);
        let started = Instant::now();
        let response = app.get_as("user_alice", SESSION).await;
        assert!(started.elapsed() < Duration::from_secs(3), "{mode:?} took {:?}", started.elapsed());
        assert_eq!(response.headers()["retry-after"], "2");
        assert_envelope(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    }
}

/// An App whose JWKS URL goes through a [`FaultProxy`] to the test JWKS server.
async fn app_behind_jwks_proxy(ttl_secs: u64) -> (MockServer, FaultProxy, TestApp) {
    let jwks_server = testkit::TokenMinter::new("", None).start_jwks_server().await;
    let proxy = FaultProxy::start(*jwks_server.address()).await;
    let proxied = format!("http://{}/.well-known/jwks.json", proxy.address());
    let app = TestApp::spawn_with(probe::mount, move |settings| {
        settings.auth.jwks_url = Some(proxied);
        settings.auth.jwks_cache_ttl_secs = ttl_secs;
    })
    .await;
    (jwks_server, proxy, app)
}
