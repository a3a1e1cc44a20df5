//! User administration by platform admins; every change is audited.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Principal, Role, UserId};
use platform::audit::{self, AuditEntry, change};

use super::load_user;
use crate::api::UserFilter;
use crate::models::User;
use db::schema::users;

/// Users newest first, filtered by role, active flag and a name/email search.
pub async fn list_users(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    filter: &UserFilter,
    page: &PageRequest,
) -> kernel::Result<Page<User>> {
    principal.require(Role::PlatformAdmin)?;
    let mut query = users::table.select(User::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(is_active) = filter.is_active {
        query = query.filter(users::is_active.eq(is_active));
    }
    if let Some(search) = filter.q.as_deref().map(str::trim).filter(|search| !search.is_empty()) {
        // The expression matches the trigram index `users_search_idx`.
        query = query.filter(
            sql::<Bool>(
                "(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')) ILIKE ",
            )
            .bind::<Text, _>(db::like::contains(search)),
        );
    }
    if let Some(after) = page.after {
        query = query.filter(users::id.lt(UserId(after)));
    }
    let rows = query.order(users::id.desc()).limit(page.fetch_limit()).load(connection).await?;
    Ok(Page::from_rows(rows, page, |user| user.id.0))
}

/// One user.
pub async fn get_user(connection: &mut AsyncPgConnection, principal: &Principal, id: UserId) -> kernel::Result<User> {
    principal.require(Role::PlatformAdmin)?;
    load_user(connection, id).await
}

/// Gives `id` the platform role `role`.
pub async fn change_role(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: UserId,
    role: Role,
) -> kernel::Result<User> {
    principal.require(Role::PlatformAdmin)?;
    if id == principal.user_id && role != Role::PlatformAdmin {
        return Err(kernel::Error::conflict("admins cannot remove their own admin role"));
    }
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            let before = load_user(connection, id).await?;
            let user = diesel::update(users::table.find(id))
                .set(users::role.eq(role))
                .returning(User::as_returning())
                .get_result(connection)
                .await?;
            if before.role != role {
                let changes = serde_json::json!({ "role": change(before.role, role) });
                audit::record(connection, admin_entry(principal, "user.role_changed", id, changes)).await?;
            }
            Ok(user)
        })
        .await
}

/// Deactivates (`false`) or reactivates (`true`) `id`.
pub async fn set_active(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: UserId,
    active: bool,
) -> kernel::Result<User> {
    principal.require(Role::PlatformAdmin)?;
    if id == principal.user_id && !active {
        return Err(kernel::Error::conflict("admins cannot deactivate themselves"));
    }
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            let before = load_user(connection, id).await?;
            if active && before.deleted_at.is_some() {
                return Err(kernel::Error::conflict("the identity provider deleted this user"));
            }
            let user = diesel::update(users::table.find(id))
                .set(users::is_active.eq(active))
                .returning(User::as_returning())
                .get_result(connection)
                .await?;
            if before.is_active != active {
                let action = if active { "user.reactivated" } else { "user.deactivated" };
                let changes = serde_json::json!({ "is_active": change(before.is_active, active) });
                audit::record(connection, admin_entry(principal, action, id, changes)).await?;
            }
            Ok(user)
        })
        .await
}

fn admin_entry(principal: &Principal, action: &'static str, id: UserId, changes: serde_json::Value) -> AuditEntry {
    AuditEntry { actor: Some(principal.user_id), action, target_type: "user", target_id: id.to_string(), changes }
}
