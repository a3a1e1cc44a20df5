//! Invoices' PDFs. Issuing an invoice or a credit note schedules a job that
//! renders it once, stores it through `media` (an issued invoice never
//! changes, so neither does its PDF) and emails it to the owner as an
//! attachment. Downloads serve the stored file; a draft, or an invoice whose
//! job has not run yet, is rendered on request.

use clinics::scheduling::Clinic;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::Principal;
use media::{Purpose, Uploads};

use crate::api::{InvoiceStatus, InvoiceView};
use crate::jobs::SendInvoice;
use crate::models::Invoice;
use crate::pdf;
use crate::service::{invoices, messages};
use db::schema::commerce_invoices;

/// The owner type of invoices' PDFs in `media`.
pub const INVOICE: &str = "invoice";

const PDF: &str = "application/pdf";

/// What a download serves.
#[derive(Debug)]
pub enum Document {
    /// The stored PDF of an issued invoice.
    Stored(media::Media),
    /// The PDF rendered now, and its file name.
    Rendered(Vec<u8>, String),
}

/// Schedules the storing and emailing of the invoice `id`, just issued, in
/// the issuing transaction.
pub async fn schedule(connection: &mut AsyncPgConnection, id: uuid::Uuid) -> kernel::Result<()> {
    jobs::enqueue(connection, &SendInvoice { invoice_id: id }, jobs::EnqueueOptions::default()).await?;
    Ok(())
}

/// The invoice's PDF, for whoever may see the invoice (drafts too, for the
/// clinic's staff).
pub async fn document(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: uuid::Uuid,
) -> kernel::Result<Document> {
    let invoice = invoices::visible(connection, principal, id).await?;
    if let Some(file) = invoice.media_id {
        return Ok(Document::Stored(media::service::attached_to(connection, file, (INVOICE, invoice.id)).await?));
    }
    let rendered = render(connection, invoice).await?;
    Ok(Document::Rendered(rendered.pdf, rendered.file_name))
}

/// Stores the issued invoice `id`'s PDF and emails it to its owner (the
/// job). Once stored, or with no owner to send it to, there is nothing to do.
pub async fn send(connection: &mut AsyncPgConnection, uploads: &Uploads, id: uuid::Uuid) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let found: Option<Invoice> = commerce_invoices::table
            .find(id)
            .filter(commerce_invoices::status.eq(InvoiceStatus::Issued))
            .filter(commerce_invoices::media_id.is_null())
            .select(Invoice::as_select())
            .for_update()
            .first(connection)
            .await
            .optional()?;
        let Some((invoice, owner)) = found.and_then(|invoice| invoice.owner_id.map(|owner| (invoice, owner))) else {
            return Ok(());
        };
        let Rendered { view, clinic, pdf, file_name } = render(connection, invoice).await?;
        let file = (Purpose::Invoice, file_name.as_str(), PDF);
        let stored = media::service::store(connection, uploads, owner, file, pdf.clone(), (INVOICE, view.id)).await?;
        diesel::update(commerce_invoices::table.find(view.id))
            .set(commerce_invoices::media_id.eq(stored))
            .execute(connection)
            .await?;
        let attachment = notifications::Attachment { file_name, content_type: PDF.to_owned(), content: pdf };
        messages::invoice_issued(connection, &clinic, owner, &view, attachment).await
    })
    .await
}

/// An invoice rendered: how it is shown, its clinic, the PDF and its file name.
struct Rendered {
    view: InvoiceView,
    clinic: Clinic,
    pdf: Vec<u8>,
    file_name: String,
}

async fn render(connection: &mut AsyncPgConnection, invoice: Invoice) -> kernel::Result<Rendered> {
    let clinic = clinics::scheduling::clinic(connection, invoice.clinic_id).await?;
    let view = invoices::view(connection, invoice).await?;
    Ok(Rendered { pdf: pdf::render(&view, &clinic.name), file_name: pdf::file_name(&view), view, clinic })
}
