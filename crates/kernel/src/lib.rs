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
//! - [`PageRequest`] / [`Page`]: cursor pagination.
//! - [`text_enum!`]: closed sets of names stored as SQL `text`.
//!
//! Features: `diesel` maps errors, ids and roles to the database; `openapi`
//! derives schemas for the shared response shapes.

mod error;
#[macro_use]
mod ids;
mod pagination;
mod principal;
mod role;
mod text_enum;

#[cfg(feature = "diesel")]
mod db_error;

pub use error::{Error, FieldErrors, Result};
pub use ids::{
    AddendumId, AppointmentId, ClinicId, DeliveryId, DeviceId, InvitationId, MediaId, NotificationId, PetId,
    PetInvitationId, RecordId, ReminderId, ReviewId, RoomId, SeriesId, ServiceId, TimeOffId, UserId, WaitlistEntryId,
    WaitlistOfferId, WeightId,
};
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest};
pub use principal::{Membership, Principal};
pub use role::{Role, UnknownRole};
