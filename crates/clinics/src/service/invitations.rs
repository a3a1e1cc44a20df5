//! Invitations to join a clinic's staff, for emails that have no account yet.
//!
//! A clinic admin adding an unknown email invites it instead; once someone
//! signs up with that email they see the invitation and accept it, which makes
//! them staff. Accepting is explicit, so nobody joins a clinic unawares, and an
//! invitation expires after `clinics.invitation_ttl_days`. Every step is audited.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, InvitationId, Principal, Role, UserId};
use notifications::Notification;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::StaffInvitation;
use crate::service::clinics::exists;
use db::schema::{clinic_invitations, clinics};

const COLUMNS: (
    clinic_invitations::id,
    clinic_invitations::clinic_id,
    clinic_invitations::email,
    clinic_invitations::role,
    clinic_invitations::created_at,
    clinic_invitations::expires_at,
) = (
    clinic_invitations::id,
    clinic_invitations::clinic_id,
    clinic_invitations::email,
    clinic_invitations::role,
    clinic_invitations::created_at,
    clinic_invitations::expires_at,
);

/// A new invitation.
#[derive(Insertable)]
#[diesel(table_name = clinic_invitations)]
struct NewInvitation<'a> {
    id: InvitationId,
    clinic_id: ClinicId,
    email: &'a str,
    role: Role,
    invited_by: UserId,
    expires_at: chrono::DateTime<Utc>,
}

/// Invites `email` with `role`, or renews (new role, new expiry) the open
/// invitation of that email; the caller has checked the clinic admin role.
pub(crate) async fn invite(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    email: &str,
    role: Role,
    ttl_days: i64,
) -> kernel::Result<StaffInvitation> {
    let expires_at = Utc::now() + Duration::days(ttl_days);
    let email = email.to_lowercase();
    db::transaction(connection, async |connection| {
        let new = NewInvitation {
            id: InvitationId::new(),
            clinic_id: clinic,
            email: &email,
            role,
            invited_by: principal.user_id,
            expires_at,
        };
        let invitation = diesel::insert_into(clinic_invitations::table)
            .values(&new)
            .on_conflict((clinic_invitations::clinic_id, clinic_invitations::email))
            .do_update()
            .set((
                clinic_invitations::role.eq(role),
                clinic_invitations::invited_by.eq(principal.user_id),
                clinic_invitations::created_at.eq(Utc::now()),
                clinic_invitations::expires_at.eq(expires_at),
            ))
            .returning(COLUMNS)
            .get_result::<StaffInvitation>(connection)
            .await?;
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.staff_invited", "clinic", clinic)
            .with_changes(json!({ "invitation_id": invitation.id, "role": role }));
        audit::record(connection, entry).await?;
        tell_invitee(connection, principal, &invitation).await?;
        Ok(invitation)
    })
    .await
}

/// Emails the invitation to its address, which has no account yet: who
/// invites, to what, and how to sign up and accept.
async fn tell_invitee(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    invitation: &StaffInvitation,
) -> kernel::Result<()> {
    let (clinic_name, inviter_name) = names(connection, principal, invitation.clinic_id).await?;
    let to_join = format!("to join {clinic_name} as {}", role_words(invitation.role));
    let notice = Notification::invitation(&inviter_name, &to_join, invitation.expires_at, false);
    notifications::email_address(connection, &invitation.email, &notice, invitation.id.0).await
}

/// A clinic role as a person reads it ("clinic admin").
pub(crate) fn role_words(role: Role) -> String {
    role.as_str().replace('_', " ")
}

/// The clinic's name and the inviter's (their name, else the clinic's).
pub(crate) async fn names(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<(String, String)> {
    let clinic_name = clinics::table.find(clinic).select(clinics::name).first::<String>(connection).await?;
    let inviter = platform::users::name(connection, principal.user_id).await?;
    let inviter_name = Some(inviter.display()).filter(|name| !name.is_empty()).unwrap_or_else(|| clinic_name.clone());
    Ok((clinic_name, inviter_name))
}

/// The clinic's open invitations, newest first (its clinic admins, platform admins).
pub async fn list_for_clinic(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<StaffInvitation>> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    Ok(clinic_invitations::table
        .filter(clinic_invitations::clinic_id.eq(clinic))
        .filter(clinic_invitations::expires_at.gt(Utc::now()))
        .select(COLUMNS)
        .order(clinic_invitations::created_at.desc())
        .load(connection)
        .await?)
}

/// Withdraws an invitation (the clinic's admins, platform admins).
pub async fn revoke(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    invitation: InvitationId,
) -> kernel::Result<()> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    db::transaction(connection, async |connection| {
        let deleted = diesel::delete(
            clinic_invitations::table
                .filter(clinic_invitations::id.eq(invitation))
                .filter(clinic_invitations::clinic_id.eq(clinic)),
        )
        .execute(connection)
        .await?;
        if deleted == 0 {
            return Err(kernel::Error::NotFound { resource: "invitation" });
        }
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.invitation_revoked", "clinic", clinic)
            .with_changes(json!({ "invitation_id": invitation }));
        audit::record(connection, entry).await
    })
    .await
}

/// The open invitations addressed to the caller's email.
pub async fn list_mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
) -> kernel::Result<Vec<StaffInvitation>> {
    let Some(email) = platform::users::email_of(connection, principal.user_id).await? else { return Ok(Vec::new()) };
    Ok(clinic_invitations::table
        .filter(clinic_invitations::email.eq(email))
        .filter(clinic_invitations::expires_at.gt(Utc::now()))
        .select(COLUMNS)
        .order(clinic_invitations::created_at.desc())
        .load(connection)
        .await?)
}

/// Accepts an invitation addressed to the caller: they become staff of its
/// clinic with its role. Someone else's or an expired invitation is 404.
pub async fn accept(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    invitation: InvitationId,
) -> kernel::Result<ClinicId> {
    let not_found = || kernel::Error::NotFound { resource: "invitation" };
    let email = platform::users::email_of(connection, principal.user_id).await?.ok_or_else(not_found)?;
    db::transaction(connection, async |connection| {
        let (clinic, role) = diesel::delete(
            clinic_invitations::table
                .filter(clinic_invitations::id.eq(invitation))
                .filter(clinic_invitations::email.eq(&email))
                .filter(clinic_invitations::expires_at.gt(Utc::now())),
        )
        .returning((clinic_invitations::clinic_id, clinic_invitations::role))
        .get_result::<(ClinicId, Role)>(connection)
        .await
        .optional()?
        .ok_or_else(not_found)?;
        crate::service::staff::join(connection, clinic, principal.user_id, role).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.staff_added", "clinic", clinic)
            .with_changes(json!({ "user_id": principal.user_id, "role": role, "invitation_id": invitation }));
        audit::record(connection, entry).await?;
        Ok(clinic)
    })
    .await
}
