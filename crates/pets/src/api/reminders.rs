//! Care reminders as owners see them.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{PetId, RecordId, ReminderId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

kernel::text_enum!(
    /// Where a reminder stands.
    ReminderStatus as PetReminderStatus {
        /// Reminders will go out.
        Pending = "pending",
        /// The owner does not want it.
        Dismissed = "dismissed",
        /// A newer record for the same care replaced it.
        Cancelled = "cancelled",
        /// Every stage went out.
        Done = "done",
    }
);

kernel::text_enum!(
    /// What a reminder is for.
    ReminderKind as PetReminderKind {
        /// A vaccine's next dose.
        Vaccination = "vaccination",
        /// A medication's next dose or refill.
        Medication = "medication",
    }
);

/// Care coming due.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderView {
    /// The reminder's id (to snooze or dismiss it).
    pub id: ReminderId,
    /// The pet.
    pub pet_id: PetId,
    /// The record it follows from.
    pub record_id: RecordId,
    /// Vaccination or medication.
    pub kind: ReminderKind,
    /// The vaccine or drug.
    pub subject: String,
    /// Due on.
    pub due_on: NaiveDate,
    /// Where it stands.
    pub status: ReminderStatus,
    /// No reminder goes out before this.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The last reminder sent.
    pub last_sent_at: Option<DateTime<Utc>>,
}

/// `POST /pets/{id}/reminders/{reminder_id}/snooze`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Snooze {
    /// Days to wait before reminding again.
    #[validate(range(min = 1, max = 90))]
    #[schema(minimum = 1, maximum = 90)]
    #[serde(deserialize_with = "platform::extract::integer")]
    pub days: i64,
}
