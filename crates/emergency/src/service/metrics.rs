//! How emergencies were answered, for a clinic (its admins) or a region or
//! the whole platform (platform admins): cases, accepted and expired shares,
//! time from request to first accept (p50, p90), offers, cases by triage level.
//!
//! A clinic's cases are those offered to its vets, and its accepts those of
//! its vets; a region's cases are those opened within `radius_km` of `near`.

use chrono::{DateTime, Duration, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Nullable, SmallInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role};

use crate::api::{LevelCount, MetricsQuery, MetricsView};

/// Longest period one request covers, in days.
const MAX_DAYS: i64 = 366;

/// Which cases count.
enum Scope {
    Clinic(ClinicId),
    Region { latitude: f64, longitude: f64, radius_km: f64 },
    Platform,
}

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    cases: i64,
    #[diesel(sql_type = BigInt)]
    accepted: i64,
    #[diesel(sql_type = BigInt)]
    expired: i64,
    #[diesel(sql_type = BigInt)]
    cancelled: i64,
    #[diesel(sql_type = Nullable<Double>)]
    p50: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    p90: Option<f64>,
}

#[derive(QueryableByName)]
struct Offers {
    #[diesel(sql_type = BigInt)]
    made: i64,
    #[diesel(sql_type = BigInt)]
    declined: i64,
    #[diesel(sql_type = BigInt)]
    expired: i64,
}

#[derive(QueryableByName)]
struct Level {
    #[diesel(sql_type = SmallInt)]
    level: i16,
    #[diesel(sql_type = BigInt)]
    cases: i64,
}

/// The figures for the query's scope and period.
pub async fn report(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    now: DateTime<Utc>,
    query: &MetricsQuery,
) -> kernel::Result<MetricsView> {
    let scope = scope(principal, query)?;
    let to = query.to.unwrap_or(now);
    let from = query.from.unwrap_or(to - Duration::days(30));
    appointments::service::check_range(from, to, MAX_DAYS)?;
    // $1, $2: the period; $3: the clinic (or nil); $4..$6: the region (or
    // zeros). Every query binds all six (typed, so unused ones are harmless).
    let (clinic, (latitude, longitude, radius_km)) = match scope {
        Scope::Clinic(clinic) => (clinic.0, (0.0, 0.0, 0.0)),
        Scope::Region { latitude, longitude, radius_km } => (uuid::Uuid::nil(), (latitude, longitude, radius_km)),
        Scope::Platform => (uuid::Uuid::nil(), (0.0, 0.0, 0.0)),
    };
    let (in_scope, accepted_here) = match scope {
        Scope::Clinic(_) => (
            "EXISTS (SELECT 1 FROM emergency_offers o WHERE o.case_id = c.id AND o.clinic_id = $3)",
            "c.accepted_clinic_id = $3",
        ),
        Scope::Region { .. } => (
            "cube_enlarge(earth_point($4, $5), $6 * 1010.0, 3) @> c.location \
             AND distance_km($4, $5, c.latitude, c.longitude) <= $6",
            "c.accepted_at IS NOT NULL",
        ),
        Scope::Platform => ("true", "c.accepted_at IS NOT NULL"),
    };
    let cases = format!("FROM emergency_cases c WHERE c.created_at >= $1 AND c.created_at < $2 AND {in_scope}");
    let wait = "extract(epoch FROM c.accepted_at - c.created_at)::float8";
    let totals: Totals = bound(
        &format!(
            "SELECT count(*) AS cases, count(*) FILTER (WHERE {accepted_here}) AS accepted, \
             count(*) FILTER (WHERE c.status = 'expired') AS expired, \
             count(*) FILTER (WHERE c.status = 'cancelled' AND c.accepted_at IS NULL) AS cancelled, \
             percentile_cont(0.5) WITHIN GROUP (ORDER BY {wait}) FILTER (WHERE {accepted_here}) AS p50, \
             percentile_cont(0.9) WITHIN GROUP (ORDER BY {wait}) FILTER (WHERE {accepted_here}) AS p90 {cases}"
        ),
        (from, to, clinic, latitude, longitude, radius_km),
    )
    .get_result(connection)
    .await?;
    let offer_filter = if matches!(scope, Scope::Clinic(_)) { "AND o.clinic_id = $3" } else { "" };
    let offers: Offers = bound(
        &format!(
            "SELECT count(*) AS made, count(*) FILTER (WHERE o.status = 'declined') AS declined, \
             count(*) FILTER (WHERE o.status = 'expired') AS expired \
             FROM emergency_offers o WHERE o.case_id IN (SELECT c.id {cases}) {offer_filter}"
        ),
        (from, to, clinic, latitude, longitude, radius_km),
    )
    .get_result(connection)
    .await?;
    let levels: Vec<Level> = bound(
        &format!("SELECT c.triage_level AS level, count(*) AS cases {cases} GROUP BY c.triage_level ORDER BY 1"),
        (from, to, clinic, latitude, longitude, radius_km),
    )
    .load(connection)
    .await?;
    let answered = totals.accepted + totals.expired;
    let share = |part: i64| (answered > 0).then(|| part as f64 / answered as f64);
    Ok(MetricsView {
        cases: totals.cases,
        accepted: totals.accepted,
        expired: totals.expired,
        cancelled: totals.cancelled,
        acceptance_rate: share(totals.accepted),
        expired_rate: share(totals.expired),
        time_to_accept_p50_secs: totals.p50,
        time_to_accept_p90_secs: totals.p90,
        offers: offers.made,
        offers_declined: offers.declined,
        offers_expired: offers.expired,
        by_triage_level: levels
            .into_iter()
            .map(|level| LevelCount { level: level.level, cases: level.cases })
            .collect(),
    })
}

type Binds = (DateTime<Utc>, DateTime<Utc>, uuid::Uuid, f64, f64, f64);

fn bound(
    sql: &str,
    (from, to, clinic, latitude, longitude, radius_km): Binds,
) -> diesel::query_builder::BoxedSqlQuery<'static, diesel::pg::Pg, diesel::query_builder::SqlQuery> {
    diesel::sql_query(sql.to_owned())
        .into_boxed()
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .bind::<SqlUuid, _>(clinic)
        .bind::<Double, _>(latitude)
        .bind::<Double, _>(longitude)
        .bind::<Double, _>(radius_km)
}

/// The scope the caller asked for, if they may see it: a clinic's admins
/// their clinic; platform admins any clinic, a region or everything.
fn scope(principal: &Principal, query: &MetricsQuery) -> kernel::Result<Scope> {
    match (query.clinic_id, query.near.as_deref()) {
        (Some(_), Some(_)) => Err(kernel::Error::invalid_field("near", "give `clinic_id` or `near`, not both")),
        (Some(clinic), None) => {
            principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
            Ok(Scope::Clinic(clinic))
        }
        (None, near) => {
            principal.require(Role::PlatformAdmin)?;
            let Some(near) = near else { return Ok(Scope::Platform) };
            let (latitude, longitude) = clinics::service::search::parse_near(near)?;
            Ok(Scope::Region { latitude, longitude, radius_km: query.radius_km.unwrap_or(25.0) })
        }
    }
}
