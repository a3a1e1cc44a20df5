//! `gateway serve`: the HTTP API.

use platform::Application;
use platform::auth::SigningKey;
use platform::config::{Environment, Source};
use secrecy::ExposeSecret;

use crate::Modules;

/// Serves until SIGTERM/SIGINT, then drains in-flight requests.
pub async fn run(config: &Source) -> anyhow::Result<()> {
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
    let host = state.settings().server.host.clone();
    let application = Application::build(state, modules)?;
    tracing::info!(%host, port = application.port(), "serving; API docs at /docs");
    application.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}
