//! The crate's jobs: an unpaid order's deadline, and the draft invoice of
//! a completed visit (appointments' event).

use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::OrderId;
use serde::{Deserialize, Serialize};

use crate::service::{invoices, orders};

/// At an order's `pay_by`: still unpaid, it is cancelled and its stock given
/// back. Run twice or late, it changes nothing more.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpireOrder {
    /// The order.
    pub order_id: OrderId,
}

impl TaskHandler for ExpireOrder {
    const IDENTIFIER: &'static str = "commerce_expire_order";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        orders::expire(&mut connection, self.order_id, resources.clock.now()).await?;
        Ok(())
    }
}

/// Drafts the invoice of a completed visit (appointments publishes the
/// event; commerce reacts). Run twice, it drafts once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DraftVisitInvoice(pub appointments::events::AppointmentCompleted);

impl TaskHandler for DraftVisitInvoice {
    const IDENTIFIER: &'static str = <appointments::events::AppointmentCompleted as jobs::Event>::NAME;

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        invoices::draft_visit(&mut connection, &self.0, resources.clock.now()).await?;
        Ok(())
    }
}
