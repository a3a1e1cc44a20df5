//! What the queue administration answers.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};
use serde::Serialize;
use utoipa::ToSchema;

/// How many jobs of one kind are in one state.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct QueueDepth {
    /// Job type, e.g. `deliver_notification`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// `queued`, `scheduled` (future `run_at`), `retrying`, `running` or `dead`.
    #[diesel(sql_type = Text)]
    pub state: String,
    /// Number of jobs.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// A job that used up its attempts.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct DeadJob {
    /// Job id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Job type.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// Attempts made.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// The error of the last attempt.
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    /// Its uniqueness key, if any.
    #[diesel(sql_type = Nullable<Text>)]
    pub unique_key: Option<String>,
    /// When it was enqueued.
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    /// When it last changed (its last failure).
    #[diesel(sql_type = Timestamptz)]
    pub failed_at: DateTime<Utc>,
}
