//! This crate's part of a person's data ([`platform::personal_data`]): the
//! appointments they own (past and future), their waitlist places and the
//! offers made to them, and the series they created.
//!
//! Erasure takes them off every waitlist (a slot they were offered passes to
//! the next in line) and cancels their future appointments as any
//! cancellation, which stops the rest of their series too. Past appointments
//! and the records attached to them are clinical records and stay. Only the
//! appointments they own are cancelled: a vet's appointments are the clinic's
//! to reassign, and a series someone booked for another owner's pet (staff, a
//! co-owner) stays that owner's.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, SeriesId, UserId, WaitlistEntryId, WaitlistOfferId};
use serde::Serialize;

use crate::Settings;
use crate::api::{AppointmentView, WaitlistEntryView};
use crate::models::Appointment;
use crate::service::{lifecycle, listing, waitlist};
use crate::status::ACTIVE;
use db::schema::{appointment_series, appointments, waitlist_entries, waitlist_offers};

/// Why an owner's future appointments were cancelled when their account was erased (kept on each).
pub const ERASED_OWNER_REASON: &str = "the owner's account was deleted";

/// The `"appointments"` section of a person's data.
#[derive(Debug, Clone)]
pub struct PersonalData {
    settings: Settings,
}

impl PersonalData {
    /// The holder, with the settings cancellations need (reminders, waitlist offers).
    pub fn new(settings: &Settings) -> Self {
        Self { settings: settings.clone() }
    }
}

/// What [`PersonalData`] exports.
#[derive(Debug, Serialize)]
struct Export {
    appointments: Vec<AppointmentView>,
    waitlist: Vec<WaitlistEntryView>,
    waitlist_offers: Vec<ExportedOffer>,
    series: Vec<ExportedSeries>,
}

/// A slot offered to one of the person's waitlist entries, whatever became of it.
#[derive(Debug, Serialize, Queryable)]
struct ExportedOffer {
    id: WaitlistOfferId,
    entry_id: WaitlistEntryId,
    vet_id: UserId,
    starts_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    status: String,
    created_at: DateTime<Utc>,
}

/// A recurring booking the person created (its occurrences are appointments).
#[derive(Debug, Serialize, Queryable)]
struct ExportedSeries {
    id: SeriesId,
    clinic_id: ClinicId,
    pet_id: PetId,
    interval_weeks: i32,
    created_at: DateTime<Utc>,
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "appointments"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let appointments =
            appointments::table.filter(appointments::owner_id.eq(user)).count().get_result::<i64>(connection).await?;
        let waitlist = waitlist_entries::table
            .filter(waitlist_entries::owner_id.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        let series = appointment_series::table
            .filter(appointment_series::created_by.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        Ok(appointments + waitlist + series)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let owned = appointments::table
            .filter(appointments::owner_id.eq(user))
            .order((appointments::starts_at, appointments::id))
            .select(Appointment::as_select())
            .load(connection)
            .await?;
        let appointments = listing::views(connection, owned).await?;
        let waitlist = waitlist::of_owner(connection, user).await?;
        let waitlist_offers = waitlist_offers::table
            .inner_join(waitlist_entries::table)
            .filter(waitlist_entries::owner_id.eq(user))
            .select((
                waitlist_offers::id,
                waitlist_offers::entry_id,
                waitlist_offers::vet_id,
                waitlist_offers::starts_at,
                waitlist_offers::expires_at,
                waitlist_offers::status,
                waitlist_offers::created_at,
            ))
            .order(waitlist_offers::id)
            .load::<ExportedOffer>(connection)
            .await?;
        let series = appointment_series::table
            .filter(appointment_series::created_by.eq(user))
            .select((
                appointment_series::id,
                appointment_series::clinic_id,
                appointment_series::pet_id,
                appointment_series::interval_weeks,
                appointment_series::created_at,
            ))
            .order(appointment_series::id)
            .load::<ExportedSeries>(connection)
            .await?;
        let export = Export { appointments, waitlist, waitlist_offers, series };
        serde_json::to_value(export).map_err(kernel::Error::internal)
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, now: DateTime<Utc>) -> kernel::Result<()> {
        // Off the waitlists first, so none of the slots freed below is offered back to them.
        waitlist::remove_owner(connection, &self.settings, now, user).await?;
        let upcoming: Vec<Appointment> = appointments::table
            .filter(appointments::owner_id.eq(user))
            .filter(appointments::status.eq_any(ACTIVE))
            .filter(appointments::starts_at.gt(now))
            .select(Appointment::as_select())
            .for_update()
            .load(connection)
            .await?;
        lifecycle::cancel_upcoming(connection, &self.settings, upcoming, ERASED_OWNER_REASON, None, now).await
    }
}
