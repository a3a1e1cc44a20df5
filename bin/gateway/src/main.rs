//! `gateway`: serve the API, run migrations, mint development tokens.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gateway::commands::dev_token::DevTokenArgs;
use gateway::commands::migrate::MigrateAction;
use gateway::commands::seed::SeedArgs;
use gateway::commands::{dev_token, migrate, seed, serve, worker};
use platform::config::Source;

/// mimalloc: per-thread free lists suit a server's many short-lived request
/// allocations (glibc's malloc took a tenth of the gateway's CPU under load).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The vet clinic platform's API gateway.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API (configuration from `config/` and `VET__*`).
    Serve {
        /// Run the job worker in this process too (development; production
        /// runs `gateway worker` on its own).
        #[arg(long)]
        with_worker: bool,
    },
    /// Run background jobs and their schedules.
    Worker,
    /// Apply, revert or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Mint a development session token (development only).
    DevToken(DevTokenArgs),
    /// Fill an empty development database with a small demo world and print
    /// tokens to explore it (development only; a second run adds nothing).
    Seed(SeedArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    // One TLS crypto provider for every client (reqwest, lettre, object_store).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Source::load()?;
    match cli.command {
        Command::Serve { with_worker } => serve::run(&config, with_worker).await,
        Command::Worker => worker::run(&config).await,
        Command::Migrate { action } => migrate::run(&config.settings()?, action).await,
        Command::DevToken(args) => dev_token::run(&config.settings()?, &args).await,
        Command::Seed(args) => seed::run(&config, &args).await,
    }
}
