//! Co-owners, invitations to co-own, and the clinics caring for a pet.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{ClinicId, PetId, PetInvitationId, UserId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope};

use crate::api::{CareRegistration, CareView, CoOwnerInvite, OwnerView, PetInvitationView, Transfer};
use crate::service::{care, household};

/// The primary owner and co-owners (names only).
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    responses((status = 200, body = Vec<OwnerView>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/co-owners")]
pub async fn list_owners(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
) -> Result<web::Json<Vec<OwnerView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(household::owners(&mut connection, &caller, *id).await?))
}

/// Invites a co-owner by user id or email (the primary owner); the answer is
/// the same whether or not such an account exists. Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    request_body = CoOwnerInvite,
    responses(
        (status = 202, description = "Invited", body = PetInvitationView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/co-owners")]
pub async fn invite_co_owner(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    invite: web::Json<CoOwnerInvite>,
) -> Result<HttpResponse, ApiError> {
    platform::validate(&*invite)?;
    let ttl_days = state.settings().pets.invitation_ttl_days;
    let mut connection = db::connect(state.db()).await?;
    Ok(HttpResponse::Accepted().json(household::invite(&mut connection, &caller, *id, &invite, ttl_days).await?))
}

/// Removes a co-owner (the primary owner), or leaves (a co-owner removing
/// themselves). Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("user_id" = String, Path, format = Uuid, description = "The co-owner"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/pets/{id}/co-owners/{user_id}")]
pub async fn remove_co_owner(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (pet, user) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    household::remove_co_owner(&mut connection, &caller, pet, user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes a co-owner the primary owner (the primary owner, who stays a co-owner). Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    request_body = Transfer,
    responses(
        (status = 204, description = "Transferred"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, description = "Not a co-owner", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/transfer")]
pub async fn transfer_pet(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    transfer: web::Json<Transfer>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    household::transfer(&mut connection, &caller, *id, transfer.user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Open invitations to co-own a pet addressed to the caller.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PetInvitationView>), StandardErrors)
)]
#[get("/api/v1/pet-invitations")]
pub async fn list_my_pet_invitations(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<web::Json<Vec<PetInvitationView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(household::my_invitations(&mut connection, &caller).await?))
}

/// Accepts an invitation addressed to the caller: they co-own the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Invitation id")),
    responses(
        (status = 204, description = "Co-owner now"),
        (status = 404, description = "No open invitation for the caller with this id", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pet-invitations/{id}/accept")]
pub async fn accept_pet_invitation(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetInvitationId>,
) -> Result<HttpResponse, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    household::accept(&mut connection, &caller, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The clinics caring for the pet.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    responses((status = 200, body = Vec<CareView>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/pets/{id}/clinics")]
pub async fn list_care(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
) -> Result<web::Json<Vec<CareView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(care::list(&mut connection, &caller, *id).await?))
}

/// Registers the pet with a clinic, whose staff may then see it (owners). Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Pet id")),
    request_body = CareRegistration,
    responses(
        (status = 200, body = Vec<CareView>),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, description = "Not an active clinic", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/api/v1/pets/{id}/clinics")]
pub async fn register_care(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    registration: web::Json<CareRegistration>,
) -> Result<web::Json<Vec<CareView>>, ApiError> {
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(care::register(&mut connection, &caller, *id, registration.clinic_id).await?))
}

/// Ends a clinic's access to the pet (owners); its records stay. Audited.
#[utoipa::path(
    tag = "pets",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, format = Uuid, description = "Pet id"),
        ("clinic_id" = String, Path, format = Uuid, description = "Clinic id"),
    ),
    responses(
        (status = 204, description = "Access ended"),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/api/v1/pets/{id}/clinics/{clinic_id}")]
pub async fn unregister_care(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(PetId, ClinicId)>,
) -> Result<HttpResponse, ApiError> {
    let (pet, clinic) = path.into_inner();
    let mut connection = db::connect(state.db()).await?;
    care::unregister(&mut connection, &caller, pet, clinic).await?;
    Ok(HttpResponse::NoContent().finish())
}
