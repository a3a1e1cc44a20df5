//! Panics and 5xx answers reach Sentry (a local fake) with the request id,
//! route and user id, and nothing personal: no token, email, phone or body.

use actix_web::{HttpResponse, get};
use platform::{CurrentUser, Mount, Routes};
use reqwest::Method;
use secrecy::SecretString;
use testkit::{SentryServer, TestApp};

/// A handler that panics with personal data in its message (as careless code might).
#[utoipa::path(tag = "test", responses((status = 500, description = "Always")))]
#[get("/test/panic")]
#[expect(clippy::panic, reason = "the fault under test")]
async fn panics(CurrentUser(caller): CurrentUser) -> HttpResponse {
    panic!("cannot handle alice@example.com (+33612345678) for {}", caller.user_id)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_is_reported_with_request_id_route_and_user_but_nothing_personal() {
    let sentry = SentryServer::start().await;
    let mount = |config: &platform::config::Source| {
        let modules = crate::modules(config);
        move |routes: &mut Routes| {
            modules.mount(routes);
            routes.service(panics);
        }
    };
    let dsn = sentry.dsn();
    let app =
        TestApp::spawn_with(mount, |settings| settings.error_tracking.sentry_dsn = Some(SecretString::from(dsn))).await;
    let user = app.user(kernel::Role::PetOwner).await;
    let update = serde_json::json!({ "phone": "+33687654321" });
    app.api(Method::PATCH, "/users/me").by(&user).json(&update).expect(200).await;

    app.api(Method::GET, "/test/panic").by(&user).header("x-request-id", "panic-report-1").expect(500).await;
    tokio::task::spawn_blocking(platform::error_tracking::flush).await.unwrap();

    let events = sentry.events().await;
    let panic = events
        .iter()
        .find(|event| event["exception"]["values"][0]["mechanism"]["type"] == "panic")
        .unwrap_or_else(|| panic!("no panic event among {events:#?}"));
    assert_eq!(panic["tags"]["request_id"], "panic-report-1");
    assert_eq!(panic["tags"]["route"], "/api/v1/test/panic");
    assert_eq!(panic["user"]["id"], user.user_id.to_string());
    let answered =
        events.iter().find(|event| event["message"].as_str().is_some_and(|text| text.starts_with("500 GET")));
    assert!(
        answered.is_some_and(|event| event["tags"]["request_id"] == "panic-report-1"),
        "no 500 report in {events:#?}"
    );

    let sent = sentry.envelopes().await.join("\n");
    let signature = user.token.rsplit('.').next().unwrap();
    for secret in [signature, "alice@example.com", "+33612345678", "+33687654321", "authorization", &user.subject] {
        assert!(!sent.contains(secret), "{secret} reached Sentry");
    }
}
