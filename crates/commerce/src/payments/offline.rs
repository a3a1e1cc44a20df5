//! Paid at the clinic: its desk records the payment, and gives refunds back
//! there. Nothing to call.

use rust_decimal::Decimal;

use super::{Charge, Collection, Provider, SavedCard};
use crate::api::ProviderName;
use crate::models::{Order, Payment};

/// The default provider: no account, no network.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

#[async_trait::async_trait]
impl Provider for Offline {
    fn name(&self) -> ProviderName {
        ProviderName::Offline
    }

    async fn collect(&self, _: &Order) -> kernel::Result<Collection> {
        Err(kernel::Error::conflict("this order is paid at the clinic"))
    }

    async fn refund(&self, _: &Payment, _: Decimal, _: &str) -> kernel::Result<Option<String>> {
        Ok(None)
    }

    async fn save_card(&self, _: &str, _: &str) -> kernel::Result<SavedCard> {
        Err(kernel::Error::invalid_field("payment_method", "payments are taken at the clinic: leave it out"))
    }

    async fn charge_saved(&self, _: &Order, _: &SavedCard, _: &str) -> kernel::Result<Charge> {
        Err(kernel::Error::conflict("payments are taken at the clinic"))
    }
}
