//! Diesel structs for the `users` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{Role, UserId};

use db::schema::users;

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    /// Our id.
    pub id: UserId,
    /// Clerk's user id (token `sub`).
    pub clerk_id: String,
    /// Primary email; `None` until the provider sends it, or after erasure.
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Primary phone, E.164.
    pub phone: Option<String>,
    /// Platform role.
    pub role: Role,
    /// Stored preferences; read through [`crate::Preferences::from_stored`].
    pub preferences: serde_json::Value,
    /// May sign in.
    pub is_active: bool,
    /// `updated_at` of the newest provider event applied.
    pub provider_updated_at: Option<DateTime<Utc>>,
    /// When the provider deleted the user.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Row creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What a user may change about themselves; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    /// New given name.
    pub first_name: Option<String>,
    /// New family name.
    pub last_name: Option<String>,
    /// New phone; `Some(None)` clears it.
    pub phone: Option<Option<String>>,
    /// New preferences (replaced whole).
    pub preferences: Option<serde_json::Value>,
}

impl ProfileChanges {
    /// Names of the fields this change touches (for the audit log: personal
    /// values themselves are not copied there).
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            ("first_name", self.first_name.is_some()),
            ("last_name", self.last_name.is_some()),
            ("phone", self.phone.is_some()),
            ("preferences", self.preferences.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}
