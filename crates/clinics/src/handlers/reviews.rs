//! `/api/v1/clinics/{id}/reviews`.

use actix_web::{get, post, put, web};
use kernel::{ClinicId, Page, ReviewId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, MaybeUser, PageQuery, ValidJson};

use crate::api::{ReviewDraft, ReviewText, ReviewView, Visibility};
use crate::service::reviews;

/// Reviews of a clinic, newest first (hidden ones only for its staff and admins).
#[utoipa::path(
    tag = "reviews",
    params(("id" = ClinicId, Path, description = "Clinic id"), PageQuery),
    responses((status = 200, body = Page<ReviewView>), NotFound, StandardErrors)
)]
#[get("/clinics/{id}/reviews")]
pub async fn list_reviews(
    MaybeUser(caller): MaybeUser,
    id: web::Path<ClinicId>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<ReviewView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(reviews::list(&mut connection, caller.as_ref(), *id, &page).await?))
}

/// Writes or edits the caller's review (pet owners; one per clinic).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = ReviewDraft,
    responses(
        (status = 200, body = ReviewView),
        Forbidden,
        NotFound,
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/reviews/mine")]
pub async fn put_my_review(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(draft): ValidJson<ReviewDraft>,
    mut connection: Db,
) -> Result<web::Json<ReviewView>, ApiError> {
    Ok(web::Json(reviews::put_mine(&mut connection, &caller, *id, &draft).await?))
}

/// The clinic's public answer (its clinic admins).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path), ("review_id" = ReviewId, Path)),
    request_body = ReviewText,
    responses((status = 200, body = ReviewView), Forbidden, NotFound, JsonBodyErrors, StandardErrors)
)]
#[put("/clinics/{id}/reviews/{review_id}/response")]
pub async fn respond_to_review(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ReviewId)>,
    ValidJson(text): ValidJson<ReviewText>,
    mut connection: Db,
) -> Result<web::Json<ReviewView>, ApiError> {
    let (clinic, review) = path.into_inner();
    Ok(web::Json(reviews::respond(&mut connection, &caller, clinic, review, &text).await?))
}

/// Flags a review for moderation (its clinic admins).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path), ("review_id" = ReviewId, Path)),
    request_body = ReviewText,
    responses((status = 200, body = ReviewView), Forbidden, NotFound, JsonBodyErrors, StandardErrors)
)]
#[post("/clinics/{id}/reviews/{review_id}/flag")]
pub async fn flag_review(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ReviewId)>,
    ValidJson(reason): ValidJson<ReviewText>,
    mut connection: Db,
) -> Result<web::Json<ReviewView>, ApiError> {
    let (clinic, review) = path.into_inner();
    Ok(web::Json(reviews::flag(&mut connection, &caller, clinic, review, &reason).await?))
}

/// Hides (`{"hidden": true}`) or restores a review (platform admins); audited.
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path), ("review_id" = ReviewId, Path)),
    request_body = Visibility,
    responses((status = 200, body = ReviewView), Forbidden, NotFound, JsonBodyErrors, StandardErrors)
)]
#[put("/clinics/{id}/reviews/{review_id}/visibility")]
pub async fn moderate_review(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, ReviewId)>,
    ValidJson(visibility): ValidJson<Visibility>,
    mut connection: Db,
) -> Result<web::Json<ReviewView>, ApiError> {
    let (clinic, review) = path.into_inner();
    Ok(web::Json(reviews::set_hidden(&mut connection, &caller, clinic, review, visibility.hidden).await?))
}
