//! `/api/v1/emergency-requests` and `/api/v1/vets/me/emergency-offers`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chat::realtime::Realtime;
use kernel::{EmergencyCaseId, Page};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, IdempotencyKey, Now, PageQuery, ValidJson};

use crate::Settings;
use crate::api::{CaseView, Decline, EmergencyRequest, ProgressReport};
use crate::service::offers::{self, Accepting};
use crate::service::{cases, progress};

/// Opens an emergency case for a pet (its owners, or clinic staff for a
/// patient) and offers it to the nearest on-call vets at once. Honours
/// `Idempotency-Key`; a pet with a case under way is 409 with its id. The
/// chat assistant's `emergency_request` draft is a valid body.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params((
        "Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$",
        description = "1 to 255 visible ASCII characters; a retry with it gets the first answer"
    )),
    request_body = EmergencyRequest,
    responses(
        (status = 201, body = CaseView),
        Forbidden,
        NotFound,
        (status = 409, description = "The pet has a case under way (`details.case_id`), or the key is in use", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/emergency-requests")]
pub async fn open_case(
    settings: web::Data<Settings>,
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    key: IdempotencyKey,
    ValidJson(request): ValidJson<EmergencyRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    platform::idempotency::once(
        &mut connection,
        &caller,
        &key,
        "POST /api/v1/emergency-requests",
        &request,
        async |connection| {
            Ok((StatusCode::CREATED, cases::create(connection, &caller, &settings, &uploads, now, &request).await?))
        },
    )
    .await
}

/// The cases of the caller's pets (and those they opened), newest first.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<CaseView>), StandardErrors)
)]
#[get("/emergency-requests")]
pub async fn my_cases(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    page: web::Query<PageQuery>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Page<CaseView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(cases::mine(&mut connection, &caller, &uploads, now, &page).await?))
}

/// One case: its owners follow it here (or live, as `emergency.updated`
/// events on the chat socket); vets see the offer made to them; the
/// accepting vet's clinic also sees the pet's allergies, medications and
/// recent records.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = EmergencyCaseId, Path, description = "Emergency case id")),
    responses((status = 200, body = CaseView), NotFound, StandardErrors)
)]
#[get("/emergency-requests/{id}")]
pub async fn get_case(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<EmergencyCaseId>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CaseView>, ApiError> {
    Ok(web::Json(cases::get(&mut connection, &caller, &uploads, now, *id).await?))
}

/// Takes the case offered to the caller. The first vet wins; the others get
/// 409. Opens a conversation with the owner and gives the vet's clinic care
/// access to the pet.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = EmergencyCaseId, Path, description = "Emergency case id")),
    responses(
        (status = 200, body = CaseView),
        Forbidden,
        NotFound,
        (status = 409, description = "Another vet took it, the offer lapsed, or the caller is busy", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/emergency-requests/{id}/accept")]
pub async fn accept_case(
    realtime: Realtime,
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<EmergencyCaseId>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CaseView>, ApiError> {
    let with = Accepting { chat: realtime.settings(), uploads: &uploads };
    let (view, fanout) = offers::accept(&mut connection, &caller, &with, now, *id).await?;
    realtime.fan_out(fanout).await;
    Ok(web::Json(view))
}

/// Declines the case offered to the caller, with a reason.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = EmergencyCaseId, Path, description = "Emergency case id")),
    request_body = Decline,
    responses(
        (status = 204, description = "Declined"),
        Forbidden,
        NotFound,
        (status = 409, description = "The offer is no longer waiting", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/emergency-requests/{id}/decline")]
pub async fn decline_case(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<EmergencyCaseId>,
    ValidJson(request): ValidJson<Decline>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    offers::decline(&mut connection, &caller, &settings, now, *id, &request).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Calls the case off (its owners, before the pet is at the clinic).
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = EmergencyCaseId, Path, description = "Emergency case id")),
    responses((status = 200, body = CaseView), Forbidden, NotFound, (status = 409, body = ErrorEnvelope), StandardErrors)
)]
#[post("/emergency-requests/{id}/cancel")]
pub async fn cancel_case(
    realtime: Realtime,
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<EmergencyCaseId>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CaseView>, ApiError> {
    let (view, fanout) = cases::cancel(&mut connection, &caller, &uploads, now, *id).await?;
    realtime.fan_out(fanout).await;
    Ok(web::Json(view))
}

/// The accepting vet's report: on the way, at the clinic, or resolved with
/// an outcome; a step the case cannot take is 409.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    params(("id" = EmergencyCaseId, Path, description = "Emergency case id")),
    request_body = ProgressReport,
    responses(
        (status = 200, body = CaseView),
        Forbidden,
        NotFound,
        (status = 409, body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/emergency-requests/{id}/progress")]
pub async fn report_progress(
    realtime: Realtime,
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<EmergencyCaseId>,
    ValidJson(request): ValidJson<ProgressReport>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CaseView>, ApiError> {
    let (view, fanout) = progress::report(&mut connection, &caller, &uploads, now, *id, &request).await?;
    realtime.fan_out(fanout).await;
    Ok(web::Json(view))
}

/// The cases waiting for the caller's answer, oldest offer first.
#[utoipa::path(
    tag = "emergency",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CaseView>), StandardErrors)
)]
#[get("/vets/me/emergency-offers")]
pub async fn my_offers(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Vec<CaseView>>, ApiError> {
    Ok(web::Json(offers::waiting_for(&mut connection, &caller, &uploads, now).await?))
}
