//! The API's services are mounted in one scope per first path segment
//! (`platform::routes`): a request reaches what one flat scope would reach.

use reqwest::{Method, StatusCode};
use testkit::TestApp;

use crate::{assert_envelope, probe};

#[tokio::test]
async fn a_route_mounted_after_another_segments_is_found_in_its_own() {
    let app = TestApp::spawn(probe::mount).await;
    assert_eq!(app.api(Method::GET, "/probe/late").expect_json::<String>(200).await, "late");
    assert_eq!(app.api(Method::GET, "/probe/items/3").expect_json::<u32>(200).await, 3);
}

#[tokio::test]
async fn a_segment_whose_name_begins_with_another_segments_is_its_own() {
    let app = TestApp::spawn(probe::mount).await;
    assert_eq!(app.api(Method::GET, "/probes/7").expect_json::<String>(200).await, "probes 7");
    assert_envelope(app.api(Method::GET, "/probesx/7").send().await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_percent_encoded_segment_is_read_as_the_router_reads_it() {
    let app = TestApp::spawn(probe::mount).await;
    assert_eq!(app.api(Method::GET, "/pr%6Fbe/items/5").expect_json::<u32>(200).await, 5);
}

#[tokio::test]
async fn inside_a_segment_an_unknown_path_is_404_and_another_method_405() {
    let app = TestApp::spawn(probe::mount).await;
    let unknown = app.api(Method::GET, "/probe/no/such/route").send().await;
    assert_envelope(unknown, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let response = app.api(Method::DELETE, "/probe/late").send().await;
    assert_eq!(response.headers()["allow"], "GET");
    assert_envelope(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
}
