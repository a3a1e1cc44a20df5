//! The crate's background jobs: sending a delivery, and the daily purge.

mod deliver;
mod purge;

pub use deliver::Deliver;
pub use purge::PurgeOldNotifications;
