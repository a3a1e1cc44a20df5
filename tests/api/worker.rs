//! `gateway worker` killed with SIGKILL mid-job: the job runs again after its
//! lease and takes effect once (RELIABILITY 30, with a real process and a real
//! SMTP server); `gateway serve --with-worker` runs jobs in the API's process.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::Role;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use notifications::{Notification, notify};
use testkit::{FaultProxy, ProxyMode, SmtpServer, TestDb};

use crate::process::{ServeFixture, Served, gateway, terminate};

/// A `gateway worker` sending email to `smtp_port`, with a 2 s lease.
fn start_worker(database: &TestDb, smtp_port: u16) -> Child {
    let environment = [
        ("VET__DATABASE__URL", database.url().to_owned()),
        ("VET__NOTIFICATIONS__EMAIL__PROVIDER", "smtp".to_owned()),
        ("VET__NOTIFICATIONS__EMAIL__SMTP_HOST", "127.0.0.1".to_owned()),
        ("VET__NOTIFICATIONS__EMAIL__SMTP_PORT", smtp_port.to_string()),
        ("VET__NOTIFICATIONS__EMAIL__TIMEOUT_MS", "120000".to_owned()),
        ("VET__JOBS__LEASE_SECS", "2".to_owned()),
        ("VET__JOBS__HEARTBEAT_INTERVAL_SECS", "1".to_owned()),
        ("VET__JOBS__SWEEP_INTERVAL_SECS", "1".to_owned()),
        ("VET__JOBS__RECOVERY_DELAY_SECS", "0".to_owned()),
        ("VET__JOBS__POLL_INTERVAL_MS", "200".to_owned()),
    ];
    gateway(&["worker"], &environment)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gateway worker")
}

async fn wait_until(connection: &mut AsyncPgConnection, sql: &str, what: &str) {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    while !diesel::sql_query(sql).get_result::<Found>(connection).await.unwrap().found {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_delivery_is_replaced_and_the_email_goes_out_once() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    let user = platform::users::provision_local(&mut connection, "user_sigkill", "owner@example.com", Role::PetOwner)
        .await
        .unwrap();
    let alert = Notification::account_notice("New sign-in", "A new device signed in.");
    notify(&mut connection, user, &alert).await.unwrap();

    // The first worker's SMTP connection hangs: the job is mid-delivery when the worker dies.
    let smtp = SmtpServer::start().await;
    let proxy = FaultProxy::start(([127, 0, 0, 1], smtp.port()).into()).await;
    proxy.set_mode(ProxyMode::Blackhole);
    let mut doomed = start_worker(&database, proxy.address().port());
    let locked = "SELECT EXISTS (SELECT 1 FROM graphile_worker.jobs \
                  WHERE task_identifier = 'notifications_deliver' AND locked_at IS NOT NULL) AS found";
    wait_until(&mut connection, locked, "the first worker took the email job").await;
    kill(Pid::from_raw(i32::try_from(doomed.id()).unwrap()), Signal::SIGKILL).unwrap();
    doomed.wait().unwrap();

    proxy.set_mode(ProxyMode::Pass);
    let mut survivor = start_worker(&database, proxy.address().port());
    let sent =
        "SELECT EXISTS (SELECT 1 FROM notification_deliveries WHERE channel = 'email' AND status = 'sent') AS found";
    wait_until(&mut connection, sent, "the second worker sent the email").await;
    let no_jobs = "SELECT NOT EXISTS (SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = 'notifications_deliver') AS found";
    wait_until(&mut connection, no_jobs, "the job completed").await;
    let _ = survivor.kill();
    let _ = survivor.wait();

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "the email must go out exactly once");
    assert!(messages[0].contains("New sign-in"));
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_with_worker_runs_jobs_in_the_api_process_and_stops_cleanly_on_sigterm() {
    let fixture = ServeFixture::new(Duration::ZERO).await;
    let mut environment = fixture.environment();
    environment.push(("VET__JOBS__POLL_INTERVAL_MS", "200".to_owned()));
    let metrics_port = crate::process::free_port();
    environment.push(("VET__METRICS__ADDRESS", format!("127.0.0.1:{metrics_port}")));
    let mut served = Served::start_with(&["serve", "--with-worker"], &environment, Stdio::null()).await;

    let mut connection = fixture.database.connect().await;
    let user = platform::users::provision_local(&mut connection, "user_one_process", "one@example.com", Role::PetOwner)
        .await
        .unwrap();
    let notice = Notification::account_notice("Welcome", "Your account is ready.");
    notify(&mut connection, user, &notice).await.unwrap();
    let sent =
        "SELECT EXISTS (SELECT 1 FROM notification_deliveries WHERE channel = 'email' AND status = 'sent') AS found";
    wait_until(&mut connection, sent, "the served process delivered the email").await;
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await.unwrap().text().await.unwrap();
    assert!(
        metrics.lines().any(|line| line.starts_with("notifications_sent_total{") && line.contains(r#"outcome="sent""#)),
        "the process's own /metrics lacks the delivery: {metrics}"
    );

    terminate(&served);
    let status = tokio::task::spawn_blocking(move || served.child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "serve --with-worker exited with {status}");
}
