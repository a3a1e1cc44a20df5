//! The crate's jobs: appointment reminders, waitlist offer deadlines, and
//! following a pet's transfer or deletion (`pets::events`).

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::{AppointmentId, WaitlistOfferId};
use serde::{Deserialize, Serialize};

use crate::Settings;
use crate::availability;
use crate::models::Appointment;
use crate::service::messages::{self, Change};
use crate::service::{pet_events, waitlist};
use db::schema::appointments;

/// Reminds the owner of an appointment `hours_before` it starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemindOfAppointment {
    /// The appointment.
    pub appointment_id: AppointmentId,
    /// Lead time, from `appointments.reminder_hours_before`.
    pub hours_before: i64,
    /// The start it was scheduled for: a moved appointment's old reminder is void.
    pub starts_at: DateTime<Utc>,
}

impl TaskHandler for RemindOfAppointment {
    const IDENTIFIER: &'static str = "appointments_remind";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        Ok(remind(&mut connection, &self, resources.clock.now()).await?)
    }
}

async fn remind(
    connection: &mut diesel_async::AsyncPgConnection,
    job: &RemindOfAppointment,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let sent = format!("{}h@{}", job.hours_before, job.starts_at.timestamp());
    db::transaction(connection, async |connection| {
        let Some((appointment, reminded)) = appointments::table
            .find(job.appointment_id)
            .select((Appointment::as_select(), appointments::reminders_sent))
            .for_update()
            .first::<(Appointment, Vec<String>)>(connection)
            .await
            .optional()?
        else {
            return Ok(());
        };
        let due =
            appointment.status.is_active() && appointment.starts_at == job.starts_at && appointment.starts_at > now;
        if !due || reminded.contains(&sent) {
            return Ok(());
        }
        let clinic = availability::clinic(connection, appointment.clinic_id).await?;
        messages::tell_owner(connection, &clinic, &appointment, Change::Reminder).await?;
        diesel::update(appointments::table.find(job.appointment_id))
            .set(
                appointments::reminders_sent.eq(diesel::dsl::sql::<diesel::sql_types::Array<diesel::sql_types::Text>>(
                    "array_append(reminders_sent, ",
                )
                .bind::<diesel::sql_types::Text, _>(sent.clone())
                .sql(")")),
            )
            .execute(connection)
            .await?;
        Ok(())
    })
    .await
}

/// Passes a waitlist offer nobody accepted to the next in line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpireWaitlistOffer {
    /// The offer.
    pub offer_id: WaitlistOfferId,
}

impl TaskHandler for ExpireWaitlistOffer {
    const IDENTIFIER: &'static str = "appointments_expire_offer";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let settings =
            context.get_ext::<Settings>().context("appointments::Settings are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        Ok(waitlist::expire(&mut connection, settings, resources.clock.now(), self.offer_id).await?)
    }
}

/// Moves a transferred pet's upcoming appointments to its new owner.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FollowPetTransfer(pub pets::events::PetTransferred);

impl TaskHandler for FollowPetTransfer {
    const IDENTIFIER: &'static str = <pets::events::PetTransferred as jobs::Event>::NAME;

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        Ok(pet_events::follow_transfer(&mut connection, &self.0, resources.clock.now()).await?)
    }
}

/// Cancels a deleted pet's upcoming appointments.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CancelForRemovedPet(pub pets::events::PetRemoved);

impl TaskHandler for CancelForRemovedPet {
    const IDENTIFIER: &'static str = <pets::events::PetRemoved as jobs::Event>::NAME;

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let settings =
            context.get_ext::<Settings>().context("appointments::Settings are not registered on the worker")?;
        let resources = Resources::of(&context)?;
        let mut connection = resources.connect().await?;
        Ok(pet_events::cancel_for_removed_pet(&mut connection, settings, &self.0, resources.clock.now()).await?)
    }
}
