//! The OpenAPI document describes exactly what the gateway mounts.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use testkit::TestApp;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn spec(app: &TestApp) -> Value {
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// A concrete path for a templated one (`{id}` → a syntactically valid id).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| if segment.starts_with('{') { "01936b2e-0000-7000-8000-000000000000" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_spec_is_openapi_3_1_with_the_bearer_scheme_and_the_envelope() {
    let app = TestApp::spawn(crate::modules).await;
    let spec = spec(&app).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(spec["components"]["schemas"]["ErrorEnvelope"].is_object());
    let session = &spec["paths"]["/api/v1/auth/session"]["get"];
    assert_eq!(session["security"][0]["bearer"], serde_json::json!([]));
    for status in ["200", "401", "503"] {
        assert!(session["responses"][status].is_object(), "status {status} is undocumented");
    }
}

#[tokio::test]
async fn the_spec_is_gzipped_for_clients_that_accept_it_and_not_sent_again_to_one_that_holds_it() {
    let app = TestApp::spawn(crate::modules).await;
    let get = |headers: &[(&str, &str)]| {
        let mut request = app.client.get(app.url("/openapi.json"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let plain = get(&[]).await.unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    assert!(plain.headers()["vary"].to_str().unwrap().starts_with("Accept-Encoding"));
    let tag = plain.headers()["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    let plain = plain.bytes().await.unwrap();

    let gzipped = get(&[("accept-encoding", "br, gzip;q=0.8")]).await.unwrap();
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["etag"], tag.as_str());
    let compressed = gzipped.bytes().await.unwrap();
    assert!(compressed.len() * 5 < plain.len(), "{} of {} bytes", compressed.len(), plain.len());
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&compressed[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, plain);

    let refused = get(&[("accept-encoding", "gzip;q=0, identity")]).await.unwrap();
    assert_eq!(refused.headers().get("content-encoding"), None);
    assert_eq!(refused.bytes().await.unwrap(), plain);

    for held in [tag.as_str(), "\"other\", W/\"x\"", "*"] {
        let expected = if held.contains("other") { StatusCode::OK } else { StatusCode::NOT_MODIFIED };
        let response = get(&[("if-none-match", held), ("accept-encoding", "gzip")]).await.unwrap();
        assert_eq!(response.status(), expected, "If-None-Match: {held}");
        assert_eq!(response.headers()["etag"], tag.as_str());
        if expected == StatusCode::NOT_MODIFIED {
            assert!(response.bytes().await.unwrap().is_empty());
        }
    }
}

#[tokio::test]
async fn every_documented_operation_is_mounted_and_other_methods_are_405() {
    // Every route × method from one caller would exceed its quota; quotas have their own tests.
    let app = TestApp::spawn_with(crate::modules, |settings| settings.rate_limit.enabled = false).await;
    let spec = spec(&app).await;
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.contains_key("/health/live") && paths.contains_key("/health/ready"));
    for (path, item) in paths {
        let url = app.url(&concrete(path));
        let documented: Vec<&str> = METHODS.iter().copied().filter(|method| item.get(*method).is_some()).collect();
        assert!(!documented.is_empty(), "{path} documents no operation");
        for method in METHODS {
            let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let token = app.tokens.token_for("user_openapi");
            let response = app.client.request(http_method, &url).bearer_auth(token).send().await.unwrap();
            if documented.contains(&method) {
                assert_ne!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                // A handler whose crate state is not registered would answer 500.
                assert!(!response.status().is_server_error(), "{method} {path}: {}", response.status());
                // A 404 may be the resource (no such id), never the route.
                let body = response.text().await.unwrap();
                assert!(!body.contains("no such route"), "{method} {path} is documented but not mounted");
            } else {
                assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                let allow = response.headers()["allow"].to_str().unwrap().to_lowercase();
                for expected in &documented {
                    assert!(allow.contains(expected), "Allow of {path} misses {expected}: {allow}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_interactive_docs_work_offline() {
    let app = TestApp::spawn(crate::modules).await;
    let redirect = app.get("/docs").await;
    assert!(redirect.status().is_redirection());
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "not the Swagger UI page");
    assert!(!html.contains("https://"), "the docs page loads assets from the internet");
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        assert_eq!(app.get(asset).await.status(), StatusCode::OK, "{asset} is not served locally");
    }
    let initializer = app.get("/docs/swagger-initializer.js").await.text().await.unwrap();
    assert!(initializer.contains("/openapi.json"));
}

/// The whole document, as reviewed: a change to the API's contract (a field,
/// a status, a description) shows in the diff of `snapshots/`.
#[tokio::test]
async fn the_document_matches_its_reviewed_snapshot() {
    let app = TestApp::spawn(crate::modules).await;
    let spec = spec(&app).await;
    insta::assert_json_snapshot!("openapi", spec, { ".info.version" => "[version]" });
}
