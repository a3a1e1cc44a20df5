//! The crate's background jobs: sending a delivery, an email to an address
//! without an account, and the daily purge.

mod deliver;
mod email_address;
mod purge;

pub use deliver::Deliver;
pub use email_address::EmailAddress;
pub use purge::PurgeOldNotifications;
