//! Following what happens to a pet (`pets::events`): a transfer moves the
//! pet's upcoming appointments, and with them their reminders and notices, to
//! the new primary owner; a deletion cancels them, tells each vet and offers
//! the freed slots to the waitlist. Both are idempotent (at-least-once jobs).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::AppointmentId;
use pets::events::{PetRemoved, PetTransferred};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::Settings;
use crate::models::Appointment;
use crate::service::lifecycle::cancel_upcoming;
use crate::status::ACTIVE;
use db::schema::appointments;

/// Why appointments of a deleted pet were cancelled (kept on each).
pub const REMOVED_PET_REASON: &str = "the owner removed the pet";

/// Gives the upcoming appointments the previous owner booked for the pet to its new owner.
pub async fn follow_transfer(
    connection: &mut AsyncPgConnection,
    event: &PetTransferred,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let moved: Vec<AppointmentId> = diesel::update(
            appointments::table
                .filter(appointments::pet_id.eq(event.pet_id))
                .filter(appointments::owner_id.eq(event.from))
                .filter(appointments::status.eq_any(ACTIVE))
                .filter(appointments::starts_at.gt(now)),
        )
        .set(appointments::owner_id.eq(event.to))
        .returning(appointments::id)
        .get_results(connection)
        .await?;
        for id in moved {
            let entry = AuditEntry::new(None, "appointment.owner_changed", "appointment", id)
                .with_changes(json!({ "owner_id": platform::audit::change(event.from, event.to) }));
            audit::record(connection, entry).await?;
        }
        Ok(())
    })
    .await
}

/// Cancels the pet's upcoming appointments, as the clinic would be told of a cancellation.
pub async fn cancel_for_removed_pet(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    event: &PetRemoved,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let upcoming: Vec<Appointment> = appointments::table
            .filter(appointments::pet_id.eq(event.pet_id))
            .filter(appointments::status.eq_any(ACTIVE))
            .filter(appointments::starts_at.gt(now))
            .select(Appointment::as_select())
            .for_update()
            .load(connection)
            .await?;
        cancel_upcoming(connection, settings, upcoming, REMOVED_PET_REASON, Some(event.removed_by), now).await
    })
    .await
}
