//! Invitations to join a clinic's staff: the clinic's side
//! (`/api/v1/clinics/{id}/invitations`) and the invitee's
//! (`/api/v1/staff-invitations`).

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{ClinicId, InvitationId};
use platform::openapi::{Forbidden, NotFound, StandardErrors};
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope};

use crate::api::StaffInvitation;
use crate::service::invitations;

/// The clinic's open invitations (its clinic admins, platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses(
        (status = 200, body = Vec<StaffInvitation>),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[get("/clinics/{id}/invitations")]
pub async fn list_clinic_invitations(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<StaffInvitation>>, ApiError> {
    Ok(web::Json(invitations::list_for_clinic(&mut connection, &caller, *id).await?))
}

/// Withdraws an invitation (clinic admins); audited.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("invitation_id" = InvitationId, Path, description = "Invitation id"),
    ),
    responses(
        (status = 204, description = "Withdrawn"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/clinics/{id}/invitations/{invitation_id}")]
pub async fn revoke_invitation(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, InvitationId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, invitation) = path.into_inner();
    invitations::revoke(&mut connection, &caller, clinic, invitation).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The open invitations addressed to the caller's email.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<StaffInvitation>), StandardErrors)
)]
#[get("/staff-invitations")]
pub async fn list_my_invitations(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<Vec<StaffInvitation>>, ApiError> {
    Ok(web::Json(invitations::list_mine(&mut connection, &caller).await?))
}

/// Accepts an invitation addressed to the caller: they join the clinic's staff.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = InvitationId, Path, description = "Invitation id")),
    responses(
        (status = 204, description = "Joined"),
        (status = 404, description = "No open invitation for the caller with this id", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/staff-invitations/{id}/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<InvitationId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    invitations::accept(&mut connection, &caller, *id).await?;
    state.principals().invalidate(&caller.subject).await;
    Ok(HttpResponse::NoContent().finish())
}
