//! SIGTERM drains in-flight requests and exits 0 (RELIABILITY 29).

use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use reqwest::StatusCode;
use testkit::{TestDb, TokenMinter, test_settings};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::process::Served;

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_and_exits_zero() {
    let database = TestDb::new().await;
    let settings = test_settings();
    let tokens = TokenMinter::new(
        settings.auth.issuer.clone(),
        settings.auth.authorized_parties.first().cloned(),
    );
    // A slow identity provider keeps the first requests in flight for a while.
    let jwks = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(tokens.key().jwks())
                .set_delay(Duration::from_millis(800)),
        )
        .mount(&jwks)
        .await;
    let mut served = Served::start(&[
        ("VET__DATABASE__URL", database.url().to_owned()),
        (
            "VET__AUTH__JWKS_URL",
            format!("{}/.well-known/jwks.json", jwks.uri()),
        ),
    ])
    .await;

    let client = reqwest::Client::new();
    let in_flight: Vec<_> = (0..20)
        .map(|index| {
            let request = client
                .get(format!("{}/api/v1/auth/session", served.base_url))
                .bearer_auth(tokens.token_for(&format!("user_{index}")))
                .send();
            tokio::spawn(request)
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    kill(
        Pid::from_raw(i32::try_from(served.child.id()).unwrap()),
        Signal::SIGTERM,
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let late = reqwest::Client::new()
        .get(format!("{}/health/live", served.base_url))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        late.is_err(),
        "a request arriving after SIGTERM was served: {late:?}"
    );

    for request in in_flight {
        let response = request
            .await
            .unwrap()
            .expect("an in-flight request was dropped");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let status = tokio::task::spawn_blocking(move || served.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "gateway exited with {status}");
}
