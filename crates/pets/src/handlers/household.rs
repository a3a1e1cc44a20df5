//! Co-owners, invitations to co-own, and the clinics caring for a pet.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{ClinicId, PetId, PetInvitationId, UserId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, ValidJson};

use crate::api::{CareRegistration, CareView, CoOwnerInvite, OwnerView, PetInvitationView, Transfer};
use crate::service::{care, household};

/// The primary owner and co-owners (names only).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = Vec<OwnerView>), NotFound, StandardErrors)
)]
#[get("/pets/{id}/co-owners")]
pub async fn list_owners(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<web::Json<Vec<OwnerView>>, ApiError> {
    Ok(web::Json(household::owners(&mut connection, &caller, *id).await?))
}

/// Invites a co-owner by user id or email (the primary owner); the answer is
/// the same whether or not such an account exists. Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = CoOwnerInvite,
    responses(
        (status = 202, description = "Invited", body = PetInvitationView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets/{id}/co-owners")]
pub async fn invite_co_owner(
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(invite): ValidJson<CoOwnerInvite>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let ttl_days = settings.invitation_ttl_days;
    Ok(HttpResponse::Accepted().json(household::invite(&mut connection, &caller, *id, &invite, ttl_days).await?))
}

/// Removes a co-owner (the primary owner), or leaves (a co-owner removing
/// themselves). Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("user_id" = UserId, Path, description = "The co-owner"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/pets/{id}/co-owners/{user_id}")]
pub async fn remove_co_owner(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, UserId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (pet, user) = path.into_inner();
    household::remove_co_owner(&mut connection, &caller, pet, user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes a co-owner the primary owner (the primary owner, who stays a co-owner). Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = Transfer,
    responses(
        (status = 204, description = "Transferred"),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        (status = 422, description = "Not a co-owner", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/pets/{id}/transfer")]
pub async fn transfer_pet(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(transfer): ValidJson<Transfer>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    household::transfer(&mut connection, &caller, *id, transfer.user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Open invitations to co-own a pet addressed to the caller.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PetInvitationView>), StandardErrors)
)]
#[get("/pet-invitations")]
pub async fn list_my_pet_invitations(
    CurrentUser(caller): CurrentUser,
    mut connection: Db,
) -> Result<web::Json<Vec<PetInvitationView>>, ApiError> {
    Ok(web::Json(household::my_invitations(&mut connection, &caller).await?))
}

/// Accepts an invitation addressed to the caller: they co-own the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetInvitationId, Path, description = "Invitation id")),
    responses(
        (status = 204, description = "Co-owner now"),
        (status = 404, description = "No open invitation for the caller with this id", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/pet-invitations/{id}/accept")]
pub async fn accept_pet_invitation(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetInvitationId>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    household::accept(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The clinics caring for the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = Vec<CareView>), NotFound, StandardErrors)
)]
#[get("/pets/{id}/clinics")]
pub async fn list_care(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<web::Json<Vec<CareView>>, ApiError> {
    Ok(web::Json(care::list(&mut connection, &caller, *id).await?))
}

/// Registers the pet with a clinic, whose staff may then see it (owners). Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = CareRegistration,
    responses(
        (status = 200, body = Vec<CareView>),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        (status = 422, description = "Not an active clinic", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/pets/{id}/clinics")]
pub async fn register_care(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    ValidJson(registration): ValidJson<CareRegistration>,
    mut connection: Db,
) -> Result<web::Json<Vec<CareView>>, ApiError> {
    Ok(web::Json(care::register(&mut connection, &caller, *id, registration.clinic_id).await?))
}

/// Ends a clinic's access to the pet (owners); its records stay. Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = PetId, Path, description = "Pet id"),
        ("clinic_id" = ClinicId, Path, description = "Clinic id"),
    ),
    responses(
        (status = 204, description = "Access ended"),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[delete("/pets/{id}/clinics/{clinic_id}")]
pub async fn unregister_care(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, ClinicId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (pet, clinic) = path.into_inner();
    care::unregister(&mut connection, &caller, pet, clinic).await?;
    Ok(HttpResponse::NoContent().finish())
}
