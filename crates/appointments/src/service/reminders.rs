//! Appointment reminders: one job per `appointments.reminder_hours_before`,
//! keyed by appointment and lead time, enqueued with the booking and moved or
//! removed with it. The job checks the appointment still starts when it was
//! scheduled for, and records what it sent, so a re-run sends nothing twice.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use jobs::{EnqueueOptions, enqueue_each};
use kernel::AppointmentId;

use crate::jobs::RemindOfAppointment;

/// The job key of one reminder.
pub fn key(appointment: AppointmentId, hours_before: i64) -> String {
    format!("appointment-reminder:{appointment}:{hours_before}h")
}

/// Schedules the reminders still in the future (replacing earlier ones).
pub async fn schedule(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    now: DateTime<Utc>,
    appointment: AppointmentId,
    starts_at: DateTime<Utc>,
) -> kernel::Result<()> {
    let mut due = Vec::new();
    let mut past = Vec::new();
    for &hours in &settings.reminder_hours_before {
        let at = starts_at - Duration::hours(hours);
        let keyed = key(appointment, hours);
        if at <= now {
            past.push(keyed);
            continue;
        }
        let job = RemindOfAppointment { appointment_id: appointment, hours_before: hours, starts_at };
        due.push((job, EnqueueOptions { run_at: Some(at), unique_key: Some(keyed), ..Default::default() }));
    }
    jobs::cancel(connection, &past).await?;
    enqueue_each(connection, &due).await
}

/// Removes the pending reminders.
pub async fn cancel(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    appointment: AppointmentId,
) -> kernel::Result<()> {
    let keys: Vec<String> = settings.reminder_hours_before.iter().map(|hours| key(appointment, *hours)).collect();
    jobs::cancel(connection, &keys).await
}
