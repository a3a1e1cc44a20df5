//! Clerk webhooks: Svix signatures and the event payloads.

pub mod clerk_event;
pub mod signature;
