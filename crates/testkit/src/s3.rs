//! A local fake of Amazon S3 for storage tests: `moto`'s server on loopback,
//! spoken to over real HTTP by the same `object_store` client production uses.

use platform::Settings;
use platform::config::StorageKind;

use crate::python::PythonServer;

/// A running S3 fake with one empty bucket; stopped when dropped.
pub struct S3Server {
    server: PythonServer,
    bucket: String,
}

impl S3Server {
    /// Starts the fake on a free loopback port and creates the bucket.
    pub async fn start() -> Self {
        let server = PythonServer::start("moto.server", |port| {
            ["-H", "127.0.0.1", "-p", &port.to_string()].map(str::to_owned).to_vec()
        })
        .await;
        let s3 = Self { server, bucket: "vet-media".to_owned() };
        let created = reqwest::Client::new().put(s3.bucket_url()).send().await.expect("the S3 fake answers");
        assert!(created.status().is_success(), "creating the bucket: {}", created.status());
        s3
    }

    /// Points the media settings at this bucket.
    pub fn use_in(&self, settings: &mut Settings) {
        let media = &mut settings.media;
        media.storage = StorageKind::S3;
        media.s3.bucket = Some(self.bucket.clone());
        media.s3.endpoint = Some(format!("http://127.0.0.1:{}", self.server.port()));
        media.s3.allow_http = true;
        media.s3.access_key_id = Some("test-key".to_owned());
        media.s3.secret_access_key = Some("test-secret".into());
    }

    /// The keys the bucket holds, in order.
    pub async fn keys(&self) -> Vec<String> {
        let listing = reqwest::Client::new()
            .get(format!("{}?list-type=2", self.bucket_url()))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("listing the bucket")
            .text()
            .await
            .expect("the listing");
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|entry| entry.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect()
    }

    fn bucket_url(&self) -> String {
        format!("http://127.0.0.1:{}/{}", self.server.port(), self.bucket)
    }
}
