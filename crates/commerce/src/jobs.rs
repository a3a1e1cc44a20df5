//! The crate's jobs: an unpaid order's deadline, the draft invoice of a
//! completed visit (appointments' event), each issued invoice's PDF, sales
//! reports, and the daily plan renewals and repeat orders.

use anyhow::Context;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::OrderId;
use serde::{Deserialize, Serialize};

use crate::Settings;
use crate::payments::Payments;
use crate::service::{autoship, documents, invoices, orders, renewals, reports};

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

/// Builds a sales report someone asked for (once: a built one is left alone).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildSalesReport {
    /// The report.
    pub report_id: uuid::Uuid,
}

impl TaskHandler for BuildSalesReport {
    const IDENTIFIER: &'static str = "commerce_build_sales_report";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let uploads = context.get_ext::<media::Uploads>().context("media::Uploads are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        reports::build(&mut connection, uploads, self.report_id, resources.clock.now()).await?;
        Ok(())
    }
}

/// Stores an issued invoice's PDF and emails it to the owner (once: a
/// stored one is left alone).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendInvoice {
    /// The invoice or credit note.
    pub invoice_id: uuid::Uuid,
}

impl TaskHandler for SendInvoice {
    const IDENTIFIER: &'static str = "commerce_send_invoice";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let uploads = context.get_ext::<media::Uploads>().context("media::Uploads are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        documents::send(&mut connection, uploads, self.invoice_id).await?;
        Ok(())
    }
}

/// The daily plan renewals ([`renewals`]): run late or twice, a period is
/// still charged once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenewPlans {}

impl RenewPlans {
    /// The daily cron entry (02:15 UTC; a missed day is caught up).
    pub const CRONTAB: &'static str = "15 2 * * * commerce_renew_plans ?fill=2d {}";
}

impl TaskHandler for RenewPlans {
    const IDENTIFIER: &'static str = "commerce_renew_plans";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let (settings, payments) = commerce_of(&context)?;
        let summary = renew_plans(Resources::of(&context)?, settings, payments).await?;
        tracing::info!(?summary, "plans renewed");
        Ok(())
    }
}

/// One renewal run at the resources' clock (the job; tests advance the clock).
pub async fn renew_plans(
    resources: &Resources,
    settings: &Settings,
    payments: &Payments,
) -> anyhow::Result<renewals::Summary> {
    let mut connection = resources.connect().await?;
    Ok(renewals::run(&mut connection, settings, payments, resources.clock.now()).await?)
}

/// The daily repeat orders ([`autoship`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunAutoships {}

impl RunAutoships {
    /// The daily cron entry (02:45 UTC; a missed day is caught up).
    pub const CRONTAB: &'static str = "45 2 * * * commerce_run_autoships ?fill=2d {}";
}

impl TaskHandler for RunAutoships {
    const IDENTIFIER: &'static str = "commerce_run_autoships";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let (settings, _) = commerce_of(&context)?;
        let summary = run_autoships(Resources::of(&context)?, settings).await?;
        tracing::info!(?summary, "repeat orders placed");
        Ok(())
    }
}

/// One autoship run at the resources' clock (the job; tests advance the clock).
pub async fn run_autoships(resources: &Resources, settings: &Settings) -> anyhow::Result<autoship::Summary> {
    let mut connection = resources.connect().await?;
    Ok(autoship::run(&mut connection, settings, resources.clock.now()).await?)
}

fn commerce_of(context: &WorkerContext) -> anyhow::Result<(&Settings, &Payments)> {
    let settings = context.get_ext::<Settings>().context("commerce::Settings are not registered on the worker")?;
    let payments = context.get_ext::<Payments>().context("commerce Payments are not registered on the worker")?;
    Ok((settings, payments))
}
