//! `gateway worker`: runs background jobs until SIGTERM.

use platform::Settings;
use secrecy::ExposeSecret;

/// Every job type and schedule of the platform. A crate that adds a job adds it here.
/// (Cron entries give a `{}` payload: a job struct cannot be read from `null`.)
fn register(
    options: graphile_worker::WorkerOptions,
    settings: &Settings,
) -> anyhow::Result<graphile_worker::WorkerOptions> {
    let options = pets::worker_options(options, &settings.pets);
    let options = appointments::worker_options(options, &settings.appointments);
    let options = media::worker_options(options, &settings.media).map_err(anyhow::Error::msg)?;
    Ok(notifications::worker_options(options, &settings.notifications)
        .map_err(anyhow::Error::msg)?
        .define_job::<jobs::maintenance::PrepareAuditPartitions>()
        .with_cron("0 3 * * * prepare_audit_partitions ?fill=1d {}")?
        .define_job::<jobs::maintenance::PurgeExpired>()
        .with_cron(&jobs::maintenance::PurgeExpired::crontab(&settings.jobs))?)
}

/// Runs jobs; on SIGTERM lets in-flight jobs finish within the grace period.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let state = crate::prepare(settings)?;
    let database_url = state.settings().database.url.expose_secret().to_owned();
    jobs::install(&database_url).await.map_err(anyhow::Error::msg)?;
    let options = jobs::worker::options(&state.settings().jobs, &database_url)
        .map_err(anyhow::Error::msg)?
        .add_extension(jobs::Resources { db: state.db().clone() });
    let worker = register(options, state.settings())?.init().await?;
    tracing::info!("worker started");
    worker.run().await?;
    tracing::info!("worker stopped");
    Ok(())
}
