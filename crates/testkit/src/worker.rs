//! Running background jobs in a test: a worker over the test's database that
//! runs whatever is due once, and a way to make scheduled jobs due now.

use std::time::Duration;

use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use platform::config::{EmailSettings, NotificationSettings, ProviderKind, PushSettings, SmsSettings, SmtpTls};

use crate::app::{TestApp, test_settings};
use crate::smtp::SmtpServer;

/// Worker options over `app`'s database (with [`jobs::Resources`]); add the
/// crates' jobs, then pass them to [`run_due_jobs`].
pub fn worker_options(app: &TestApp) -> graphile_worker::WorkerOptions {
    jobs::worker::options(&test_settings().jobs, app.db.url())
        .expect("worker options")
        .listen_os_shutdown_signals(false)
        .add_extension(jobs::Resources { db: app.state.db().clone() })
}

/// Runs every job that is due once (no waiting for retries or schedules).
pub async fn run_due_jobs(options: graphile_worker::WorkerOptions) {
    let worker = options.init().await.expect("start the worker");
    tokio::time::timeout(Duration::from_secs(30), worker.run_once())
        .await
        .expect("due jobs finish within 30 s")
        .expect("the worker runs");
}

/// Makes every waiting job due now (skips schedules and retry backoff).
pub async fn make_jobs_due(connection: &mut AsyncPgConnection) {
    connection
        .batch_execute("UPDATE graphile_worker._private_jobs SET run_at = now() - interval '1 second'")
        .await
        .expect("make the jobs due");
}

/// Notification settings that send email to `smtp` and only log SMS and push.
pub fn email_to(smtp: &SmtpServer) -> NotificationSettings {
    let defaults = test_settings().notifications;
    NotificationSettings {
        email: EmailSettings {
            provider: ProviderKind::Smtp,
            smtp_host: "127.0.0.1".into(),
            smtp_port: smtp.port(),
            tls: SmtpTls::None,
            ..defaults.email
        },
        sms: SmsSettings { provider: ProviderKind::Log, ..defaults.sms },
        push: PushSettings { provider: ProviderKind::Log, ..defaults.push },
        ..defaults
    }
}
