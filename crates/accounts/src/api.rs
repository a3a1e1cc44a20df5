//! Request and response bodies of the accounts endpoints.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use kernel::{ApiKeyId, DataExportId, Role, UserId};
use media::LinkView;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use platform::auth::api_keys::{ApiKey, Issued, Scope};
use platform::users::{ProfileChanges, User};

use crate::preferences::Preferences;
use crate::service::audit_log::AuditRecord;

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserView {
    /// Our id.
    pub id: UserId,
    /// Primary email (from the identity provider; not editable here).
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Primary phone, E.164.
    pub phone: Option<String>,
    /// Platform role.
    pub role: Role,
    /// Language, time zone and notification choices the user set.
    pub preferences: Preferences,
    /// May sign in.
    pub is_active: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            preferences: Preferences::from_stored(&user.preferences),
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            phone: user.phone,
            role: user.role,
            is_active: user.is_active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// `PATCH /users/me`: the fields a user may change. Anything else (role,
/// email, active flag, ids) is refused with 400 rather than silently ignored.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// Given name, 1 to 100 characters, not blank, no control characters.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub first_name: Option<String>,
    /// Family name, 1 to 100 characters, not blank, no control characters.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub last_name: Option<String>,
    /// Phone in E.164 (`+33612345678`); `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "platform::validation::e164"))]
    #[schema(value_type = Option<String>, nullable, pattern = r"^\+[1-9][0-9]{6,14}$")]
    pub phone: Option<Option<String>>,
    /// Preferences, replaced as a whole.
    #[validate(nested)]
    pub preferences: Option<Preferences>,
}

impl ProfileUpdate {
    /// The change to apply (its rules ran: see `kernel::Valid`).
    pub fn into_changes(self) -> ProfileChanges {
        ProfileChanges {
            first_name: self.first_name.map(|name| name.trim().to_owned()),
            last_name: self.last_name.map(|name| name.trim().to_owned()),
            phone: self.phone,
            preferences: self.preferences.map(|preferences| serde_json::json!(preferences)),
        }
    }
}

/// Distinguishes an explicit `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// `PUT /admin/users/{id}/role`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The new platform role.
    pub role: Role,
}

/// Filters of `GET /admin/users`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub is_active: Option<bool>,
    /// Part of a name or email.
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
    pub q: Option<String>,
}

/// Filters of `GET /admin/audit-log`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only changes made by this user.
    pub actor_id: Option<UserId>,
    /// Only changes of this kind of resource, e.g. `user`.
    #[param(max_length = 50)]
    #[validate(length(max = 50))]
    pub target_type: Option<String>,
    /// Only changes of this resource.
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
    pub target_id: Option<String>,
    /// Only this action, e.g. `user.role_changed`.
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
    pub action: Option<String>,
}

/// Everything held about the caller (`GET /users/me/export`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonalDataExport {
    /// When the export was produced.
    pub exported_at: DateTime<Utc>,
    /// The account, with the identity-provider id.
    pub account: ExportedAccount,
    /// Changes made to the account, and by the user, oldest first.
    pub audit_trail: Vec<AuditRecord>,
    /// Everything else held about the user, by area: `pets` (owned and
    /// co-owned, with records, weights, reminders), `appointments`,
    /// `clinics` (reviews, memberships, vet profile), `notifications`
    /// (inbox, preferences, devices) and `uploads` (with signed links).
    #[schema(additional_properties, value_type = Object)]
    pub sections: BTreeMap<&'static str, serde_json::Value>,
}

kernel::text_enum!(
    /// Where an export built by a job stands.
    ExportStatus as DataExportStatus {
        /// Being built; ask again shortly.
        Pending = "pending",
        /// Built: download it through `download` before `expires_at`.
        Ready = "ready",
        /// Deleted after its retention; ask for a new export.
        Expired = "expired",
    }
);

/// An export too large to answer at once, built by a job
/// (`GET /users/me/exports/{id}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataExportView {
    /// Its id.
    pub id: DataExportId,
    /// Where it stands.
    pub status: ExportStatus,
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When it was built.
    pub completed_at: Option<DateTime<Utc>>,
    /// When the document is deleted.
    pub expires_at: Option<DateTime<Utc>>,
    /// A short-lived signed link to the JSON document, once ready (ask again
    /// for a fresh link).
    pub download: Option<LinkView>,
}

/// The account part of an export: the profile plus what only the export shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedAccount {
    /// The profile.
    pub profile: UserView,
    /// The identity provider's id for the account.
    pub clerk_id: String,
}

/// `POST /clinics/{id}/api-keys`: a key for a third party.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyRequest {
    /// What the clinic calls it ("Lab results sync"), 1 to 100 characters,
    /// not blank, no control characters.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// What it may do: each scope opens the routes that name it.
    #[validate(length(min = 1, max = 4))]
    #[schema(min_items = 1, max_items = 4)]
    pub scopes: Vec<Scope>,
    /// When it stops working (in the future); never when absent.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A clinic's API key as lists show it: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyView {
    /// Its id.
    pub id: ApiKeyId,
    /// What the clinic calls it.
    pub name: String,
    /// `vpk_<12 hex>`: the start of the key, to recognise it by.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it stops working, if ever (a rotated key: at the end of its grace period).
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key it replaced by rotation.
    pub rotated_from: Option<ApiKeyId>,
    /// The account it acts through (the actor of its changes in the audit log).
    pub acts_as: UserId,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Its last use, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// The address it was last used from.
    pub last_used_from: Option<String>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id,
            name: key.name,
            prefix: key.prefix,
            scopes: key.scopes,
            expires_at: key.expires_at,
            revoked_at: key.revoked_at,
            rotated_from: key.rotated_from,
            acts_as: key.user_id,
            created_by: key.created_by,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            last_used_from: key.last_used_from,
        }
    }
}

/// A key just made (or rotated in): the only time its secret is shown.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuedApiKey {
    /// The key.
    pub key: ApiKeyView,
    /// The whole key (`vpk_<12 hex>_<48 hex>`), sent as `Authorization: Bearer …`.
    /// Shown once: the platform keeps only its hash.
    pub secret: String,
}

impl std::fmt::Debug for IssuedApiKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("IssuedApiKey").field("key", &self.key).field("secret", &"[redacted]").finish()
    }
}

impl From<Issued> for IssuedApiKey {
    fn from(issued: Issued) -> Self {
        Self { key: issued.key.into(), secret: issued.secret }
    }
}
