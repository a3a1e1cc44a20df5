//! Appointment reminders: one job per `appointments.reminder_hours_before`,
//! keyed by appointment and lead time, enqueued with the booking and moved or
//! removed with it. The job checks the appointment still starts when it was
//! scheduled for, and records what it sent, so a re-run sends nothing twice.

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncPgConnection;
use jobs::{Batch, EnqueueOptions};
use kernel::AppointmentId;

use crate::jobs::RemindOfAppointment;

/// The job key of one reminder.
pub fn key(appointment: AppointmentId, hours_before: i64) -> String {
    format!("appointment-reminder:{appointment}:{hours_before}h")
}

/// Adds a new appointment's reminders still in the future to `jobs`.
pub fn schedule(
    jobs: &mut Batch,
    settings: &Settings,
    now: DateTime<Utc>,
    appointment: AppointmentId,
    starts_at: DateTime<Utc>,
) -> kernel::Result<()> {
    for &hours in &settings.reminder_hours_before {
        let at = starts_at - Duration::hours(hours);
        if at > now {
            let job = RemindOfAppointment { appointment_id: appointment, hours_before: hours, starts_at };
            let options =
                EnqueueOptions { run_at: Some(at), unique_key: Some(key(appointment, hours)), ..Default::default() };
            jobs.add(&job, options)?;
        }
    }
    Ok(())
}

/// Moves a rescheduled appointment's reminders: those now in the past are
/// removed at once, and those still in the future go into `jobs`, replacing
/// the pending ones (same keys) when the caller enqueues it.
pub async fn reschedule(
    connection: &mut AsyncPgConnection,
    jobs: &mut Batch,
    settings: &Settings,
    now: DateTime<Utc>,
    appointment: AppointmentId,
    starts_at: DateTime<Utc>,
) -> kernel::Result<()> {
    let past: Vec<String> = settings
        .reminder_hours_before
        .iter()
        .filter(|&&hours| starts_at - Duration::hours(hours) <= now)
        .map(|&hours| key(appointment, hours))
        .collect();
    jobs::cancel(connection, &past).await?;
    schedule(jobs, settings, now, appointment, starts_at)
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
