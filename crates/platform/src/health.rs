//! Liveness and readiness probes.
//!
//! - `GET /health/live`: the process answers HTTP. Never touches a dependency,
//!   so an outage of Postgres or Redis does not get healthy pods restarted.
//! - `GET /health/ready`: the database answers, Redis answers and every embedded
//!   migration is applied. Otherwise 503 with each check's outcome, so a load
//!   balancer stops sending traffic until the dependency is back.
//!
//! Each check is bounded by [`CHECK_TIMEOUT`], so the probe answers within it
//! even when a dependency hangs.

use std::collections::BTreeMap;
use std::time::Duration;

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
    /// Each check and its outcome (`ok`, or what failed).
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
    let (database, migrations) = check_database(&state).await;
    let redis = bounded(crate::cache::ping(state.redis(), CHECK_TIMEOUT)).await;
    let checks: BTreeMap<String, String> = [("database", database), ("migrations", migrations), ("redis", redis)]
        .into_iter()
        .map(|(name, outcome)| (name.to_owned(), outcome.err().unwrap_or_else(|| "ok".to_owned())))
        .collect();
    if checks.values().all(|outcome| outcome == "ok") {
        Ok(HttpResponse::Ok().json(HealthView { status: "ok".into(), checks }))
    } else {
        tracing::warn!(?checks, "not ready");
        Err(ApiError::NotReady { checks })
    }
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
