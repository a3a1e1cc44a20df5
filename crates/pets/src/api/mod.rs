//! Request and response bodies of the pets API.
//!
//! Requests are `deny_unknown_fields`: server-owned fields (`id`, `owner_id`,
//! `is_active`, `author_id`, ...) in a body are a 400, never silently applied.

pub mod household;
pub mod profile;
pub mod records;
pub mod reminders;

pub use household::*;
pub use profile::*;
pub use records::*;
pub use reminders::*;
