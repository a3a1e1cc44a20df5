//! A clinic's API keys, managed by its admins (and platform admins): made
//! with scopes and an optional expiry, listed without their secrets, revoked,
//! and rotated with a grace period for the key being replaced. Every change
//! is audited, naming the key by its prefix, never by its secret.

use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use kernel::{ApiKeyId, ClinicId, Principal, Role, Valid};
use platform::audit::{self, AuditEntry};
use platform::auth::api_keys::{self, ApiKey, Issued, NewKey};
use serde_json::json;

use crate::api::ApiKeyRequest;

/// Makes a key for `clinic`.
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    request: &Valid<ApiKeyRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<Issued> {
    admin_of(principal, clinic)?;
    if request.expires_at.is_some_and(|expires| expires <= now) {
        return Err(kernel::Error::invalid_field("expires_at", "must be in the future"));
    }
    let mut scopes = request.scopes.clone();
    scopes.sort_by_key(|scope| scope.as_str());
    scopes.dedup();
    let new = NewKey {
        clinic,
        name: request.name.trim(),
        scopes: &scopes,
        expires_at: request.expires_at,
        created_by: principal.user_id,
    };
    db::transaction(connection, async |connection| {
        let issued = api_keys::create(connection, &new).await?;
        let changes = json!({ "name": issued.key.name, "prefix": issued.key.prefix, "scopes": issued.key.scopes,
                              "expires_at": issued.key.expires_at, "clinic_id": clinic });
        audit::record(connection, entry(principal, "api_key.created", &issued.key).with_changes(changes)).await?;
        Ok(issued)
    })
    .await
}

/// The clinic's keys, newest first.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<ApiKey>> {
    admin_of(principal, clinic)?;
    api_keys::list(connection, clinic).await
}

/// Revokes the clinic's key `id`: it stops working at once, everywhere.
pub async fn revoke(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ApiKeyId,
    now: DateTime<Utc>,
) -> kernel::Result<ApiKey> {
    admin_of(principal, clinic)?;
    db::transaction(connection, async |connection| {
        let key = api_keys::find_for_update(connection, clinic, id).await?;
        if key.revoked_at.is_some() {
            return Ok(key);
        }
        let revoked = api_keys::revoke(connection, &key, now).await?;
        let changes = json!({ "prefix": key.prefix, "revoked_at": revoked.revoked_at });
        audit::record(connection, entry(principal, "api_key.revoked", &key).with_changes(changes)).await?;
        Ok(revoked)
    })
    .await
}

/// Replaces the clinic's live key `id` with a new one; the old one keeps
/// working for `grace` (or until its own expiry, when sooner).
pub async fn rotate(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ApiKeyId,
    now: DateTime<Utc>,
    grace: Duration,
) -> kernel::Result<Issued> {
    admin_of(principal, clinic)?;
    db::transaction(connection, async |connection| {
        let key = api_keys::find_for_update(connection, clinic, id).await?;
        if !key.is_live(now) {
            return Err(kernel::Error::conflict("only a live key can be rotated; make a new one"));
        }
        let (issued, until) = api_keys::rotate(connection, &key, principal.user_id, now, grace).await?;
        let changes = json!({ "prefix": key.prefix, "replaced_by": issued.key.prefix, "works_until": until });
        audit::record(connection, entry(principal, "api_key.rotated", &key).with_changes(changes)).await?;
        Ok(issued)
    })
    .await
}

/// Admins of the clinic (and platform admins) manage its keys.
fn admin_of(principal: &Principal, clinic: ClinicId) -> kernel::Result<()> {
    principal.require_staff(clinic, &[Role::ClinicAdmin])
}

fn entry(principal: &Principal, action: &'static str, key: &ApiKey) -> AuditEntry {
    AuditEntry::new(Some(principal.user_id), action, "api_key", key.id)
}
