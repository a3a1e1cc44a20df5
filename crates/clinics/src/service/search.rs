//! Finding clinics and vets: nearest first (a GiST KNN walk over the stored
//! `location = ll_to_earth(latitude, longitude)` that stops at the page, so
//! cost follows the page size, not the number of clinics), within a radius, by service, species,
//! text, "open now" (each clinic's own time zone and exceptions) and emergency
//! readiness. The `open_now=true` filter is SQL (`clinic_is_open`); the
//! `open_now` of each result is read in Rust from the hours the crate keeps
//! per clinic row version (`scheduling::open_at_each`), so a page costs no lookup per row.
//!
//! Pagination is by keyset: the cursor is the last item's id, and the next page
//! starts after that item's `(distance, id)` (or `id` without `near`).

use db::Sql;
use diesel::sql_types::{Float8, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, Valid};

use crate::api::{ClinicSearch, ClinicView, VetSearch, VetView};
use crate::models::{FoundClinic, FoundVet, ROW_VERSION};

/// Radius when a search gives `near` without `radius_km`.
pub const DEFAULT_RADIUS_KM: f64 = 25.0;

/// `near=lat,lng` → the point, or a validation error. Plain decimals only
/// (`-12.5`, no exponent, sign or leading zero), as the documented pattern says.
pub fn parse_near(near: &str) -> kernel::Result<(f64, f64)> {
    let invalid = || kernel::Error::invalid_field("near", "must be `latitude,longitude` in degrees");
    let (latitude, longitude) = near.split_once(',').ok_or_else(invalid)?;
    let (latitude, longitude) =
        (plain_decimal(latitude).ok_or_else(invalid)?, plain_decimal(longitude).ok_or_else(invalid)?);
    if (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude) {
        Ok((crate::api::round_degrees(latitude), crate::api::round_degrees(longitude)))
    } else {
        Err(invalid())
    }
}

fn plain_decimal(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) =
        unsigned.split_once('.').map_or((unsigned, None), |(whole, fraction)| (whole, Some(fraction)));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    let plain = digits(whole)
        && whole.len() <= 3
        && (whole.len() == 1 || !whole.starts_with('0'))
        && fraction.is_none_or(digits);
    if plain { text.parse().ok() } else { None }
}

/// How far the index walk of a `near` search goes: the nearest this many
/// active clinics, a city's worth. Filters that match fewer than a page
/// among them are answered by sorting the radius ([`Nearest::Sort`]).
const WALK: i64 = 500;

/// How a `near` search puts clinics in `(distance, id)` order.
#[derive(Clone, Copy)]
enum Nearest {
    /// Postgres walks the spatial index outwards from the point (KNN, at most
    /// [`WALK`] clinics), filters as it goes and stops at one more than the
    /// page: its cost follows the page, not the clinics in the radius. The
    /// radius is applied here, where its first clinic beyond shows the walk
    /// saw every one within; and an index walk orders by distance alone, so
    /// equal distances are put in id order here.
    Walk,
    /// Postgres reads every clinic in the radius's box and sorts them by
    /// distance, then id: for a walk that ended inside the radius without
    /// filling the page, or a page whose end falls among equal distances.
    Sort,
}

/// Clinics matching `filter`, nearest first when `near` is given, else newest first.
pub async fn clinics(
    connection: &mut AsyncPgConnection,
    filter: &Valid<ClinicSearch>,
    page: &PageRequest,
) -> kernel::Result<Page<ClinicView>> {
    let mut rows = load(connection, filter, page, Nearest::Walk).await?;
    if filter.near.is_some() {
        let radius = filter.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
        let walked = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let within = |found: &FoundClinic| found.distance_km.is_some_and(|distance| distance <= radius);
        // Filled a page, or went past the radius: either way nothing nearer was left out.
        let complete = walked >= page.fetch_limit() || !rows.iter().all(within);
        rows.retain(within);
        rows.sort_by(|a, b| by_distance(a).total_cmp(&by_distance(b)).then(a.clinic.id.0.cmp(&b.clinic.id.0)));
        if !complete || ties_at_page_end(&rows, page) {
            rows = load(connection, filter, page, Nearest::Sort).await?;
        }
    }
    let views = if filter.open_now == Some(true) {
        rows.into_iter().map(|found| found.into_view(true)).collect()
    } else {
        super::clinics::views(connection, rows).await?
    };
    Ok(Page::from_rows(views, page, |view| view.id.0))
}

fn by_distance(found: &FoundClinic) -> f64 {
    found.index_distance.unwrap_or(f64::INFINITY)
}

/// Whether the page's last clinic and the one after it are at the same
/// distance: then clinics of that distance with smaller ids may lie beyond
/// what the walk read. Nearer than that, it read every clinic.
fn ties_at_page_end(rows: &[FoundClinic], page: &PageRequest) -> bool {
    let last = page.limit.checked_sub(1).and_then(|last| rows.get(last));
    matches!((last, rows.get(page.limit)), (Some(last), Some(next)) if by_distance(last) == by_distance(next))
}

async fn load(
    connection: &mut AsyncPgConnection,
    filter: &ClinicSearch,
    page: &PageRequest,
    nearest: Nearest,
) -> kernel::Result<Vec<FoundClinic>> {
    let (query, sql) = clinics_query(filter, page, nearest)?;
    Ok(query.sql(&sql).load::<FoundClinic>(connection).await?)
}

/// The plan Postgres runs a clinic search with (`EXPLAIN (ANALYZE, BUFFERS)`:
/// it executes the query), for tests and benchmarks.
pub async fn explain_clinics(
    connection: &mut AsyncPgConnection,
    filter: &Valid<ClinicSearch>,
    page: &PageRequest,
) -> kernel::Result<String> {
    #[derive(diesel::QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let (query, sql) = clinics_query(filter, page, Nearest::Walk)?;
    let plan = query.sql(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")).load::<PlanLine>(connection).await?;
    Ok(plan.into_iter().map(|line| line.line).collect::<Vec<_>>().join("\n"))
}

fn clinics_query<'a>(filter: &ClinicSearch, page: &PageRequest, nearest: Nearest) -> kernel::Result<(Sql<'a>, String)> {
    let near = filter.near.as_deref().map(parse_near).transpose()?;
    let mut query = Sql::query("");
    let mut conditions = Vec::new();
    let (select, from, order) = match near {
        Some((latitude, longitude)) => {
            let (lat, lng) = (query.placeholder::<Float8, _>(latitude), query.placeholder::<Float8, _>(longitude));
            let radius = filter.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
            let knn = format!("(c.location <-> earth_point({lat}, {lng}))");
            if let Some(after) = page.after {
                let anchor = query.placeholder::<SqlUuid, _>(after);
                conditions.push(format!(
                    "({knn}, c.id) > (SELECT a.location <-> earth_point({lat}, {lng}), a.id \
                     FROM clinics a WHERE a.id = {anchor})"
                ));
            }
            let distance = format!("distance_km({lat}, {lng}, c.latitude, c.longitude) AS distance_km");
            match nearest {
                Nearest::Walk => (
                    format!("c.*, {distance}"),
                    format!(
                        "(SELECT c.*, {knn} AS index_distance, {ROW_VERSION} FROM clinics c \
                         WHERE c.is_active ORDER BY index_distance LIMIT {WALK}) c"
                    ),
                    "c.index_distance".to_owned(),
                ),
                Nearest::Sort => {
                    conditions.push("c.is_active".to_owned());
                    conditions.extend(within_radius(&mut query, &lat, &lng, radius));
                    (
                        format!("c.*, {distance}, {knn} AS index_distance, {ROW_VERSION}"),
                        "clinics c".to_owned(),
                        format!("{knn}, c.id"),
                    )
                }
            }
        }
        None => {
            conditions.push("c.is_active".to_owned());
            if let Some(after) = page.after {
                conditions.push(format!("c.id < {}", query.placeholder::<SqlUuid, _>(after)));
            }
            (
                format!("c.*, NULL::float8 AS distance_km, NULL::float8 AS index_distance, {ROW_VERSION}"),
                "clinics c".to_owned(),
                "c.id DESC".to_owned(),
            )
        }
    };
    if let Some(kind) = filter.service {
        let kind = query.placeholder::<Text, _>(kind.as_str());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM clinic_services s WHERE s.clinic_id = c.id AND s.is_active AND s.kind = {kind})"
        ));
    }
    if let Some(species) = filter.species {
        let species = query.placeholder::<Text, _>(species.as_str());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM clinic_services s WHERE s.clinic_id = c.id AND s.is_active \
             AND (cardinality(s.species) = 0 OR {species} = ANY(s.species)))"
        ));
    }
    if filter.open_now == Some(true) {
        conditions.push("clinic_is_open(c.id, c.time_zone, c.open_24_7, now())".to_owned());
    }
    if filter.emergency == Some(true) {
        conditions.push("c.emergency_capable AND c.emergency_status <> 'diverting'".to_owned());
    }
    if let Some(text) = filter.q.as_deref() {
        let (like, words) =
            (query.placeholder::<Text, _>(db::like::contains(text)), query.placeholder::<Text, _>(text.to_owned()));
        conditions.push(format!(
            "(c.name ILIKE {like} OR c.city ILIKE {like} OR c.name % {words} OR EXISTS (SELECT 1 FROM clinic_services s \
             WHERE s.clinic_id = c.id AND s.is_active AND s.name ILIKE {like}))"
        ));
    }
    // The page size is written into the text, not bound: with `LIMIT $n` a
    // generic plan is costed as reading a tenth of the walk, so Postgres would
    // plan the search afresh on every call. A few page sizes, a few statements.
    let limit = page.fetch_limit();
    let conditions = if conditions.is_empty() { "TRUE".to_owned() } else { conditions.join(" AND ") };
    let sql = format!("SELECT {select} FROM {from} WHERE {conditions} ORDER BY {order} LIMIT {limit}");
    Ok((query, sql))
}

/// The conditions that clinic `c` lies within `radius_km` of the point whose
/// placeholders are `lat` and `lng`: a box around it the spatial index reads
/// (enlarged by the arc, which is longer than the chord, and 1% more), then
/// the exact great-circle distance.
fn within_radius(query: &mut Sql<'_>, lat: &str, lng: &str, radius_km: f64) -> [String; 2] {
    let (box_m, km) = (query.placeholder::<Float8, _>(radius_km * 1010.0), query.placeholder::<Float8, _>(radius_km));
    [
        format!("cube_enlarge(earth_point({lat}, {lng}), {box_m}, 3) @> c.location"),
        format!("distance_km({lat}, {lng}, c.latitude, c.longitude) <= {km}"),
    ]
}

/// Veterinarians matching `filter`: those working at an active clinic (near
/// `near`, nearest first), else by id.
pub async fn vets(
    connection: &mut AsyncPgConnection,
    filter: &Valid<VetSearch>,
    page: &PageRequest,
) -> kernel::Result<Page<VetView>> {
    let near = filter.near.as_deref().map(parse_near).transpose()?;
    let mut query = Sql::query("");
    let mut where_clinic = vec!["c.is_active".to_owned()];
    let distance = match near {
        Some((latitude, longitude)) => {
            let (lat, lng) = (query.placeholder::<Float8, _>(latitude), query.placeholder::<Float8, _>(longitude));
            where_clinic.extend(within_radius(&mut query, &lat, &lng, filter.radius_km.unwrap_or(DEFAULT_RADIUS_KM)));
            format!("min(distance_km({lat}, {lng}, c.latitude, c.longitude))")
        }
        None => "NULL::float8".to_owned(),
    };
    let having = match filter.clinic_id {
        Some(clinic) => format!("HAVING bool_or(m.clinic_id = {})", query.placeholder::<SqlUuid, _>(clinic)),
        None => String::new(),
    };
    let mut conditions = vec!["TRUE".to_owned()];
    if let Some(specialty) = filter.specialty.as_deref() {
        conditions.push(format!("{} = ANY(v.specialties)", query.placeholder::<Text, _>(specialty.to_lowercase())));
    }
    if let Some(language) = filter.language.as_deref() {
        conditions.push(format!("{} = ANY(v.languages)", query.placeholder::<Text, _>(language.to_lowercase())));
    }
    if let Some(text) = filter.q.as_deref() {
        let (like, words) =
            (query.placeholder::<Text, _>(db::like::contains(text)), query.placeholder::<Text, _>(text.to_owned()));
        conditions.push(format!("(v.display_name ILIKE {like} OR v.display_name % {words})"));
    }
    let order = if near.is_some() { "found.distance_km, v.user_id" } else { "v.user_id" };
    if let Some(after) = page.after {
        let anchor = query.placeholder::<SqlUuid, _>(after);
        conditions.push(if near.is_some() {
            format!(
                "(found.distance_km, v.user_id) > (SELECT distance_km, user_id FROM found WHERE user_id = {anchor})"
            )
        } else {
            format!("v.user_id > {anchor}")
        });
    }
    let limit = query.placeholder::<diesel::sql_types::BigInt, _>(page.fetch_limit());
    let sql = format!(
        "WITH found AS (SELECT m.user_id, {distance} AS distance_km, array_agg(m.clinic_id ORDER BY m.clinic_id) AS clinic_ids \
           FROM clinic_memberships m JOIN clinics c ON c.id = m.clinic_id \
           WHERE m.role = 'veterinarian' AND {} GROUP BY m.user_id {having}) \
         SELECT v.*, found.distance_km, found.clinic_ids FROM found JOIN vets v ON v.user_id = found.user_id \
         WHERE {} ORDER BY {order} LIMIT {limit}",
        where_clinic.join(" AND "),
        conditions.join(" AND ")
    );
    let rows = query.sql(&sql).load::<FoundVet>(connection).await?;
    Ok(Page::from_rows(rows, page, |found| found.vet.user_id.0).map(FoundVet::into_view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_takes_plain_decimals_within_range() {
        assert!(matches!(parse_near("48.8566,2.3522"), Ok((48.8566, 2.3522))));
        assert!(matches!(parse_near("-90,180"), Ok((-90.0, 180.0))));
        assert!(matches!(parse_near("0.00000000000000000001,-0"), Ok((0.0, 0.0))), "no subnormal degrees reach SQL");
        for bad in ["91,0", "0,180.5", "48.8, 2.3", "+48,2", "4e1,2", "048,2", "48.,2", "48", "a,b"] {
            assert!(parse_near(bad).is_err(), "{bad}");
        }
    }
}
