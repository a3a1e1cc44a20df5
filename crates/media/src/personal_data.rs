//! This crate's part of a person's data ([`platform::personal_data`]): the
//! files they uploaded.
//!
//! Erasure releases their unattached uploads and their vet photo (the cleanup
//! job then deletes the blobs). It keeps what belongs to someone else by now:
//! record attachments (clinical records a clinic must keep), clinic photos
//! (the clinic's) and pet photos (the `pets` crate releases the photo of a pet
//! it archives, and a pet passed on keeps its photo). Data export documents are
//! the platform's, not uploads: `accounts` lists and erases them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{MediaId, UserId};
use serde::Serialize;

use crate::Uploads;
use crate::api::{LinkView, Purpose, Status};
use crate::models::Media;
use db::schema::media;

/// The `"uploads"` section of a person's data.
#[derive(Debug, Clone)]
pub struct PersonalData {
    uploads: Uploads,
}

impl PersonalData {
    /// The holder over `uploads`, which signs the exported links.
    pub fn new(uploads: &Uploads) -> Self {
        Self { uploads: uploads.clone() }
    }
}

/// One upload as exported.
#[derive(Debug, Serialize)]
struct ExportedUpload {
    id: MediaId,
    purpose: Purpose,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    status: Status,
    attached_to: Option<AttachedTo>,
    created_at: DateTime<Utc>,
    /// A short-lived download link, for ready files.
    link: Option<LinkView>,
}

/// What an upload is attached to.
#[derive(Debug, Serialize)]
struct AttachedTo {
    #[serde(rename = "type")]
    kind: String,
    id: uuid::Uuid,
}

/// The person's uploads that are not let go of (nor export documents).
fn uploads_of(user: UserId) -> media::BoxedQuery<'static, diesel::pg::Pg> {
    media::table
        .filter(media::uploader_id.eq(user))
        .filter(media::deleted_at.is_null())
        .filter(media::purpose.ne(Purpose::PersonalDataExport))
        .into_boxed()
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "uploads"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        Ok(uploads_of(user).count().get_result(connection).await?)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let rows: Vec<Media> = uploads_of(user).select(Media::as_select()).order(media::id).load(connection).await?;
        let uploads: Vec<ExportedUpload> = rows
            .into_iter()
            .map(|row| ExportedUpload {
                link: (row.status == Status::Ready).then(|| self.uploads.link(row.id, None)),
                attached_to: row.owner_type.zip(row.owner_id).map(|(kind, id)| AttachedTo { kind, id }),
                id: row.id,
                purpose: row.purpose,
                file_name: row.file_name,
                content_type: row.content_type,
                size_bytes: row.size_bytes,
                status: row.status,
                created_at: row.created_at,
            })
            .collect();
        serde_json::to_value(uploads).map_err(kernel::Error::internal)
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, _now: DateTime<Utc>) -> kernel::Result<()> {
        let released: Vec<MediaId> = uploads_of(user)
            .filter(media::owner_id.is_null().or(media::purpose.eq(Purpose::VetPhoto)))
            .select(media::id)
            .load(connection)
            .await?;
        for id in released {
            crate::service::release(connection, id).await?;
        }
        Ok(())
    }
}
