//! Who works at a clinic, in which clinic role. Every change is audited.
//!
//! Changes return the member's identity-provider subject, so the caller can
//! drop that user's cached principal (memberships travel with it).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, UserId, Valid};
use notifications::Notification;
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{StaffAddition, StaffInvitation, StaffMember};
use crate::service::clinics::exists;
use crate::service::invitations;
use db::schema::clinic_memberships;

/// The staff of a clinic (its staff and platform admins).
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<StaffMember>> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let rows = clinic_memberships::table
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .select((clinic_memberships::user_id, clinic_memberships::role, clinic_memberships::created_at))
        .order(clinic_memberships::created_at)
        .load::<(UserId, Role, chrono::DateTime<chrono::Utc>)>(connection)
        .await?;
    let ids: Vec<UserId> = rows.iter().map(|(user_id, ..)| *user_id).collect();
    let names = platform::users::names(connection, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, role, since)| StaffMember {
            user_id,
            name: names.get(&user_id).map(platform::users::Name::display).unwrap_or_default(),
            role,
            since,
        })
        .collect())
}

/// Everyone working at `clinic` (no access check: for crates that tell a
/// clinic's staff about something, like chat's events).
pub async fn member_ids(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Vec<UserId>> {
    members_in(connection, clinic, &Role::ALL).await
}

/// Those working at `clinic` in one of `roles` (no access check: for crates
/// that tell, say, a clinic's admins about something).
pub async fn members_in(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    roles: &[Role],
) -> kernel::Result<Vec<UserId>> {
    Ok(clinic_memberships::table
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .filter(clinic_memberships::role.eq_any(roles))
        .select(clinic_memberships::user_id)
        .load(connection)
        .await?)
}

/// What adding a member by email did.
#[derive(Debug)]
pub enum Addition {
    /// The user exists and is now staff; drop the cached principal of this subject.
    Added {
        /// The member's identity-provider subject.
        subject: String,
    },
    /// No account has the email yet: it was invited.
    Invited(StaffInvitation),
}

/// Adds an existing user (found by email) or changes their role, or invites
/// the email when no account has it (clinic admins).
pub async fn add(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    addition: &Valid<StaffAddition>,
    invitation_ttl_days: i64,
) -> kernel::Result<Addition> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let role = Role::from(addition.role);
    let found = platform::users::with_email(connection, &addition.email).await?;
    let Some((user, subject)) = found else {
        let invitation =
            invitations::invite(connection, principal, clinic, &addition.email, role, invitation_ttl_days).await?;
        return Ok(Addition::Invited(invitation));
    };
    db::transaction(connection, async |connection| {
        join(connection, clinic, user, role).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.staff_added", "clinic", clinic)
            .with_changes(json!({ "user_id": user, "role": role }));
        audit::record(connection, entry).await?;
        let (clinic_name, inviter_name) = invitations::names(connection, principal, clinic).await?;
        let details = format!(
            "{inviter_name} added you to {clinic_name} as {}. Its calendar and patients are in the app.",
            invitations::role_words(role)
        );
        let notice = Notification::account_notice(&format!("You are now staff of {clinic_name}"), &details);
        notifications::notify(connection, user, &notice).await?;
        Ok(())
    })
    .await?;
    Ok(Addition::Added { subject })
}

/// A staff membership.
#[derive(Insertable)]
#[diesel(table_name = clinic_memberships)]
struct Membership {
    clinic_id: ClinicId,
    user_id: UserId,
    role: Role,
}

/// Makes `user` staff of `clinic` with `role` (or changes their role there);
/// the caller has checked who may and audits it.
pub(crate) async fn join(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    user: UserId,
    role: Role,
) -> kernel::Result<()> {
    diesel::insert_into(clinic_memberships::table)
        .values(Membership { clinic_id: clinic, user_id: user, role })
        .on_conflict((clinic_memberships::clinic_id, clinic_memberships::user_id))
        .do_update()
        .set(clinic_memberships::role.eq(role))
        .execute(connection)
        .await?;
    Ok(())
}

/// Removes a member (clinic admins); the last clinic admin cannot be removed.
pub async fn remove(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    user: UserId,
) -> kernel::Result<String> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    db::transaction(connection, async |connection| {
        let removed = diesel::delete(
            clinic_memberships::table
                .filter(clinic_memberships::clinic_id.eq(clinic))
                .filter(clinic_memberships::user_id.eq(user)),
        )
        .returning(clinic_memberships::role)
        .get_result::<Role>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "staff member" })?;
        let admins_left = clinic_memberships::table
            .filter(clinic_memberships::clinic_id.eq(clinic))
            .filter(clinic_memberships::role.eq(Role::ClinicAdmin))
            .count()
            .get_result::<i64>(connection)
            .await?;
        if removed == Role::ClinicAdmin && admins_left == 0 {
            return Err(kernel::Error::conflict("a clinic keeps at least one clinic admin"));
        }
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.staff_removed", "clinic", clinic)
            .with_changes(json!({ "user_id": user, "role": removed }));
        audit::record(connection, entry).await?;
        platform::users::clerk_id(connection, user).await
    })
    .await
}
