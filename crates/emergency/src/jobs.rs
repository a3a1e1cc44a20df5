//! The crate's job: a round's deadline.

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::EmergencyCaseId;
use serde::{Deserialize, Serialize};

use crate::Settings;
use crate::models::Case;
use crate::service::{routing, updated};
use db::schema::emergency_cases;

/// At a round's deadline: what was not answered expires and the next round
/// starts (or the fallback). Run twice or late, it changes nothing: it acts
/// only while the case still waits on this round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NextRound {
    /// The case.
    pub case_id: EmergencyCaseId,
    /// The round whose deadline this is.
    pub round: i32,
}

impl TaskHandler for NextRound {
    const IDENTIFIER: &'static str = "emergency_next_round";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let settings = context.get_ext::<Settings>().context("emergency::Settings are not registered on the worker")?;
        let chat = context.get_ext::<chat::Settings>().context("chat::Settings are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        let now = resources.clock.now();
        let moved = db::transaction(&mut connection, async |connection| {
            let found: Option<Case> = emergency_cases::table
                .find(self.case_id)
                .select(Case::as_select())
                .for_update()
                .first(connection)
                .await
                .optional()?;
            let Some(mut case) = found else { return Ok(None) };
            let moved = routing::deadline(connection, settings, &mut case, self.round, now).await?;
            Ok::<_, kernel::Error>(moved.map(|_| case))
        })
        .await?;
        if let Some(case) = moved {
            chat::realtime::Realtime::for_jobs(resources, chat).fan_out(updated(&case)).await;
        }
        Ok(())
    }
}
