//! Session tokens for tests, and a local JWKS server publishing their key.

use std::sync::OnceLock;

use platform::auth::{SessionClaims, SigningKey};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Path the local JWKS server answers on.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// One key per test process: RSA generation is the slow part of minting.
fn shared_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate("test-key-1").expect("generate the test signing key"))
}

/// Mints tokens that the App under test accepts, and variations it must refuse.
pub struct TokenMinter {
    issuer: String,
    authorized_party: Option<String>,
}

impl TokenMinter {
    /// A minter for tokens of `issuer` with `azp` = `authorized_party`.
    pub fn new(issuer: impl Into<String>, authorized_party: Option<String>) -> Self {
        Self { issuer: issuer.into(), authorized_party }
    }

    /// The key tokens are signed with.
    pub fn key(&self) -> &'static SigningKey {
        shared_key()
    }

    /// Valid claims for `subject`, expiring in 10 minutes; tweak them to forge bad tokens.
    pub fn claims_for(&self, subject: &str) -> SessionClaims {
        let now = chrono::Utc::now().timestamp();
        SessionClaims {
            sub: subject.to_owned(),
            sid: format!("sess_{}", uuid::Uuid::now_v7().simple()),
            iss: self.issuer.clone(),
            exp: now + 600,
            nbf: now - 5,
            iat: now - 5,
            azp: self.authorized_party.clone(),
        }
    }

    /// A valid token for `subject`.
    pub fn token_for(&self, subject: &str) -> String {
        self.sign(&self.claims_for(subject))
    }

    /// Signs any claims (also raw JSON) with the published key.
    pub fn sign<C: serde::Serialize>(&self, claims: &C) -> String {
        shared_key().sign(claims).expect("sign test claims")
    }

    /// Starts a JWKS server publishing the test key.
    pub async fn start_jwks_server(&self) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(JWKS_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_json(shared_key().jwks()))
            .mount(&server)
            .await;
        server
    }
}
