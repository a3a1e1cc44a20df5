//! Who is calling, and the one-line guards services use.

use crate::{Error, Result, Role, UserId};

/// The authenticated caller, resolved from a verified session token *and our
/// own `users` row*: the role is ours, never a token claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Our user id.
    pub user_id: UserId,
    /// The identity provider's user id (Clerk `sub`).
    pub subject: String,
    /// The platform role from our database.
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
        Principal { user_id: UserId::new(), subject: "user_x".into(), role }
    }

    #[test]
    fn require_lets_the_role_through_and_forbids_others() {
        assert!(caller(Role::PlatformAdmin).require(Role::PlatformAdmin).is_ok());
        assert!(matches!(caller(Role::PetOwner).require(Role::PlatformAdmin), Err(Error::Forbidden(_))));
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
