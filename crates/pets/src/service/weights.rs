//! Weight history, stored in kilograms; the current weight is the latest.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{Page, PageRequest, PetId, Principal, Valid, WeightId};
use rust_decimal::Decimal;

use crate::access;
use crate::api::{WeightEntry, WeightView};
use db::schema::pet_weights;

/// Heaviest weight accepted (a draught horse is about 1 000 kg).
const MAX_KG: Decimal = Decimal::from_parts(2000, 0, 0, false, 0);

/// Records a weighing (owners and caring staff).
pub async fn add(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    entry: &Valid<WeightEntry>,
) -> kernel::Result<WeightView> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.may_add_weights(), "weigh this pet")?;
    let weight_kg = (entry.value * entry.unit.kilograms()).round_dp(3);
    if weight_kg <= Decimal::ZERO || weight_kg > MAX_KG {
        return Err(kernel::Error::invalid_field("value", "must be above 0 and at most 2000 kg"));
    }
    let now = Utc::now();
    let measured_at = entry.measured_at.unwrap_or(now);
    if measured_at > now + chrono::Duration::minutes(5) {
        return Err(kernel::Error::invalid_field("measured_at", "must not be in the future"));
    }
    let id = WeightId::new();
    diesel::insert_into(pet_weights::table)
        .values((
            pet_weights::id.eq(id),
            pet_weights::pet_id.eq(pet),
            pet_weights::measured_at.eq(measured_at),
            pet_weights::weight_kg.eq(weight_kg),
            pet_weights::recorded_by.eq(principal.user_id),
        ))
        .execute(connection)
        .await?;
    Ok(WeightView { id, weight_kg, measured_at })
}

/// The weighings, most recently measured first (keyset on `(measured_at, id)`).
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    page: &PageRequest,
) -> kernel::Result<Page<WeightView>> {
    access::resolve(connection, principal, pet).await?;
    let mut query = pet_weights::table
        .filter(pet_weights::pet_id.eq(pet))
        .select((pet_weights::id, pet_weights::weight_kg, pet_weights::measured_at))
        .order((pet_weights::measured_at.desc(), pet_weights::id.desc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(measured_at, id) < (SELECT w.measured_at, w.id FROM pet_weights w WHERE w.id = ",
            )
            .bind::<diesel::sql_types::Uuid, _>(after)
            .sql(")"),
        );
    }
    let rows = query.load::<(WeightId, Decimal, chrono::DateTime<Utc>)>(connection).await?;
    Ok(Page::from_rows(rows, page, |(id, ..)| id.0).map(|(id, weight_kg, measured_at)| WeightView {
        id,
        weight_kg,
        measured_at,
    }))
}
