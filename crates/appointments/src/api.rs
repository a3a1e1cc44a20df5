//! Request and response bodies of the scheduling API. Times are RFC 3339 UTC;
//! `local_start` shows the same instant on the clinic's wall clock.

use chrono::{DateTime, Utc};
use kernel::{
    AppointmentId, ClinicId, PetId, RecordId, RoomId, SeriesId, ServiceId, UserId, WaitlistEntryId, WaitlistOfferId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::status::Status;

/// `GET /availability`.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The service (its duration and buffers).
    pub service_id: ServiceId,
    /// One vet; without it, every vet who performs the service.
    pub vet_id: Option<UserId>,
    /// Slots starting from (inclusive).
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub from: DateTime<Utc>,
    /// Until (exclusive), at most `appointments.max_range_days` after `from`.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub to: DateTime<Utc>,
}

/// A bookable start.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotView {
    /// The vet free for this slot.
    pub vet_id: UserId,
    /// When the visit would start (UTC).
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub starts_at: DateTime<Utc>,
    /// When the visit would end, buffers excluded (UTC).
    #[serde(serialize_with = "kernel::dates::rfc3339")]
    pub ends_at: DateTime<Utc>,
    /// The start on the clinic's clock, `YYYY-MM-DDTHH:MM`.
    pub local_start: String,
}

/// Free slots, soonest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityView {
    /// The clinic's IANA zone.
    pub time_zone: String,
    /// The slots.
    pub slots: Vec<SlotView>,
}

/// `POST /appointments`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    /// A pet the caller owns (or, for clinic staff, a patient of the clinic).
    pub pet_id: PetId,
    /// The service; its clinic is the appointment's.
    pub service_id: ServiceId,
    /// The vet; without it, the first qualified vet free at that time.
    #[serde(default)]
    pub vet_id: Option<UserId>,
    /// Start; the end follows from the service.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub starts_at: DateTime<Utc>,
    /// For the clinic.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// Staff only, for services that allow it: book over other appointments.
    #[serde(default)]
    pub overbook: bool,
}

/// An appointment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentView {
    /// The appointment's id (`/appointments/{id}` and its transitions).
    pub id: AppointmentId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The service.
    pub service_id: ServiceId,
    /// The vet.
    pub vet_id: UserId,
    /// The pet.
    pub pet_id: PetId,
    /// When the visit starts (UTC).
    pub starts_at: DateTime<Utc>,
    /// When the visit ends (UTC).
    pub ends_at: DateTime<Utc>,
    /// The clinic's zone.
    pub time_zone: String,
    /// The start on the clinic's clock, `YYYY-MM-DDTHH:MM`.
    pub local_start: String,
    /// Where it stands.
    pub status: Status,
    /// The statuses it can move to next.
    pub next_statuses: Vec<Status>,
    /// The room, when the service needs one.
    pub room_id: Option<RoomId>,
    /// Booked over another appointment on purpose.
    pub overbooked: bool,
    /// Notes for the clinic.
    pub notes: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The recurring series it belongs to.
    pub series_id: Option<SeriesId>,
    /// Health records attached when it was completed.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub record_ids: Vec<RecordId>,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /appointments/{id}/transitions`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The new status.
    pub to: Status,
    /// Why (kept on cancellation).
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    /// When completing: health records of the pet written during the visit.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 50)]
    pub record_ids: Vec<RecordId>,
}

/// `POST /appointments/{id}/reschedule`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// The new start.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub starts_at: DateTime<Utc>,
    /// Another vet (default: the same).
    #[serde(default)]
    pub vet_id: Option<UserId>,
}

/// Which of the caller's appointments to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Not started yet, soonest first.
    #[default]
    Upcoming,
    /// Started before now, latest first.
    Past,
}

/// `GET /appointments`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentFilter {
    /// Upcoming (default) or past.
    #[param(inline)]
    pub scope: Option<Scope>,
    /// Only this pet's.
    pub pet_id: Option<PetId>,
}

/// `?from=&to=` of calendars and statistics.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// From (inclusive).
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub from: DateTime<Utc>,
    /// Until (exclusive), at most `appointments.max_range_days` later.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub to: DateTime<Utc>,
    /// Only this vet.
    pub vet_id: Option<UserId>,
}

/// A stretch of time.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// Start of the stretch (inclusive).
    pub starts_at: DateTime<Utc>,
    /// End of the stretch (exclusive).
    pub ends_at: DateTime<Utc>,
}

/// One vet's part of a clinic calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VetCalendar {
    /// The vet.
    pub vet_id: UserId,
    /// Their name.
    pub name: String,
    /// Their appointments, by start.
    pub appointments: Vec<AppointmentView>,
    /// Time off and closures within working hours.
    pub blocked: Vec<Period>,
    /// Working time with nothing booked.
    pub free: Vec<Period>,
}

/// A clinic's calendar for a range.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarView {
    /// The clinic's zone.
    pub time_zone: String,
    /// Per vet.
    pub vets: Vec<VetCalendar>,
}

/// `POST /appointments/series`: the same slot every few weeks.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SeriesRequest {
    /// The pet.
    pub pet_id: PetId,
    /// The service.
    pub service_id: ServiceId,
    /// The vet.
    pub vet_id: UserId,
    /// The first start; later ones keep its local time of day.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub first_starts_at: DateTime<Utc>,
    /// Weeks between occurrences.
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub interval_weeks: i32,
    /// How many occurrences.
    #[validate(range(min = 2, max = 26))]
    #[schema(minimum = 2, maximum = 26)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub count: i32,
    /// For the clinic.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// An occurrence that could not be booked, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesConflict {
    /// Its start.
    pub starts_at: DateTime<Utc>,
    /// Why (taken, outside hours, over the cap...).
    pub reason: String,
}

/// What a series booked and what it could not.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesView {
    /// The series.
    pub series_id: SeriesId,
    /// Booked occurrences.
    pub booked: Vec<AppointmentView>,
    /// Occurrences left out, reported rather than dropped.
    pub conflicts: Vec<SeriesConflict>,
}

/// `POST /appointments/series/{id}/cancel`, `POST /appointments/{id}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why it is cancelled, shown to the clinic (or the owner).
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// `POST /waitlist`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WaitlistRequest {
    /// The pet.
    pub pet_id: PetId,
    /// The service.
    pub service_id: ServiceId,
    /// A vet, or any.
    #[serde(default)]
    pub vet_id: Option<UserId>,
    /// A slot starting from.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub from: DateTime<Utc>,
    /// Latest start that suits the owner (exclusive).
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub to: DateTime<Utc>,
}

kernel::text_enum!(
    /// Where a waitlist entry stands.
    WaitlistStatus as WaitlistStatus {
        /// In line.
        Waiting = "waiting",
        /// Offered a slot; see `offer`.
        Offered = "offered",
        /// Booked through an offer.
        Booked = "booked",
        /// Left the list.
        Left = "left",
    }
);

/// A freed slot offered for a limited time.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferView {
    /// Accept with `POST /api/v1/waitlist/offers/{id}/accept`.
    pub id: WaitlistOfferId,
    /// The vet.
    pub vet_id: UserId,
    /// The slot.
    pub starts_at: DateTime<Utc>,
    /// Passes to the next in line after this.
    pub expires_at: DateTime<Utc>,
}

/// A place on a waitlist.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitlistEntryView {
    /// The entry's id (`DELETE /waitlist/{id}`).
    pub id: WaitlistEntryId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The service.
    pub service_id: ServiceId,
    /// The vet wanted, if one.
    pub vet_id: Option<UserId>,
    /// The pet.
    pub pet_id: PetId,
    /// Wanted from.
    pub from: DateTime<Utc>,
    /// Latest start that suits the owner (exclusive).
    pub to: DateTime<Utc>,
    /// Where it stands.
    pub status: WaitlistStatus,
    /// The open offer, if any.
    pub offer: Option<OfferView>,
}

/// A clinic's scheduling statistics over a range.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsView {
    /// Appointments starting in the range.
    pub bookings: i64,
    /// Appointments in the range that were completed.
    pub completed: i64,
    /// Appointments in the range that were cancelled.
    pub cancelled: i64,
    /// Marked no-show.
    pub no_shows: i64,
    /// No-shows among appointments that came due (completed or no-show), 0 to 1.
    pub no_show_rate: f64,
    /// Cancelled among all, 0 to 1.
    pub cancellation_rate: f64,
    /// Minutes held by appointments that were not cancelled.
    pub booked_minutes: i64,
    /// Working minutes of the clinic's vets (hours ∩ opening − time off).
    pub available_minutes: i64,
    /// `booked_minutes / available_minutes`, 0 when nothing was available.
    pub utilisation: f64,
}
