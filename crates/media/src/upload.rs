//! Receiving an upload: streamed to storage as it arrives (never held whole in
//! memory), typed from its first bytes, cut off at the purpose's size limit
//! (413, nothing kept), images with too many pixels refused before decoding
//! (422). Images are then cleaned by a job; documents are ready at once.

use actix_multipart::Multipart;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::TryStreamExt;
use jobs::{EnqueueOptions, enqueue};
use kernel::{MediaId, Principal};
use platform::ApiError;

use crate::Uploads;
use crate::api::{MediaView, Purpose, Status};
use crate::jobs::ProcessMedia;
use crate::models::{Media, NewMedia};
use crate::service;
use crate::settings::Settings;
use crate::sniff::{self, HEAD_BYTES, Kind, Refusal};
use crate::storage::Storage;
use db::schema::media;

/// Stores the multipart field `file` of `form` for `purpose`.
///
/// The database connection is taken only once the file is stored: a slow
/// upload holds no connection of the pool.
pub async fn receive(
    uploads: &Uploads,
    pool: &db::Pool,
    principal: &Principal,
    purpose: Purpose,
    mut form: Multipart,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<MediaView, ApiError> {
    let (settings, storage) = (uploads.settings(), uploads.storage());
    let malformed = |error: actix_multipart::MultipartError| ApiError::BadRequest {
        code: "MALFORMED_MULTIPART",
        message: format!("the multipart body is invalid: {error}"),
    };
    let mut file = match form.try_next().await.map_err(malformed)? {
        Some(field) if field.name() == Some("file") => field,
        Some(other) => {
            let name: String =
                other.name().unwrap_or_default().chars().filter(|character| !character.is_control()).take(50).collect();
            return Err(ApiError::BadRequest {
                code: "MALFORMED_MULTIPART",
                message: format!("unexpected field `{name}`; send only `file`"),
            });
        }
        None => return Err(kernel::Error::invalid_field("file", "send the file as the multipart field `file`").into()),
    };
    let declared_name =
        file.content_disposition().and_then(|disposition| disposition.get_filename()).map(str::to_owned);
    let limit = match purpose {
        Purpose::RecordAttachment | Purpose::ChatAttachment => {
            settings.max_document_bytes.max(settings.max_image_bytes)
        }
        _ => settings.max_image_bytes,
    };
    let key = Storage::new_key("uploads");
    let mut writer = storage.writer(&key).await?;
    let (mut head, mut size, mut kind) = (Vec::with_capacity(HEAD_BYTES), 0_u64, None::<Kind>);
    let outcome: Result<Kind, ApiError> = async {
        while let Some(chunk) = file.try_next().await.map_err(malformed)? {
            size += chunk.len() as u64;
            if size > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            if kind.is_none() {
                head.extend_from_slice(&chunk[..chunk.len().min(HEAD_BYTES - head.len())]);
                if head.len() >= HEAD_BYTES {
                    kind = Some(accept(&head, purpose, settings)?);
                }
            }
            writer.wait_for_capacity(4).await.map_err(|_| kernel::Error::Unavailable { dependency: "storage" })?;
            writer.write(&chunk);
        }
        if size == 0 {
            return Err(kernel::Error::invalid_field("file", "is empty").into());
        }
        let kind = match kind {
            Some(kind) => kind,
            None => accept(&head, purpose, settings)?,
        };
        // The form may not go on past the file (a field must be dropped before
        // the next one can be read).
        drop(file);
        if form.try_next().await.map_err(malformed)?.is_some() {
            return Err(ApiError::BadRequest {
                code: "MALFORMED_MULTIPART",
                message: "send only the field `file`".to_owned(),
            });
        }
        Ok(kind)
    }
    .await;
    let kind = match outcome {
        Ok(kind) => kind,
        Err(error) => {
            let _ = writer.abort().await;
            return Err(error);
        }
    };
    writer.finish().await.map_err(|_| kernel::Error::Unavailable { dependency: "storage" })?;
    // A limit of its own for documents: the larger limit only let them through the stream.
    if kind != Kind::Pdf && size > settings.max_image_bytes {
        storage.delete(&key).await?;
        return Err(ApiError::PayloadTooLarge);
    }
    let id = MediaId::new();
    let file_name = sniff::sanitize_file_name(declared_name.as_deref(), kind);
    let is_image = matches!(kind, Kind::Image(_));
    let row = NewMedia {
        id,
        uploader_id: principal.user_id,
        purpose,
        content_type: kind.content_type(),
        size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
        file_name: &file_name,
        // Images are served only once cleaned; documents as received.
        upload_key: is_image.then_some(key.as_str()),
        storage_key: (!is_image).then_some(key.as_str()),
        status: if is_image { Status::Processing } else { Status::Ready },
        created_at: now,
    };
    let mut connection = db::connect(pool).await?;
    let saved = db::transaction(&mut connection, async |connection| {
        let saved = diesel::insert_into(media::table)
            .values(&row)
            .returning(Media::as_returning())
            .get_result::<Media>(connection)
            .await?;
        if is_image {
            enqueue(connection, &ProcessMedia { media_id: id }, EnqueueOptions::default()).await?;
        }
        Ok(saved)
    })
    .await;
    match saved {
        Ok(saved) => Ok(service::view(&mut connection, saved).await?),
        Err(error) => {
            storage.delete(&key).await?;
            Err(error.into())
        }
    }
}

/// The kind of the file whose first bytes are `head`, or why it is refused.
fn accept(head: &[u8], purpose: Purpose, settings: &Settings) -> Result<Kind, ApiError> {
    let refused = |refusal: Refusal| match refusal {
        Refusal::Type(found) => ApiError::UnsupportedFile { found, purpose: purpose.as_str() },
        Refusal::Pixels(pixels) => kernel::Error::invalid_field(
            "file",
            format!("the image has {pixels} pixels; at most {} are accepted", settings.max_pixels),
        )
        .into(),
    };
    let kind = sniff::classify(head, purpose).map_err(refused)?;
    sniff::check_pixels(head, kind, settings.max_pixels).map_err(refused)?;
    Ok(kind)
}
