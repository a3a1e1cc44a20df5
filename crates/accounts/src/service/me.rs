//! Self-service: the caller's own profile and data export.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::Principal;
use platform::audit::{self, AuditEntry};

use super::{audit_log, load_user};
use crate::api::{ExportedAccount, PersonalDataExport};
use crate::models::{ProfileChanges, User};
use db::schema::users;

/// The caller's own account.
pub async fn current_user(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<User> {
    load_user(connection, principal.user_id).await
}

/// Applies `changes` to the caller's profile and audits which fields changed.
pub async fn update_profile(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    changes: ProfileChanges,
) -> kernel::Result<User> {
    let fields = changes.field_names();
    if fields.is_empty() {
        return current_user(connection, principal).await;
    }
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            let user = diesel::update(users::table.find(principal.user_id))
                .set(&changes)
                .returning(User::as_returning())
                .get_result(connection)
                .await?;
            audit::record(
                connection,
                AuditEntry {
                    actor: Some(principal.user_id),
                    action: "user.profile_updated",
                    target_type: "user",
                    target_id: principal.user_id.to_string(),
                    changes: serde_json::json!({ "fields": fields }),
                },
            )
            .await?;
            Ok(user)
        })
        .await
}

/// Everything held about the caller: the account and its audit trail.
pub async fn export_personal_data(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
) -> kernel::Result<PersonalDataExport> {
    let user = current_user(connection, principal).await?;
    let audit_trail = audit_log::trail_of(connection, principal.user_id).await?;
    Ok(PersonalDataExport {
        exported_at: chrono::Utc::now(),
        account: ExportedAccount { clerk_id: user.clerk_id.clone(), profile: user.into() },
        audit_trail,
    })
}
