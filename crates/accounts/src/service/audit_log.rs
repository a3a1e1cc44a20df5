//! Reading the audit log (platform admins, and a user's own export).

use diesel_async::AsyncPgConnection;
use kernel::{Page, PageRequest, Principal, Role, UserId, Valid};
use platform::audit::{self, AuditQuery};

use crate::api::AuditFilter;

pub use platform::audit::AuditRecord;

/// Newest first, filtered; platform admins only.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    filter: &Valid<AuditFilter>,
    page: &PageRequest,
) -> kernel::Result<Page<AuditRecord>> {
    principal.require(Role::PlatformAdmin)?;
    let query = AuditQuery {
        actor: filter.actor_id,
        target_type: filter.target_type.as_deref(),
        target_id: filter.target_id.as_deref(),
        action: filter.action.as_deref(),
    };
    audit::list(connection, &query, page).await
}

/// Every entry about `user` or made by them, oldest first (for exports).
pub async fn trail_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Vec<AuditRecord>> {
    audit::trail_of_user(connection, user).await
}
