//! `gateway seed`: a small, realistic demo world in an empty development
//! database, and development tokens to explore it.
//!
//! The world (see the `clinics`, `owners` and `visits` modules): four clinics in four
//! time zones with hours, holidays, rooms, priced services, a clinic admin
//! and two vets each (one Paris receptionist); two clinics take emergencies
//! (New York's accepting around the clock), their emergency vets on call
//! for the next day (`on_call`). Six owners with eleven pets of
//! six species, weights, a co-owned dog; thirty appointments, completed (with
//! the visit's health records attached), no-shows, cancelled, confirmed and
//! requested; vaccinations and a parasite treatment coming due, so care
//! reminders are pending; verified reviews from completed visits, one held
//! for moderation, two answered. Each clinic's shop (`shop`): the category
//! tree, tax rates and five products in stock, one sold on prescription.
//!
//! Everything is made through the crates' public services, as the API makes
//! it, by the people of the world themselves (the platform admin creates the
//! clinics, their admins set them up, vets write their records, owners book
//! and review), in one transaction: a failed seed leaves nothing behind.
//! Users come from `platform::users::provision_local` with fixed subjects
//! (`seed_…`). A database that already has the seed's first clinic, run by
//! the seeded clinic admin, is left as it is: a second run adds nothing and
//! prints the same users' tokens, minted as `gateway dev-token` mints them.
//! Like `dev-token`, it is refused in production.

mod cast;
mod clinics;
mod on_call;
mod owners;
mod shop;
mod visits;

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use diesel_async::{AnsiTransactionManager, AsyncConnection, AsyncPgConnection, TransactionManager};
use indicatif::{ProgressBar, ProgressStyle};
use kernel::{ClinicId, PageRequest, Role, Valid};
use platform::config::Source;
use secrecy::ExposeSecret;

use self::cast::{Cast, PLATFORM_ADMIN, TOKEN_HOLDERS};
use self::clinics::CLINICS;
use self::visits::{Scene, Tally};
use crate::commands::dev_token::{self, DevTokenArgs};

/// Options of `gateway seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Lifetime of the printed tokens in minutes.
    #[arg(long, default_value_t = 480)]
    pub ttl_minutes: i64,
}

/// Seeds the world unless it is there, then prints a summary line and the
/// tokens (each after a `# development token for …` line, as `dev-token`).
pub async fn run(config: &Source, args: &SeedArgs) -> anyhow::Result<()> {
    let settings = config.settings()?;
    dev_token::refuse_in_production(&settings, "seed")?;
    // Tokens must be mintable before anything is seeded.
    dev_token::signing_key(&settings)?;
    let sections = Sections {
        clinics: config.section()?,
        pets: config.section()?,
        appointments: config.section()?,
        emergency: config.section()?,
    };
    let url = settings.database.url.expose_secret();
    if settings.database.auto_migrate {
        db::migrations::run_pending(url).await.context("migrate the database")?;
        jobs::install(url).await.context("install the job queue")?;
    }
    let mut connection = AsyncPgConnection::establish(url).await.context("connect to the database")?;
    let started = Instant::now();
    let progress = Progress::new(steps());
    let summary = if already_seeded(&mut connection).await? {
        progress.skip(steps() - TOKEN_HOLDERS.len(), "the demo world is already there");
        "the demo world was already there; nothing added".to_owned()
    } else {
        in_transaction(&mut connection, async |connection| build(connection, &sections, &progress).await)
            .await
            .context("seeding failed; nothing was kept")?
    };
    let mut tokens = Vec::new();
    for subject in TOKEN_HOLDERS {
        progress.step(format!("token for {subject}"));
        let person = cast::spec(subject)?;
        let holder = DevTokenArgs {
            sub: Some(subject.to_owned()),
            email: person.email.to_owned(),
            role: person.role.as_str().to_owned(),
            ttl_minutes: args.ttl_minutes,
        };
        let token = dev_token::mint(&settings, &mut connection, &holder).await?;
        tokens.push((holder, token));
    }
    progress.finish(started.elapsed());
    let mut out = std::io::stdout().lock();
    writeln!(out, "# {summary} ({:.1} s)", started.elapsed().as_secs_f64())?;
    for (holder, token) in tokens {
        dev_token::print(&mut out, &holder, &token)?;
    }
    Ok(())
}

/// The crates' own settings the services take.
struct Sections {
    clinics: ::clinics::Settings,
    pets: ::pets::Settings,
    appointments: ::appointments::Settings,
    emergency: ::emergency::Settings,
}

/// Progress steps: the people, each clinic, the on-call rota, the shops,
/// the pets, each visit, the reviews, each token.
fn steps() -> usize {
    1 + CLINICS.len() + 1 + 1 + 1 + visits::VISITS.len() + 1 + TOKEN_HOLDERS.len()
}

/// Whether the seed's first clinic exists, run by the seed's clinic admin.
async fn already_seeded(connection: &mut AsyncPgConnection) -> anyhow::Result<bool> {
    let Some(admin) =
        platform::users::with_clerk_id(connection, PLATFORM_ADMIN).await.explain(|| "find the seed's admin".into())?
    else {
        return Ok(false);
    };
    let first = CLINICS.first().context("the seed has no clinic")?;
    let Some(manager) = platform::users::with_clerk_id(connection, first.admin)
        .await
        .explain(|| "find the seed's clinic admin".into())?
    else {
        return Ok(false);
    };
    let principal = kernel::Principal {
        user_id: admin,
        subject: PLATFORM_ADMIN.to_owned(),
        role: Role::PlatformAdmin,
        memberships: Vec::new(),
        credential: kernel::Credential::Session,
    };
    let search = Valid::new(::clinics::api::ClinicSearch { q: Some(first.name.to_owned()), ..Default::default() })
        .explain(|| "the search for the seed's first clinic".into())?;
    let page = PageRequest { limit: kernel::MAX_LIMIT, after: None };
    let found = ::clinics::service::search::clinics(connection, &search, &page)
        .await
        .explain(|| "search for the seed's first clinic".into())?;
    for clinic in found.items.iter().filter(|clinic| clinic.profile.name == first.name) {
        let staff = ::clinics::service::staff::list(connection, &principal, clinic.id)
            .await
            .explain(|| "list the staff of the seed's first clinic".into())?;
        if staff.iter().any(|member| member.user_id == manager && member.role == Role::ClinicAdmin) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Builds the whole world; a line summing it up.
async fn build(connection: &mut AsyncPgConnection, sections: &Sections, progress: &Progress) -> anyhow::Result<String> {
    let now = chrono::Utc::now();
    let today = now.date_naive();
    progress.step("people".to_owned());
    let mut cast = Cast::provision(connection).await?;
    let mut clinics = Vec::new();
    for spec in CLINICS {
        progress.step(format!("clinic {} ({})", spec.name, spec.time_zone));
        let seeded: Vec<ClinicId> = clinics.iter().map(|clinic: &clinics::Clinic| clinic.id).collect();
        clinics.push(clinics::build(connection, &mut cast, &sections.clinics, spec, &seeded, today).await?);
    }
    progress.step("the emergency rota".to_owned());
    let shifts = on_call::build(connection, &cast, &sections.emergency, &clinics, now).await?;
    progress.step("the clinics' shops".to_owned());
    let products = shop::build(connection, &cast, &clinics).await?;
    progress.step("owners and their pets".to_owned());
    let pets = owners::build(connection, &cast, &sections.pets, &clinics, today, now).await?;
    let scene = Scene {
        cast: &cast,
        clinics: &clinics,
        pets: &pets,
        appointments: &sections.appointments,
        pets_settings: &sections.pets,
        today,
        now,
    };
    let tally = visits::build(connection, &scene, |what| progress.step(what)).await?;
    Ok(describe(&clinics, pets.len(), (shifts, products), &tally))
}

fn describe(clinics: &[clinics::Clinic], pets: usize, (shifts, products): (usize, usize), tally: &Tally) -> String {
    let zones: Vec<&str> = clinics.iter().map(|clinic| clinic.spec.time_zone).collect();
    let vets: usize = clinics.iter().map(|clinic| clinic.spec.vets.len()).sum();
    let owners = cast::PEOPLE.iter().filter(|person| person.role == Role::PetOwner).count();
    let appointments: usize = tally.appointments.values().sum();
    let statuses: Vec<String> = tally.appointments.iter().map(|(status, count)| format!("{count} {status}")).collect();
    let (reviews, verified, held) = tally.reviews;
    format!(
        "seeded {} clinics ({}), {vets} vets ({shifts} on call for a day), {owners} owners, {pets} pets, {} health records, \
         {appointments} appointments ({}), {} pending care reminders, {reviews} reviews ({verified} verified, {held} held), \
         {products} products in the clinics' shops",
        clinics.len(),
        zones.join(", "),
        tally.records,
        statuses.join(", "),
        tally.pending_reminders,
    )
}

/// Runs `work` in one transaction: committed when it succeeds, rolled back
/// otherwise (the services' own transactions become savepoints inside it).
async fn in_transaction<T>(
    connection: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    AnsiTransactionManager::begin_transaction(connection).await?;
    match work(&mut *connection).await {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(connection).await?;
            Ok(value)
        }
        Err(error) => {
            // The error says what failed; a failed rollback closes the connection anyway.
            let _ = AnsiTransactionManager::rollback_transaction(connection).await;
            Err(error)
        }
    }
}

/// A service's answer as an `anyhow` error that says what was being done,
/// with the fields of a validation error and the details of a conflict.
trait Explain<T> {
    fn explain(self, what: impl FnOnce() -> String) -> anyhow::Result<T>;
}

impl<T> Explain<T> for kernel::Result<T> {
    fn explain(self, what: impl FnOnce() -> String) -> anyhow::Result<T> {
        self.map_err(|error| {
            let error = match error {
                kernel::Error::Validation(fields) => anyhow::anyhow!("validation failed: {fields:?}"),
                kernel::Error::Conflict { message, details } => anyhow::anyhow!("conflict: {message} {details}"),
                other => anyhow::Error::new(other),
            };
            error.context(what())
        })
    }
}

/// A progress bar on a terminal; plain lines on stderr otherwise (logs,
/// pipes), so stdout keeps only the summary and the tokens.
struct Progress {
    bar: ProgressBar,
    plain: bool,
}

impl Progress {
    fn new(steps: usize) -> Self {
        let length = u64::try_from(steps).unwrap_or(u64::MAX);
        if std::io::stdout().is_terminal() {
            let style = ProgressStyle::with_template("{spinner} seed [{bar:30}] {pos}/{len} {wide_msg}")
                .map(|style| style.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            let bar = ProgressBar::new(length).with_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            Self { bar, plain: false }
        } else {
            Self { bar: ProgressBar::hidden(), plain: true }
        }
    }

    fn step(&self, what: String) {
        if self.plain {
            eprintln!("seed: {what}");
        }
        self.bar.set_message(what);
        self.bar.inc(1);
    }

    fn skip(&self, steps: usize, why: &str) {
        if self.plain {
            eprintln!("seed: {why}");
        }
        self.bar.set_message(why.to_owned());
        self.bar.inc(u64::try_from(steps).unwrap_or(0));
    }

    fn finish(&self, took: Duration) {
        let done = format!("done in {:.1} s", took.as_secs_f64());
        if self.plain {
            eprintln!("seed: {done}");
        }
        self.bar.finish_with_message(done);
    }
}
