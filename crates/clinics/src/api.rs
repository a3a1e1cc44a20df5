//! Request and response bodies of the clinics API.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::Queryable;
use kernel::{ClinicId, InvitationId, ReviewId, RoomId, ServiceId, Species, TimeOffId, UserId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

/// `HH:MM`, 24 h.
pub const TIME_PATTERN: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

/// A clinic's profile (`POST /clinics`, `PUT /clinics/{id}`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClinicProfile {
    /// Display name.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub name: String,
    /// About the clinic.
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub description: String,
    /// E.164 phone.
    #[validate(custom(function = "platform::validation::e164"))]
    #[schema(pattern = "^\\+[1-9][0-9]{6,14}$")]
    pub phone: Option<String>,
    /// Contact email.
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// `http(s)://` website.
    #[validate(length(max = 500), custom(function = "web_url"))]
    #[schema(max_length = 500, pattern = "^https?://[^\\s\\x00-\\x1f\\x7f-\\x9f]+$")]
    pub website: Option<String>,
    /// Street address.
    #[validate(nested)]
    pub address: Address,
    /// Where it is.
    #[validate(nested)]
    pub location: GeoPoint,
    /// IANA time zone of the clinic (hours and schedules are read in it).
    #[validate(custom(function = "platform::validation::iana_time_zone"))]
    #[schema(schema_with = platform::validation::time_zone_schema)]
    pub time_zone: String,
    /// ISO 4217 currency of its prices.
    #[validate(length(equal = 3), custom(function = "upper_ascii"))]
    #[schema(pattern = "^[A-Z]{3}$", example = "EUR")]
    pub currency: String,
    /// Treats emergencies.
    #[serde(default)]
    pub emergency_capable: bool,
    /// Open around the clock.
    #[serde(default)]
    pub open_24_7: bool,
    /// Owners may cancel or move an appointment until this many hours before it
    /// starts (default 24); afterwards only staff can.
    #[serde(default = "one_day", deserialize_with = "platform::extract::integer")]
    #[validate(range(min = 0, max = 336))]
    #[schema(minimum = 0, maximum = 336, default = 24)]
    pub cancellation_notice_hours: i32,
    /// Reviews from owners without a completed visit here are refused (`true`)
    /// or held, hidden, for moderation (`false`, the default).
    #[serde(default)]
    pub refuse_unverified_reviews: bool,
}

fn one_day() -> i32 {
    24
}

/// A postal address.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub line1: String,
    /// More.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub line2: Option<String>,
    /// City.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub city: String,
    /// Region or state.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub region: Option<String>,
    /// Postal code.
    #[validate(length(max = 20))]
    #[schema(max_length = 20)]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[validate(length(equal = 2), custom(function = "upper_ascii"))]
    #[schema(pattern = "^[A-Z]{2}$", example = "FR")]
    pub country: String,
}

/// A point on the earth (WGS 84 degrees).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    /// Latitude, -90 to 90.
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: f64,
    /// Longitude, -180 to 180.
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: f64,
}

impl GeoPoint {
    /// The point to 7 decimals (about 1 cm). Finer digits are noise, and
    /// subnormal values (`5e-324`) make the database's trigonometry underflow.
    pub fn rounded(self) -> Self {
        Self { latitude: round_degrees(self.latitude), longitude: round_degrees(self.longitude) }
    }
}

/// Degrees to 7 decimals (see [`GeoPoint::rounded`]); `-0` becomes `0`.
pub fn round_degrees(degrees: f64) -> f64 {
    (degrees * 1e7).round() / 1e7 + 0.0
}

/// A live emergency status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyStatus {
    /// Taking emergencies.
    Accepting,
    /// Taking some (busy).
    Limited,
    /// Sending emergencies elsewhere.
    Diverting,
}

impl EmergencyStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepting => "accepting",
            Self::Limited => "limited",
            Self::Diverting => "diverting",
        }
    }

    /// Reads a stored name (unknown reads as diverting, the safe side).
    pub fn from_stored(text: &str) -> Self {
        match text {
            "accepting" => Self::Accepting,
            "limited" => Self::Limited,
            _ => Self::Diverting,
        }
    }
}

/// `PUT /clinics/{id}/emergency-status`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EmergencyStatusUpdate {
    /// The new status.
    pub status: EmergencyStatus,
    /// Why, for dispatchers (e.g. "two surgeons in theatre").
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// A clinic as everyone sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicView {
    /// The clinic's id.
    pub id: ClinicId,
    /// The profile, as `PUT` takes it.
    pub profile: ClinicProfile,
    /// The photo: `GET /api/v1/clinics/{id}/photo?variant=512`.
    pub photo_id: Option<kernel::MediaId>,
    /// Emergency status.
    pub emergency_status: EmergencyStatus,
    /// Its note.
    pub emergency_note: Option<String>,
    /// When it was set.
    pub emergency_status_at: Option<DateTime<Utc>>,
    /// Ratings of visible reviews.
    pub rating: RatingSummary,
    /// Accepting bookings and listed in search.
    pub is_active: bool,
    /// Kilometres from `near`, in searches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Open at the moment of the request (its own time zone, exceptions included).
    pub open_now: bool,
}

/// Rating aggregates.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingSummary {
    /// Visible reviews.
    pub count: i32,
    /// Average stars; `null` without reviews.
    pub average: Option<f64>,
    /// Reviews with 1, 2, 3, 4 and 5 stars.
    pub distribution: Vec<i32>,
    /// Visible reviews whose authors had a completed visit here.
    pub verified_count: i32,
}

/// One opening interval of a weekday, local time.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    #[validate(range(min = 1, max = 7))]
    #[schema(minimum = 1, maximum = 7)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub weekday: i16,
    /// Opens, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    /// Closes, `HH:MM`; at or before `opens` means the next day (overnight).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub closes: String,
}

/// A dated exception: closed all day (no times) or one interval of special
/// hours (list the date again for split hours).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HoursException {
    /// The local date.
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub date: NaiveDate,
    /// Opens, `HH:MM`; absent (or `null`) when closed all day.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: Option<String>,
    /// Closes, `HH:MM` (at or before `opens`: the next day); absent means
    /// midnight; ignored when closed.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub closes: Option<String>,
    /// E.g. "Christmas".
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub note: Option<String>,
}

/// `PUT /clinics/{id}/hours`: the whole weekly schedule and its exceptions.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// Weekly intervals.
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub weekly: Vec<WeeklyHours>,
    /// Dated exceptions.
    #[validate(length(max = 400), nested)]
    #[schema(max_items = 400)]
    pub exceptions: Vec<HoursException>,
}

/// A role at a clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// A veterinarian.
    Veterinarian,
    /// Front desk.
    Receptionist,
    /// Manages the clinic.
    ClinicAdmin,
}

impl From<StaffRole> for kernel::Role {
    fn from(role: StaffRole) -> Self {
        match role {
            StaffRole::Veterinarian => Self::Veterinarian,
            StaffRole::Receptionist => Self::Receptionist,
            StaffRole::ClinicAdmin => Self::ClinicAdmin,
        }
    }
}

/// `POST /clinics/{id}/staff`: add a user by email, or invite the email when
/// no account has it yet.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct StaffAddition {
    /// The user's email.
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Their role here.
    pub role: StaffRole,
}

/// A member of staff.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffMember {
    /// The user.
    pub user_id: UserId,
    /// Their name, as on their profile.
    pub name: String,
    /// Their role here.
    pub role: kernel::Role,
    /// Since when.
    pub since: DateTime<Utc>,
}

/// An open invitation to join a clinic's staff.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
#[serde(deny_unknown_fields)]
pub struct StaffInvitation {
    /// Accept with `POST /api/v1/staff-invitations/{id}/accept`.
    pub id: InvitationId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Who is invited (as the inviting admin typed it, lower-cased).
    #[schema(format = Email)]
    pub email: String,
    /// The role they will have.
    pub role: kernel::Role,
    /// When it was sent or last renewed.
    pub created_at: DateTime<Utc>,
    /// After this it can no longer be accepted.
    pub expires_at: DateTime<Utc>,
}

kernel::text_enum!(
    /// Kinds of service.
    ServiceKind as ServiceKind {
        /// General consultation.
        Consultation = "consultation",
        /// Vaccination.
        Vaccination = "vaccination",
        /// Dental care.
        Dental = "dental",
        /// Surgery.
        Surgery = "surgery",
        /// Grooming.
        Grooming = "grooming",
        /// Lab and imaging.
        Diagnostics = "diagnostics",
        /// Emergency care.
        Emergency = "emergency",
        /// Anything else.
        Other = "other",
    }
);

/// A service a clinic offers (`POST`/`PUT`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServiceOffer {
    /// What kind of care it is (search filters on it).
    pub kind: ServiceKind,
    /// Name shown to owners.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub name: String,
    /// Minutes of the appointment.
    #[validate(range(min = 5, max = 720))]
    #[schema(minimum = 5, maximum = 720)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub duration_minutes: i32,
    /// Preparation minutes before.
    #[serde(default)]
    #[validate(range(min = 0, max = 240))]
    #[schema(minimum = 0, maximum = 240)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub buffer_before_minutes: i32,
    /// Clean-up minutes after.
    #[serde(default)]
    #[validate(range(min = 0, max = 240))]
    #[schema(minimum = 0, maximum = 240)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub buffer_after_minutes: i32,
    /// Price in the clinic's currency, e.g. `"45.00"`.
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "45.00")]
    pub price: Decimal,
    /// Species it applies to; empty for all.
    #[serde(default)]
    #[validate(length(max = 8))]
    #[schema(max_items = 8)]
    pub species: Vec<Species>,
    /// Owners may book it online.
    #[serde(default = "yes")]
    pub bookable_online: bool,
    /// Staff may deliberately book it over another appointment (vaccinations
    /// squeezed between consultations, say); owners never can.
    #[serde(default)]
    pub allows_overbooking: bool,
    /// Staff who can perform it.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 50)]
    pub staff: Vec<UserId>,
    /// Rooms or equipment it needs (one of them).
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 50)]
    pub rooms: Vec<RoomId>,
}

/// A service as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceView {
    /// The service's id, to book it.
    pub id: ServiceId,
    /// The offer, as `PUT` takes it.
    pub offer: ServiceOffer,
    /// Currency of the price.
    pub currency: String,
}

/// A room or piece of equipment.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RoomSpec {
    /// Name, unique in the clinic.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub name: String,
    /// How many appointments it holds at once.
    #[validate(range(min = 1, max = 100))]
    #[schema(minimum = 1, maximum = 100)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub capacity: i32,
}

/// A room as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomView {
    /// The room's id.
    pub id: RoomId,
    /// Name and capacity.
    pub spec: RoomSpec,
}

/// A veterinarian's profile (`PUT /vets/me`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct VetProfile {
    /// Name shown to owners.
    #[validate(length(min = 1, max = 200), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub display_name: String,
    /// About them.
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub bio: String,
    /// License number.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub license_number: Option<String>,
    /// Where the license is valid.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub license_region: Option<String>,
    /// Specialties, e.g. `dentistry`.
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "short_tags"))]
    #[schema(schema_with = tags_schema)]
    pub specialties: Vec<String>,
    /// Languages spoken (BCP 47 primary tags, e.g. `en`).
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "short_tags"))]
    #[schema(schema_with = tags_schema)]
    pub languages: Vec<String>,
    /// Takes emergency calls now.
    #[serde(default)]
    pub on_call: bool,
}

/// A veterinarian as owners see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VetView {
    /// The vet's user id.
    pub id: UserId,
    /// The profile, as `PUT /vets/me` takes it.
    pub profile: VetProfile,
    /// Clinics they work at.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub clinic_ids: Vec<ClinicId>,
    /// The photo: `GET /api/v1/vets/{id}/photo?variant=512`.
    pub photo_id: Option<kernel::MediaId>,
    /// Kilometres from `near` to their nearest clinic, in searches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// One working interval at a clinic, in the clinic's local time.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WorkingHours {
    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    #[validate(range(min = 1, max = 7))]
    #[schema(minimum = 1, maximum = 7)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub weekday: i16,
    /// Starts, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: String,
    /// Ends, `HH:MM`; at or before `starts` means the next day (a night shift).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub ends: String,
}

/// `PUT /vets/{id}/clinics/{clinic_id}/hours`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WorkingWeek {
    /// The intervals (replacing the previous ones at this clinic).
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub hours: Vec<WorkingHours>,
}

/// `POST /vets/{id}/time-off`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TimeOffRequest {
    /// From (inclusive).
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub starts_at: DateTime<Utc>,
    /// Until (exclusive), after `starts_at`.
    #[validate(custom(function = "kernel::dates::instant_in_calendar"))]
    pub ends_at: DateTime<Utc>,
    /// Why (visible to clinic staff).
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    /// The clinic it is for; without it, the vet is away from every clinic
    /// (the vet and platform admins only; clinic staff book for their clinic,
    /// which is the default when they work at the desk of just one of the vet's).
    #[serde(default)]
    pub clinic_id: Option<ClinicId>,
}

/// A period of time off.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffView {
    /// The entry's id (`DELETE /vets/{id}/time-off/{time_off_id}`).
    pub id: TimeOffId,
    /// Away from (inclusive).
    pub starts_at: DateTime<Utc>,
    /// Away until (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Why, as given when booked (clinic staff see it).
    pub reason: Option<String>,
    /// The clinic it is for; `null`: every clinic.
    pub clinic_id: Option<ClinicId>,
}

/// `GET /clinics` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ClinicSearch {
    /// `latitude,longitude`: order by distance from here.
    #[param(
        pattern = "^-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?),-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?)$",
        example = "48.8566,2.3522"
    )]
    pub near: Option<String>,
    /// Only within this many kilometres of `near` (default 25, at most 500; ignored without `near`).
    #[validate(range(min = 0.1, max = 500.0))]
    #[param(minimum = 0.1, maximum = 500.0)]
    pub radius_km: Option<f64>,
    /// Only clinics offering this kind of service.
    #[param(inline)]
    pub service: Option<ServiceKind>,
    /// Only clinics treating this species.
    #[param(inline)]
    pub species: Option<Species>,
    /// Only clinics open at this moment.
    pub open_now: Option<bool>,
    /// Only emergency-capable clinics accepting emergencies.
    pub emergency: Option<bool>,
    /// Words in the name, city or services.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
}

/// `GET /vets` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct VetSearch {
    /// `latitude,longitude`: vets working at clinics near here, nearest first.
    #[param(
        pattern = "^-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?),-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?)$",
        example = "48.8566,2.3522"
    )]
    pub near: Option<String>,
    /// Within this many kilometres of `near` (default 25, at most 500; ignored without `near`).
    #[validate(range(min = 0.1, max = 500.0))]
    #[param(minimum = 0.1, maximum = 500.0)]
    pub radius_km: Option<f64>,
    /// Only vets with this specialty.
    #[validate(length(min = 1, max = 50))]
    #[param(min_length = 1, max_length = 50)]
    pub specialty: Option<String>,
    /// Only vets working at this clinic.
    pub clinic_id: Option<ClinicId>,
    /// Only vets speaking this language.
    #[validate(length(min = 1, max = 50))]
    #[param(min_length = 1, max_length = 50)]
    pub language: Option<String>,
    /// Words in the name.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
}

/// `PUT /clinics/{id}/reviews/mine`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReviewDraft {
    /// 1 to 5 stars.
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub rating: i16,
    /// What happened. Links or runs of one character hold the review for moderation.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub body: String,
    /// The vet seen, if any (works at the clinic).
    pub vet_id: Option<UserId>,
}

/// A clinic's public answer, or a flag's reason.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReviewText {
    /// The text.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

/// `PUT .../reviews/{id}/visibility` (platform admins).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Visibility {
    /// Hide (true) or restore (false).
    pub hidden: bool,
}

/// A review as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewView {
    /// The review's id (answers, flags, moderation).
    pub id: ReviewId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The vet seen.
    pub vet_id: Option<UserId>,
    /// The author's first name only.
    pub author_name: String,
    /// Stars, 1 to 5.
    pub rating: i16,
    /// The review's text (may be empty).
    pub body: String,
    /// The clinic's answer.
    pub response: Option<String>,
    /// Hidden by a platform admin (only staff and admins see hidden reviews).
    pub hidden: bool,
    /// Flagged by the clinic.
    pub flagged: bool,
    /// Its author had a completed appointment at the clinic (the badge).
    pub verified_visit: bool,
    /// When it was first written.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
}

fn yes() -> bool {
    true
}

fn upper_ascii(text: &str) -> Result<(), ValidationError> {
    if text.bytes().all(|byte| byte.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::new("upper_ascii").with_message("must be upper-case letters".into()))
    }
}

fn web_url(url: &str) -> Result<(), ValidationError> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or("");
    if !rest.is_empty() && !rest.chars().any(|character| character.is_whitespace() || character.is_control()) {
        Ok(())
    } else {
        Err(ValidationError::new("web_url").with_message("must be an http(s) URL".into()))
    }
}

/// Up to 20 strings of 1 to 50 characters.
fn tags_schema() -> utoipa::openapi::schema::Array {
    let tag = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(50))
        .pattern(Some("^[^\\x00-\\x1f\\x7f-\\x9f]+$"));
    utoipa::openapi::schema::ArrayBuilder::new().items(tag).max_items(Some(20)).build()
}

fn short_tags(tags: &[String]) -> Result<(), ValidationError> {
    if tags.iter().all(|tag| (1..=50).contains(&tag.chars().count()) && !tag.chars().any(char::is_control)) {
        Ok(())
    } else {
        Err(ValidationError::new("tags").with_message("each entry must be 1 to 50 printable characters".into()))
    }
}

/// Basic abuse checks on review text: why it needs a moderator's look, if it does
/// (links, a run of 6+ identical characters, control characters).
pub fn abuse_signal(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return Some("contains a link");
    }
    let chars: Vec<char> = text.chars().collect();
    if chars.windows(6).any(|run| run.iter().all(|&other| other == run[0] && !other.is_whitespace())) {
        return Some("repeats a character");
    }
    if text.chars().any(|character| character.is_control() && character != '\n') {
        return Some("contains control characters");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_text_with_links_or_shouting_runs_needs_moderation() {
        assert_eq!(abuse_signal("Lovely staff,\nvery kind to our old cat."), None);
        assert_eq!(abuse_signal("see www.spam.example"), Some("contains a link"));
        assert_eq!(abuse_signal("Great https://x.example"), Some("contains a link"));
        assert_eq!(abuse_signal("BAD!!!!!!"), Some("repeats a character"));
        assert_eq!(abuse_signal("Sooooo good"), None, "five in a row is fine");
    }
}
