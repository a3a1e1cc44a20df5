//! Clerk's `user.*` event payloads, turned into [`ProviderEvent`]s.
//!
//! Only what we store is read; `private_metadata` and everything else in the
//! payload is ignored and never kept.

use chrono::{DateTime, Utc};
use kernel::Role;
use serde::Deserialize;

use crate::service::sync::{ProviderEvent, ProviderUser};

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    event_type: String,
    data: serde_json::Value,
}

#[derive(Debug, Deserialize)]
struct ClerkUser {
    id: String,
    #[serde(default)]
    email_addresses: Vec<EmailAddress>,
    primary_email_address_id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    #[serde(default)]
    phone_numbers: Vec<PhoneNumber>,
    primary_phone_number_id: Option<String>,
    #[serde(default)]
    public_metadata: serde_json::Value,
    #[serde(default)]
    banned: bool,
    #[serde(default)]
    locked: bool,
    /// Milliseconds since the epoch.
    updated_at: i64,
}

#[derive(Debug, Deserialize)]
struct EmailAddress {
    id: String,
    email_address: String,
    #[serde(default)]
    verification: Option<Verification>,
}

#[derive(Debug, Deserialize)]
struct Verification {
    status: String,
}

#[derive(Debug, Deserialize)]
struct PhoneNumber {
    id: String,
    phone_number: String,
}

#[derive(Debug, Deserialize)]
struct DeletedUser {
    id: String,
}

/// The event type and what it asks for; `Err` when the JSON is not a Clerk event.
pub fn parse(body: &[u8]) -> Result<(String, ProviderEvent), serde_json::Error> {
    let envelope: Envelope = serde_json::from_slice(body)?;
    let event = match envelope.event_type.as_str() {
        "user.created" | "user.updated" => {
            ProviderEvent::Upserted(provider_user(serde_json::from_value(envelope.data)?)?)
        }
        "user.deleted" => {
            let deleted: DeletedUser = serde_json::from_value(envelope.data)?;
            ProviderEvent::Deleted { clerk_id: deleted.id }
        }
        _ => ProviderEvent::Ignored,
    };
    Ok((envelope.event_type, event))
}

fn provider_user(user: ClerkUser) -> Result<ProviderUser, serde_json::Error> {
    use serde::de::Error;
    let updated_at = DateTime::<Utc>::from_timestamp_millis(user.updated_at)
        .ok_or_else(|| serde_json::Error::custom("updated_at is out of range"))?;
    let primary_email = primary(&user.email_addresses, user.primary_email_address_id.as_deref(), |email| &email.id);
    let email = primary_email.map(|email| email.email_address.to_lowercase());
    let email_verified = primary_email
        .and_then(|email| email.verification.as_ref())
        .is_some_and(|verification| verification.status == "verified");
    let phone = primary(&user.phone_numbers, user.primary_phone_number_id.as_deref(), |phone| &phone.id)
        .map(|phone| phone.phone_number.clone());
    Ok(ProviderUser {
        role: Role::from_provider(user.public_metadata.get("role").and_then(serde_json::Value::as_str)),
        clerk_id: user.id,
        email,
        email_verified,
        blocked: user.banned || user.locked,
        first_name: user.first_name.filter(|name| !name.is_empty()),
        last_name: user.last_name.filter(|name| !name.is_empty()),
        phone,
        updated_at,
    })
}

/// The entry whose id is `primary_id`, else the first one.
fn primary<'a, T>(items: &'a [T], primary_id: Option<&str>, id: impl Fn(&T) -> &String) -> Option<&'a T> {
    items.iter().find(|item| Some(id(item).as_str()) == primary_id).or_else(|| items.first())
}
