//! `/api/v1/clinics/{id}/staff`: who works at a clinic.

use actix_web::{HttpResponse, delete, get, post, web};
use kernel::{ClinicId, UserId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope, ValidJson};

use crate::api::{StaffAddition, StaffInvitation, StaffMember};
use crate::service::staff::{self, Addition};

/// The clinic's staff (its staff, platform admins).
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses(
        (status = 200, body = Vec<StaffMember>),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[get("/clinics/{id}/staff")]
pub async fn list_staff(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<StaffMember>>, ApiError> {
    Ok(web::Json(staff::list(&mut connection, &caller, *id).await?))
}

/// Adds an existing user by email, or changes their role; an email without an
/// account is invited instead (202). Clinic admins; audited.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = StaffAddition,
    responses(
        (status = 200, description = "Added; the clinic's staff", body = Vec<StaffMember>),
        (status = 202, description = "No account has this email: invited", body = StaffInvitation),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/staff")]
pub async fn add_staff(
    state: web::Data<AppState>,
    settings: web::Data<crate::Settings>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(addition): ValidJson<StaffAddition>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    match staff::add(&mut connection, &caller, *id, &addition, settings.invitation_ttl_days).await? {
        Addition::Added { subject } => {
            state.principals().invalidate(&subject).await;
            Ok(HttpResponse::Ok().json(staff::list(&mut connection, &caller, *id).await?))
        }
        Addition::Invited(invitation) => Ok(HttpResponse::Accepted().json(invitation)),
    }
}

/// Removes a member (clinic admins); the last clinic admin stays (409); audited.
#[utoipa::path(
    tag = "clinics",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("user_id" = UserId, Path, description = "Member's user id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Forbidden,
        NotFound,
        (status = 409, description = "The last clinic admin", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[delete("/clinics/{id}/staff/{user_id}")]
pub async fn remove_staff(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, UserId)>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let (clinic, user) = path.into_inner();
    let subject = staff::remove(&mut connection, &caller, clinic, user).await?;
    state.principals().invalidate(&subject).await;
    Ok(HttpResponse::NoContent().finish())
}
