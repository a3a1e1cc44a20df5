//! `/api/v1/clinics/{id}/campaigns` (the clinic's admins) and
//! `/api/v1/unsubscribe/{token}` (anyone holding a campaign's link).

use actix_web::{HttpResponse, get, post, put, web};
use kernel::{CampaignId, ClinicId};
use platform::openapi::{Forbidden, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, CurrentUser, Db, ErrorEnvelope, Now, ValidJson};

use crate::Settings;
use crate::api::{AudiencePreview, CampaignRequest, CampaignView, ScheduleRequest, Unsubscribed};
use crate::service::campaigns;
use crate::unsubscribe;

/// The clinic's latest 100 campaigns, newest first (counts: read one).
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    responses((status = 200, body = Vec<CampaignView>), Forbidden, StandardErrors)
)]
#[get("/clinics/{id}/campaigns")]
pub async fn list_campaigns(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    mut connection: Db,
) -> Result<web::Json<Vec<CampaignView>>, ApiError> {
    let listed = campaigns::list(&mut connection, &caller, *id).await?;
    Ok(web::Json(listed.into_iter().map(|campaign| campaign.view(None)).collect::<kernel::Result<_>>()?))
}

/// Writes a draft campaign.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = ClinicId, Path, description = "Clinic id")),
    request_body = CampaignRequest,
    responses((status = 201, body = CampaignView), Forbidden, NotFound, JsonBodyErrors, StandardErrors)
)]
#[post("/clinics/{id}/campaigns")]
pub async fn create_campaign(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ClinicId>,
    ValidJson(request): ValidJson<CampaignRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let campaign = campaigns::create(&mut connection, &caller, *id, &request, now).await?;
    Ok(HttpResponse::Created().json(campaign.view(None)?))
}

/// One campaign, with how its sending went once it started.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("campaign_id" = CampaignId, Path, description = "Campaign id"),
    ),
    responses((status = 200, body = CampaignView), Forbidden, NotFound, StandardErrors)
)]
#[get("/clinics/{id}/campaigns/{campaign_id}")]
pub async fn get_campaign(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, CampaignId)>,
    mut connection: Db,
) -> Result<web::Json<CampaignView>, ApiError> {
    let (clinic, campaign) = path.into_inner();
    Ok(web::Json(campaigns::get(&mut connection, &caller, clinic, campaign).await?))
}

/// Rewrites a draft or scheduled campaign.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("campaign_id" = CampaignId, Path, description = "Campaign id"),
    ),
    request_body = CampaignRequest,
    responses(
        (status = 200, body = CampaignView),
        Forbidden,
        NotFound,
        (status = 409, description = "Already sending, sent or cancelled", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/clinics/{id}/campaigns/{campaign_id}")]
pub async fn update_campaign(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, CampaignId)>,
    ValidJson(request): ValidJson<CampaignRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CampaignView>, ApiError> {
    let (clinic, campaign) = path.into_inner();
    let updated = campaigns::update(&mut connection, &caller, &settings, clinic, campaign, &request, now).await?;
    Ok(web::Json(updated.view(None)?))
}

/// How many clients the campaign's audience matches now, and how many of
/// them opted in to marketing (who would receive it).
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("campaign_id" = CampaignId, Path, description = "Campaign id"),
    ),
    responses((status = 200, body = AudiencePreview), Forbidden, NotFound, StandardErrors)
)]
#[get("/clinics/{id}/campaigns/{campaign_id}/audience")]
pub async fn preview_audience(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, CampaignId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<AudiencePreview>, ApiError> {
    let (clinic, campaign) = path.into_inner();
    Ok(web::Json(campaigns::preview(&mut connection, &caller, clinic, campaign, now).await?))
}

/// Schedules the campaign (now, or at `send_at`); scheduling again moves it.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("campaign_id" = CampaignId, Path, description = "Campaign id"),
    ),
    request_body = ScheduleRequest,
    responses(
        (status = 200, body = CampaignView),
        Forbidden,
        NotFound,
        (status = 409, description = "Already sending, sent or cancelled", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/clinics/{id}/campaigns/{campaign_id}/schedule")]
pub async fn schedule_campaign(
    settings: web::Data<Settings>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, CampaignId)>,
    ValidJson(request): ValidJson<ScheduleRequest>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CampaignView>, ApiError> {
    let (clinic, campaign) = path.into_inner();
    let scheduled =
        campaigns::schedule(&mut connection, &caller, &settings, clinic, campaign, request.send_at, now).await?;
    Ok(web::Json(scheduled.view(None)?))
}

/// Stops the campaign: a scheduled one never starts, a sending one sends no
/// further batch.
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ClinicId, Path, description = "Clinic id"),
        ("campaign_id" = CampaignId, Path, description = "Campaign id"),
    ),
    responses(
        (status = 200, body = CampaignView),
        Forbidden,
        NotFound,
        (status = 409, description = "Already sent or cancelled", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/clinics/{id}/campaigns/{campaign_id}/cancel")]
pub async fn cancel_campaign(
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ClinicId, CampaignId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<CampaignView>, ApiError> {
    let (clinic, campaign) = path.into_inner();
    Ok(web::Json(campaigns::cancel(&mut connection, &caller, clinic, campaign, now).await?.view(None)?))
}

/// The page a campaign's unsubscribe link opens: one button that confirms
/// (a link scanner's visit unsubscribes no one). No sign-in.
#[utoipa::path(
    tag = "campaigns",
    params(("token" = String, Path, pattern = "^[0-9a-f]{128}$", description = "The link's token")),
    responses(
        (status = 200, description = "The confirmation page", content_type = "text/html", body = String),
        (status = 404, description = "Not a valid link", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[get("/unsubscribe/{token}")]
pub async fn unsubscribe_page(
    settings: web::Data<Settings>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    unsubscribe::read(&settings, &token).ok_or(NOT_A_LINK)?;
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(CONFIRMATION_PAGE))
}

/// Unsubscribes the link's recipient from marketing (every channel, every
/// clinic): the page's button, and mail clients' one-click
/// `List-Unsubscribe-Post`. No sign-in; again is harmless.
#[utoipa::path(
    tag = "campaigns",
    params(("token" = String, Path, pattern = "^[0-9a-f]{128}$", description = "The link's token")),
    responses(
        (status = 200, body = Unsubscribed),
        (status = 404, description = "Not a valid link", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/unsubscribe/{token}")]
pub async fn unsubscribe_by_link(
    settings: web::Data<Settings>,
    token: web::Path<String>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<Unsubscribed>, ApiError> {
    let (campaign, user) = unsubscribe::read(&settings, &token).ok_or(NOT_A_LINK)?;
    Ok(web::Json(unsubscribe::unsubscribe(&mut connection, campaign, user, now).await?))
}

const NOT_A_LINK: ApiError = ApiError::Domain(kernel::Error::NotFound { resource: "unsubscribe link" });

/// Posts back to its own address.
const CONFIRMATION_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body style="font-family: Helvetica, Arial, sans-serif; max-width: 480px; margin: 48px auto;">
<h1 style="font-size: 20px;">Stop news from your clinics?</h1>
<p>You will no longer receive newsletters and offers. Appointment, care and account messages still reach you.</p>
<form method="post"><button type="submit">Unsubscribe</button></form>
</body></html>
"#;
