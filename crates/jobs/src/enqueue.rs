//! Adding jobs inside the caller's transaction.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use graphile_worker::{TaskHandler, WorkerUtils};

/// How a job is scheduled; the defaults run it as soon as possible, at most
/// [`DEFAULT_MAX_ATTEMPTS`] times.
#[derive(Debug, Clone, Default)]
pub struct EnqueueOptions {
    /// A named queue runs its jobs one at a time, in order; `None` runs in parallel.
    pub queue: Option<String>,
    /// Not before this time (reminders); `None` is now.
    pub run_at: Option<DateTime<Utc>>,
    /// Lower runs first; 0 by default.
    pub priority: i32,
    /// Attempts before the job is dead; `None` is [`DEFAULT_MAX_ATTEMPTS`].
    pub max_attempts: Option<i32>,
    /// At most one pending job per key: enqueueing again replaces the pending
    /// one (payload and time) instead of adding a second.
    pub unique_key: Option<String>,
}

/// Attempts of a job unless it says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 10;

#[derive(QueryableByName)]
struct EnqueuedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Adds `job` on `connection`; inside a transaction it exists only if the
/// transaction commits. Returns the job id.
pub async fn enqueue<J: TaskHandler>(
    connection: &mut AsyncPgConnection,
    job: &J,
    options: EnqueueOptions,
) -> kernel::Result<i64> {
    add(connection, J::IDENTIFIER, job, options).await
}

/// Something that happened in a crate that a crate above it reacts to (a
/// lower crate never calls up). The lower crate names the event and its
/// payload and [`publish`]es it in its transaction; the one crate that reacts
/// defines the job: a [`TaskHandler`] whose `IDENTIFIER` is the event's
/// [`NAME`](Event::NAME) and whose payload is the event, registered on its
/// worker. An event nobody reacts to waits in the queue, visible to admins.
pub trait Event: serde::Serialize {
    /// The job identifier the reacting crate's handler answers to.
    const NAME: &'static str;
}

/// Publishes `event` inside the caller's transaction (see [`Event`]).
pub async fn publish<E: Event>(connection: &mut AsyncPgConnection, event: &E) -> kernel::Result<i64> {
    add(connection, E::NAME, event, EnqueueOptions::default()).await
}

async fn add(
    connection: &mut AsyncPgConnection,
    identifier: &str,
    payload: &impl serde::Serialize,
    options: EnqueueOptions,
) -> kernel::Result<i64> {
    let payload = traced(payload)?;
    let enqueued: EnqueuedId = db::Sql::query(
        "SELECT (graphile_worker.add_job($1, $2::json, queue_name => $3, run_at => $4, \
                max_attempts => $5, job_key => $6, priority => $7)).id AS id",
    )
    .bind::<Text, _>(identifier)
    .bind::<Text, _>(payload)
    .bind::<Nullable<Text>, _>(options.queue)
    .bind::<Nullable<Timestamptz>, _>(options.run_at)
    .bind::<Nullable<Integer>, _>(Some(options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS)))
    .bind::<Nullable<Text>, _>(options.unique_key)
    .bind::<Nullable<Integer>, _>(Some(options.priority))
    .get_result(connection)
    .await?;
    Ok(enqueued.id)
}

/// Adds each job with its own options in one statement, inside the caller's
/// transaction like [`enqueue`]: a [`Batch`] of one kind.
pub async fn enqueue_each<J: TaskHandler>(
    connection: &AsyncPgConnection,
    jobs: &[(J, EnqueueOptions)],
) -> kernel::Result<()> {
    let mut batch = Batch::default();
    for (job, options) in jobs {
        batch.add(job, options.clone())?;
    }
    batch.enqueue(connection).await
}

/// Jobs of any kinds gathered while a transaction does its work, then added
/// in one statement (one call of graphile-worker's `add_jobs`), inside the
/// caller's transaction like [`enqueue`]. Each call of `add_jobs` runs a dozen
/// statements of its own (0.7 ms a call in a booking, from PostgreSQL's log,
/// where two calls were a quarter of the booking's time), so a transaction
/// that adds jobs of several kinds gathers them in one batch. A unique key
/// replaces its pending job as with [`enqueue`] (a running one keeps going
/// and a new job is added); one batch may not name a key twice.
#[derive(Debug, Default)]
#[must_use = "a batch adds its jobs only when enqueued"]
pub struct Batch {
    identifiers: Vec<&'static str>,
    payloads: Vec<String>,
    queues: Vec<Option<String>>,
    run_at: Vec<Option<DateTime<Utc>>>,
    attempts: Vec<i32>,
    keys: Vec<Option<String>>,
    priorities: Vec<i32>,
    /// The unique keys in `keys`, to refuse one twice.
    taken: HashSet<String>,
}

impl Batch {
    /// Adds `job` to the batch (`Internal` when its unique key is already in it).
    pub fn add<J: TaskHandler>(&mut self, job: &J, options: EnqueueOptions) -> kernel::Result<()> {
        let payload = traced(job)?;
        if let Some(key) = &options.unique_key
            && !self.taken.insert(key.clone())
        {
            return Err(kernel::Error::internal("a job batch was given one unique key twice"));
        }
        self.payloads.push(payload);
        self.identifiers.push(J::IDENTIFIER);
        self.queues.push(options.queue);
        self.run_at.push(options.run_at);
        self.attempts.push(options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS));
        self.keys.push(options.unique_key);
        self.priorities.push(options.priority);
        Ok(())
    }

    /// Adds the batch's jobs on `connection`; an empty batch sends nothing.
    /// The connection is shared, so that the caller can pipeline the
    /// statement with its own.
    pub async fn enqueue(self, mut connection: &AsyncPgConnection) -> kernel::Result<()> {
        if self.identifiers.is_empty() {
            return Ok(());
        }
        db::Sql::query(
            "SELECT count(*) FROM graphile_worker.add_jobs(ARRAY( \
               SELECT (identifier, payload::json, queue, run_at, attempts::smallint, key, priority::smallint, NULL) \
                      ::graphile_worker.job_spec \
               FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::int[]) \
                    AS spec(identifier, payload, queue, run_at, attempts, key, priority)))",
        )
        .bind::<Array<Text>, _>(self.identifiers)
        .bind::<Array<Text>, _>(self.payloads)
        .bind::<Array<Nullable<Text>>, _>(self.queues)
        .bind::<Array<Nullable<Timestamptz>>, _>(self.run_at)
        .bind::<Array<Integer>, _>(self.attempts)
        .bind::<Array<Nullable<Text>>, _>(self.keys)
        .bind::<Array<Integer>, _>(self.priorities)
        .execute(&mut connection)
        .await?;
        Ok(())
    }
}

/// `payload` as JSON, with the enqueuing span's trace context under `_trace`
/// when there is one: the job's run is then linked to the request (or job)
/// that asked for it (graphile-worker reads `_trace`).
fn traced(payload: &impl serde::Serialize) -> kernel::Result<String> {
    let mut value = serde_json::to_value(payload).map_err(kernel::Error::internal)?;
    if let (Some(object), Some((trace_id, span_id, flags))) =
        (value.as_object_mut(), platform::telemetry::current_span_context())
    {
        object.insert(
            "_trace".to_owned(),
            serde_json::json!({ "trace_id": trace_id, "span_id": span_id, "flags": flags }),
        );
    }
    serde_json::to_string(&value).map_err(kernel::Error::internal)
}

/// Removes the pending jobs enqueued with these `unique_key`s, inside the
/// caller's transaction like [`enqueue`]. A job already running finishes (its
/// handler must check that its work is still wanted); unknown keys are ignored.
pub async fn cancel(connection: &mut AsyncPgConnection, keys: &[String]) -> kernel::Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    db::Sql::query("SELECT graphile_worker.remove_job(key) FROM unnest($1::text[]) AS key")
        .bind::<Array<Text>, _>(keys)
        .execute(connection)
        .await?;
    Ok(())
}

/// Installs or upgrades the `graphile_worker` schema (run by `gateway migrate
/// run` next to the application's own migrations, and by the test harness).
pub async fn install(database_url: &str) -> anyhow::Result<()> {
    let database = graphile_worker::tokio_postgres::TokioPostgresDatabase::from_url(database_url, 2)
        .context("connecting to install the job queue")?;
    WorkerUtils::new(database, "graphile_worker").migrate().await.context("installing the job queue's schema")
}
