//! Stripe: a PaymentIntent per order (created once: the order id is its
//! idempotency key), refunds against it, and the webhook events that say
//! how it went ([`event`], verified by [`signature`]). Every outgoing call
//! carries an `Idempotency-Key`, so a retried call never charges or refunds
//! twice.

pub mod event;
pub mod signature;

use std::time::Duration;

use anyhow::Context;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Charge, Collection, Provider, SavedCard};
use crate::api::ProviderName;
use crate::models::{Order, Payment};
use crate::settings::StripeSettings;

/// Stripe's REST API.
#[derive(Debug)]
pub struct Stripe {
    client: reqwest::Client,
    base: String,
    secret_key: SecretString,
}

#[derive(Deserialize)]
struct Intent {
    id: String,
    client_secret: String,
}

#[derive(Deserialize)]
struct Customer {
    id: String,
}

#[derive(Deserialize)]
struct Charged {
    id: String,
    status: String,
}

#[derive(Deserialize)]
struct Refund {
    id: String,
    status: String,
}

#[derive(Deserialize)]
struct Failure {
    error: FailureDetail,
}

#[derive(Deserialize)]
struct FailureDetail {
    message: Option<String>,
}

impl Stripe {
    /// Needs `secret_key`.
    pub fn new(settings: &StripeSettings) -> anyhow::Result<Self> {
        let secret_key = settings.secret_key.clone().context("commerce.stripe.secret_key is required for stripe")?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms))
            .connect_timeout(Duration::from_millis(settings.timeout_ms.min(5_000)))
            .build()
            .context("Stripe's HTTP client")?;
        Ok(Self { client, base: settings.api_base.trim_end_matches('/').to_owned(), secret_key })
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        key: &str,
        form: &[(&str, String)],
        name: &'static str,
    ) -> kernel::Result<T> {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(self.secret_key.expose_secret())
            .header("Idempotency-Key", key)
            .form(form);
        let unavailable = |_| kernel::Error::Unavailable { dependency: "payment provider" };
        let response = platform::telemetry::send(request, name).await.map_err(unavailable)?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(unavailable);
        }
        let message = response.json::<Failure>().await.ok().and_then(|failure| failure.error.message);
        tracing::warn!(%status, call = name, "Stripe refused a call");
        match status.as_u16() {
            400 | 402 | 404 | 409 => Err(kernel::Error::conflict(
                message.unwrap_or_else(|| "the payment provider refused the request".to_owned()),
            )),
            _ => Err(kernel::Error::Unavailable { dependency: "payment provider" }),
        }
    }
}

#[async_trait::async_trait]
impl Provider for Stripe {
    fn name(&self) -> ProviderName {
        ProviderName::Stripe
    }

    async fn collect(&self, order: &Order) -> kernel::Result<Collection> {
        let form = [
            ("amount", minor_units(order.total, &order.currency)?.to_string()),
            ("currency", order.currency.to_lowercase()),
            ("metadata[order_id]", order.id.to_string()),
            ("automatic_payment_methods[enabled]", "true".to_owned()),
        ];
        let key = format!("order-{}", order.id);
        let intent: Intent = self.post("/v1/payment_intents", &key, &form, "stripe create payment intent").await?;
        Ok(Collection { reference: intent.id, client_secret: intent.client_secret })
    }

    async fn refund(&self, payment: &Payment, amount: Decimal, key: &str) -> kernel::Result<Option<String>> {
        let intent =
            payment.reference.clone().ok_or_else(|| kernel::Error::conflict("the payment was never started"))?;
        let form = [("payment_intent", intent), ("amount", minor_units(amount, &payment.currency)?.to_string())];
        let refund: Refund = self.post("/v1/refunds", key, &form, "stripe refund").await?;
        if matches!(refund.status.as_str(), "failed" | "canceled") {
            return Err(kernel::Error::conflict("the payment provider could not refund the payment"));
        }
        Ok(Some(refund.id))
    }

    async fn save_card(&self, payment_method: &str, key: &str) -> kernel::Result<SavedCard> {
        let form = [
            ("payment_method", payment_method.to_owned()),
            ("invoice_settings[default_payment_method]", payment_method.to_owned()),
        ];
        let customer: Customer = self.post("/v1/customers", key, &form, "stripe create customer").await?;
        Ok(SavedCard { customer: customer.id, payment_method: payment_method.to_owned() })
    }

    async fn charge_saved(&self, order: &Order, card: &SavedCard, key: &str) -> kernel::Result<Charge> {
        let form = [
            ("amount", minor_units(order.total, &order.currency)?.to_string()),
            ("currency", order.currency.to_lowercase()),
            ("customer", card.customer.clone()),
            ("payment_method", card.payment_method.clone()),
            ("off_session", "true".to_owned()),
            ("confirm", "true".to_owned()),
            ("metadata[order_id]", order.id.to_string()),
        ];
        // Stripe answers a declined card with 402 (a conflict here).
        match self.post::<Charged>("/v1/payment_intents", key, &form, "stripe charge saved card").await {
            Ok(charged) if charged.status == "succeeded" => Ok(Charge::Succeeded { reference: charged.id }),
            Ok(charged) => Ok(Charge::Declined { reason: format!("the payment needs the owner ({})", charged.status) }),
            Err(kernel::Error::Conflict { message, .. }) => Ok(Charge::Declined { reason: message }),
            Err(other) => Err(other),
        }
    }
}

/// Currencies Stripe counts in whole units (no cents).
const ZERO_DECIMAL: [&str; 16] =
    ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

/// `amount` in the currency's smallest unit, as Stripe counts it.
pub fn minor_units(amount: Decimal, currency: &str) -> kernel::Result<i64> {
    let factor = if ZERO_DECIMAL.contains(&currency.to_uppercase().as_str()) { 1 } else { 100 };
    let scaled = amount * Decimal::from(factor);
    if scaled.fract() != Decimal::ZERO {
        return Err(kernel::Error::invalid_field("amount", format!("{currency} has no fractions of its unit")));
    }
    scaled.to_i64().ok_or_else(|| kernel::Error::invalid_field("amount", "is too large"))
}

/// An amount Stripe counted in the currency's smallest unit.
pub fn from_minor_units(units: i64, currency: &str) -> Decimal {
    let scale = if ZERO_DECIMAL.contains(&currency.to_uppercase().as_str()) { 0 } else { 2 };
    let mut amount = Decimal::new(units, scale);
    amount.rescale(2);
    amount
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_counted_in_the_currencys_smallest_unit() {
        assert_eq!(minor_units("234.09".parse().unwrap(), "EUR").unwrap(), 23_409);
        assert_eq!(minor_units("1500".parse().unwrap(), "JPY").unwrap(), 1_500);
        assert!(minor_units("1500.50".parse().unwrap(), "jpy").is_err());
        assert_eq!(from_minor_units(23_409, "eur").to_string(), "234.09");
        assert_eq!(from_minor_units(1_500, "JPY").to_string(), "1500.00");
    }
}
