//! Rows of this crate's tables: `webhook_deliveries`, the ids of processed
//! webhook messages, so a redelivery is applied once; and
//! `personal_data_exports`, the exports built by a job. (Users are
//! `platform::users`, which every crate reads.)

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{DataExportId, MediaId, UserId};

use crate::api::ExportStatus;
use db::schema::{personal_data_exports, webhook_deliveries};

/// A processed delivery.
#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery<'a> {
    /// Who sent it, e.g. `clerk`.
    pub provider: &'a str,
    /// The sender's message id (`svix-id`).
    pub message_id: &'a str,
    /// The event type, for the record.
    pub event_type: &'a str,
    /// When it arrived (the retention counts from it).
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// A data export built by a job.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = personal_data_exports, check_for_backend(diesel::pg::Pg))]
pub struct DataExport {
    /// Its id.
    pub id: DataExportId,
    /// Whose data it holds.
    pub user_id: UserId,
    /// Where it stands.
    pub status: ExportStatus,
    /// The document, once built (a `media` file).
    pub media_id: Option<MediaId>,
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When it was built.
    pub completed_at: Option<DateTime<Utc>>,
    /// When the document is deleted.
    pub expires_at: Option<DateTime<Utc>>,
}
