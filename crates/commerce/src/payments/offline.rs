//! Paid at the clinic: its desk records the payment, and gives refunds back
//! there. Nothing to call.

use rust_decimal::Decimal;

use super::{Collection, Provider};
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
}
