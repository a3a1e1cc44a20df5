//! The business logic, callable from any binary: async fns taking a connection
//! (so callers can compose them in one transaction) and the caller's
//! [`Principal`](kernel::Principal), returning `kernel::Result`.

pub mod admin;
pub mod api_keys;
pub mod audit_log;
pub mod me;
pub mod personal_data;
pub mod sync;
