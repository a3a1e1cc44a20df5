//! The emergency gauges, read at each scrape of `/metrics`:
//! `emergency_cases_open{status}` (cases under way by status) and
//! `emergency_vets_on_call` (vets whose on-call time covers now). The
//! counters (`emergency_cases_total{triage_level}`,
//! `emergency_offers_total{outcome}`, `emergency_cases_closed_total{status}`)
//! and the `emergency_time_to_accept_seconds` histogram are recorded where
//! the change happens.

use std::sync::Arc;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::metrics::Sampler;

use crate::api::CaseStatus;
use db::schema::{emergency_cases, emergency_on_call};

/// Sets the gauges from the database before each scrape.
pub fn sampler() -> Sampler {
    Arc::new(|state: platform::AppState| {
        Box::pin(async move {
            let Ok(mut connection) = db::connect(state.db()).await else { return };
            let open: Result<Vec<(CaseStatus, i64)>, _> = emergency_cases::table
                .filter(emergency_cases::status.eq_any(CaseStatus::OPEN))
                .group_by(emergency_cases::status)
                .select((emergency_cases::status, diesel::dsl::count_star()))
                .load(&mut connection)
                .await;
            let on_call: Result<i64, _> = emergency_on_call::table
                .filter(emergency_on_call::period.contains(chrono::Utc::now()))
                .count()
                .get_result(&mut connection)
                .await;
            let (Ok(open), Ok(on_call)) = (open, on_call) else {
                return tracing::warn!("reading the emergency gauges failed");
            };
            for status in CaseStatus::OPEN {
                let count = open.iter().find(|(found, _)| *found == status).map_or(0, |(_, count)| *count);
                metrics::gauge!("emergency_cases_open", "status" => status.as_str()).set(count as f64);
            }
            metrics::gauge!("emergency_vets_on_call").set(on_call as f64);
        })
    })
}
