//! `gateway migrate run|revert|status`: the only way production migrates.

use std::io::Write;

use clap::Subcommand;
use platform::Settings;
use secrecy::ExposeSecret;

/// What to do with the migrations.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum MigrateAction {
    /// Apply every pending migration (and install the job queue's schema).
    Run,
    /// Revert the most recent migration.
    Revert,
    /// List migrations and whether each is applied.
    Status,
}

/// Runs `action` against `database.url`.
pub async fn run(settings: &Settings, action: MigrateAction) -> anyhow::Result<()> {
    let url = settings.database.url.expose_secret();
    let mut out = std::io::stdout().lock();
    match action {
        MigrateAction::Run => {
            let applied = db::migrations::run_pending(url).await?;
            jobs::install(url).await?;
            writeln!(out, "applied {} migration(s)", applied.len())?;
            for name in applied {
                writeln!(out, "  {name}")?;
            }
        }
        MigrateAction::Revert => match db::migrations::revert_last(url).await? {
            Some(name) => writeln!(out, "reverted {name}")?,
            None => writeln!(out, "nothing to revert")?,
        },
        MigrateAction::Status => {
            for migration in db::migrations::status(url).await? {
                let mark = if migration.applied { "applied" } else { "pending" };
                writeln!(out, "{mark:8} {}", migration.name)?;
            }
        }
    }
    Ok(())
}
