//! RS256 signing keys for development and tests.
//!
//! Production tokens are signed by Clerk; we only verify them. To let a developer
//! (and the test suite) act as any user without a Clerk account, `gateway
//! dev-token` signs tokens with a locally generated key whose public half is
//! published as a JWKS file, so the very same verifier code accepts them.

use std::path::Path;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};

/// Failure to create, read or use a signing key.
#[derive(Debug, thiserror::Error)]
#[error("signing key: {0}")]
pub struct SigningError(String);

/// A private RS256 key with its key id.
pub struct SigningKey {
    kid: String,
    private_pem: String,
    public_der: Vec<u8>,
    encoding_key: EncodingKey,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a fresh 2048-bit key.
    pub fn generate(kid: impl Into<String>) -> Result<Self, SigningError> {
        let key_pair =
            KeyPair::generate(KeySize::Rsa2048).map_err(|_| SigningError("RSA key generation failed".into()))?;
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key_pair)
            .map_err(|_| SigningError("PKCS#8 encoding failed".into()))?;
        let private_pem = pem_encode("PRIVATE KEY", der.as_ref());
        Self::from_pem(kid, &private_pem)
    }

    /// Reads a PKCS#8 PEM private key.
    pub fn from_pem(kid: impl Into<String>, private_pem: &str) -> Result<Self, SigningError> {
        let der = pem_decode(private_pem)?;
        let key_pair = KeyPair::from_pkcs8(&der).map_err(|error| SigningError(format!("invalid key: {error}")))?;
        let public_key = key_pair.public_key();
        let public_der = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(public_key)
            .map_err(|_| SigningError("public key encoding failed".into()))?
            .as_ref()
            .to_vec();
        let encoding_key = EncodingKey::from_rsa_pem(private_pem.as_bytes())
            .map_err(|error| SigningError(format!("invalid key: {error}")))?;
        Ok(Self {
            kid: kid.into(),
            private_pem: private_pem.to_owned(),
            public_der,
            encoding_key,
            modulus: public_key.modulus().big_endian_without_leading_zero().to_vec(),
            exponent: public_key.exponent().big_endian_without_leading_zero().to_vec(),
        })
    }

    /// Loads `dir/dev-signing-key.pem`, creating it (and `dir/jwks.json`) when missing.
    pub fn load_or_create_dev_key(dir: &Path) -> Result<Self, SigningError> {
        let key_path = dir.join("dev-signing-key.pem");
        let jwks_path = dir.join("jwks.json");
        let key = match std::fs::read_to_string(&key_path) {
            Ok(pem) => Self::from_pem("dev-1", &pem)?,
            Err(_) => {
                std::fs::create_dir_all(dir).map_err(|error| SigningError(error.to_string()))?;
                let key = Self::generate("dev-1")?;
                std::fs::write(&key_path, &key.private_pem).map_err(|error| SigningError(error.to_string()))?;
                key
            }
        };
        let jwks = serde_json::to_vec_pretty(&key.jwks()).map_err(|error| SigningError(error.to_string()))?;
        std::fs::write(&jwks_path, jwks).map_err(|error| SigningError(error.to_string()))?;
        Ok(key)
    }

    /// The key id put in the header of every token.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key as PKCS#8 PEM (it is a development key; never a Clerk one).
    pub fn private_key_pem(&self) -> &str {
        &self.private_pem
    }

    /// The public half as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn public_key_pem(&self) -> String {
        pem_encode("PUBLIC KEY", &self.public_der)
    }

    /// The public half as one JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.modulus),
            "e": URL_SAFE_NO_PAD.encode(&self.exponent),
        })
    }

    /// A JWKS document holding only this key.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }

    /// Signs `claims` as an RS256 JWT with this key's `kid`.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, SigningError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding_key).map_err(|error| SigningError(error.to_string()))
    }
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).filter_map(|chunk| std::str::from_utf8(chunk).ok()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

fn pem_decode(pem: &str) -> Result<Vec<u8>, SigningError> {
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    STANDARD.decode(body.trim()).map_err(|error| SigningError(format!("invalid PEM: {error}")))
}
