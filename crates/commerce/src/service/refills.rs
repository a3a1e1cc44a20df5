//! Prescription refills: a prescription product sells for a pet only under a
//! current medication record of the selling clinic naming the product's
//! drug, and each order line that is not cancelled uses one of its refills.
//! Sales using one prescription queue on it (a transaction-scoped advisory
//! lock), so two cannot share its last refill.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, RecordId};

use crate::api::OrderStatus;
use db::schema::{commerce_order_lines, commerce_orders};

/// A refill about to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refill {
    /// The prescription (medication record).
    pub prescription_id: RecordId,
    /// Refills it has left once this one is used.
    pub left_after: i64,
}

/// The first current prescription of `drug` for `pet` from `clinic` with a
/// refill left on `today`, locked until the caller's transaction ends.
pub async fn next(
    connection: &mut AsyncPgConnection,
    pet: PetId,
    clinic: ClinicId,
    drug: &str,
    today: NaiveDate,
) -> kernel::Result<Option<Refill>> {
    for current in pets::service::prescriptions::current(connection, pet, clinic, drug, today).await? {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(current.record_id.to_string())
            .execute(connection)
            .await?;
        let used = fills(connection, current.record_id).await?;
        if used < i64::from(current.refills) {
            let left_after = i64::from(current.refills) - used - 1;
            return Ok(Some(Refill { prescription_id: current.record_id, left_after }));
        }
    }
    Ok(None)
}

/// 422 on `field`: `product` sells only under a prescription of `drug` with
/// a refill left, and the pet has none.
pub fn missing(field: impl Into<String>, product: &str, drug: &str) -> kernel::Error {
    kernel::Error::invalid_field(
        field,
        format!("{product} needs a current prescription of {drug} from this clinic for the pet, with a refill left"),
    )
}

/// The order lines (not cancelled) that used the prescription.
async fn fills(connection: &mut AsyncPgConnection, prescription: RecordId) -> kernel::Result<i64> {
    Ok(commerce_order_lines::table
        .inner_join(commerce_orders::table)
        .filter(commerce_order_lines::prescription_id.eq(prescription))
        .filter(commerce_orders::status.ne(OrderStatus::Cancelled))
        .count()
        .get_result(connection)
        .await?)
}
