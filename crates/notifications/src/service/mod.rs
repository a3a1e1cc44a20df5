//! The business logic: [`notify()`](notify::notify) for every crate, and the
//! inbox, devices, preferences and delivery log behind the HTTP API.

pub mod delivery_log;
pub mod devices;
pub mod inbox;
pub mod notify;
pub mod preferences;
