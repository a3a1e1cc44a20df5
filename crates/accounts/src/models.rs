//! Rows of this crate's table, `webhook_deliveries`: the ids of processed
//! webhook messages, so a redelivery is applied once. (Users are
//! `platform::users`, which every crate reads.)

use diesel::prelude::*;

use db::schema::webhook_deliveries;

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
