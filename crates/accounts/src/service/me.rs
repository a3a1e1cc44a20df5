//! Self-service: the caller's own profile and data export.

use diesel_async::AsyncPgConnection;
use kernel::{Principal, Valid};
use platform::audit::{self, AuditEntry};
use platform::users::{self, User};

use super::audit_log;
use crate::api::{ExportedAccount, PersonalDataExport, ProfileUpdate};

/// The caller's own account.
pub async fn current_user(connection: &mut AsyncPgConnection, principal: &Principal) -> kernel::Result<User> {
    users::find(connection, principal.user_id).await
}

/// Applies `update` to the caller's profile and audits which fields changed
/// (their names, not the personal values).
pub async fn update_profile(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    update: Valid<ProfileUpdate>,
) -> kernel::Result<User> {
    let changes = update.into_inner().into_changes();
    let fields = changes.field_names();
    if fields.is_empty() {
        return current_user(connection, principal).await;
    }
    db::transaction(connection, async |connection| {
        let user = users::update_profile(connection, principal.user_id, &changes).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "user.profile_updated", "user", principal.user_id)
            .with_changes(serde_json::json!({ "fields": fields }));
        audit::record(connection, entry).await?;
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
