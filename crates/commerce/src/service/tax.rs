//! A clinic's tax rates: one per class (`standard`, `reduced`); `zero` is
//! never taxed, and a class without a rate is not taxed either.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Principal, Role, Valid};
use platform::audit::{self, AuditEntry};
use rust_decimal::Decimal;

use crate::api::{TaxClass, TaxRateUpdate, TaxRateView};
use db::schema::commerce_tax_rates;

/// The clinic's rates (public: prices are shown before tax).
pub async fn rates(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Vec<TaxRateView>> {
    clinics::scheduling::clinic(connection, clinic).await?;
    let mut rates: Vec<TaxRateView> = rates_of(connection, clinic)
        .await?
        .into_iter()
        .map(|(tax_class, rate)| TaxRateView { tax_class, rate })
        .collect();
    rates.sort_by_key(|rate| rate.tax_class);
    Ok(rates)
}

/// Sets the rate of a class (the clinic's admins); orders placed before keep theirs.
pub async fn set_rate(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    class: TaxClass,
    update: &Valid<TaxRateUpdate>,
) -> kernel::Result<Vec<TaxRateView>> {
    clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    if class == TaxClass::Zero {
        return Err(kernel::Error::invalid_field("tax_class", "the zero class is never taxed"));
    }
    let mut rate = update.rate;
    rate.rescale(4);
    db::transaction(connection, async |connection| {
        diesel::insert_into(commerce_tax_rates::table)
            .values((
                commerce_tax_rates::clinic_id.eq(clinic),
                commerce_tax_rates::tax_class.eq(class),
                commerce_tax_rates::rate.eq(rate),
            ))
            .on_conflict((commerce_tax_rates::clinic_id, commerce_tax_rates::tax_class))
            .do_update()
            .set(commerce_tax_rates::rate.eq(excluded(commerce_tax_rates::rate)))
            .execute(connection)
            .await?;
        let entry = AuditEntry::new(Some(principal.user_id), "clinic.tax_rate_set", "clinic", clinic)
            .with_changes(serde_json::json!({ "tax_class": class, "rate": rate }));
        audit::record(connection, entry).await
    })
    .await?;
    rates(connection, clinic).await
}

/// The clinic's rate of each class that has one.
pub async fn rates_of(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
) -> kernel::Result<HashMap<TaxClass, Decimal>> {
    Ok(commerce_tax_rates::table
        .filter(commerce_tax_rates::clinic_id.eq(clinic))
        .select((commerce_tax_rates::tax_class, commerce_tax_rates::rate))
        .load::<(TaxClass, Decimal)>(connection)
        .await?
        .into_iter()
        .collect())
}

/// The rate of `class` among `rates`.
pub fn rate_of(rates: &HashMap<TaxClass, Decimal>, class: TaxClass) -> Decimal {
    match class {
        TaxClass::Zero => Decimal::ZERO,
        other => rates.get(&other).copied().unwrap_or(Decimal::ZERO),
    }
}
