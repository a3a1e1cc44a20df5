//! `/api/v1/invoices` (the owner's) and `/api/v1/clinics/{id}/invoices` (the clinic's).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use kernel::{ClinicId, Page};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, PageQuery, ValidJson};
use uuid::Uuid;

use crate::api::{CreditRequest, InvoiceLines, InvoiceView};
use crate::service::documents::{self, Document};
use crate::service::invoices;

/// The caller's issued invoices and credit notes, newest first.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<InvoiceView>), InvalidQuery, StandardErrors)
)]
#[get("/invoices")]
pub async fn my_invoices(
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<InvoiceView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(invoices::mine(&mut connection, &caller, &page).await?))
}

/// One invoice (its owner once issued, the clinic's staff, platform admins).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses((status = 200, body = InvoiceView), NotFound, StandardErrors)
)]
#[get("/invoices/{id}")]
pub async fn get_invoice(
    CurrentUser(caller): CurrentUser,
    id: web::Path<Uuid>,
    mut connection: Db,
) -> Result<web::Json<InvoiceView>, ApiError> {
    Ok(web::Json(invoices::get(&mut connection, &caller, *id).await?))
}

/// The invoice as a PDF: stored once issued (with `ETag` revalidation and
/// byte ranges), rendered on request while a draft.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 304, description = "Not modified"),
        NotFound,
        StandardErrors,
    )
)]
#[get("/invoices/{id}/pdf")]
pub async fn invoice_pdf(
    CurrentUser(caller): CurrentUser,
    uploads: web::Data<media::Uploads>,
    id: web::Path<Uuid>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (bytes, name) = match documents::document(&mut connection, &caller, *id).await? {
        Document::Stored(file) => return uploads.download(&mut connection, file, None, &request).await,
        Document::Rendered(bytes, name) => (bytes, name),
    };
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name)],
    };
    Ok(HttpResponse::Ok().content_type("application/pdf").insert_header(disposition).body(bytes))
}

/// The clinic's invoices, drafts included, newest first (its staff).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), PageQuery),
    responses((status = 200, body = Page<InvoiceView>), Forbidden, NotFound, InvalidQuery, StandardErrors)
)]
#[get("/clinics/{id}/invoices")]
pub async fn clinic_invoices(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<InvoiceView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(invoices::of_clinic(&mut connection, &caller, *id, &page).await?))
}

/// Replaces a draft's lines: what else the visit used (the clinic's admins
/// and receptionists). An issued invoice is 409.
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("invoice_id" = Uuid, Path, description = "Invoice id")),
    request_body = InvoiceLines,
    responses(
        (status = 200, body = InvoiceView),
        Forbidden,
        NotFound,
        (status = 409, description = "Issued: correct it with a credit note", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/invoices/{invoice_id}/lines")]
pub async fn set_invoice_lines(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, Uuid)>,
    ValidJson(request): ValidJson<InvoiceLines>,
    mut connection: Db,
) -> Result<web::Json<InvoiceView>, ApiError> {
    let (clinic, invoice) = path.into_inner();
    Ok(web::Json(invoices::set_lines(&mut connection, &caller, clinic, invoice, &request).await?))
}

/// Issues a draft with the clinic's next number (the clinic's admins and receptionists).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("invoice_id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, body = InvoiceView),
        Forbidden,
        NotFound,
        (status = 409, description = "Issued already", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/clinics/{id}/invoices/{invoice_id}/issue")]
pub async fn issue_invoice(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, Uuid)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<InvoiceView>, ApiError> {
    let (clinic, invoice) = path.into_inner();
    Ok(web::Json(invoices::issue(&mut connection, &caller, clinic, invoice, now).await?))
}

/// Cancels an issued invoice with a credit note, issued at once (the clinic's
/// admins and receptionists; one per invoice).
#[utoipa::path(
    tag = "commerce",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("invoice_id" = Uuid, Path, description = "Invoice id")),
    request_body = CreditRequest,
    responses(
        (status = 201, body = InvoiceView),
        Forbidden,
        NotFound,
        (status = 409, description = "A draft, a credit note, or credited already", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/invoices/{invoice_id}/credit-notes")]
pub async fn credit_invoice(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, Uuid)>,
    ValidJson(request): ValidJson<CreditRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, invoice) = path.into_inner();
    Ok(HttpResponse::Created().json(invoices::credit(&mut connection, &caller, clinic, invoice, &request, now).await?))
}
