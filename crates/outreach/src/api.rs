//! What the campaign endpoints take and answer.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::{CampaignId, ClinicId, Species};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::Validate;

kernel::text_enum!(
    /// Where a campaign stands.
    CampaignStatus as CampaignStatus {
        /// Being written; nothing is sent.
        Draft = "draft",
        /// Waiting for its `send_at`.
        Scheduled = "scheduled",
        /// Its audience is chosen and its batches are going out.
        Sending = "sending",
        /// Every batch went out.
        Sent = "sent",
        /// Stopped before it was sent (batches not yet gone stay unsent).
        Cancelled = "cancelled",
    }
);

/// Which of the clinic's clients a campaign reaches: the owners and
/// co-owners of living pets in its care that meet every condition given.
/// Only those who opted in to marketing receive it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(as = CampaignAudience)]
pub struct Audience {
    /// Owners of pets of these species (any species when empty).
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub species: Vec<Species>,
    /// Owners whose last visit to the clinic was before this day (its lapsed
    /// clients; owners who never visited are not among them).
    pub last_visit_before: Option<NaiveDate>,
    /// Owners of a pet with a vaccination due within this many days (overdue
    /// ones included).
    #[serde(default, deserialize_with = "optional_days")]
    #[validate(range(min = 0, max = 365))]
    #[schema(minimum = 0, maximum = 365)]
    pub vaccination_due_within_days: Option<i32>,
    /// `true`: only owners with a pet in one of the clinic's wellness plans;
    /// `false`: only owners without; absent: either.
    pub active_plan: Option<bool>,
}

fn optional_days<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i32>, D::Error> {
    #[derive(Deserialize)]
    struct Days(#[serde(deserialize_with = "platform::extract::integer")] i32);
    Ok(Option::<Days>::deserialize(deserializer)?.map(|Days(days)| days))
}

/// `POST /clinics/{id}/campaigns`, `PUT …/{campaign_id}`: a campaign's words
/// and audience.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    /// What the clinic calls it ("Spring boosters"), 1 to 100 characters.
    #[validate(length(min = 1, max = 100), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// The email's subject, 1 to 150 characters.
    #[validate(length(min = 1, max = 150), custom(function = "platform::validation::one_line"))]
    #[schema(
        min_length = 1,
        max_length = 150,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub subject: String,
    /// The message, plain text; a blank line starts a paragraph. The email
    /// greets each client by name and ends with the clinic's name and an
    /// unsubscribe link.
    #[validate(length(min = 1, max = 20000), custom(function = "platform::validation::not_blank"))]
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub body: String,
    /// Who receives it.
    #[validate(nested)]
    #[serde(default)]
    pub audience: Audience,
}

/// `POST …/{campaign_id}/schedule`.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// When sending starts; now when absent. Not in the past.
    pub send_at: Option<DateTime<Utc>>,
}

/// A campaign with how its sending went.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignView {
    /// Its id.
    pub id: CampaignId,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// What the clinic calls it.
    pub name: String,
    /// The email's subject.
    pub subject: String,
    /// The message.
    pub body: String,
    /// Who receives it.
    pub audience: Audience,
    /// Where it stands.
    pub status: CampaignStatus,
    /// When sending starts (or started).
    pub send_at: Option<DateTime<Utc>>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When sending started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the last batch went out.
    pub finished_at: Option<DateTime<Utc>>,
    /// How sending went; absent before it started, and in lists. Read from
    /// the notifications' delivery log, kept `notifications.retention_days`.
    pub counts: Option<CampaignCounts>,
}

/// How a campaign's sending went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignCounts {
    /// Clients matching the audience when sending started.
    pub audience: i64,
    /// Of them, not opted in to marketing: never sent anything.
    pub without_consent: i64,
    /// Opted-in clients it is for.
    pub recipients: i64,
    /// Emails the mail server accepted.
    pub sent: i64,
    /// Emails not delivered: refused for good, out of attempts, or skipped
    /// (no address, the recipient unsubscribed before it went).
    pub failed: i64,
    /// Emails not sent yet (a later batch, quiet hours, a retry).
    pub pending: i64,
    /// Recipients sent the campaign on other channels only (no email opted in).
    pub other_channels: i64,
    /// Recipients who unsubscribed through it.
    pub unsubscribed: i64,
}

/// `GET …/{campaign_id}/audience`: how many clients it would reach now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudiencePreview {
    /// Clients matching the audience.
    pub matching: i64,
    /// Of them, opted in to marketing: who would receive it.
    pub consenting: i64,
}

/// `POST /unsubscribe/{token}`: what the link did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Unsubscribed {
    /// Always `true`: marketing is off for the link's recipient (again, if
    /// it already was).
    pub unsubscribed: bool,
    /// The clinic whose campaign carried the link.
    pub clinic_name: String,
}
