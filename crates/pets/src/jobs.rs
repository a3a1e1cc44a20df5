//! The reminder job: tells a pet's owners that care is coming due.

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::ReminderId;
use notifications::{Category, Notification, Template};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Settings;
use crate::api::{ReminderKind, ReminderStatus};
use crate::models::{Pet, Reminder};
use crate::service::reminders::{owners_of, stages};
use db::schema::{pet_reminders, pets};

/// Sends one stage of a reminder to the pet's owners.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendPetReminder {
    /// The reminder.
    pub reminder_id: ReminderId,
    /// Which stage (see [`crate::service::reminders::Stage::name`]).
    pub stage: String,
}

impl TaskHandler for SendPetReminder {
    const IDENTIFIER: &'static str = "pets_send_reminder";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let settings = context.get_ext::<Settings>().context("pets::Settings are not registered on the worker")?;
        let mut connection = resources.connect().await?;
        let last_stage = stages(settings).last().map(|stage| stage.name());
        let now = resources.clock.now();
        Ok(send(&mut connection, self.reminder_id, &self.stage, last_stage.as_deref(), now).await?)
    }
}

/// Sends the stage unless the reminder is no longer wanted, is snoozed, or
/// already had this stage; notifications and the sent mark commit together.
async fn send(
    connection: &mut AsyncPgConnection,
    id: ReminderId,
    stage: &str,
    last_stage: Option<&str>,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let Some(reminder) = pet_reminders::table
            .find(id)
            .select(Reminder::as_select())
            .for_update()
            .first::<Reminder>(connection)
            .await
            .optional()?
        else {
            return Ok(());
        };
        let snoozed = reminder.snoozed_until.is_some_and(|until| until > now) && !stage.starts_with("snoozed-");
        if reminder.status != ReminderStatus::Pending
            || snoozed
            || reminder.sent_stages.iter().any(|sent| sent == stage)
        {
            return Ok(());
        }
        let pet = pets::table.find(reminder.pet_id).select(Pet::as_select()).first::<Pet>(connection).await?;
        if !pet.is_active {
            return Ok(());
        }
        let today = now.date_naive();
        let care = match reminder.kind {
            ReminderKind::Vaccination => format!("{} vaccination", reminder.subject),
            ReminderKind::Medication => format!("{} (medication)", reminder.subject),
        };
        for owner in owners_of(connection, &pet).await? {
            let data = json!({
                "pet_name": pet.name,
                "care": care,
                "due_on": reminder.due_on.format("%e %B %Y").to_string().trim(),
                "overdue": reminder.due_on < today,
                "today": reminder.due_on == today,
            });
            let notification = Notification {
                category: Category::Reminder,
                template: Template::CareDue,
                data,
                sender: None,
                attachments: Vec::new(),
            };
            notifications::notify(connection, owner, &notification).await?;
        }
        let status = if Some(stage) == last_stage { ReminderStatus::Done } else { ReminderStatus::Pending };
        diesel::update(pet_reminders::table.find(id))
            .set((
                pet_reminders::sent_stages.eq(diesel::dsl::sql::<diesel::sql_types::Array<diesel::sql_types::Text>>(
                    "array_append(sent_stages, ",
                )
                .bind::<diesel::sql_types::Text, _>(stage.to_owned())
                .sql(")")),
                pet_reminders::last_sent_at.eq(now),
                pet_reminders::status.eq(status),
            ))
            .execute(connection)
            .await?;
        Ok(())
    })
    .await
}
