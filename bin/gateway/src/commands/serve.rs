//! `gateway serve`: the HTTP API, and with `--with-worker` the job worker in
//! the same process (development: one command runs every feature; production
//! runs `gateway worker` apart, scaled on its own).

use platform::Application;
use platform::auth::SigningKey;
use platform::config::{Environment, Source};
use secrecy::ExposeSecret;

use crate::Modules;

/// Serves until SIGTERM/SIGINT, then drains in-flight requests (and, with
/// `with_worker`, lets in-flight jobs finish within their grace period).
pub async fn run(config: &Source, with_worker: bool) -> anyhow::Result<()> {
    let settings = config.settings()?;
    let modules = Modules::load(config)?;
    if settings.environment == Environment::Development
        && let Some(dir) = &settings.auth.dev_key_dir
    {
        // Publishes the dev JWKS file the verifier reads.
        SigningKey::load_or_create_dev_key(dir)?;
    }
    if settings.database.auto_migrate {
        let applied = db::migrations::run_pending(settings.database.url.expose_secret()).await?;
        jobs::install(settings.database.url.expose_secret()).await?;
        for name in applied {
            tracing::info!(migration = %name, "applied");
        }
    }
    let state = crate::prepare(settings)?;
    crate::serve_metrics(&state)?;
    let worker = if with_worker { Some(super::worker::build(&modules, &state).await?) } else { None };
    let host = state.settings().server.host.clone();
    let application = Application::build(state, modules)?;
    tracing::info!(%host, port = application.port(), with_worker, "serving; API docs at /docs");
    match worker {
        Some(worker) => {
            tokio::try_join!(async { application.run_until_stopped().await.map_err(anyhow::Error::from) }, async {
                worker.run().await.map_err(anyhow::Error::from)
            },)?;
        }
        None => application.run_until_stopped().await?,
    }
    tracing::info!("stopped");
    Ok(())
}
