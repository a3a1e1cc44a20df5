//! Media: uploads, image processing and object storage, for every crate that
//! attaches files (pet photos, health record documents, clinic and vet photos).
//!
//! - [`upload`]: `POST /api/v1/media` streams a multipart file to storage,
//!   types it from its bytes ([`sniff`]), enforces the size limit of its
//!   purpose and refuses images with too many pixels before decoding;
//! - [`process`] and [`jobs::ProcessMedia`]: images are decoded within limits,
//!   turned upright, re-encoded without metadata (no EXIF, no GPS) and resized
//!   to derivatives, in a background job; until then their status says
//!   `processing` and nothing is served;
//! - [`storage`]: `object_store`, a local directory or any S3-compatible store;
//! - [`service`]: attaching an upload to its owner ([`service::claim`], after
//!   the owner's crate has applied its own access rules) and letting it go;
//! - [`serve`] and [`links`]: downloads with type, disposition, caching and
//!   ranges, through the owner's endpoint or a short-lived signed link;
//! - [`jobs::CleanUpMedia`]: removes uploads nobody attached and files let go;
//! - [`personal_data::PersonalData`]: a person's uploads, exported with links
//!   and, unless someone else keeps them, let go of at erasure.
//!
//! [`Uploads`] is the crate's state (its `[media]` [`Settings`] and the store),
//! built once by the binary and handed to [`routes`], to the crates that
//! attach files, and to the worker ([`worker_options`]).

pub mod api;
pub mod handlers;
pub mod jobs;
pub mod links;
pub mod models;
pub mod personal_data;
pub mod process;
pub mod serve;
pub mod service;
mod settings;
pub mod sniff;
pub mod storage;
pub mod upload;

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use diesel_async::AsyncPgConnection;
use platform::{ApiError, Routes};

pub use api::{AttachRequest, LinkView, MediaView, Purpose, VariantQuery};
pub use models::Media;
pub use settings::{DEVELOPMENT_SIGNING_SECRET, S3Settings, Settings, StorageKind};

/// Where uploads live and the rules they are kept by: the `[media]` settings
/// and the store they describe. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Uploads {
    settings: Arc<Settings>,
    storage: storage::Storage,
}

impl Uploads {
    /// Opens the store `settings` describe (creating the local directory).
    pub fn from_settings(settings: Settings) -> anyhow::Result<Self> {
        let storage = storage::Storage::from_settings(&settings)?;
        Ok(Self { settings: Arc::new(settings), storage })
    }

    /// The `[media]` settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The store.
    pub fn storage(&self) -> &storage::Storage {
        &self.storage
    }

    /// A short-lived link to `variant` of the file `id` (see [`links`]).
    pub fn link(&self, id: kernel::MediaId, variant: Option<&str>) -> LinkView {
        links::link(&self.settings, id, variant)
    }

    /// The response for `variant` of an attached file, after the owner's
    /// crate checked that the caller may see it.
    pub async fn download(
        &self,
        connection: &mut AsyncPgConnection,
        media: Media,
        variant: Option<&str>,
        request: &HttpRequest,
    ) -> Result<HttpResponse, ApiError> {
        let variants = service::variants(connection, media.id).await?;
        serve::respond(&self.storage, &media, &variants, variant, request).await
    }
}

/// Adds this crate's jobs (processing, hourly cleanup) to a worker.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    uploads: &Uploads,
) -> anyhow::Result<graphile_worker::WorkerOptions> {
    Ok(options
        .define_job::<jobs::ProcessMedia>()
        .define_job::<jobs::CleanUpMedia>()
        .with_cron(jobs::CleanUpMedia::CRONTAB)?
        .add_extension(uploads.clone()))
}

/// Mounts the media endpoints over `uploads` (which the crates that attach
/// files reach as `web::Data<Uploads>`).
pub fn routes(routes: &mut Routes, uploads: &Uploads) {
    routes
        .app_data(web::Data::new(uploads.clone()))
        .service(handlers::upload)
        .service(handlers::get_upload)
        .service(handlers::link_upload)
        .service(handlers::signed_content);
}
