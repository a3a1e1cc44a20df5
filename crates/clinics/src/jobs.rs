//! What this crate does in the background: telling a clinic's admins that
//! one of its webhooks was disabled (notifications publishes the event; the
//! clinic's admins are this crate's to know).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::{Role, UserId};
use notifications::Notification;
use notifications::webhooks::WebhookDisabled;
use serde::{Deserialize, Serialize};

use db::schema::clinic_memberships;

/// Tells every admin of the clinic that its webhook stopped receiving events
/// and how to turn it back on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TellAdminsWebhookDisabled(pub WebhookDisabled);

impl TaskHandler for TellAdminsWebhookDisabled {
    const IDENTIFIER: &'static str = <WebhookDisabled as jobs::Event>::NAME;

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let mut connection = Resources::of(&context)?.connect().await?;
        let disabled = &self.0;
        let admins: Vec<UserId> = clinic_memberships::table
            .filter(clinic_memberships::clinic_id.eq(disabled.clinic_id))
            .filter(clinic_memberships::role.eq(Role::ClinicAdmin))
            .select(clinic_memberships::user_id)
            .load(&mut connection)
            .await?;
        let details = format!(
            "Events are no longer sent to {} ({}). Fix the receiver, then enable the webhook again; \
             deliveries given up meanwhile can be sent again from its delivery log.",
            disabled.url, disabled.reason
        );
        let notice = Notification::account_notice("A webhook was disabled", &details);
        let notices: Vec<(UserId, &Notification)> = admins.iter().map(|admin| (*admin, &notice)).collect();
        db::transaction(&mut connection, async |connection| notifications::notify_each(connection, &notices).await)
            .await?;
        Ok(())
    }
}
