//! The gateway: the one binary that serves the platform's HTTP API and runs
//! its jobs.
//!
//! It owns no behaviour of its own. [`Modules`] reads each crate's section of
//! the configuration once, builds each crate's state, and hands every crate
//! its own: [`Modules`] is what `platform::Application` serves (every crate's
//! `routes`) and what the worker runs ([`Modules::worker_options`]). The
//! subcommands in [`commands`] serve, run the worker, migrate, and mint
//! development tokens.
//!
//! Shutdown: on SIGTERM (or SIGINT) the server stops accepting connections,
//! lets in-flight requests finish within `server.shutdown_timeout_secs`, and
//! the process exits 0.

pub mod commands;

use std::sync::Arc;

use anyhow::Context;
use platform::config::Source;
use platform::personal_data::Holders;
use platform::{AppState, Mount, Routes, Settings};

/// Every crate's own settings and state, read once at start-up. A new domain
/// crate adds its field here, its line in [`Mount::mount`], when it has jobs
/// its line in [`Modules::worker_options`], and when it keeps anything about
/// a person its holder in [`Modules::load`] (exported and erased with the rest).
#[derive(Debug, Clone)]
pub struct Modules {
    accounts: accounts::Settings,
    personal_data: accounts::PersonalData,
    jobs: jobs::Settings,
    notifications: notifications::Settings,
    uploads: media::Uploads,
    clinics: clinics::Settings,
    pets: pets::Settings,
    appointments: appointments::Settings,
    chat: chat::Chat,
    emergency: emergency::Settings,
    commerce: commerce::Settings,
    payments: commerce::payments::Payments,
    outreach: outreach::Settings,
}

impl Modules {
    /// Reads every crate's section of `config` (each checked by its own rules)
    /// and opens the upload store.
    pub fn load(config: &Source) -> anyhow::Result<Self> {
        let uploads = media::Uploads::from_settings(config.section()?).context("the upload store")?;
        let appointments: appointments::Settings = config.section()?;
        let commerce: commerce::Settings = config.section()?;
        let payments = commerce::payments::Payments::from_settings(&commerce).context("the payment provider")?;
        // Erasure order: appointments are cancelled while the pet and the
        // person are still known to the messages that tell the clinic.
        let holders = Holders::new(vec![
            Arc::new(appointments::personal_data::PersonalData::new(&appointments)),
            Arc::new(pets::personal_data::PersonalData),
            Arc::new(clinics::personal_data::PersonalData),
            Arc::new(media::personal_data::PersonalData::new(&uploads)),
            Arc::new(chat::personal_data::PersonalData),
            Arc::new(emergency::personal_data::PersonalData),
            Arc::new(commerce::personal_data::PersonalData),
            Arc::new(outreach::personal_data::PersonalData),
            Arc::new(notifications::personal_data::PersonalData),
        ]);
        Ok(Self {
            accounts: config.section()?,
            personal_data: accounts::PersonalData { holders, uploads: uploads.clone() },
            jobs: config.section()?,
            notifications: config.section()?,
            uploads,
            clinics: config.section()?,
            pets: config.section()?,
            appointments,
            chat: chat::Chat::new(config.section()?),
            emergency: config.section()?,
            commerce,
            payments,
            outreach: config.section()?,
        })
    }

    /// The `[jobs]` settings of the worker process.
    pub fn jobs(&self) -> &jobs::Settings {
        &self.jobs
    }

    /// Every job type and schedule of the platform, on top of `options`.
    pub fn worker_options(
        &self,
        options: graphile_worker::WorkerOptions,
    ) -> anyhow::Result<graphile_worker::WorkerOptions> {
        let options = jobs::worker_options(options)?;
        let options = accounts::worker_options(options, &self.accounts, &self.personal_data)?;
        let options = notifications::worker_options(options, &self.notifications)?;
        let options = media::worker_options(options, &self.uploads)?;
        let options = clinics::worker_options(options);
        let options = pets::worker_options(options, &self.pets);
        let options = appointments::worker_options(options, &self.appointments);
        let options = emergency::worker_options(options, &self.emergency);
        let options = commerce::worker_options(options, &self.commerce, &self.payments, &self.uploads)?;
        let options = outreach::worker_options(options, &self.outreach);
        chat::worker_options(options, &self.chat)
    }
}

impl Mount for Modules {
    fn mount(&self, routes: &mut Routes<'_, '_>) {
        platform::health::routes(routes);
        platform::auth::session::routes(routes);
        accounts::routes(routes, &self.accounts, &self.personal_data);
        jobs::routes(routes);
        notifications::routes(routes, &self.notifications);
        media::routes(routes, &self.uploads);
        // Before clinics: `/clinics/nearest-available` is not a clinic id.
        let needs = emergency::Needs { scheduling: &self.appointments, chat: &self.chat, uploads: &self.uploads };
        emergency::routes(routes, &self.emergency, needs);
        clinics::routes(routes, &self.clinics, &self.uploads);
        pets::routes(routes, &self.pets, &self.uploads);
        appointments::routes(routes, &self.appointments);
        chat::routes(routes, &self.chat, &self.uploads);
        commerce::routes(routes, &self.commerce, &self.payments, &self.uploads);
        outreach::routes(routes, &self.outreach);
    }
}

/// Serves Prometheus metrics on `metrics.address` when enabled (the queue's
/// depth and the emergency gauges sampled at each scrape), in the background.
pub fn serve_metrics(state: &AppState) -> anyhow::Result<()> {
    let settings = &state.settings().metrics;
    if !settings.enabled {
        return Ok(());
    }
    let exporter =
        platform::metrics::Exporter::bind(state.clone(), vec![jobs::metrics::sampler(), emergency::gauges::sampler()])
            .with_context(|| format!("the metrics listener on {}", settings.address))?;
    tracing::info!(port = exporter.port(), "metrics at /metrics");
    exporter.spawn();
    Ok(())
}

/// Installs logging and builds the shared state.
pub fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    platform::telemetry::init(&settings);
    Ok(AppState::build(settings)?)
}
