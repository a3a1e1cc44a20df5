//! Care reminders: a vaccination or medication with a next due date becomes a
//! reminder, announced to the pet's owners in stages (days before, on the day,
//! overdue follow-ups; `pets.reminder_*` settings), each stage a job keyed by
//! the reminder and the stage and enqueued in the record's transaction.
//!
//! A newer record for the same vaccine or drug cancels the older reminders
//! and removes their pending jobs; dismissing stops a reminder; snoozing skips
//! the stages until the snooze ends, then reminds once more. A job finding its
//! reminder no longer pending (or snoozed) does nothing, and a stage already
//! sent is never sent again, so at-least-once delivery sends each stage once.

use crate::Settings;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jobs::{EnqueueOptions, enqueue};
use kernel::{PetId, Principal, ReminderId, UserId};

use crate::access;
use crate::api::{RecordDetails, ReminderStatus, ReminderView};
use crate::jobs::SendPetReminder;
use crate::models::{HealthRecord, Pet, Reminder};
use db::schema::pet_reminders;

/// One point in a reminder's life at which the owners hear about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// This many days before the due date.
    Before(i64),
    /// On the due date.
    Due,
    /// This many days after it.
    Overdue(i64),
    /// When a snooze ends (its end, in seconds since the epoch).
    Snoozed(i64),
}

impl Stage {
    /// The stage's name, as in job keys and `sent_stages`.
    pub fn name(&self) -> String {
        match self {
            Self::Before(days) => format!("before-{days}"),
            Self::Due => "due".to_owned(),
            Self::Overdue(days) => format!("overdue-{days}"),
            Self::Snoozed(until) => format!("snoozed-{until}"),
        }
    }

    /// The day the stage falls on, for a due date.
    fn day(&self, due_on: NaiveDate) -> NaiveDate {
        match self {
            Self::Before(days) => due_on - Duration::days(*days),
            Self::Due | Self::Snoozed(_) => due_on,
            Self::Overdue(days) => due_on + Duration::days(*days),
        }
    }

    /// Whether the owners hear it is overdue (rather than coming up).
    pub fn is_overdue(&self, due_on: NaiveDate, today: NaiveDate) -> bool {
        matches!(self, Self::Overdue(_)) || (matches!(self, Self::Snoozed(_)) && due_on < today)
    }
}

/// The scheduled stages of every reminder, from the settings.
pub fn stages(settings: &Settings) -> Vec<Stage> {
    let before = settings.reminder_lead_days.iter().filter(|days| **days > 0).map(|days| Stage::Before(*days));
    let overdue = settings.reminder_overdue_days.iter().filter(|days| **days > 0).map(|days| Stage::Overdue(*days));
    before.chain(std::iter::once(Stage::Due)).chain(overdue).collect()
}

/// The job key of one stage of one reminder.
pub fn job_key(reminder: ReminderId, stage: &Stage) -> String {
    format!("pet-reminder:{reminder}:{}", stage.name())
}

/// Makes the reminders follow a record that was just written or edited: the
/// pending reminders of the same care (and this record's own) are cancelled,
/// and a due date, if any, gets a new reminder with its stages scheduled.
pub async fn follow_record(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    pet: &Pet,
    record: &HealthRecord,
    details: &RecordDetails,
) -> kernel::Result<()> {
    let replaced: Vec<ReminderId> = diesel::update(
        pet_reminders::table
            .filter(pet_reminders::pet_id.eq(pet.id))
            .filter(pet_reminders::status.eq(ReminderStatus::Pending))
            .filter(pet_reminders::record_id.eq(record.id).or(same_care(details))),
    )
    .set(pet_reminders::status.eq(ReminderStatus::Cancelled))
    .returning(pet_reminders::id)
    .get_results(connection)
    .await?;
    for reminder in replaced {
        remove_jobs(connection, settings, reminder).await?;
    }
    let Some((kind, subject, Some(due_on))) = details.due() else { return Ok(()) };
    let id = ReminderId::new();
    diesel::insert_into(pet_reminders::table)
        .values((
            pet_reminders::id.eq(id),
            pet_reminders::pet_id.eq(pet.id),
            pet_reminders::record_id.eq(record.id),
            pet_reminders::kind.eq(kind),
            pet_reminders::subject.eq(subject.trim()),
            pet_reminders::due_on.eq(due_on),
        ))
        .execute(connection)
        .await?;
    let zone = platform::users::time_zone(connection, pet.primary_owner_id).await?;
    let now = Utc::now();
    for stage in stages(settings) {
        let at = local_time(zone, stage.day(due_on), settings.reminder_hour);
        if at > now {
            schedule(connection, id, &stage, at).await?;
        }
    }
    Ok(())
}

/// The caller's view of the pet's reminders, soonest due first.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
) -> kernel::Result<Vec<ReminderView>> {
    access::resolve(connection, principal, pet).await?;
    let rows: Vec<Reminder> = pet_reminders::table
        .filter(pet_reminders::pet_id.eq(pet))
        .order((pet_reminders::due_on, pet_reminders::id))
        .select(Reminder::as_select())
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(ReminderView::from).collect())
}

/// Holds a pending reminder back for `days`, then reminds once (owners).
pub async fn snooze(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    reminder: ReminderId,
    days: i64,
    now: DateTime<Utc>,
) -> kernel::Result<ReminderView> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_owner(), "snooze this pet's reminders")?;
    let until = now + Duration::days(days);
    db::transaction(connection, async |connection| {
        let updated = diesel::update(
            pet_reminders::table
                .filter(pet_reminders::id.eq(reminder))
                .filter(pet_reminders::pet_id.eq(pet))
                .filter(pet_reminders::status.eq(ReminderStatus::Pending)),
        )
        .set(pet_reminders::snoozed_until.eq(until))
        .returning(Reminder::as_returning())
        .get_result::<Reminder>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "pending reminder" })?;
        schedule(connection, reminder, &Stage::Snoozed(until.timestamp()), until).await?;
        Ok(ReminderView::from(updated))
    })
    .await
}

/// Stops a pending reminder for good (owners).
pub async fn dismiss(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    pet: PetId,
    reminder: ReminderId,
) -> kernel::Result<ReminderView> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.is_owner(), "dismiss this pet's reminders")?;
    db::transaction(connection, async |connection| {
        let updated = diesel::update(
            pet_reminders::table
                .filter(pet_reminders::id.eq(reminder))
                .filter(pet_reminders::pet_id.eq(pet))
                .filter(pet_reminders::status.eq(ReminderStatus::Pending)),
        )
        .set(pet_reminders::status.eq(ReminderStatus::Dismissed))
        .returning(Reminder::as_returning())
        .get_result::<Reminder>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "pending reminder" })?;
        remove_jobs(connection, settings, reminder).await?;
        Ok(ReminderView::from(updated))
    })
    .await
}

/// Cancels every pending reminder of a deleted pet (their jobs become no-ops).
pub async fn stop_all_for_pet(connection: &mut AsyncPgConnection, pet: PetId) -> kernel::Result<()> {
    diesel::update(
        pet_reminders::table
            .filter(pet_reminders::pet_id.eq(pet))
            .filter(pet_reminders::status.eq(ReminderStatus::Pending)),
    )
    .set(pet_reminders::status.eq(ReminderStatus::Cancelled))
    .execute(connection)
    .await?;
    Ok(())
}

/// `local_hour:00` on `day` in `zone`, as an instant (the later hour when a
/// daylight-saving gap swallows it).
pub fn local_time(zone: Tz, day: NaiveDate, local_hour: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(local_hour.min(23), 0, 0).unwrap_or_default();
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(naive + Duration::hours(1))).earliest())
        .map_or_else(|| naive.and_utc(), |local| local.with_timezone(&Utc))
}

/// The recipients of a pet's reminders: its primary owner and co-owners.
pub async fn owners_of(connection: &mut AsyncPgConnection, pet: &Pet) -> kernel::Result<Vec<UserId>> {
    use db::schema::pet_co_owners;
    let co_owners: Vec<UserId> = pet_co_owners::table
        .filter(pet_co_owners::pet_id.eq(pet.id))
        .select(pet_co_owners::user_id)
        .load(connection)
        .await?;
    Ok(std::iter::once(pet.primary_owner_id).chain(co_owners).collect())
}

/// Pending reminders for the same vaccine or drug as `details`.
fn same_care(
    details: &RecordDetails,
) -> Box<dyn BoxableExpression<pet_reminders::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>> {
    match details.due() {
        Some((kind, subject, _)) => Box::new(
            pet_reminders::kind.eq(kind).and(
                diesel::dsl::sql::<diesel::sql_types::Bool>("lower(pet_reminders.subject) = ")
                    .bind::<diesel::sql_types::Text, _>(subject.trim().to_lowercase()),
            ),
        ),
        None => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")),
    }
}

async fn schedule(
    connection: &mut AsyncPgConnection,
    reminder: ReminderId,
    stage: &Stage,
    at: DateTime<Utc>,
) -> kernel::Result<()> {
    let job = SendPetReminder { reminder_id: reminder, stage: stage.name() };
    let options = EnqueueOptions { run_at: Some(at), unique_key: Some(job_key(reminder, stage)), ..Default::default() };
    enqueue(connection, &job, options).await.map(drop)
}

async fn remove_jobs(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    reminder: ReminderId,
) -> kernel::Result<()> {
    let snoozed: Option<DateTime<Utc>> =
        pet_reminders::table.find(reminder).select(pet_reminders::snoozed_until).first(connection).await?;
    let mut keys: Vec<String> = stages(settings).iter().map(|stage| job_key(reminder, stage)).collect();
    keys.extend(snoozed.map(|until| job_key(reminder, &Stage::Snoozed(until.timestamp()))));
    jobs::cancel(connection, &keys).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_go_out_at_the_local_hour_across_daylight_saving() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap_or(Tz::UTC);
        let winter = local_time(berlin, NaiveDate::from_ymd_opt(2026, 3, 28).unwrap_or_default(), 9);
        let summer = local_time(berlin, NaiveDate::from_ymd_opt(2026, 3, 30).unwrap_or_default(), 9);
        assert_eq!(winter.to_rfc3339(), "2026-03-28T08:00:00+00:00");
        assert_eq!(summer.to_rfc3339(), "2026-03-30T07:00:00+00:00");
    }

    #[test]
    fn stages_run_from_the_earliest_lead_to_the_last_follow_up() {
        let settings = Settings {
            invitation_ttl_days: 14,
            reminder_lead_days: vec![14, 3],
            reminder_overdue_days: vec![7],
            reminder_hour: 9,
            due_soon_days: 30,
        };
        let names: Vec<String> = stages(&settings).iter().map(Stage::name).collect();
        assert_eq!(names, ["before-14", "before-3", "due", "overdue-7"]);
    }
}
