//! A clinic's patients, for its staff: the pets with a care relationship to
//! the clinic, found by pet name, owner name or microchip.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Page, PageRequest, PetId, Principal, Role, Valid};

use crate::api::{PatientSearch, PatientView, Severity, Species};
use crate::models::alerts;
use db::schema::{pet_care, pets, users};

/// The clinic's patients, newest first (any staff of the clinic, platform admins).
pub async fn search(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    search: &Valid<PatientSearch>,
    page: &PageRequest,
) -> kernel::Result<Page<PatientView>> {
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let cared_for = pet_care::table.filter(pet_care::clinic_id.eq(clinic)).select(pet_care::pet_id);
    let mut query = pets::table
        .inner_join(users::table)
        .filter(pets::id.eq_any(cared_for))
        .select((
            pets::id,
            pets::name,
            pets::species,
            pets::microchip,
            users::first_name,
            users::last_name,
            pets::alerts,
        ))
        .order(pets::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(text) = search.q.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        let contains = db::like::contains(text);
        query = query.filter(
            diesel::dsl::sql::<Bool>("(pets.name ILIKE ")
                .bind::<Text, _>(contains.clone())
                .sql(" OR concat_ws(' ', users.first_name, users.last_name) ILIKE ")
                .bind::<Text, _>(contains)
                .sql(" OR pets.microchip LIKE ")
                .bind::<Text, _>(db::like::starts_with(text))
                .sql(")"),
        );
    }
    if let Some(after) = page.after {
        query = query.filter(pets::id.lt(PetId(after)));
    }
    type Row = (PetId, String, Species, Option<String>, Option<String>, Option<String>, serde_json::Value);
    let rows: Vec<Row> = query.load(connection).await?;
    Ok(Page::from_rows(rows, page, |row| row.0.0).map(|(pet_id, name, species, microchip, first, last, stored)| {
        let mut alerts = alerts(&stored);
        alerts.sort_by_key(|alert| std::cmp::Reverse(severity_rank(alert.severity)));
        let owner_name = platform::users::display_name(first, last);
        PatientView { pet_id, name, species, microchip, owner_name, alerts }
    }))
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Mild => 0,
        Severity::Moderate => 1,
        Severity::Severe => 2,
    }
}
