//! `gateway worker`: runs background jobs until SIGTERM.

use platform::AppState;
use platform::config::Source;
use secrecy::ExposeSecret;

use crate::Modules;

/// Runs jobs; on SIGTERM lets in-flight jobs finish within the grace period.
pub async fn run(config: &Source) -> anyhow::Result<()> {
    let modules = Modules::load(config)?;
    let state = crate::prepare(config.settings()?)?;
    crate::serve_metrics(&state)?;
    let worker = build(&modules, &state).await?;
    tracing::info!("worker started");
    worker.run().await?;
    tracing::info!("worker stopped");
    Ok(())
}

/// Every job type and schedule of `modules`, over `state`'s pool and clock
/// (the queue's schema installed first). Stops on SIGTERM or SIGINT.
pub async fn build(modules: &Modules, state: &AppState) -> anyhow::Result<graphile_worker::Worker> {
    let database_url = state.settings().database.url.expose_secret().to_owned();
    jobs::install(&database_url).await?;
    let resources = jobs::Resources::of_state(state);
    let options = jobs::worker::options(modules.jobs(), &database_url)?.add_extension(resources);
    Ok(modules.worker_options(options)?.init().await?)
}
