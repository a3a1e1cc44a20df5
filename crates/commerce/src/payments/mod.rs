//! Who takes the money, behind one [`Provider`] trait: [`offline`] (the
//! clinic's desk records it; needs no account, the default) and
//! [`stripe`] (PaymentIntents over Stripe's REST API, confirmed by signed
//! webhooks). The rest of the crate sees only [`Payments`].

pub mod offline;
pub mod stripe;

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::Settings;
use crate::api::ProviderName;
use crate::models::{Order, Payment};

/// An online payment under way: what the client confirms it with.
#[derive(Debug, Clone)]
pub struct Collection {
    /// The provider's id of it.
    pub reference: String,
    /// What the client's payment form needs (never stored, never logged).
    pub client_secret: String,
}

/// How charging a saved card went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    /// The money is taken: the provider's id of the payment.
    Succeeded {
        /// The provider's id of it.
        reference: String,
    },
    /// The card was refused (insufficient funds, expired, needs the owner).
    Declined {
        /// The provider's reason, for the owner.
        reason: String,
    },
}

/// A card saved with the provider for charges without the owner present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCard {
    /// The provider's customer.
    pub customer: String,
    /// The card (payment method) under it.
    pub payment_method: String,
}

/// A payment provider.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Its name, stored with each payment.
    fn name(&self) -> ProviderName;

    /// Starts (or, asked again, returns) the online payment of `order`.
    async fn collect(&self, order: &Order) -> kernel::Result<Collection>;

    /// Pays `amount` of `payment` back; the provider's reference of the
    /// refund, if it has one. The same `key` never refunds twice.
    async fn refund(&self, payment: &Payment, amount: Decimal, key: &str) -> kernel::Result<Option<String>>;

    /// Saves the card the owner's payment form gave (`payment_method`) for
    /// later charges (a plan's renewals); `key` makes a repeated call save once.
    async fn save_card(&self, payment_method: &str, key: &str) -> kernel::Result<SavedCard>;

    /// Charges `order` to a saved card, the owner absent; the same `key`
    /// never charges twice.
    async fn charge_saved(&self, order: &Order, card: &SavedCard, key: &str) -> kernel::Result<Charge>;
}

/// The configured provider, shared.
#[derive(Debug, Clone)]
pub struct Payments(Arc<dyn Provider>);

impl Payments {
    /// The provider `settings.payments` names.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        Ok(match settings.payments {
            ProviderName::Offline => Self(Arc::new(offline::Offline)),
            ProviderName::Stripe => Self(Arc::new(stripe::Stripe::new(&settings.stripe)?)),
        })
    }

    /// A provider of one's own (tests).
    pub fn with(provider: impl Provider + 'static) -> Self {
        Self(Arc::new(provider))
    }
}

impl std::ops::Deref for Payments {
    type Target = dyn Provider;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}
