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
//! - [`jobs::CleanUpMedia`]: removes uploads nobody attached and files let go.

pub mod api;
pub mod handlers;
pub mod jobs;
pub mod links;
pub mod process;
pub mod serve;
pub mod service;
pub mod sniff;
pub mod storage;
pub mod upload;

use actix_web::{HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use platform::{ApiError, AppState, Routes};

pub use api::{AttachRequest, LinkView, MediaView, Purpose, VariantQuery};
pub use service::Media;

/// The response for `variant` of an attached file, after the owner's crate
/// checked that the caller may see it.
pub async fn download(
    state: &AppState,
    connection: &mut AsyncPgConnection,
    media: Media,
    variant: Option<&str>,
    request: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let storage = storage::Storage::of(state)?;
    let variants = service::variants(connection, media.id).await?;
    serve::respond(&storage, &media, &variants, variant, request).await
}

/// Adds this crate's jobs (processing, hourly cleanup) to a worker.
pub fn worker_options(
    options: graphile_worker::WorkerOptions,
    settings: &platform::config::MediaSettings,
) -> Result<graphile_worker::WorkerOptions, String> {
    let storage = std::sync::Arc::new(storage::Storage::from_settings(settings)?);
    options
        .define_job::<jobs::ProcessMedia>()
        .define_job::<jobs::CleanUpMedia>()
        .with_cron(jobs::CleanUpMedia::CRONTAB)
        .map(|options| options.add_extension(jobs::MediaResources { storage, settings: settings.clone() }))
        .map_err(|error| error.to_string())
}

/// Mounts the media endpoints.
pub fn routes(routes: &mut Routes) {
    routes
        .service(handlers::upload)
        .service(handlers::get_upload)
        .service(handlers::link_upload)
        .service(handlers::signed_content);
}
