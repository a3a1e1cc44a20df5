//! The part of a Stripe event commerce reads: its id and type, and the
//! PaymentIntent it is about.

use serde::Deserialize;

/// A webhook event.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// `evt_…`: applied once.
    pub id: String,
    /// E.g. `payment_intent.succeeded`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is about.
    pub data: Data,
}

/// The event's object.
#[derive(Debug, Clone, Deserialize)]
pub struct Data {
    /// For `payment_intent.*` events, the PaymentIntent.
    pub object: Object,
}

/// A PaymentIntent, as far as commerce reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct Object {
    /// `pi_…`: the payment's reference.
    pub id: String,
    /// Received, in the currency's smallest unit.
    #[serde(default)]
    pub amount_received: i64,
    /// Its currency, lower-case.
    #[serde(default)]
    pub currency: String,
}

/// What an event means for a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The money was received.
    Succeeded,
    /// An attempt failed; the owner may try again until `pay_by`.
    AttemptFailed,
    /// The PaymentIntent was cancelled: no payment will come.
    Cancelled,
}

impl Event {
    /// What it means, or `None` for events commerce does not act on.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.kind.as_str() {
            "payment_intent.succeeded" => Some(Outcome::Succeeded),
            "payment_intent.payment_failed" => Some(Outcome::AttemptFailed),
            "payment_intent.canceled" => Some(Outcome::Cancelled),
            _ => None,
        }
    }
}
