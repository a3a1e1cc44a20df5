//! `/api/v1/clinics/{id}/plans` (a clinic's wellness plans) and
//! `/api/v1/pets/{id}/plan` (a pet's).

use actix_web::{HttpResponse, get, post, put, web};
use kernel::{ClinicId, PetId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson};

use crate::Settings;
use crate::api::{ChangePlanRequest, EnrollRequest, EnrollmentView, PlanRequest, PlanView, PlansOverview};
use crate::payments::Payments;
use crate::service::{enrollments, plans};

/// The clinic's plans: those open to new members, or all (its staff).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = Vec<PlanView>), NotFound, StandardErrors)
)]
#[get("/clinics/{id}/plans")]
pub async fn clinic_plans(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<PlanView>>, ApiError> {
    Ok(web::Json(plans::of_clinic(&mut connection, &caller, *id).await?))
}

/// Adds a wellness plan (the clinic's admins).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = PlanRequest,
    responses(
        (status = 201, body = PlanView),
        Forbidden,
        NotFound,
        (status = 409, description = "The clinic has another plan with this name", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/plans")]
pub async fn add_plan(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<PlanRequest>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(plans::add(&mut connection, &caller, *id, &request).await?))
}

/// Replaces a plan (the clinic's admins); renewals charge its new price.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id"), ("plan_id" = uuid::Uuid, Path, description = "Plan id")),
    request_body = PlanRequest,
    responses(
        (status = 200, body = PlanView),
        Forbidden,
        NotFound,
        (status = 409, description = "The clinic has another plan with this name", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/plans/{plan_id}")]
pub async fn update_plan(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, uuid::Uuid)>,
    ValidJson(request): ValidJson<PlanRequest>,
    mut connection: Db,
) -> Result<web::Json<PlanView>, ApiError> {
    let (clinic, plan) = path.into_inner();
    Ok(web::Json(plans::update(&mut connection, &caller, clinic, plan, &request).await?))
}

/// The clinic's plans at a glance (its staff): members, monthly revenue,
/// failed renewals.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = PlansOverview), Forbidden, NotFound, StandardErrors)
)]
#[get("/clinics/{id}/plan-overview")]
pub async fn plans_overview(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<PlansOverview>, ApiError> {
    Ok(web::Json(plans::overview(&mut connection, &caller, *id, now).await?))
}

/// The pet's plan, with its allowance used and left (its owners, the plan
/// clinic's staff).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = EnrollmentView), NotFound, StandardErrors)
)]
#[get("/pets/{id}/plan")]
pub async fn get_pet_plan(
    CurrentUser(caller): CurrentUser,
    id: web::Path<PetId>,
    mut connection: Db,
) -> Result<web::Json<EnrollmentView>, ApiError> {
    Ok(web::Json(enrollments::of_pet(&mut connection, &caller, *id).await?))
}

/// The pet's primary owner enrolls it in a plan: the first period's order
/// is placed, and charged at once to the card given. Asked again, it is 409
/// (the pet has a plan) before anything is charged.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = EnrollRequest,
    responses(
        (status = 201, body = EnrollmentView),
        Forbidden,
        NotFound,
        (status = 409, description = "The pet already has a plan", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/pets/{id}/plan")]
pub async fn enroll_pet(
    settings: web::Data<Settings>,
    payments: web::Data<Payments>,
    CurrentUser(caller): CurrentUser,
    pet: web::Path<PetId>,
    ValidJson(request): ValidJson<EnrollRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let view = enrollments::enroll(&mut connection, &caller, &settings, &payments, *pet, &request, now).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The pet's primary owner switches to another plan of the clinic: a dearer
/// one once the prorated difference is paid, a cheaper one at the next renewal.
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    request_body = ChangePlanRequest,
    responses(
        (status = 200, body = EnrollmentView),
        Forbidden,
        NotFound,
        (status = 409, description = "The plan is not active, or has an unpaid order", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/pets/{id}/plan")]
pub async fn change_pet_plan(
    settings: web::Data<Settings>,
    payments: web::Data<Payments>,
    CurrentUser(caller): CurrentUser,
    pet: web::Path<PetId>,
    ValidJson(request): ValidJson<ChangePlanRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<EnrollmentView>, ApiError> {
    Ok(web::Json(enrollments::change(&mut connection, &caller, &settings, &payments, *pet, &request, now).await?))
}

/// The pet's primary owner cancels its plan: it ends at the end of the
/// period (or of the minimum term).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    params(("id" = PetId, Path, description = "Pet id")),
    responses((status = 200, body = EnrollmentView), Forbidden, NotFound, StandardErrors)
)]
#[post("/pets/{id}/plan/cancel")]
pub async fn cancel_pet_plan(
    CurrentUser(caller): CurrentUser,
    pet: web::Path<PetId>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<EnrollmentView>, ApiError> {
    Ok(web::Json(enrollments::cancel(&mut connection, &caller, *pet, now).await?))
}
