//! Self-service: the caller's own profile (their data as a whole is
//! [`super::personal_data`]).

use diesel_async::AsyncPgConnection;
use kernel::{Principal, Valid};
use platform::audit::{self, AuditEntry};
use platform::users::{self, User};

use crate::api::ProfileUpdate;

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
