//! Personal data: what each crate holds about a person, so that a user can
//! take all of it away (export) and have it removed (erasure).
//!
//! Every crate that keeps data about a person implements [`Holder`] for its
//! own tables; the binary lists them in one [`Holders`], which `accounts`
//! walks for `GET /users/me/export` and for erasure (`DELETE /users/me` and
//! Clerk's `user.deleted`). A new crate that stores anything about a person
//! adds its holder there, or its data is neither exported nor erased.
//!
//! # Erasure policy
//!
//! Erasure runs in one transaction, every holder in [`Holders`] order, then
//! the account itself (`users::erase`):
//!
//! - **Removed**: the profile (names, email, phone, preferences), in-app
//!   notifications and their delivery log, channel preferences, quiet hours,
//!   push devices, stored idempotent answers, reviews the person wrote, their
//!   visit history, their clinic memberships, schedules and invitations, their
//!   co-ownerships and pet invitations, their waitlist places, and their
//!   uploads that are not part of a clinical record.
//! - **Cancelled**: their future appointments, each clinic told as for any
//!   cancellation (the slot goes to the waitlist).
//! - **Passed on or archived**: a pet they own passes to its longest-standing
//!   co-owner; a pet with no other owner is archived (inactive, no reminders,
//!   its photo deleted).
//! - **Retained without identity**: clinical records (health records,
//!   addenda, weights, record attachments, past appointments and their notes)
//!   that clinics must keep by law stay, attached to the pet and to an account
//!   row that no longer says who the person was; the audit log keeps ids and
//!   field names, never personal values. The account row keeps only its id and
//!   the identity provider's id, so a late webhook can never bring it back.
//!
//! A holder's `erase` is idempotent: erasure may run twice (the API, then the
//! provider's `user.deleted`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use kernel::UserId;

/// One crate's part of a person's data.
#[async_trait::async_trait]
pub trait Holder: Send + Sync + std::fmt::Debug {
    /// The key of this part in the export document, e.g. `"pets"`.
    fn section(&self) -> &'static str;

    /// About how many items [`Holder::export`] would hold for `user` (an
    /// export too large to build during a request is built by a job).
    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64>;

    /// Everything this crate holds about `user`, as JSON.
    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value>;

    /// Removes, anonymises or retains `user`'s data per the erasure policy,
    /// in the caller's transaction; `now` separates the future from the past.
    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, now: DateTime<Utc>) -> kernel::Result<()>;
}

/// Every [`Holder`] of a binary, in erasure order. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Holders(Arc<[Arc<dyn Holder>]>);

impl Holders {
    /// The holders, erased in this order.
    pub fn new(holders: Vec<Arc<dyn Holder>>) -> Self {
        Self(holders.into())
    }

    /// Each holder, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Holder> {
        self.0.iter().map(|holder| &**holder)
    }
}
