//! Who works at a clinic, in which clinic role. Every change is audited.
//!
//! Changes return the member's identity-provider subject, so the caller can
//! drop that user's cached principal (memberships travel with it).

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, UserId};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{StaffAddition, StaffInvitation, StaffMember};
use crate::service::clinics::exists;
use crate::service::invitations;
use db::schema::{clinic_memberships, users};

const ANY_STAFF: &[Role] = &[Role::Veterinarian, Role::Receptionist, Role::ClinicAdmin];

/// The staff of a clinic (its staff and platform admins).
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
) -> kernel::Result<Vec<StaffMember>> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, ANY_STAFF)?;
    let rows = clinic_memberships::table
        .inner_join(users::table)
        .filter(clinic_memberships::clinic_id.eq(clinic))
        .select((
            clinic_memberships::user_id,
            users::first_name,
            users::last_name,
            clinic_memberships::role,
            clinic_memberships::created_at,
        ))
        .order(clinic_memberships::created_at)
        .load::<(UserId, Option<String>, Option<String>, Role, chrono::DateTime<chrono::Utc>)>(connection)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, first, last, role, since)| StaffMember {
            user_id,
            name: platform::users::display_name(first, last),
            role,
            since,
        })
        .collect())
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
    addition: &StaffAddition,
    invitation_ttl_days: i64,
) -> kernel::Result<Addition> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, &[Role::ClinicAdmin])?;
    let role = Role::from(addition.role);
    let found = users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(&addition.email)
                .sql(")"),
        )
        .filter(users::deleted_at.is_null())
        .select((users::id, users::clerk_id))
        .first::<(UserId, String)>(connection)
        .await
        .optional()?;
    let Some((user, subject)) = found else {
        let invitation =
            invitations::invite(connection, principal, clinic, &addition.email, role, invitation_ttl_days).await?;
        return Ok(Addition::Invited(invitation));
    };
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            diesel::insert_into(clinic_memberships::table)
                .values((
                    clinic_memberships::clinic_id.eq(clinic),
                    clinic_memberships::user_id.eq(user),
                    clinic_memberships::role.eq(role),
                ))
                .on_conflict((clinic_memberships::clinic_id, clinic_memberships::user_id))
                .do_update()
                .set(clinic_memberships::role.eq(role))
                .execute(connection)
                .await?;
            let entry = AuditEntry::new(Some(principal.user_id), "clinic.staff_added", "clinic", clinic)
                .with_changes(json!({ "user_id": user, "role": role }));
            audit::record(connection, entry).await
        })
        .await?;
    Ok(Addition::Added { subject })
}

/// Removes a member (clinic admins); the last clinic admin cannot be removed.
pub async fn remove(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    user: UserId,
) -> kernel::Result<String> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, &[Role::ClinicAdmin])?;
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
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
            Ok(users::table.find(user).select(users::clerk_id).first::<String>(connection).await?)
        })
        .await
}
