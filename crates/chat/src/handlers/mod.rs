//! The chat's HTTP handlers: thin, the rules are in [`crate::service`].

pub mod conversations;
pub mod messages;
pub mod realtime;
