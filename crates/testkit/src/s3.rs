//! A local fake of Amazon S3 for storage tests: `moto`'s server on loopback,
//! spoken to over real HTTP by the same `object_store` client production uses.

use platform::config::Source;

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

    /// `config` with media stored in this bucket: read `[media]` from the result.
    pub fn configure(&self, config: &Source) -> Source {
        [
            ("media.storage", "s3".to_owned()),
            ("media.s3.bucket", self.bucket.clone()),
            ("media.s3.endpoint", format!("http://127.0.0.1:{}", self.server.port())),
            ("media.s3.allow_http", "true".to_owned()),
            ("media.s3.access_key_id", "test-key".to_owned()),
            ("media.s3.secret_access_key", "test-secret".to_owned()),
        ]
        .into_iter()
        .try_fold(config.clone(), |config, (key, value)| config.with_override(key, value))
        .expect("point media at the S3 fake")
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
