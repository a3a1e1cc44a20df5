//! The `users` table, owned here: the row every request's caller is resolved
//! from, so it lives below every crate that needs a name, an email or a phone.
//!
//! Every other crate reads users through these functions and never touches
//! the table: names for lists ([`names`]), the email invitations match
//! ([`email_of`]), the contact details notifications need ([`contact`]). The
//! writes are the few changes a user row goes through: provisioned on first
//! sight or by the identity provider ([`provision`], [`apply_provider_state`]),
//! erased when the provider deletes it ([`erase`]), and changed by its owner
//! or an admin ([`update_profile`], [`set_role`], [`set_active`]). `accounts`
//! decides who may make those changes and audits them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Role, UserId};

use db::schema::{idempotency_keys, users};

/// A `users` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    /// Our id.
    pub id: UserId,
    /// The identity provider's user id (token `sub`).
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
    /// Stored preferences (a JSON object the `accounts` crate reads).
    pub preferences: serde_json::Value,
    /// May sign in (a platform admin's decision).
    pub is_active: bool,
    /// The provider verified `email`: only then do invitations match it.
    pub email_verified: bool,
    /// Banned or locked at the provider: may not sign in while it lasts.
    pub provider_blocked: bool,
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

/// A user as the identity provider describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderUser {
    /// The provider's user id.
    pub clerk_id: String,
    /// Primary email.
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Primary phone.
    pub phone: Option<String>,
    /// Whether the provider verified the primary email.
    pub email_verified: bool,
    /// Role from the provider's public metadata; unknown values are `PetOwner`.
    /// It applies until a platform admin sets the role through the API; from
    /// then on the local role wins (see [`set_role`]).
    pub role: Role,
    /// Banned or locked at the provider: may not sign in while it lasts.
    pub blocked: bool,
    /// When the provider last changed the user.
    pub updated_at: DateTime<Utc>,
}

/// What [`contact`] gives notifications: where and how to reach a person.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct Contact {
    /// Primary email.
    pub email: Option<String>,
    /// Given name, for greetings.
    pub first_name: Option<String>,
    /// Primary phone, E.164.
    pub phone: Option<String>,
    /// Their preferences (time zone, quiet hours are read from here).
    pub preferences: serde_json::Value,
    /// May sign in.
    pub is_active: bool,
    /// Erased by the provider.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Contact {
    /// Still someone to write to: active and not erased.
    pub fn reachable(&self) -> bool {
        self.is_active && self.deleted_at.is_none()
    }

    /// The time zone they chose (`preferences.time_zone`), UTC when none.
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.preferences.get("time_zone").and_then(|zone| zone.as_str()?.parse().ok()).unwrap_or(chrono_tz::Tz::UTC)
    }
}

/// A user's name parts, for lists other people see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct Name {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
}

impl Name {
    /// "First Last" from the parts there are (empty when none).
    pub fn display(&self) -> String {
        display_name(self.first_name.clone(), self.last_name.clone())
    }
}

/// Which users [`list`] returns.
#[derive(Debug, Clone, Default)]
pub struct UserQuery<'a> {
    /// Only this platform role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub is_active: Option<bool>,
    /// Text in the name or email.
    pub search: Option<&'a str>,
}

/// One user; `NotFound` when missing.
pub async fn find(connection: &mut AsyncPgConnection, id: UserId) -> kernel::Result<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "user" })
}

/// Users newest first, filtered.
pub async fn list(
    connection: &mut AsyncPgConnection,
    query: &UserQuery<'_>,
    page: &PageRequest,
) -> kernel::Result<Page<User>> {
    let mut select = users::table.select(User::as_select()).into_boxed();
    if let Some(role) = query.role {
        select = select.filter(users::role.eq(role));
    }
    if let Some(is_active) = query.is_active {
        select = select.filter(users::is_active.eq(is_active));
    }
    if let Some(search) = query.search.map(str::trim).filter(|search| !search.is_empty()) {
        // The expression matches the trigram index `users_search_idx`.
        select = select.filter(
            sql::<Bool>(
                "(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')) ILIKE ",
            )
            .bind::<Text, _>(db::like::contains(search)),
        );
    }
    if let Some(after) = page.after {
        select = select.filter(users::id.lt(UserId(after)));
    }
    let rows = select.order(users::id.desc()).limit(page.fetch_limit()).load(connection).await?;
    Ok(Page::from_rows(rows, page, |user| user.id.0))
}

/// The user's verified email, lower-cased (`None` when the provider gave none
/// or has not verified it): what invitations addressed to an email match.
pub async fn email_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Option<String>> {
    let email = users::table
        .find(user)
        .filter(users::email_verified)
        .select(users::email)
        .first::<Option<String>>(connection)
        .await
        .optional()?
        .flatten();
    Ok(email.map(|email| email.to_lowercase()))
}

/// The live (not erased) user with this verified email, ignoring case: its id
/// and provider id. An unverified address names no one.
pub async fn with_email(connection: &mut AsyncPgConnection, email: &str) -> kernel::Result<Option<(UserId, String)>> {
    Ok(users::table
        .filter(sql::<Bool>("lower(email) = lower(").bind::<Text, _>(email).sql(")"))
        .filter(users::email_verified)
        .filter(users::deleted_at.is_null())
        .select((users::id, users::clerk_id))
        .first(connection)
        .await
        .optional()?)
}

/// The provider's id of a user (to forget its cached principal).
pub async fn clerk_id(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<String> {
    Ok(users::table.find(user).select(users::clerk_id).first(connection).await?)
}

/// How to reach `user`; `NotFound` when there is no such user.
pub async fn contact(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Contact> {
    contacts(connection, &[user]).await?.remove(&user).ok_or(kernel::Error::NotFound { resource: "user" })
}

/// How to reach each of `ids` that exists, in one query.
pub async fn contacts(connection: &mut AsyncPgConnection, ids: &[UserId]) -> kernel::Result<HashMap<UserId, Contact>> {
    let rows: Vec<(UserId, Contact)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, Contact::as_select())).load(connection).await?;
    Ok(rows.into_iter().collect())
}

/// The time zone `user` chose, UTC when none (reminders go out in it).
pub async fn time_zone(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<chrono_tz::Tz> {
    Ok(contact(connection, user).await?.time_zone())
}

/// The names of `ids` (those that exist), in one query.
pub async fn names(connection: &mut AsyncPgConnection, ids: &[UserId]) -> kernel::Result<HashMap<UserId, Name>> {
    let rows: Vec<(UserId, Name)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, Name::as_select())).load(connection).await?;
    Ok(rows.into_iter().collect())
}

/// One user's name (empty parts when there is no such user).
pub async fn name(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Name> {
    Ok(names(connection, &[user]).await?.remove(&user).unwrap_or_default())
}

/// "First Last" from the parts a profile has (empty when it has none).
pub fn display_name(first: Option<String>, last: Option<String>) -> String {
    [first, last].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

/// The user of `subject`, created as a pet owner on first sight (a token may
/// arrive before the provider's webhook does).
pub async fn provision(connection: &mut AsyncPgConnection, subject: &str) -> kernel::Result<User> {
    let select = users::table.filter(users::clerk_id.eq(subject)).select(User::as_select());
    if let Some(user) = select.first(connection).await.optional()? {
        return Ok(user);
    }
    diesel::insert_into(users::table)
        .values((users::id.eq(UserId::new()), users::clerk_id.eq(subject), users::role.eq(Role::PetOwner)))
        .on_conflict(users::clerk_id)
        .do_nothing()
        .execute(connection)
        .await?;
    tracing::info!(user = %subject, "provisioned a new user just in time");
    Ok(select.first(connection).await?)
}

/// Creates or updates the user as the provider describes it, unless the
/// stored state is newer or the user was erased; the user's id when applied.
/// Webhooks arrive in any order: a late "created" cannot undo an "updated".
pub async fn apply_provider_state(
    connection: &mut AsyncPgConnection,
    user: &ProviderUser,
) -> kernel::Result<Option<UserId>> {
    #[derive(QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
    }
    let applied: Option<Applied> = diesel::sql_query(
        "INSERT INTO users (id, clerk_id, email, first_name, last_name, phone, role, provider_updated_at, \
                            email_verified, provider_blocked) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (clerk_id) DO UPDATE SET \
             email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name, \
             phone = excluded.phone, provider_updated_at = excluded.provider_updated_at, \
             email_verified = excluded.email_verified, provider_blocked = excluded.provider_blocked, \
             role = CASE WHEN users.role_set_locally_at IS NULL THEN excluded.role ELSE users.role END \
         WHERE users.deleted_at IS NULL \
           AND (users.provider_updated_at IS NULL OR users.provider_updated_at <= excluded.provider_updated_at) \
         RETURNING id",
    )
    .bind::<diesel::sql_types::Uuid, _>(UserId::new())
    .bind::<Text, _>(&user.clerk_id)
    .bind::<diesel::sql_types::Nullable<Text>, _>(&user.email)
    .bind::<diesel::sql_types::Nullable<Text>, _>(&user.first_name)
    .bind::<diesel::sql_types::Nullable<Text>, _>(&user.last_name)
    .bind::<diesel::sql_types::Nullable<Text>, _>(&user.phone)
    .bind::<Text, _>(user.role)
    .bind::<diesel::sql_types::Timestamptz, _>(user.updated_at)
    .bind::<Bool, _>(user.email_verified)
    .bind::<Bool, _>(user.blocked)
    .get_result(connection)
    .await
    .optional()?;
    Ok(applied.map(|applied| applied.id))
}

/// The user the provider knows as `clerk_id`, if we have one.
pub async fn with_clerk_id(connection: &mut AsyncPgConnection, clerk_id: &str) -> kernel::Result<Option<UserId>> {
    Ok(users::table.filter(users::clerk_id.eq(clerk_id)).select(users::id).first(connection).await.optional()?)
}

/// Deactivates the user of `clerk_id` for good and erases their personal data
/// held here (the profile, stored idempotent answers), keeping the row other
/// tables refer to; a deletion that arrives before the creation leaves a
/// tombstone. Returns the user's id. (Each crate's own part is erased through
/// [`crate::personal_data`] first.)
pub async fn erase(connection: &mut AsyncPgConnection, clerk_id: &str) -> kernel::Result<UserId> {
    let id = diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::new()),
            users::clerk_id.eq(clerk_id),
            users::is_active.eq(false),
            users::deleted_at.eq(diesel::dsl::now),
        ))
        .on_conflict(users::clerk_id)
        .do_update()
        .set((
            users::email.eq(None::<String>),
            users::first_name.eq(None::<String>),
            users::last_name.eq(None::<String>),
            users::phone.eq(None::<String>),
            users::preferences.eq(serde_json::json!({})),
            users::is_active.eq(false),
            users::deleted_at.eq(diesel::dsl::now),
        ))
        .returning(users::id)
        .get_result(connection)
        .await?;
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::user_id.eq(id))).execute(connection).await?;
    Ok(id)
}

/// Creates or updates the local user `subject` with `email` and `role`
/// (development tokens and demo data).
pub async fn provision_local(
    connection: &mut AsyncPgConnection,
    subject: &str,
    email: &str,
    role: Role,
) -> kernel::Result<UserId> {
    Ok(diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::new()),
            users::clerk_id.eq(subject),
            users::email.eq(email),
            users::email_verified.eq(true),
            users::role.eq(role),
        ))
        .on_conflict(users::clerk_id)
        .do_update()
        .set((users::email.eq(email), users::email_verified.eq(true), users::role.eq(role), users::is_active.eq(true)))
        .returning(users::id)
        .get_result(connection)
        .await?)
}

/// Applies `changes` to `user`'s profile.
pub async fn update_profile(
    connection: &mut AsyncPgConnection,
    user: UserId,
    changes: &ProfileChanges,
) -> kernel::Result<User> {
    Ok(diesel::update(users::table.find(user))
        .set(changes)
        .returning(User::as_returning())
        .get_result(connection)
        .await?)
}

/// Gives `user` the platform role `role`. A role set here is the platform's
/// decision: the provider's role metadata no longer changes it.
pub async fn set_role(connection: &mut AsyncPgConnection, user: UserId, role: Role) -> kernel::Result<User> {
    Ok(diesel::update(users::table.find(user))
        .set((users::role.eq(role), users::role_set_locally_at.eq(diesel::dsl::now)))
        .returning(User::as_returning())
        .get_result(connection)
        .await?)
}

/// Lets `user` sign in (`true`) or not (`false`).
pub async fn set_active(connection: &mut AsyncPgConnection, user: UserId, active: bool) -> kernel::Result<User> {
    Ok(diesel::update(users::table.find(user))
        .set(users::is_active.eq(active))
        .returning(User::as_returning())
        .get_result(connection)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_is_made_of_the_parts_there_are() {
        assert_eq!(super::display_name(Some("Ada".into()), Some("Lovelace".into())), "Ada Lovelace");
        assert_eq!(super::display_name(None, Some("Lovelace".into())), "Lovelace");
        assert_eq!(super::display_name(None, None), "");
    }
}
