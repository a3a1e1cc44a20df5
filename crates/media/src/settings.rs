//! `[media]`: where uploads live, their limits, and the key of signed links.

use std::path::PathBuf;

use platform::config::Environment;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The signing secret of `config/default.toml`, refused in production.
pub const DEVELOPMENT_SIGNING_SECRET: &str = "development-only-media-signing-secret";

/// Where uploaded files live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// A directory on this machine (the default; one instance only).
    Local,
    /// An S3-compatible store (AWS S3, MinIO, Supabase Storage).
    S3,
}

/// Uploaded files: limits, storage and signed links.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// `local` or `s3`.
    pub storage: StorageKind,
    /// The directory of the local store.
    pub local_dir: PathBuf,
    /// The S3 store, when `storage = "s3"`.
    pub s3: S3Settings,
    /// Largest image upload, in bytes (413 beyond).
    pub max_image_bytes: u64,
    /// Largest document (PDF) upload, in bytes.
    pub max_document_bytes: u64,
    /// Largest image in pixels (width × height): refused before it is decoded.
    pub max_pixels: u64,
    /// Memory one image decode may allocate, in bytes.
    pub max_decode_bytes: u64,
    /// Long sides, in pixels, of the derivatives made of every image.
    #[serde(deserialize_with = "platform::config::list")]
    pub derivative_sizes: Vec<u32>,
    /// Key of signed links (HMAC-SHA256).
    pub signing_secret: SecretString,
    /// Seconds a signed link stays valid.
    pub link_ttl_secs: i64,
    /// Hours an upload may wait to be attached before cleanup removes it.
    pub unattached_grace_hours: i64,
}

/// An S3-compatible bucket.
#[derive(Debug, Clone, Deserialize)]
pub struct S3Settings {
    /// Bucket name.
    pub bucket: Option<String>,
    /// Region, e.g. `eu-west-3`.
    pub region: String,
    /// Endpoint for S3-compatible stores (MinIO, Supabase); AWS when absent.
    pub endpoint: Option<String>,
    /// Access key id.
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<SecretString>,
    /// Allow a plain `http://` endpoint (local MinIO).
    pub allow_http: bool,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "media";

    fn check(&self, environment: Environment) -> Result<(), String> {
        if environment == Environment::Production && self.signing_secret.expose_secret() == DEVELOPMENT_SIGNING_SECRET {
            return Err("set signing_secret (VET__MEDIA__SIGNING_SECRET) in production".to_owned());
        }
        if self.storage == StorageKind::S3 && self.s3.bucket.is_none() {
            return Err("s3.bucket is required for storage = \"s3\"".to_owned());
        }
        if self.derivative_sizes.is_empty() || self.derivative_sizes.contains(&0) {
            return Err("derivative_sizes must list sizes of at least one pixel".to_owned());
        }
        Ok(())
    }
}
