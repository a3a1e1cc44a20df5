//! [`Call`]: one request to the App's API, built and checked in one line:
//! `app.api(Method::POST, "/pets").by(&owner).json(&dog).expect(201).await`.
//!
//! Paths are the API's, without `/api/v1`; `expect` checks the status and
//! returns the JSON body, `expect_json` reads it into a type.

use reqwest::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::{TestApp, TestUser};

/// A request being built.
#[must_use = "a call does nothing until it is sent"]
pub struct Call {
    request: RequestBuilder,
}

impl TestApp {
    /// `method /api/v1{path}`, without credentials until [`Call::by`].
    pub fn api(&self, method: Method, path: &str) -> Call {
        Call { request: self.client.request(method, self.url(&format!("{}{path}", platform::routes::API_PREFIX))) }
    }
}

impl Call {
    /// As `user`, with their token.
    pub fn by(self, user: &TestUser) -> Self {
        self.bearer(&user.token)
    }

    /// With `token` as the bearer credential.
    pub fn bearer(self, token: &str) -> Self {
        Self { request: self.request.bearer_auth(token) }
    }

    /// With `body` as JSON.
    pub fn json(self, body: &impl Serialize) -> Self {
        Self { request: self.request.json(body) }
    }

    /// With a header.
    pub fn header(self, name: &str, value: &str) -> Self {
        Self { request: self.request.header(name, value) }
    }

    /// Sends it.
    pub async fn send(self) -> Response {
        self.request.send().await.expect("send the request")
    }

    /// Sends it, asserts the status and returns the JSON body (`Null` when empty).
    pub async fn expect(self, status: u16) -> serde_json::Value {
        crate::expect(self.send().await, status).await
    }

    /// Sends it, asserts the status and reads the body as `T`.
    pub async fn expect_json<T: DeserializeOwned>(self, status: u16) -> T {
        serde_json::from_value(self.expect(status).await).expect("a body of the expected shape")
    }
}
