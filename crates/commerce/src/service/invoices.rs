//! Invoices: one issued with each paid order, a draft for each completed
//! visit (the service's price; the clinic adds what else was used and
//! issues it), and credit notes that cancel an issued invoice.
//!
//! Issuing takes the next number of the clinic's counter with an upsert
//! whose row lock lasts until the issuing transaction ends: concurrent
//! issues queue, a rolled-back issue gives its number back, so numbers have
//! neither gaps nor duplicates. An issued invoice is final: the database
//! refuses any change to it or its lines (a trigger), and a credit note,
//! numbered the same way, corrects it. Owners see their issued invoices;
//! the clinic's staff all of the clinic's; everyone else gets 404. Each
//! issued invoice and credit note is then stored as PDF and emailed
//! ([`documents`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Page, PageRequest, Principal, Role, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::api::{CreditRequest, InvoiceKind, InvoiceLineView, InvoiceLines, InvoiceStatus, InvoiceView, TaxClass};
use crate::models::{Invoice, InvoiceLine, Order, OrderLine};
use crate::money::{LineAmounts, Totals};
use crate::service::{benefits, documents, tax};
use db::schema::{commerce_invoice_counters, commerce_invoice_lines, commerce_invoices, commerce_order_lines};

kernel::constraint_fields!("commerce_invoices_one_credit_idx" => "invoice_id");

/// Issues the invoice of `order`, just paid, in the paying transaction
/// (once: a second call finds it).
pub async fn bill_order(connection: &mut AsyncPgConnection, order: &Order, now: DateTime<Utc>) -> kernel::Result<()> {
    let exists =
        diesel::select(diesel::dsl::exists(commerce_invoices::table.filter(commerce_invoices::order_id.eq(order.id))))
            .get_result::<bool>(connection)
            .await?;
    if exists {
        return Ok(());
    }
    let lines: Vec<OrderLine> = commerce_order_lines::table
        .filter(commerce_order_lines::order_id.eq(order.id))
        .order(commerce_order_lines::id)
        .select(OrderLine::as_select())
        .load(connection)
        .await?;
    let id = uuid::Uuid::now_v7();
    let lines: Vec<InvoiceLine> = lines
        .into_iter()
        .map(|line| InvoiceLine {
            id: uuid::Uuid::now_v7(),
            invoice_id: id,
            description: format!("{} ({})", line.name, line.sku),
            quantity: line.quantity,
            unit_price: line.unit_price,
            tax_rate: line.tax_rate,
            net: line.net,
            tax: line.tax,
        })
        .collect();
    let invoice = Invoice {
        id,
        clinic_id: order.clinic_id,
        owner_id: order.owner_id,
        order_id: Some(order.id),
        appointment_id: None,
        kind: InvoiceKind::Invoice,
        credits_id: None,
        status: InvoiceStatus::Issued,
        number: Some(next_number(connection, order.clinic_id).await?),
        currency: order.currency.clone(),
        subtotal: order.subtotal,
        tax_total: order.tax_total,
        total: order.total,
        note: None,
        issued_at: Some(now),
        created_at: now,
        media_id: None,
    };
    diesel::insert_into(commerce_invoices::table).values(&invoice).execute(connection).await?;
    diesel::insert_into(commerce_invoice_lines::table).values(&lines).execute(connection).await?;
    documents::schedule(connection, invoice.id).await
}

/// Drafts the invoice of a completed visit: the service at its price (or as
/// the pet's wellness plan has it: [`benefits::visit`]), taxed at the
/// clinic's standard rate. Run twice, it drafts once.
pub async fn draft_visit(
    connection: &mut AsyncPgConnection,
    visit: &appointments::events::AppointmentCompleted,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let clinic = clinics::scheduling::clinic(connection, visit.clinic_id).await?;
    let (name, price) = clinics::service::catalog::name_and_price(connection, visit.service_id).await?;
    let rate = tax::rate_of(&tax::rates_of(connection, clinic.id).await?, TaxClass::Standard);
    db::transaction(connection, async |connection| {
        let drafted = commerce_invoices::table.filter(commerce_invoices::appointment_id.eq(visit.appointment_id));
        if diesel::select(diesel::dsl::exists(drafted)).get_result::<bool>(connection).await? {
            return Ok(());
        }
        let (description, price) = benefits::visit(connection, visit, name, price).await?;
        let amounts = LineAmounts::of(price, 1, rate);
        let id = uuid::Uuid::now_v7();
        let invoice = Invoice {
            id,
            clinic_id: clinic.id,
            owner_id: Some(visit.owner_id),
            order_id: None,
            appointment_id: Some(visit.appointment_id),
            kind: InvoiceKind::Invoice,
            credits_id: None,
            status: InvoiceStatus::Draft,
            number: None,
            currency: clinic.currency.clone(),
            subtotal: amounts.net,
            tax_total: amounts.tax,
            total: amounts.total(),
            note: None,
            issued_at: None,
            created_at: now,
            media_id: None,
        };
        diesel::insert_into(commerce_invoices::table).values(&invoice).execute(connection).await?;
        let line = InvoiceLine {
            id: uuid::Uuid::now_v7(),
            invoice_id: id,
            description,
            quantity: 1,
            unit_price: price,
            tax_rate: rate,
            net: amounts.net,
            tax: amounts.tax,
        };
        diesel::insert_into(commerce_invoice_lines::table).values(&line).execute(connection).await?;
        Ok(())
    })
    .await
}

/// One invoice: its clinic's staff and platform admins; its owner once issued.
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: uuid::Uuid,
) -> kernel::Result<InvoiceView> {
    let invoice = visible(connection, principal, id).await?;
    view(connection, invoice).await
}

/// The caller's issued invoices and credit notes, newest first.
pub async fn mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    page: &PageRequest,
) -> kernel::Result<Page<InvoiceView>> {
    let mut query = commerce_invoices::table
        .filter(commerce_invoices::owner_id.eq(principal.user_id))
        .filter(commerce_invoices::status.eq(InvoiceStatus::Issued))
        .order(commerce_invoices::id.desc())
        .limit(page.fetch_limit())
        .select(Invoice::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_invoices::id.lt(after));
    }
    let rows = query.load(connection).await?;
    views(connection, Page::from_rows(rows, page, |invoice| invoice.id)).await
}

/// The clinic's invoices, drafts included, newest first (its staff).
pub async fn of_clinic(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    page: &PageRequest,
) -> kernel::Result<Page<InvoiceView>> {
    clinics::scheduling::clinic(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_STAFF)?;
    let mut query = commerce_invoices::table
        .filter(commerce_invoices::clinic_id.eq(clinic))
        .order(commerce_invoices::id.desc())
        .limit(page.fetch_limit())
        .select(Invoice::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(commerce_invoices::id.lt(after));
    }
    let rows = query.load(connection).await?;
    views(connection, Page::from_rows(rows, page, |invoice| invoice.id)).await
}

/// Replaces a draft's lines (the clinic's desk); priced by the one rule.
pub async fn set_lines(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: uuid::Uuid,
    request: &Valid<InvoiceLines>,
) -> kernel::Result<InvoiceView> {
    let invoice = db::transaction(connection, async |connection| {
        let invoice = at_desk(connection, principal, clinic, id).await?;
        draft_only(&invoice)?;
        let rates = tax::rates_of(connection, clinic).await?;
        let lines: Vec<InvoiceLine> = request
            .lines
            .iter()
            .map(|line| {
                let rate = tax::rate_of(&rates, line.tax_class);
                let amounts = LineAmounts::of(line.unit_price, line.quantity, rate);
                InvoiceLine {
                    id: uuid::Uuid::now_v7(),
                    invoice_id: id,
                    description: line.description.trim().to_owned(),
                    quantity: line.quantity,
                    unit_price: line.unit_price,
                    tax_rate: rate,
                    net: amounts.net,
                    tax: amounts.tax,
                }
            })
            .collect();
        let totals =
            Totals::of(&lines.iter().map(|line| LineAmounts { net: line.net, tax: line.tax }).collect::<Vec<_>>());
        diesel::delete(commerce_invoice_lines::table.filter(commerce_invoice_lines::invoice_id.eq(id)))
            .execute(connection)
            .await?;
        diesel::insert_into(commerce_invoice_lines::table).values(&lines).execute(connection).await?;
        let updated = diesel::update(commerce_invoices::table.find(id))
            .set((
                commerce_invoices::subtotal.eq(totals.subtotal),
                commerce_invoices::tax_total.eq(totals.tax_total),
                commerce_invoices::total.eq(totals.total()),
                commerce_invoices::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Invoice::as_returning())
            .get_result(connection)
            .await?;
        let entry = AuditEntry::new(Some(principal.user_id), "invoice.lines_set", "invoice", id)
            .with_changes(json!({ "total": { "from": invoice.total, "to": updated.total } }));
        audit::record(connection, entry).await?;
        Ok(updated)
    })
    .await?;
    view(connection, invoice).await
}

/// Issues a draft (the clinic's desk): the clinic's next number; final from now on.
pub async fn issue(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> kernel::Result<InvoiceView> {
    let invoice = db::transaction(connection, async |connection| {
        let invoice = at_desk(connection, principal, clinic, id).await?;
        draft_only(&invoice)?;
        let number = next_number(connection, clinic).await?;
        let issued = diesel::update(commerce_invoices::table.find(id))
            .set((
                commerce_invoices::status.eq(InvoiceStatus::Issued),
                commerce_invoices::number.eq(number),
                commerce_invoices::issued_at.eq(now),
                commerce_invoices::updated_at.eq(now),
            ))
            .returning(Invoice::as_returning())
            .get_result(connection)
            .await?;
        let entry = AuditEntry::new(Some(principal.user_id), "invoice.issued", "invoice", id)
            .with_changes(json!({ "number": number, "total": issued.total }));
        audit::record(connection, entry).await?;
        documents::schedule(connection, id).await?;
        Ok(issued)
    })
    .await?;
    view(connection, invoice).await
}

/// Cancels an issued invoice with a credit note of the same lines, issued
/// at once with the clinic's next number (the clinic's desk; one per invoice).
pub async fn credit(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: uuid::Uuid,
    request: &Valid<CreditRequest>,
    now: DateTime<Utc>,
) -> kernel::Result<InvoiceView> {
    let note = db::transaction(connection, async |connection| {
        let invoice = at_desk(connection, principal, clinic, id).await?;
        if invoice.status != InvoiceStatus::Issued || invoice.kind != InvoiceKind::Invoice {
            return Err(kernel::Error::conflict("only an issued invoice is credited"));
        }
        let note_id = uuid::Uuid::now_v7();
        let note = Invoice {
            id: note_id,
            kind: InvoiceKind::CreditNote,
            credits_id: Some(invoice.id),
            order_id: None,
            appointment_id: None,
            number: Some(next_number(connection, clinic).await?),
            note: request.reason.clone(),
            issued_at: Some(now),
            created_at: now,
            media_id: None,
            ..invoice.clone()
        };
        diesel::insert_into(commerce_invoices::table).values(&note).execute(connection).await?;
        let lines: Vec<InvoiceLine> = lines_of(connection, &[invoice.id])
            .await?
            .into_iter()
            .map(|line| InvoiceLine { id: uuid::Uuid::now_v7(), invoice_id: note_id, ..line })
            .collect();
        diesel::insert_into(commerce_invoice_lines::table).values(&lines).execute(connection).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "invoice.credited", "invoice", invoice.id)
            .with_changes(json!({ "credit_note": note_id, "number": note.number, "reason": request.reason }));
        audit::record(connection, entry).await?;
        documents::schedule(connection, note_id).await?;
        Ok(note)
    })
    .await?;
    view(connection, note).await
}

/// The clinic's next invoice number; its counter row stays locked until
/// the caller's transaction ends.
async fn next_number(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<i32> {
    Ok(diesel::insert_into(commerce_invoice_counters::table)
        .values((commerce_invoice_counters::clinic_id.eq(clinic), commerce_invoice_counters::last_number.eq(1)))
        .on_conflict(commerce_invoice_counters::clinic_id)
        .do_update()
        .set(commerce_invoice_counters::last_number.eq(commerce_invoice_counters::last_number + 1))
        .returning(commerce_invoice_counters::last_number)
        .get_result(connection)
        .await?)
}

/// The invoice if the caller may see it, else `NotFound`.
pub(crate) async fn visible(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: uuid::Uuid,
) -> kernel::Result<Invoice> {
    let invoice = find(connection, id, false).await?;
    let staff = principal.clinic_role(invoice.clinic_id).is_some() || principal.is(Role::PlatformAdmin);
    let owner = invoice.owner_id == Some(principal.user_id) && invoice.status == InvoiceStatus::Issued;
    if staff || owner { Ok(invoice) } else { Err(kernel::Error::NotFound { resource: "invoice" }) }
}

/// The clinic's invoice `id`, locked, for its desk.
async fn at_desk(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: uuid::Uuid,
) -> kernel::Result<Invoice> {
    principal.require_staff(clinic, Role::CLINIC_DESK)?;
    let invoice = find(connection, id, true).await?;
    if invoice.clinic_id != clinic {
        return Err(kernel::Error::NotFound { resource: "invoice" });
    }
    Ok(invoice)
}

async fn find(connection: &mut AsyncPgConnection, id: uuid::Uuid, lock: bool) -> kernel::Result<Invoice> {
    let query = commerce_invoices::table.find(id).select(Invoice::as_select());
    let found = if lock { query.for_update().first(connection).await } else { query.first(connection).await };
    found.optional()?.ok_or(kernel::Error::NotFound { resource: "invoice" })
}

fn draft_only(invoice: &Invoice) -> kernel::Result<()> {
    if invoice.status == InvoiceStatus::Draft {
        return Ok(());
    }
    Err(kernel::Error::Conflict {
        message: "an issued invoice cannot change: issue a credit note".to_owned(),
        details: json!({ "number": invoice.number }),
    })
}

async fn lines_of(connection: &mut AsyncPgConnection, invoices: &[uuid::Uuid]) -> kernel::Result<Vec<InvoiceLine>> {
    Ok(commerce_invoice_lines::table
        .filter(commerce_invoice_lines::invoice_id.eq_any(invoices))
        .order(commerce_invoice_lines::id)
        .select(InvoiceLine::as_select())
        .load(connection)
        .await?)
}

/// How an invoice is shown.
pub async fn view(connection: &mut AsyncPgConnection, invoice: Invoice) -> kernel::Result<InvoiceView> {
    kernel::single(views(connection, Page { items: vec![invoice], next_cursor: None }).await?.items)
}

async fn views(connection: &mut AsyncPgConnection, page: Page<Invoice>) -> kernel::Result<Page<InvoiceView>> {
    let ids: Vec<uuid::Uuid> = page.items.iter().map(|invoice| invoice.id).collect();
    let lines = lines_of(connection, &ids).await?;
    Ok(page.map(|invoice| InvoiceView {
        lines: lines
            .iter()
            .filter(|line| line.invoice_id == invoice.id)
            .map(|line| InvoiceLineView {
                description: line.description.clone(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                tax_rate: line.tax_rate,
                net: line.net,
                tax: line.tax,
            })
            .collect(),
        id: invoice.id,
        kind: invoice.kind,
        status: invoice.status,
        number: invoice.number,
        clinic_id: invoice.clinic_id,
        owner_id: invoice.owner_id,
        order_id: invoice.order_id,
        appointment_id: invoice.appointment_id,
        credits_id: invoice.credits_id,
        currency: invoice.currency,
        subtotal: invoice.subtotal,
        tax_total: invoice.tax_total,
        total: invoice.total,
        note: invoice.note,
        issued_at: invoice.issued_at,
        created_at: invoice.created_at,
    }))
}
