//! Object storage through `object_store`: a local directory by default, any
//! S3-compatible store by configuration. Keys are random (UUID v4), so a key
//! cannot be guessed from another.

use std::sync::Arc;

use anyhow::Context;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, GetResult, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use secrecy::ExposeSecret;

use crate::settings::{Settings, StorageKind};

/// The store uploads and their derivatives live in.
#[derive(Debug, Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// The store `settings` describe.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let store: Arc<dyn ObjectStore> = match settings.storage {
            StorageKind::Local => {
                let dir = &settings.local_dir;
                std::fs::create_dir_all(dir).with_context(|| format!("media.local_dir {}", dir.display()))?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(dir)
                        .with_context(|| format!("media.local_dir {}", dir.display()))?,
                )
            }
            StorageKind::S3 => {
                let s3 = &settings.s3;
                let bucket = s3.bucket.as_deref().context("media.s3.bucket is required for storage = \"s3\"")?;
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(&s3.region)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
                    builder = builder.with_access_key_id(id).with_secret_access_key(secret.expose_secret());
                }
                Arc::new(builder.build().context("the media.s3 store")?)
            }
        };
        Ok(Self { store })
    }

    /// A new random key under `prefix`.
    pub fn new_key(prefix: &str) -> String {
        format!("{prefix}/{}", uuid::Uuid::new_v4().simple())
    }

    /// A streaming writer to `key` (multipart under the hood).
    pub async fn writer(&self, key: &str) -> kernel::Result<WriteMultipart> {
        let upload = self.store.put_multipart(&Path::from(key)).await.map_err(unavailable)?;
        Ok(WriteMultipart::new(upload))
    }

    /// Writes `bytes` at `key`.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> kernel::Result<()> {
        self.store.put(&Path::from(key), PutPayload::from(bytes)).await.map(drop).map_err(unavailable)
    }

    /// Reads `key`, or `range` of it.
    pub async fn get(&self, key: &str, range: Option<std::ops::Range<u64>>) -> kernel::Result<GetResult> {
        let options = GetOptions { range: range.map(GetRange::Bounded), ..Default::default() };
        self.store.get_opts(&Path::from(key), options).await.map_err(|error| match error {
            object_store::Error::NotFound { .. } => kernel::Error::NotFound { resource: "file" },
            other => unavailable(other),
        })
    }

    /// The size of `key` in bytes.
    pub async fn size(&self, key: &str) -> kernel::Result<u64> {
        self.store.head(&Path::from(key)).await.map(|meta| meta.size).map_err(|error| match error {
            object_store::Error::NotFound { .. } => kernel::Error::NotFound { resource: "file" },
            other => unavailable(other),
        })
    }

    /// Reads all of `key`.
    pub async fn read(&self, key: &str) -> kernel::Result<Vec<u8>> {
        let bytes = self.get(key, None).await?.bytes().await.map_err(unavailable)?;
        Ok(bytes.to_vec())
    }

    /// Deletes `key`; a missing key is fine.
    pub async fn delete(&self, key: &str) -> kernel::Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }
}

fn unavailable(error: object_store::Error) -> kernel::Error {
    tracing::warn!(%error, "object storage failed");
    kernel::Error::Unavailable { dependency: "storage" }
}
