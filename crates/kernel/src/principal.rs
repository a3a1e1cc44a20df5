//! Who is calling, and the one-line guards services use.

use crate::{ApiKeyId, ClinicId, Error, Result, Role, UserId};

/// The authenticated caller, resolved from a verified session token (or a
/// clinic's API key) *and our own `users` row*: the role is ours, never a
/// token claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Our user id.
    pub user_id: UserId,
    /// The identity provider's user id (Clerk `sub`).
    pub subject: String,
    /// The platform role from our database.
    pub role: Role,
    /// The clinics the caller works at, with the clinic role at each.
    pub memberships: Vec<Membership>,
    /// What the caller signed in with.
    pub credential: Credential,
}

/// What a caller signed in with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Credential {
    /// A person's session token.
    #[default]
    Session,
    /// A clinic's API key: the caller acts as the clinic (its admin), on the
    /// routes its scopes open and nowhere else.
    ApiKey {
        /// The key.
        id: ApiKeyId,
        /// What it may do (`appointments:read`...).
        scopes: Vec<String>,
    },
}

/// Staff of a clinic: `role` is `Veterinarian`, `Receptionist` or `ClinicAdmin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The role at that clinic.
    pub role: Role,
}

impl Principal {
    /// Whether the caller has `role`.
    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// `Forbidden` unless the caller has `role`:
    /// `principal.require(Role::PlatformAdmin)?;`
    pub fn require(&self, role: Role) -> Result<()> {
        self.require_any(&[role])
    }

    /// `Forbidden` unless the caller has one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("requires role {}", join(roles))))
        }
    }

    /// The caller's role at `clinic`, if they work there.
    pub fn clinic_role(&self, clinic: ClinicId) -> Option<Role> {
        self.memberships.iter().find(|membership| membership.clinic_id == clinic).map(|membership| membership.role)
    }

    /// `Forbidden` unless the caller is staff of `clinic` in one of `roles`
    /// (platform admins always pass): "may this user act for this clinic?"
    pub fn require_staff(&self, clinic: ClinicId, roles: &[Role]) -> Result<()> {
        match self.clinic_role(clinic) {
            _ if self.is(Role::PlatformAdmin) => Ok(()),
            Some(role) if roles.contains(&role) => Ok(()),
            _ => Err(Error::Forbidden(format!("requires clinic role {}", join(roles)))),
        }
    }

    /// `NotFound` unless the caller is `owner` (or a platform admin): another
    /// user's resource must look exactly like a missing one.
    pub fn require_owner_or_admin(&self, owner: UserId, resource: &'static str) -> Result<()> {
        if self.user_id == owner || self.is(Role::PlatformAdmin) { Ok(()) } else { Err(Error::NotFound { resource }) }
    }
}

fn join(roles: &[Role]) -> String {
    roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role) -> Principal {
        Principal {
            user_id: UserId::new(),
            subject: "user_x".into(),
            role,
            memberships: Vec::new(),
            credential: Credential::Session,
        }
    }

    #[test]
    fn require_lets_the_role_through_and_forbids_others() {
        assert!(caller(Role::PlatformAdmin).require(Role::PlatformAdmin).is_ok());
        assert!(matches!(caller(Role::PetOwner).require(Role::PlatformAdmin), Err(Error::Forbidden(_))));
    }

    #[test]
    fn staff_guards_check_the_clinic_and_the_role_there() {
        let (here, elsewhere) = (ClinicId::new(), ClinicId::new());
        let mut receptionist = caller(Role::Receptionist);
        receptionist.memberships.push(Membership { clinic_id: here, role: Role::Receptionist });
        assert!(receptionist.require_staff(here, &[Role::Receptionist, Role::ClinicAdmin]).is_ok());
        assert!(matches!(receptionist.require_staff(here, &[Role::ClinicAdmin]), Err(Error::Forbidden(_))));
        assert!(matches!(receptionist.require_staff(elsewhere, &[Role::Receptionist]), Err(Error::Forbidden(_))));
        assert!(caller(Role::PlatformAdmin).require_staff(elsewhere, &[Role::ClinicAdmin]).is_ok());
    }

    #[test]
    fn another_users_resource_is_not_found_not_forbidden() {
        let owner = caller(Role::PetOwner);
        let stranger = caller(Role::PetOwner);
        assert!(owner.require_owner_or_admin(owner.user_id, "pet").is_ok());
        assert!(matches!(stranger.require_owner_or_admin(owner.user_id, "pet"), Err(Error::NotFound { .. })));
        assert!(caller(Role::PlatformAdmin).require_owner_or_admin(owner.user_id, "pet").is_ok());
    }
}
