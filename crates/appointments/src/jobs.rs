//! The crate's jobs: appointment reminders and waitlist offer deadlines.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use graphile_worker::{IntoTaskHandlerResult, TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::{AppointmentId, WaitlistOfferId};
use platform::config::AppointmentSettings;
use serde::{Deserialize, Serialize};

use crate::availability;
use crate::models::Appointment;
use crate::service::messages::{self, Change};
use crate::service::waitlist;
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

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let resources = context.get_ext::<Resources>().ok_or("the worker has no Resources extension")?;
            let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
            remind(&mut connection, &self).await.map_err(|error| error.to_string())
        }
    }
}

async fn remind(connection: &mut diesel_async::AsyncPgConnection, job: &RemindOfAppointment) -> kernel::Result<()> {
    let sent = format!("{}h@{}", job.hours_before, job.starts_at.timestamp());
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
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
            let due = appointment.status.is_active()
                && appointment.starts_at == job.starts_at
                && appointment.starts_at > Utc::now();
            if !due || reminded.contains(&sent) {
                return Ok(());
            }
            let clinic = availability::clinic(connection, appointment.clinic_id).await?;
            messages::tell_owner(connection, &clinic, &appointment, Change::Reminder).await?;
            diesel::update(appointments::table.find(job.appointment_id))
                .set(
                    appointments::reminders_sent.eq(diesel::dsl::sql::<
                        diesel::sql_types::Array<diesel::sql_types::Text>,
                    >("array_append(reminders_sent, ")
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

    #[allow(clippy::manual_async_fn, reason = "the trait's exact signature")]
    fn run(self, context: WorkerContext) -> impl Future<Output = impl IntoTaskHandlerResult> + Send + 'static {
        async move {
            let resources = context.get_ext::<Resources>().ok_or("the worker has no Resources extension")?;
            let settings = context.get_ext::<AppointmentSettings>().ok_or("the worker has no AppointmentSettings")?;
            let mut connection = db::connect(&resources.db).await.map_err(|error| error.to_string())?;
            waitlist::expire(&mut connection, settings, self.offer_id).await.map_err(|error| error.to_string())
        }
    }
}
