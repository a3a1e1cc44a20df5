//! Who has visited a clinic: what makes a review a verified one, and who a
//! campaign to lapsed clients reaches. Scheduling records a visit when an
//! appointment is completed, in the same transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, UserId};

use db::schema::clinic_visits;

/// Records that `owner` visited `clinic` at `at` (the latest visit is kept).
pub async fn record(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    owner: UserId,
    at: DateTime<Utc>,
) -> kernel::Result<()> {
    diesel::insert_into(clinic_visits::table)
        .values((
            clinic_visits::clinic_id.eq(clinic),
            clinic_visits::owner_id.eq(owner),
            clinic_visits::last_visit_at.eq(at),
        ))
        .on_conflict((clinic_visits::clinic_id, clinic_visits::owner_id))
        .do_update()
        .set(clinic_visits::last_visit_at.eq(diesel::dsl::sql::<diesel::sql_types::Timestamptz>(
            "greatest(clinic_visits.last_visit_at, excluded.last_visit_at)",
        )))
        .execute(connection)
        .await?;
    Ok(())
}

/// The owners whose last visit to `clinic` was before `before` (a
/// campaign's lapsed clients; owners who never visited are not among them).
pub async fn last_visit_before(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    before: DateTime<Utc>,
) -> kernel::Result<Vec<UserId>> {
    Ok(clinic_visits::table
        .filter(clinic_visits::clinic_id.eq(clinic))
        .filter(clinic_visits::last_visit_at.lt(before))
        .select(clinic_visits::owner_id)
        .load(connection)
        .await?)
}

/// Whether `owner` has visited `clinic`.
pub async fn has_visited(connection: &mut AsyncPgConnection, clinic: ClinicId, owner: UserId) -> kernel::Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(clinic_visits::table.find((clinic, owner)))).get_result(connection).await?)
}
