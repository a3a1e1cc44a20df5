//! Sales reports.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::ClinicId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

kernel::text_enum!(
    /// Where a report stands.
    ReportStatus as SalesReportStatus {
        /// Being built by a job.
        Pending = "pending",
        /// Built: `download` is its link.
        Ready = "ready",
    }
);

/// `POST /clinics/{id}/sales-reports`: the clinic's local days it covers.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "ReportRequest::ordered"))]
pub struct ReportRequest {
    /// The first day.
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub from: NaiveDate,
    /// The last day (on or after `from`, at most 366 days later).
    #[validate(custom(function = "kernel::dates::in_calendar"))]
    pub to: NaiveDate,
}

impl ReportRequest {
    fn ordered(&self) -> Result<(), validator::ValidationError> {
        let days = (self.to - self.from).num_days();
        if !(0..=366).contains(&days) {
            return Err(validator::ValidationError::new("range")
                .with_message("`to` is on or after `from`, at most 366 days later".into()));
        }
        Ok(())
    }
}

/// A sales report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    /// Its id.
    pub id: uuid::Uuid,
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// Pending or ready.
    pub status: ReportStatus,
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When it was built.
    pub completed_at: Option<DateTime<Utc>>,
    /// A signed link to the CSV, once ready (it expires; ask again for a fresh one).
    pub download: Option<media::LinkView>,
}
