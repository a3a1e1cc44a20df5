//! Reading the audit log (platform admins, and a user's own export).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Principal, Role, UserId};

use crate::api::AuditFilter;
use db::schema::audit_log;

pub use platform::audit::AuditRecord;

/// Newest first, filtered; platform admins only.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    filter: &AuditFilter,
    page: &PageRequest,
) -> kernel::Result<Page<AuditRecord>> {
    principal.require(Role::PlatformAdmin)?;
    let mut query = audit_log::table.select(AuditRecord::as_select()).into_boxed();
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor));
    }
    if let Some(target_type) = &filter.target_type {
        query = query.filter(audit_log::target_type.eq(target_type));
    }
    if let Some(target_id) = &filter.target_id {
        query = query.filter(audit_log::target_id.eq(target_id));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action));
    }
    if let Some(after) = page.after {
        query = query.filter(audit_log::id.lt(after));
    }
    let rows = query.order(audit_log::id.desc()).limit(page.fetch_limit()).load(connection).await?;
    Ok(Page::from_rows(rows, page, |record| record.id))
}

/// Every entry about `user` or made by them, oldest first (for exports).
pub async fn trail_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Vec<AuditRecord>> {
    Ok(audit_log::table
        .filter(
            audit_log::actor_id
                .eq(user)
                .or(audit_log::target_type.eq("user").and(audit_log::target_id.eq(user.to_string()))),
        )
        .select(AuditRecord::as_select())
        .order(audit_log::id.asc())
        .load(connection)
        .await?)
}
