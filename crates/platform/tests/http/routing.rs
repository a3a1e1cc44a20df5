//! The API's services are mounted in one scope per first path segment
//! (`platform::routes`): a request reaches what one flat scope would reach.

use reqwest::StatusCode;
use testkit::TestApp;

use crate::{assert_envelope, probe};

#[tokio::test]
async fn a_route_mounted_after_another_segments_is_found_in_its_own() {
    let app = TestApp::spawn(probe::mount).await;
    let late = app.get("/api/v1/probe/late").await;
    assert_eq!(late.status(), StatusCode::OK);
    assert_eq!(late.json::<String>().await.unwrap(), "late");
    let item = app.get("/api/v1/probe/items/3").await;
    assert_eq!(item.json::<u32>().await.unwrap(), 3);
}

#[tokio::test]
async fn a_segment_whose_name_begins_with_another_segments_is_its_own() {
    let app = TestApp::spawn(probe::mount).await;
    let probes = app.get("/api/v1/probes/7").await;
    assert_eq!(probes.status(), StatusCode::OK);
    assert_eq!(probes.json::<String>().await.unwrap(), "probes 7");
    assert_envelope(app.get("/api/v1/probesx/7").await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_percent_encoded_segment_is_read_as_the_router_reads_it() {
    let app = TestApp::spawn(probe::mount).await;
    let item = app.get("/api/v1/pr%6Fbe/items/5").await;
    assert_eq!(item.status(), StatusCode::OK);
    assert_eq!(item.json::<u32>().await.unwrap(), 5);
}

#[tokio::test]
async fn inside_a_segment_an_unknown_path_is_404_and_another_method_405() {
    let app = TestApp::spawn(probe::mount).await;
    assert_envelope(app.get("/api/v1/probe/no/such/route").await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let response = app.client.delete(app.url("/api/v1/probe/late")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET");
    assert_envelope(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
}
