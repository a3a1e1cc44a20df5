//! Prescriptions: a medication record written by a clinic's clinician is
//! what lets that clinic sell the drug for the pet (`commerce` counts the
//! refills it used).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, RecordId};

use crate::api::{RecordDetails, RecordKind};
use crate::models::HealthRecord;
use db::schema::health_records;

/// A prescription of a drug for a pet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prescription {
    /// The medication record.
    pub record_id: RecordId,
    /// Refills it allows.
    pub refills: u8,
    /// Its last day, if it has one.
    pub end_date: Option<NaiveDate>,
}

/// The medication records the clinic wrote for the pet naming `drug` (case
/// and surrounding spaces aside) that have not ended by `on`, newest first.
pub async fn current(
    connection: &mut AsyncPgConnection,
    pet: PetId,
    clinic: ClinicId,
    drug: &str,
    on: NaiveDate,
) -> kernel::Result<Vec<Prescription>> {
    let records: Vec<HealthRecord> = health_records::table
        .filter(health_records::pet_id.eq(pet))
        .filter(health_records::clinic_id.eq(clinic))
        .filter(health_records::kind.eq(RecordKind::Medication))
        .order((health_records::record_date.desc(), health_records::id.desc()))
        .select(HealthRecord::as_select())
        .load(connection)
        .await?;
    let wanted = drug.trim().to_lowercase();
    Ok(records
        .into_iter()
        .filter_map(|record| match record.details() {
            Ok(RecordDetails::Medication { drug, refills, end_date, .. })
                if drug.trim().to_lowercase() == wanted && end_date.is_none_or(|end| end >= on) =>
            {
                Some(Prescription { record_id: record.id, refills, end_date })
            }
            _ => None,
        })
        .collect())
}
