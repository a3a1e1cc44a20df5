//! Enqueue, exactly-once effects, crash recovery, retries, cron.

use std::time::Duration;

use diesel_async::{AsyncConnection, RunQueryDsl};
use jobs::{Batch, EnqueueOptions, enqueue, enqueue_each};
use testkit::TestDb;

use crate::fixtures::{
    AlwaysFails, RecordEffect, StuckOnFirstAttempt, TestWorker, Tick, count, create_effects_table, fast_settings,
    wait_for_count,
};

const JOBS: &str = "SELECT count(*) AS count FROM graphile_worker.jobs";

#[tokio::test]
async fn a_rolled_back_transaction_enqueues_nothing_and_a_committed_one_does() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    let rolled_back = connection
        .transaction::<(), kernel::Error, _>(async |connection| {
            enqueue(connection, &RecordEffect { n: 1 }, EnqueueOptions::default()).await?;
            Err(kernel::Error::conflict("the booking failed"))
        })
        .await;
    assert!(rolled_back.is_err());
    assert_eq!(count(&mut connection, JOBS).await, 0);

    db::transaction(&mut connection, async |connection| {
        enqueue(connection, &RecordEffect { n: 2 }, EnqueueOptions::default()).await
    })
    .await
    .unwrap();
    assert_eq!(count(&mut connection, JOBS).await, 1);
}

#[tokio::test]
async fn enqueue_each_adds_every_job_with_its_own_options_in_the_callers_transaction() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    let batch: Vec<_> = (0..3).map(|n| (RecordEffect { n }, EnqueueOptions::default())).collect();
    let rolled_back = connection
        .transaction::<(), kernel::Error, _>(async |connection| {
            enqueue_each(connection, &batch).await?;
            Err(kernel::Error::conflict("the booking failed"))
        })
        .await;
    assert!(rolled_back.is_err());
    assert_eq!(count(&mut connection, JOBS).await, 0);

    let later = chrono::Utc::now() + chrono::Duration::hours(8);
    let mixed = vec![
        (RecordEffect { n: 1 }, EnqueueOptions { priority: -10, max_attempts: Some(4), ..Default::default() }),
        (RecordEffect { n: 2 }, EnqueueOptions { priority: -10, max_attempts: Some(4), ..Default::default() }),
        (RecordEffect { n: 3 }, EnqueueOptions { run_at: Some(later), queue: Some("q".into()), ..Default::default() }),
    ];
    enqueue_each(&connection, &mixed).await.unwrap();
    let urgent = "SELECT count(DISTINCT payload::text) AS count FROM graphile_worker._private_jobs \
                  WHERE priority = -10 AND max_attempts = 4 AND run_at <= now()";
    assert_eq!(count(&mut connection, urgent).await, 2);
    let held = "SELECT count(*) AS count FROM graphile_worker._private_jobs j \
                JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id \
                WHERE j.run_at > now() + interval '7 hours' AND q.queue_name = 'q' AND j.max_attempts = 10";
    assert_eq!(count(&mut connection, held).await, 1);
    assert_eq!(count(&mut connection, JOBS).await, 3);
}

#[tokio::test]
async fn enqueue_each_replaces_the_pending_job_of_each_unique_key() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    let keyed =
        |n, key: &str| (RecordEffect { n }, EnqueueOptions { unique_key: Some(key.into()), ..Default::default() });
    enqueue(
        &mut connection,
        &RecordEffect { n: 1 },
        EnqueueOptions { unique_key: Some("a".into()), ..Default::default() },
    )
    .await
    .unwrap();
    enqueue_each(&connection, &[keyed(2, "a"), keyed(3, "b"), (RecordEffect { n: 4 }, EnqueueOptions::default())])
        .await
        .unwrap();
    assert_eq!(count(&mut connection, JOBS).await, 3);
    let replaced = "SELECT count(*) AS count FROM graphile_worker._private_jobs \
                    WHERE key = 'a' AND payload->>'n' = '2' AND revision = 1";
    assert_eq!(count(&mut connection, replaced).await, 1, "the pending job of key a was replaced");
    let twice = [keyed(5, "c"), keyed(6, "c")];
    assert!(enqueue_each(&connection, &twice).await.is_err(), "one key twice in a batch");
    assert_eq!(count(&mut connection, JOBS).await, 3);
}

#[tokio::test]
async fn a_batch_adds_jobs_of_several_kinds_in_one_statement_of_the_callers_transaction() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    connection.set_instrumentation(db::spans::QuerySpans::default());
    let batch = || -> kernel::Result<Batch> {
        let mut batch = Batch::default();
        batch.add(&RecordEffect { n: 1 }, EnqueueOptions { unique_key: Some("a".into()), ..Default::default() })?;
        batch.add(&Tick {}, EnqueueOptions { priority: -10, ..Default::default() })?;
        batch.add(&AlwaysFails {}, EnqueueOptions::default())?;
        Ok(batch)
    };
    let rolled_back = db::transaction(&mut connection, async |connection| {
        batch()?.enqueue(connection).await?;
        Err::<(), _>(kernel::Error::conflict("the booking failed"))
    })
    .await;
    assert!(rolled_back.is_err());
    assert_eq!(count(&mut connection, JOBS).await, 0);

    let before = db::spans::statements_sent();
    batch().unwrap().enqueue(&connection).await.unwrap();
    assert_eq!(db::spans::statements_sent() - before, 1, "three jobs of three kinds, one statement");
    let kinds = "SELECT count(*) AS count FROM graphile_worker.jobs \
                 WHERE (task_identifier = 'test_record_effect' AND key = 'a' AND priority = 0) \
                    OR (task_identifier = 'test_tick' AND key IS NULL AND priority = -10) \
                    OR (task_identifier = 'test_always_fails' AND key IS NULL AND priority = 0)";
    assert_eq!(count(&mut connection, kinds).await, 3, "each job with its own kind and options");

    let before = db::spans::statements_sent();
    Batch::default().enqueue(&connection).await.unwrap();
    assert_eq!(db::spans::statements_sent() - before, 0, "an empty batch sends nothing");
    let mut twice = Batch::default();
    twice.add(&RecordEffect { n: 2 }, EnqueueOptions { unique_key: Some("b".into()), ..Default::default() }).unwrap();
    let again = twice.add(&Tick {}, EnqueueOptions { unique_key: Some("b".into()), ..Default::default() });
    assert!(again.is_err(), "one key twice in a batch");
}

#[tokio::test]
async fn a_unique_key_keeps_one_pending_job() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    for n in 0..3 {
        let options = EnqueueOptions { unique_key: Some("reminder:pet-1:rabies".into()), ..Default::default() };
        enqueue(&mut connection, &RecordEffect { n }, options).await.unwrap();
    }
    assert_eq!(count(&mut connection, JOBS).await, 1);
}

fn record_jobs(options: graphile_worker::WorkerOptions) -> graphile_worker::WorkerOptions {
    options.define_job::<RecordEffect>()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_jobs_on_two_workers_each_take_effect_exactly_once() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    create_effects_table(&mut connection).await;
    db::transaction(&mut connection, async |connection| {
        for n in 0..1000 {
            enqueue(connection, &RecordEffect { n }, EnqueueOptions::default()).await?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let workers = [TestWorker::start(database.url(), record_jobs), TestWorker::start(database.url(), record_jobs)];
    wait_for_count(&mut connection, JOBS, 0, Duration::from_secs(60)).await;
    drop(workers);
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM job_effects").await, 1000);
    let distinct = "SELECT count(DISTINCT n) AS count FROM job_effects";
    assert_eq!(count(&mut connection, distinct).await, 1000, "a job took effect twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backlog_committed_at_once_drains_without_waiting_for_polls() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    create_effects_table(&mut connection).await;
    // One transaction sends one NOTIFY; the worker must keep fetching on its own.
    db::transaction(&mut connection, async |connection| {
        for n in 0..500 {
            enqueue(connection, &RecordEffect { n }, EnqueueOptions::default()).await?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let hourly_polls = jobs::Settings { poll_interval_ms: 3_600_000, ..fast_settings() };
    let _worker = TestWorker::start_with(database.url(), hourly_polls, record_jobs);
    wait_for_count(&mut connection, JOBS, 0, Duration::from_secs(30)).await;
    assert_eq!(count(&mut connection, "SELECT count(DISTINCT n) AS count FROM job_effects").await, 500);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_of_a_killed_worker_runs_again_after_the_lease_and_takes_effect_once() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    create_effects_table(&mut connection).await;
    enqueue(&mut connection, &StuckOnFirstAttempt { n: 7 }, EnqueueOptions::default()).await.unwrap();
    let stuck = |options: graphile_worker::WorkerOptions| options.define_job::<StuckOnFirstAttempt>();

    let doomed = TestWorker::start(database.url(), stuck);
    let locked = "SELECT count(*) AS count FROM graphile_worker.jobs WHERE locked_at IS NOT NULL";
    wait_for_count(&mut connection, locked, 1, Duration::from_secs(20)).await;
    doomed.crash();

    let _survivor = TestWorker::start(database.url(), stuck);
    wait_for_count(&mut connection, JOBS, 0, Duration::from_secs(30)).await;
    let effects = "SELECT count(*) AS count FROM job_effects WHERE kind = 'stuck' AND n = 7";
    assert_eq!(count(&mut connection, effects).await, 1);
    let runs = "SELECT count(*) AS count FROM job_effects WHERE kind = 'started' AND n = 7";
    assert_eq!(count(&mut connection, runs).await, 2, "expected the killed run and one retry");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_job_is_retried_then_dead_with_its_last_error() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    let options = EnqueueOptions { max_attempts: Some(2), ..Default::default() };
    enqueue(&mut connection, &AlwaysFails {}, options).await.unwrap();
    let _worker = TestWorker::start(database.url(), |options| options.define_job::<AlwaysFails>());
    let dead = "SELECT count(*) AS count FROM graphile_worker._private_jobs \
                WHERE attempts = 2 AND locked_at IS NULL AND last_error LIKE '%503%'";
    // The first retry waits e^1 ≈ 2.7 s (exponential backoff).
    wait_for_count(&mut connection, dead, 1, Duration::from_secs(20)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_periodic_job_runs_once_per_tick_across_two_workers() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    create_effects_table(&mut connection).await;
    let ticking = |options: graphile_worker::WorkerOptions| {
        options.define_job::<Tick>().with_cron("* * * * * test_tick ?id=tick {}").unwrap()
    };
    let workers = [TestWorker::start(database.url(), ticking), TestWorker::start(database.url(), ticking)];
    // The next minute boundary is at most a minute away.
    let effects = "SELECT count(*) AS count FROM job_effects";
    wait_for_count(&mut connection, effects, 1, Duration::from_secs(75)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(workers);
    let distinct = count(&mut connection, "SELECT count(DISTINCT n) AS count FROM job_effects").await;
    assert_eq!(count(&mut connection, effects).await, distinct, "a tick ran twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_partition_job_creates_next_months_partitions_idempotently() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    for _ in 0..2 {
        enqueue(&mut connection, &jobs::jobs::PrepareAuditPartitions {}, EnqueueOptions::default()).await.unwrap();
    }
    let _worker =
        TestWorker::start(database.url(), |options| options.define_job::<jobs::jobs::PrepareAuditPartitions>());
    wait_for_count(&mut connection, JOBS, 0, Duration::from_secs(20)).await;
    let partitions = "SELECT count(*) AS count FROM pg_inherits WHERE inhparent = 'audit_log'::regclass";
    assert_eq!(count(&mut connection, partitions).await, 3, "default plus the next two months");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_purge_forgets_day_old_idempotency_keys() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    let user =
        platform::users::provision_local(&mut connection, "user_purge", "purge@example.com", kernel::Role::PetOwner)
            .await
            .unwrap();
    diesel::sql_query(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at) VALUES \
         ($1, 'old', 'f', 201, '{}', now() - interval '25 hours'), ($1, 'new', 'f', 201, '{}', now() - interval '23 hours')",
    )
    .bind::<diesel::sql_types::Uuid, _>(user)
    .execute(&mut connection)
    .await
    .unwrap();
    enqueue(&mut connection, &jobs::jobs::PurgeIdempotencyKeys {}, EnqueueOptions::default()).await.unwrap();
    // The production schedules must parse.
    let _worker = TestWorker::start(database.url(), |options| jobs::worker_options(options).unwrap());
    wait_for_count(&mut connection, JOBS, 0, Duration::from_secs(20)).await;
    let keys = "SELECT count(*) AS count FROM idempotency_keys WHERE key = 'new'";
    assert_eq!(count(&mut connection, keys).await, 1);
    assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM idempotency_keys").await, 1);
}
