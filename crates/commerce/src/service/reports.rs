//! Sales reports: a clinic's admins ask for its sales and refunds over a
//! range of its local days; a job writes them as CSV (one row per payment
//! received and per refund, oldest first), stores the file through `media`
//! and tells whoever asked. The report then answers with a short-lived
//! signed link to the file. Another clinic's report is 404.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, OrderId, Principal, Role, Valid};
use media::{Purpose, Uploads};
use platform::audit::{self, AuditEntry};
use rust_decimal::Decimal;

use crate::api::{ReportRequest, ReportStatus, ReportView};
use crate::jobs::BuildSalesReport;
use crate::models::{SalesReport, reference};
use db::schema::{commerce_orders, commerce_payments, commerce_refunds, commerce_sales_reports};

/// The owner type of report files in `media`.
pub const REPORT: &str = "sales_report";

/// Asks for a report (the clinic's admins); a job builds it.
pub async fn request(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    request: &Valid<ReportRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<ReportView> {
    clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let report = SalesReport {
        id: uuid::Uuid::now_v7(),
        clinic_id: clinic,
        requested_by: Some(principal.user_id),
        from_date: request.from,
        to_date: request.to,
        status: ReportStatus::Pending,
        media_id: None,
        requested_at: now,
        completed_at: None,
    };
    db::transaction(connection, async |connection| {
        diesel::insert_into(commerce_sales_reports::table).values(&report).execute(connection).await?;
        jobs::enqueue(connection, &BuildSalesReport { report_id: report.id }, jobs::EnqueueOptions::default()).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "sales_report.requested", "clinic", clinic)
            .with_changes(serde_json::json!({ "from": request.from, "to": request.to }));
        audit::record(connection, entry).await
    })
    .await?;
    Ok(view(report, None))
}

/// A report of the clinic (its admins), with a fresh signed link once built.
pub async fn get(
    connection: &mut AsyncPgConnection,
    uploads: &Uploads,
    principal: &Principal,
    clinic: ClinicId,
    id: uuid::Uuid,
) -> kernel::Result<ReportView> {
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
    let report: SalesReport = commerce_sales_reports::table
        .find(id)
        .filter(commerce_sales_reports::clinic_id.eq(clinic))
        .select(SalesReport::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "sales report" })?;
    let download = report.media_id.map(|file| uploads.link(file, None));
    Ok(view(report, download))
}

/// Builds the pending report `id` (the job); nothing to do when it is built.
pub async fn build(
    connection: &mut AsyncPgConnection,
    uploads: &Uploads,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let pending: Option<SalesReport> = commerce_sales_reports::table
            .find(id)
            .filter(commerce_sales_reports::status.eq(ReportStatus::Pending))
            .select(SalesReport::as_select())
            .for_update()
            .skip_locked()
            .first(connection)
            .await
            .optional()?;
        let Some(report) = pending else { return Ok(()) };
        let clinic = clinics::scheduling::clinic(connection, report.clinic_id).await?;
        let range =
            (midnight(clinic.zone, report.from_date), midnight(clinic.zone, report.to_date + Duration::days(1)));
        let bytes = csv(connection, &report, clinic.zone, range).await?;
        let file_name = format!("sales-{}-{}.csv", report.from_date, report.to_date);
        let stored = match report.requested_by {
            Some(asker) => {
                let file = (Purpose::SalesReport, file_name.as_str(), "text/csv");
                Some(media::service::store(connection, uploads, asker, file, bytes, (REPORT, report.id)).await?)
            }
            None => None,
        };
        diesel::update(commerce_sales_reports::table.find(report.id))
            .set((
                commerce_sales_reports::status.eq(ReportStatus::Ready),
                commerce_sales_reports::media_id.eq(stored),
                commerce_sales_reports::completed_at.eq(now),
            ))
            .execute(connection)
            .await?;
        if let Some(asker) = report.requested_by {
            let details = format!(
                "The sales report of {} from {} to {} is ready to download.",
                clinic.name, report.from_date, report.to_date
            );
            let notice = notifications::Notification::account_notice("Sales report ready", &details);
            notifications::notify(connection, asker, &notice).await?;
        }
        Ok(())
    })
    .await
}

/// One row of the report.
struct Row {
    at: DateTime<Utc>,
    kind: &'static str,
    order: OrderId,
    net: Decimal,
    tax: Decimal,
    total: Decimal,
    currency: String,
}

/// The CSV: payments received and refunds made in `range`, oldest first.
async fn csv(
    connection: &mut AsyncPgConnection,
    report: &SalesReport,
    zone: Tz,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> kernel::Result<Vec<u8>> {
    let sales: Vec<(DateTime<Utc>, OrderId, Decimal, Decimal, Decimal, String)> = commerce_orders::table
        .filter(commerce_orders::clinic_id.eq(report.clinic_id))
        .filter(commerce_orders::paid_at.ge(from).and(commerce_orders::paid_at.lt(to)))
        .select((
            commerce_orders::paid_at.assume_not_null(),
            commerce_orders::id,
            commerce_orders::subtotal,
            commerce_orders::tax_total,
            commerce_orders::total,
            commerce_orders::currency,
        ))
        .load(connection)
        .await?;
    let refunds: Vec<(DateTime<Utc>, OrderId, Decimal, String)> = commerce_refunds::table
        .inner_join(commerce_payments::table.inner_join(commerce_orders::table))
        .filter(commerce_orders::clinic_id.eq(report.clinic_id))
        .filter(commerce_refunds::created_at.ge(from).and(commerce_refunds::created_at.lt(to)))
        .select((
            commerce_refunds::created_at,
            commerce_orders::id,
            commerce_refunds::amount,
            commerce_orders::currency,
        ))
        .load(connection)
        .await?;
    let mut rows: Vec<Row> = sales
        .into_iter()
        .map(|(at, order, net, tax, total, currency)| Row { at, kind: "sale", order, net, tax, total, currency })
        .chain(refunds.into_iter().map(|(at, order, amount, currency)| Row {
            at,
            kind: "refund",
            order,
            net: Decimal::ZERO,
            tax: Decimal::ZERO,
            total: -amount,
            currency,
        }))
        .collect();
    rows.sort_by_key(|row| (row.at, row.order));
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["date", "time", "type", "order", "net", "tax", "total", "currency"])
        .map_err(kernel::Error::internal)?;
    for row in rows {
        let local = row.at.with_timezone(&zone);
        let number = reference(row.order);
        writer
            .write_record([
                local.format("%Y-%m-%d").to_string(),
                local.format("%H:%M").to_string(),
                row.kind.to_owned(),
                number,
                row.net.to_string(),
                row.tax.to_string(),
                row.total.to_string(),
                row.currency,
            ])
            .map_err(kernel::Error::internal)?;
    }
    writer.into_inner().map_err(kernel::Error::internal)
}

/// The start of `day` in `zone`, as an instant.
fn midnight(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    clinics::schedule::to_utc(zone, day.and_time(chrono::NaiveTime::MIN))
}

fn view(report: SalesReport, download: Option<media::LinkView>) -> ReportView {
    ReportView {
        id: report.id,
        clinic_id: report.clinic_id,
        from: report.from_date,
        to: report.to_date,
        status: report.status,
        requested_at: report.requested_at,
        completed_at: report.completed_at,
        download,
    }
}
