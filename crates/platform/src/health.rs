//! Liveness and readiness probes.
//!
//! - `GET /health/live`: the process answers HTTP. Never touches a dependency,
//!   so an outage of Postgres or Redis does not get healthy pods restarted.
//! - `GET /health/ready`: the database answers, Redis answers and every embedded
//!   migration is applied. Otherwise 503 with each check's outcome, so a load
//!   balancer stops sending traffic until the dependency is back.
//!
//! Each check is bounded by [`CHECK_TIMEOUT`], so the probe answers within it
//! even when a dependency hangs. The probe is public, so it must not be a way
//! to load the service: one check runs at a time (callers arriving meanwhile
//! share its outcome), a passing outcome is reused for
//! `server.readiness_cache_ms`, and a failure says only which check failed;
//! the cause goes to the log.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Routes;
use crate::error::{ApiError, ErrorEnvelope};
use crate::state::AppState;

/// Upper bound of one readiness check.
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(2000);

/// Outcome of the probes.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthView {
    /// `ok` when every check passed.
    pub status: String,
    /// Each check and its outcome: `ok` or `failing` (the cause is logged, never shown).
    pub checks: BTreeMap<String, String>,
}

/// The process is up.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is up", body = HealthView))
)]
#[get("/health/live")]
pub async fn live() -> web::Json<HealthView> {
    web::Json(HealthView { status: "ok".into(), checks: BTreeMap::new() })
}

/// The service can serve traffic: database, Redis and migrations are fine.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Every dependency is ready", body = HealthView),
        (status = 503, description = "A dependency is not ready; `details.checks` says which", body = ErrorEnvelope),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let asked = Instant::now();
    let reuse_passing_for = Duration::from_millis(state.settings().server.readiness_cache_ms);
    let checks = {
        let mut last = state.last_readiness().0.lock().await;
        match &*last {
            Some((finished, checks))
                if *finished >= asked || (passed(checks) && finished.elapsed() < reuse_passing_for) =>
            {
                checks.clone()
            }
            _ => {
                let checks = run_checks(&state).await;
                *last = Some((Instant::now(), checks.clone()));
                checks
            }
        }
    };
    if passed(&checks) {
        Ok(HttpResponse::Ok().json(HealthView { status: "ok".into(), checks }))
    } else {
        Err(ApiError::NotReady { checks })
    }
}

/// The last readiness outcome and when its checks finished (in `AppState`,
/// so that every worker thread shares it).
#[derive(Debug, Default)]
pub struct LastReadiness(tokio::sync::Mutex<Option<(Instant, BTreeMap<String, String>)>>);

fn passed(checks: &BTreeMap<String, String>) -> bool {
    checks.values().all(|outcome| outcome == "ok")
}

/// Each check's public outcome (`ok` or `failing`); causes are logged.
async fn run_checks(state: &AppState) -> BTreeMap<String, String> {
    let (database, migrations) = check_database(state).await;
    let redis = bounded(crate::cache::ping(state.redis(), CHECK_TIMEOUT)).await;
    [("database", database), ("migrations", migrations), ("redis", redis)]
        .into_iter()
        .map(|(name, outcome)| {
            let public = match outcome {
                Ok(()) => "ok",
                Err(cause) => {
                    tracing::warn!(check = name, %cause, "not ready");
                    "failing"
                }
            };
            (name.to_owned(), public.to_owned())
        })
        .collect()
}

async fn check_database(state: &AppState) -> (Result<(), String>, Result<(), String>) {
    let outcome = bounded(async {
        let mut connection = db::connect(state.db()).await.map_err(|error| error.to_string())?;
        db::migrations::all_applied(&mut connection).await.map_err(|error| error.to_string())
    })
    .await;
    match outcome {
        Ok(true) => (Ok(()), Ok(())),
        Ok(false) => (Ok(()), Err("pending migrations".to_owned())),
        Err(error) => (Err(error), Err("unknown".to_owned())),
    }
}

async fn bounded<T>(check: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::time::timeout(CHECK_TIMEOUT, check).await.map_err(|_| "timed out".to_owned())?
}

/// Mounts both probes.
pub fn routes(routes: &mut Routes) {
    routes.outside_api(live).outside_api(ready);
}
