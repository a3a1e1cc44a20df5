//! From a verified token subject to a [`Principal`]: our user row decides.
//!
//! The role and the active flag come from `users`, never from token claims. A
//! subject seen for the first time is provisioned just in time as a pet owner
//! (the Clerk webhook fills in the profile). A deactivated or deleted user gets
//! 401 even with a valid token.
//!
//! The clinics a user works at (`clinic_memberships`) come with the principal.
//!
//! Lookups are cached in process for `auth.principal_cache_ttl_ms`, so an
//! authenticated request does not pay a query each time; changes through this
//! instance invalidate the entry at once, other instances see them within the TTL.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Membership, Principal, Role, UserId};
use moka::future::Cache;

use db::schema::clinic_memberships;

/// What the cache keeps per subject.
#[derive(Debug, Clone)]
struct Account {
    user_id: UserId,
    role: Role,
    is_active: bool,
    memberships: Vec<Membership>,
}

/// Why no principal could be produced.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The user exists but may not sign in.
    #[error("account deactivated")]
    Deactivated,
    /// The lookup failed (database down...).
    #[error(transparent)]
    Lookup(#[from] std::sync::Arc<kernel::Error>),
}

/// The cache of resolved callers.
#[derive(Clone)]
pub struct Principals {
    cache: Cache<String, Account>,
}

impl Principals {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self { cache: Cache::builder().max_capacity(100_000).time_to_live(ttl).build() }
    }

    /// The principal for `subject`, provisioning a pet owner on first sight.
    pub async fn resolve(&self, pool: &db::Pool, subject: &str) -> Result<Principal, ResolveError> {
        let account = self
            .cache
            .try_get_with(subject.to_owned(), async {
                let mut connection = db::connect(pool).await?;
                find_or_provision(&mut connection, subject).await
            })
            .await?;
        if !account.is_active {
            return Err(ResolveError::Deactivated);
        }
        Ok(Principal {
            user_id: account.user_id,
            subject: subject.to_owned(),
            role: account.role,
            memberships: account.memberships,
            credential: kernel::Credential::Session,
        })
    }

    /// Forgets `subject`, so its next request reads the row again.
    pub async fn invalidate(&self, subject: &str) {
        self.cache.invalidate(subject).await;
    }
}

async fn find_or_provision(connection: &mut AsyncPgConnection, subject: &str) -> kernel::Result<Account> {
    let user = crate::users::provision(connection, subject).await?;
    // The clinics' table, read here because every request's principal carries
    // its memberships and this crate is below `clinics` (a listed read).
    let memberships = clinic_memberships::table
        .filter(clinic_memberships::user_id.eq(user.id))
        .select((clinic_memberships::clinic_id, clinic_memberships::role))
        .load::<(ClinicId, Role)>(connection)
        .await?
        .into_iter()
        .map(|(clinic_id, role)| Membership { clinic_id, role })
        .collect();
    let may_sign_in = user.is_active && !user.provider_blocked;
    Ok(Account { user_id: user.id, role: user.role, is_active: may_sign_in, memberships })
}
