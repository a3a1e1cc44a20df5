//! The crate's jobs: cleaning uploaded images, and removing files nobody
//! attached or that were let go.

use anyhow::Context;
use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::MediaId;
use serde::{Deserialize, Serialize};

use crate::Uploads;
use crate::api::Status;
use crate::models::{Media, NewVariant};
use crate::process::{Bounds, process};
use crate::service;
use crate::storage::Storage;
use db::schema::{media, media_variants};

/// The [`Uploads`] registered on the worker running `context`.
fn uploads(context: &WorkerContext) -> anyhow::Result<&Uploads> {
    context.get_ext::<Uploads>().context("media::Uploads are not registered on the worker")
}

/// Cleans an uploaded image and makes its derivatives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessMedia {
    /// The upload.
    pub media_id: MediaId,
}

impl TaskHandler for ProcessMedia {
    const IDENTIFIER: &'static str = "media_process";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        Ok(run_processing(Resources::of(&context)?, uploads(&context)?, self.media_id).await?)
    }
}

async fn run_processing(resources: &Resources, media: &Uploads, id: MediaId) -> anyhow::Result<()> {
    let mut connection = resources.connect().await?;
    let row: Media = match service::row(&mut connection, id).await {
        Err(kernel::Error::NotFound { .. }) => return Ok(()), // let go of and cleaned up before its turn
        found => found?,
    };
    let (Status::Processing, Some(upload_key)) = (row.status, row.upload_key.clone()) else {
        return Ok(()); // already done: delivery is at least once
    };
    let bytes = media.storage().read(&upload_key).await?;
    let format = image::ImageFormat::from_mime_type(&row.content_type)
        .with_context(|| format!("{} is not an image type", row.content_type))?;
    let settings = media.settings();
    let bounds = Bounds { max_pixels: settings.max_pixels, max_decode_bytes: settings.max_decode_bytes };
    let sizes = settings.derivative_sizes.clone();
    let processed = tokio::task::spawn_blocking(move || process(&bytes, format, bounds, &sizes)).await?;
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
            return Ok(media.storage().delete(&upload_key).await?);
        }
    };
    let original_key = Storage::new_key("media");
    let (width, height) = (processed.original.width, processed.original.height);
    media.storage().put(&original_key, processed.original.bytes).await?;
    let mut variants = Vec::new();
    for (side, image) in processed.derivatives {
        let key = Storage::new_key("media");
        let size_bytes = i64::try_from(image.bytes.len()).unwrap_or(i64::MAX);
        media.storage().put(&key, image.bytes).await?;
        variants.push(NewVariant {
            media_id: id,
            name: side.to_string(),
            content_type: image.content_type,
            storage_key: key,
            width: i32::try_from(image.width).unwrap_or(i32::MAX),
            height: i32::try_from(image.height).unwrap_or(i32::MAX),
            size_bytes,
        });
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
    Ok(media.storage().delete(&upload_key).await?)
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

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let (unattached, released) = clean_up(Resources::of(&context)?, uploads(&context)?).await?;
        tracing::info!(unattached, released, "media cleaned up");
        Ok(())
    }
}

/// Deletes the due files; returns how many were unattached and how many released.
pub async fn clean_up(resources: &Resources, media: &Uploads) -> anyhow::Result<(usize, usize)> {
    let mut connection = resources.connect().await?;
    let cutoff = resources.clock.now() - Duration::hours(media.settings().unattached_grace_hours);
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
            media.storage().delete(key).await?;
        }
        for (_, _, key) in service::variants(&mut connection, *id).await? {
            media.storage().delete(&key).await?;
        }
        diesel::delete(media::table.find(*id)).execute(&mut connection).await?;
    }
    Ok((unattached.len(), released.len()))
}
