//! The accounts API through a real server over a real database and Redis.

#![expect(clippy::unwrap_used, reason = "a failed fixture must fail the test loudly")]

mod access;
mod admin;
mod me;
mod provider_state;
mod rate_limit;
mod webhooks;

use platform::config::Source;
use platform::{Mount, Routes};
use reqwest::{Method, Response};
use serde_json::Value;
use testkit::TestApp;

/// The routes under test, with the platform's own.
pub fn mount(config: &Source) -> impl Mount + use<> {
    let settings: accounts::Settings = config.section().unwrap();
    let personal_data = personal_data(config);
    move |routes: &mut Routes| {
        platform::health::routes(routes);
        platform::auth::session::routes(routes);
        accounts::routes(routes, &settings, &personal_data);
    }
}

/// The account alone: no other crate's holder (the gateway's tests erase and
/// export across every crate).
pub fn personal_data(config: &Source) -> accounts::PersonalData {
    let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
    accounts::PersonalData { holders: platform::personal_data::Holders::default(), uploads }
}

/// A server over the accounts routes.
pub async fn app() -> TestApp {
    TestApp::spawn(mount).await
}

/// `method path` with `token` and an optional JSON body.
pub async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
    app.call(method, path, token, body).await
}

pub use testkit::expect;
