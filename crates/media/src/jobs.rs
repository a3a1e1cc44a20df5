//! The crate's jobs: cleaning uploaded images, and removing files nobody
//! attached or that were let go.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::MediaId;
use platform::config::MediaSettings;
use serde::{Deserialize, Serialize};

use crate::api::Status;
use crate::process::{Bounds, process};
use crate::service::{self, Media};
use crate::storage::Storage;
use db::schema::{media, media_variants};

/// What the media jobs reach through `context.get_ext::<MediaResources>()`.
#[derive(Debug, Clone)]
pub struct MediaResources {
    /// The store.
    pub storage: std::sync::Arc<Storage>,
    /// The settings.
    pub settings: MediaSettings,
}

/// Cleans an uploaded image and makes its derivatives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessMedia {
    /// The upload.
    pub media_id: MediaId,
}

impl TaskHandler for ProcessMedia {
    const IDENTIFIER: &'static str = "media_process";

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let resources = context.get_ext::<Resources>().ok_or("the worker has no Resources extension")?;
            let media = context.get_ext::<MediaResources>().ok_or("the worker has no MediaResources extension")?;
            run_processing(resources, media, self.media_id).await.map_err(|error| error.to_string())
        }
    }
}

async fn run_processing(resources: &Resources, media: &MediaResources, id: MediaId) -> kernel::Result<()> {
    let mut connection = db::connect(&resources.db).await?;
    let row: Media = service::row(&mut connection, id).await?;
    let (Status::Processing, Some(upload_key)) = (row.status, row.upload_key.clone()) else {
        return Ok(()); // already done: delivery is at least once
    };
    let bytes = media.storage.read(&upload_key).await?;
    let format = image::ImageFormat::from_mime_type(&row.content_type)
        .ok_or_else(|| kernel::Error::internal(format!("{} is not an image type", row.content_type)))?;
    let bounds = Bounds { max_pixels: media.settings.max_pixels, max_decode_bytes: media.settings.max_decode_bytes };
    let sizes = media.settings.derivative_sizes.clone();
    let processed = tokio::task::spawn_blocking(move || process(&bytes, format, bounds, &sizes))
        .await
        .map_err(kernel::Error::internal)?;
    let processed = match processed {
        Ok(processed) => processed,
        Err(failure) => {
            tracing::warn!(media_id = %id, %failure, "an upload could not be processed");
            diesel::update(media::table.find(id))
                .set((
                    media::status.eq(Status::Failed),
                    media::failure.eq(&failure),
                    media::upload_key.eq(None::<String>),
                ))
                .execute(&mut connection)
                .await?;
            return media.storage.delete(&upload_key).await;
        }
    };
    let original_key = Storage::new_key("media");
    let (width, height) = (processed.original.width, processed.original.height);
    media.storage.put(&original_key, processed.original.bytes).await?;
    let mut variants = Vec::new();
    for (side, image) in processed.derivatives {
        let key = Storage::new_key("media");
        let size = i64::try_from(image.bytes.len()).unwrap_or(i64::MAX);
        media.storage.put(&key, image.bytes).await?;
        variants.push((
            media_variants::media_id.eq(id),
            media_variants::name.eq(side.to_string()),
            media_variants::content_type.eq(image.content_type),
            media_variants::storage_key.eq(key),
            media_variants::width.eq(i32::try_from(image.width).unwrap_or(i32::MAX)),
            media_variants::height.eq(i32::try_from(image.height).unwrap_or(i32::MAX)),
            media_variants::size_bytes.eq(size),
        ));
    }
    diesel::insert_into(media_variants::table)
        .values(variants)
        .on_conflict_do_nothing()
        .execute(&mut connection)
        .await?;
    diesel::update(media::table.find(id))
        .set((
            media::status.eq(Status::Ready),
            media::storage_key.eq(&original_key),
            media::upload_key.eq(None::<String>),
            media::width.eq(i32::try_from(width).unwrap_or(i32::MAX)),
            media::height.eq(i32::try_from(height).unwrap_or(i32::MAX)),
        ))
        .execute(&mut connection)
        .await?;
    media.storage.delete(&upload_key).await
}

/// Removes uploads never attached within `media.unattached_grace_hours`, and
/// files let go of (replaced, removed, their owner deleted), blobs first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CleanUpMedia {}

impl CleanUpMedia {
    /// The hourly cron entry.
    pub const CRONTAB: &'static str = "17 * * * * media_clean_up ?fill=1h {}";
}

impl TaskHandler for CleanUpMedia {
    const IDENTIFIER: &'static str = "media_clean_up";

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let resources = context.get_ext::<Resources>().ok_or("the worker has no Resources extension")?;
            let media = context.get_ext::<MediaResources>().ok_or("the worker has no MediaResources extension")?;
            let (unattached, released) = clean_up(resources, media).await.map_err(|error| error.to_string())?;
            tracing::info!(unattached, released, "media cleaned up");
            Ok::<(), String>(())
        }
    }
}

/// Deletes the due files; returns how many were unattached and how many released.
pub async fn clean_up(resources: &Resources, media: &MediaResources) -> kernel::Result<(usize, usize)> {
    let mut connection = db::connect(&resources.db).await?;
    let cutoff = Utc::now() - Duration::hours(media.settings.unattached_grace_hours);
    let unattached: Vec<MediaId> = media::table
        .filter(media::owner_id.is_null())
        .filter(media::deleted_at.is_null())
        .filter(media::created_at.lt(cutoff))
        .select(media::id)
        .limit(1000)
        .load(&mut connection)
        .await?;
    let released: Vec<MediaId> = media::table
        .filter(media::deleted_at.is_not_null())
        .select(media::id)
        .limit(1000)
        .load(&mut connection)
        .await?;
    for id in unattached.iter().chain(&released) {
        let row = service::row(&mut connection, *id).await?;
        for key in row.upload_key.iter().chain(&row.storage_key) {
            media.storage.delete(key).await?;
        }
        for (_, _, key) in service::variants(&mut connection, *id).await? {
            media.storage.delete(&key).await?;
        }
        diesel::delete(media::table.find(*id)).execute(&mut connection).await?;
    }
    Ok((unattached.len(), released.len()))
}
