//! Pure domain primitives shared by every crate of the platform.
//!
//! Nothing here performs IO or knows about HTTP: these are the types the domain
//! crates speak in, so that a service written in `pets` and one written in
//! `appointments` agree on what an error, an id or a caller is.
//!
//! - [`Error`] / [`Result`]: the one error type every service returns; the HTTP
//!   layer (`platform`) maps each variant to a status code and the error envelope.
//! - [`Principal`] and [`Role`]: the authenticated caller and its one-line guards.
//! - [`UserId`] (and every later id): typed UUID v7 ids.
//! - [`Valid`]: a request whose rules have run; services take it, so every
//!   caller gets the same rules.
//! - [`PageRequest`] / [`Page`]: cursor pagination.
//! - [`Clock`]: the one source of "now"; [`Intervals`]: sets of UTC intervals.
//! - [`Species`], and [`text_enum!`] for closed sets of names stored as SQL `text`.
//!
//! Features: `diesel` maps errors, ids, roles and names to the database;
//! `openapi` gives the shared types their schemas.

mod clock;
pub mod dates;
mod error;
#[macro_use]
mod ids;
mod intervals;
mod pagination;
mod principal;
mod role;
mod species;
mod text_enum;
mod valid;

#[cfg(feature = "diesel")]
mod db_error;

#[cfg(feature = "diesel")]
pub use db_error::ConstraintField;

/// What the exported macros need from this crate's dependencies.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "diesel")]
    pub use inventory;
}

pub use clock::Clock;
pub use error::{Error, FieldErrors, Result, single};
pub use ids::{
    AddendumId, ApiKeyId, AppointmentId, CampaignId, CategoryId, ClinicId, ConversationId, DataExportId, DeliveryId,
    DeviceId, EmergencyCaseId, EmergencyOfferId, InvitationId, MediaId, MessageId, NotificationId, OnCallId, OrderId,
    PaymentId, PetId, PetInvitationId, ProductId, RecordId, ReminderId, ReviewId, RoomId, SeriesId, ServiceId,
    TimeOffId, UserId, WaitlistEntryId, WaitlistOfferId, WebhookEventId, WebhookId, WeightId,
};
pub use intervals::{Interval, Intervals, Range};
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest};
pub use principal::{Credential, Membership, Principal};
pub use role::{Role, UnknownRole};
pub use species::Species;
pub use valid::{Valid, field_errors};
