//! Rows of this crate's tables: `media` (one per upload) and `media_variants`
//! (its resized derivatives).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{MediaId, UserId};

use crate::api::{MediaView, Purpose, Status};
use db::schema::{media, media_variants};

/// A `media` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media, check_for_backend(diesel::pg::Pg))]
pub struct Media {
    /// Its id.
    pub id: MediaId,
    /// Who uploaded it (only they may attach it).
    pub uploader_id: UserId,
    /// What it is for.
    pub purpose: Purpose,
    /// The type sniffed from its bytes.
    pub content_type: String,
    /// Bytes received.
    pub size_bytes: i64,
    /// The sanitised file name.
    pub file_name: String,
    /// The received image, until it is cleaned.
    pub upload_key: Option<String>,
    /// The file as served.
    pub storage_key: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// Why processing failed.
    pub failure: Option<String>,
    /// Pixels, for processed images.
    pub width: Option<i32>,
    /// Pixels, for processed images.
    pub height: Option<i32>,
    /// What kind of thing it is attached to (`pet`, `health_record`, `clinic`...).
    pub owner_type: Option<String>,
    /// The id of what it is attached to.
    pub owner_id: Option<uuid::Uuid>,
    /// Let go of; the cleanup job deletes its blobs.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

impl Media {
    /// Its view, given the names of its variants (smallest first).
    pub fn into_view(self, variants: Vec<String>) -> MediaView {
        MediaView {
            id: self.id,
            purpose: self.purpose,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            file_name: self.file_name,
            status: self.status,
            failure: self.failure,
            width: self.width,
            height: self.height,
            variants,
            attached: self.owner_id.is_some(),
            created_at: self.created_at,
        }
    }
}

/// A new upload's row.
#[derive(Debug, Insertable)]
#[diesel(table_name = media, treat_none_as_default_value = false)]
pub struct NewMedia<'a> {
    /// Its id.
    pub id: MediaId,
    /// The uploader.
    pub uploader_id: UserId,
    /// What it is for.
    pub purpose: Purpose,
    /// The type sniffed from its bytes.
    pub content_type: &'a str,
    /// Bytes received.
    pub size_bytes: i64,
    /// The sanitised file name.
    pub file_name: &'a str,
    /// Images: the received bytes, served only once cleaned.
    pub upload_key: Option<&'a str>,
    /// Documents: served as received.
    pub storage_key: Option<&'a str>,
    /// `processing` for images, `ready` for documents.
    pub status: Status,
    /// Received, on the App's clock (cleanup measures the grace period from it).
    pub created_at: DateTime<Utc>,
}

/// A derivative of a processed image.
#[derive(Debug, Insertable)]
#[diesel(table_name = media_variants)]
pub struct NewVariant {
    /// The image it was made from.
    pub media_id: MediaId,
    /// Its name: the long side in pixels.
    pub name: String,
    /// Its type.
    pub content_type: &'static str,
    /// Where it is stored.
    pub storage_key: String,
    /// Pixels.
    pub width: i32,
    /// Pixels.
    pub height: i32,
    /// Bytes.
    pub size_bytes: i64,
}

/// A derivative as served: `(name, content type, storage key)`.
pub type Variant = (String, String, String);
