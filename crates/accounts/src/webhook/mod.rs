//! Clerk webhooks: the event payloads (signatures: `platform::webhook_signature`).

pub mod clerk_event;
