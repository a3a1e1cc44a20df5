//! `/api/v1/clinics/{id}/reviews`.

use actix_web::{get, post, put, web};
use kernel::{ClinicId, Page, ReviewId};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, ErrorEnvelope, MaybeUser, PageQuery};

use crate::api::{ReviewDraft, ReviewText, ReviewView};
use crate::service::reviews;

/// Reviews of a clinic, newest first (hidden ones only for its staff and admins).
#[utoipa::path(
    tag = "reviews",
    params(("id" = String, Path, format = Uuid, description = "Clinic id"), PageQuery),
    responses((status = 200, body = Page<ReviewView>), (status = 404, body = ErrorEnvelope), StandardErrors)
)]
#[get("/api/v1/clinics/{id}/reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    MaybeUser(caller): MaybeUser,
    id: web::Path<ClinicId>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<Page<ReviewView>>, ApiError> {
    let page = page.page_request()?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(reviews::list(&mut connection, caller.as_ref(), *id, &page).await?))
}

/// Writes or edits the caller's review (pet owners; one per clinic).
#[utoipa::path(
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Clinic id")),
    request_body = ReviewDraft,
    responses(
        (status = 200, body = ReviewView),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[put("/api/v1/clinics/{id}/reviews/mine")]
pub async fn put_my_review(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    draft: web::Json<ReviewDraft>,
) -> Result<web::Json<ReviewView>, ApiError> {
    platform::validate(&*draft)?;
    let mut connection = db::connect(state.db()).await?;
    Ok(web::Json(reviews::put_mine(&mut connection, &caller, *id, &draft).await?))
}

macro_rules! review_action {
    ($(#[$doc:meta])* $name:ident, $method:ident, $path:literal, $body:ty, |$connection:ident, $caller:ident, $clinic:ident, $review:ident, $input:ident| $call:expr) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "reviews",
            security(("bearer" = [])),
            params(
                ("id" = String, Path, format = Uuid, description = "Clinic id"),
                ("review_id" = String, Path, format = Uuid, description = "Review id"),
            ),
            request_body = $body,
            responses(
                (status = 200, body = ReviewView),
                (status = 403, body = ErrorEnvelope),
                (status = 404, body = ErrorEnvelope),
                (status = 413, body = ErrorEnvelope),
                (status = 415, body = ErrorEnvelope),
                (status = 422, body = ErrorEnvelope),
                StandardErrors,
            )
        )]
        #[$method($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            CurrentUser($caller): CurrentUser,
            path: web::Path<(ClinicId, ReviewId)>,
            $input: web::Json<$body>,
        ) -> Result<web::Json<ReviewView>, ApiError> {
            platform::validate(&*$input)?;
            let ($clinic, $review) = path.into_inner();
            let mut $connection = db::connect(state.db()).await?;
            Ok(web::Json($call.await?))
        }
    };
}

review_action!(
    /// The clinic's public answer (its clinic admins).
    respond_to_review, put, "/api/v1/clinics/{id}/reviews/{review_id}/response", ReviewText,
    |connection, caller, clinic, review, text| reviews::respond(&mut connection, &caller, clinic, review, &text)
);

review_action!(
    /// Flags a review for moderation (its clinic admins).
    flag_review, post, "/api/v1/clinics/{id}/reviews/{review_id}/flag", ReviewText,
    |connection, caller, clinic, review, reason| reviews::flag(&mut connection, &caller, clinic, review, &reason)
);

review_action!(
    /// Hides (`{"hidden": true}`) or restores a review (platform admins); audited.
    moderate_review, put, "/api/v1/clinics/{id}/reviews/{review_id}/visibility", crate::api::Visibility,
    |connection, caller, clinic, review, visibility| reviews::set_hidden(&mut connection, &caller, clinic, review, visibility.hidden)
);
