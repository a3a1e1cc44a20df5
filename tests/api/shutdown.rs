//! SIGTERM drains in-flight requests and exits 0 (RELIABILITY 29).

use std::time::Duration;

use reqwest::StatusCode;

use crate::process::{ServeFixture, Served, terminate};

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_and_exits_zero() {
    // A slow identity provider keeps the first requests in flight for a while.
    let fixture = ServeFixture::new(Duration::from_millis(800)).await;
    let mut served = Served::start(&fixture.environment()).await;

    let client = reqwest::Client::new();
    let in_flight: Vec<_> = (0..20)
        .map(|index| {
            let request = client
                .get(format!("{}/api/v1/auth/session", served.base_url))
                .bearer_auth(fixture.tokens.token_for(&format!("user_{index}")))
                .send();
            tokio::spawn(request)
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminate(&served);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let late = reqwest::Client::new()
        .get(format!("{}/health/live", served.base_url))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(late.is_err(), "a request arriving after SIGTERM was served: {late:?}");

    for request in in_flight {
        let response = request.await.unwrap().expect("an in-flight request was dropped");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let status = tokio::task::spawn_blocking(move || served.child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "gateway exited with {status}");
}
