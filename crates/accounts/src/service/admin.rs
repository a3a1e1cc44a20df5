//! User administration by platform admins; every change is audited.

use diesel_async::AsyncPgConnection;
use kernel::{Page, PageRequest, Principal, Role, UserId, Valid};
use platform::audit::{self, AuditEntry, change};
use platform::users::{self, User, UserQuery};

use crate::api::UserFilter;

/// Users newest first, filtered by role, active flag and a name/email search.
pub async fn list_users(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    filter: &Valid<UserFilter>,
    page: &PageRequest,
) -> kernel::Result<Page<User>> {
    principal.require(Role::PlatformAdmin)?;
    let query = UserQuery { role: filter.role, is_active: filter.is_active, search: filter.q.as_deref() };
    users::list(connection, &query, page).await
}

/// One user.
pub async fn get_user(connection: &mut AsyncPgConnection, principal: &Principal, id: UserId) -> kernel::Result<User> {
    principal.require(Role::PlatformAdmin)?;
    users::find(connection, id).await
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
    db::transaction(connection, async |connection| {
        let before = users::find(connection, id).await?;
        let user = users::set_role(connection, id, role).await?;
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
    db::transaction(connection, async |connection| {
        let before = users::find(connection, id).await?;
        if active && before.deleted_at.is_some() {
            return Err(kernel::Error::conflict("the identity provider deleted this user"));
        }
        let user = users::set_active(connection, id, active).await?;
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
    AuditEntry::new(Some(principal.user_id), action, "user", id).with_changes(changes)
}
