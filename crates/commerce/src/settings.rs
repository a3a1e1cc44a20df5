//! `[commerce]`: how orders are paid, how long an unpaid one holds its
//! stock, and how long an unpaid plan renewal is retried.

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::ProviderName;

/// Checkout and payment rules.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Who takes the money: `offline` (at the clinic; needs no account) or `stripe`.
    pub payments: ProviderName,
    /// Hours an order paid at the clinic holds its stock before it is
    /// cancelled unpaid.
    pub offline_hold_hours: i64,
    /// Minutes an order paid online holds its stock before it is cancelled unpaid.
    pub online_hold_minutes: i64,
    /// Lines in one cart, at most.
    pub max_cart_lines: i64,
    /// Days an unpaid plan renewal keeps its benefits (and is retried)
    /// before the plan is suspended.
    pub plan_grace_days: u64,
    /// `[commerce.stripe]`, for `payments = "stripe"`.
    pub stripe: StripeSettings,
}

/// Stripe's API and webhooks.
#[derive(Debug, Clone, Deserialize)]
pub struct StripeSettings {
    /// `https://api.stripe.com` (tests point it at a local fake).
    pub api_base: String,
    /// The secret API key (`sk_…`).
    pub secret_key: Option<SecretString>,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: Option<SecretString>,
    /// Signatures older or newer than this many seconds are refused.
    pub webhook_tolerance_secs: i64,
    /// Longest wait for Stripe's answer, in milliseconds.
    pub timeout_ms: u64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "commerce";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if !(1..=24 * 30).contains(&self.offline_hold_hours) {
            return Err("offline_hold_hours must be 1 to 720".to_owned());
        }
        if !(5..=24 * 60).contains(&self.online_hold_minutes) {
            return Err("online_hold_minutes must be 5 to 1440".to_owned());
        }
        if !(1..=500).contains(&self.max_cart_lines) {
            return Err("max_cart_lines must be 1 to 500".to_owned());
        }
        let stripe = &self.stripe;
        if self.payments == ProviderName::Stripe && (stripe.secret_key.is_none() || stripe.webhook_secret.is_none()) {
            return Err("payments = \"stripe\" needs stripe.secret_key and stripe.webhook_secret".to_owned());
        }
        if !(1..=3600).contains(&stripe.webhook_tolerance_secs) || !(100..=60_000).contains(&stripe.timeout_ms) {
            return Err("stripe.webhook_tolerance_secs must be 1 to 3600 and stripe.timeout_ms 100 to 60000".to_owned());
        }
        Ok(())
    }
}
