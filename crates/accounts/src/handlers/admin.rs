//! `/api/v1/admin/...`: user administration and the audit log (platform admins).

use actix_web::{get, post, put, web};
use kernel::{Page, UserId};
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::users::User;
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope, PageQuery, ValidJson, ValidQuery};

use crate::api::{AuditFilter, RoleChange, UserFilter, UserView};
use crate::service::admin;
use crate::service::audit_log::{self, AuditRecord};

/// Users, newest first, filtered by role, active flag or a name/email search.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(UserFilter, PageQuery),
    responses(
        (status = 200, body = Page<UserView>),
        Forbidden,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/admin/users")]
pub async fn list_users(
    CurrentUser(caller): CurrentUser,
    ValidQuery(filter): ValidQuery<UserFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<UserView>>, ApiError> {
    let page = page.page_request()?;
    let users = admin::list_users(&mut connection, &caller, &filter, &page).await?;
    Ok(web::Json(users.map(UserView::from)))
}

/// One user.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        Forbidden,
        NotFound,
        StandardErrors,
    )
)]
#[get("/admin/users/{id}")]
pub async fn get_user(
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    mut connection: Db,
) -> Result<web::Json<UserView>, ApiError> {
    Ok(web::Json(admin::get_user(&mut connection, &caller, *id).await?.into()))
}

/// Changes a user's platform role (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    request_body = RoleChange,
    responses(
        (status = 200, body = UserView),
        Forbidden,
        NotFound,
        (status = 409, description = "An admin cannot demote themselves", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[put("/admin/users/{id}/role")]
pub async fn change_role(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    ValidJson(body): ValidJson<RoleChange>,
    mut connection: Db,
) -> Result<web::Json<UserView>, ApiError> {
    let user = admin::change_role(&mut connection, &caller, *id, body.role).await?;
    Ok(web::Json(forget_cached(&state, user).await))
}

/// Deactivates a user: their tokens stop working (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        Forbidden,
        NotFound,
        (status = 409, description = "An admin cannot deactivate themselves", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/admin/users/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    mut connection: Db,
) -> Result<web::Json<UserView>, ApiError> {
    let user = admin::set_active(&mut connection, &caller, *id, false).await?;
    Ok(web::Json(forget_cached(&state, user).await))
}

/// Reactivates a deactivated user (audited).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = UserId, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        Forbidden,
        NotFound,
        (status = 409, description = "The identity provider deleted this user", body = ErrorEnvelope),
        StandardErrors,
    )
)]
#[post("/admin/users/{id}/reactivate")]
pub async fn reactivate(
    state: web::Data<AppState>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<UserId>,
    mut connection: Db,
) -> Result<web::Json<UserView>, ApiError> {
    let user = admin::set_active(&mut connection, &caller, *id, true).await?;
    Ok(web::Json(forget_cached(&state, user).await))
}

/// The audit log, newest first, filtered.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(AuditFilter, PageQuery),
    responses(
        (status = 200, body = Page<AuditRecord>),
        Forbidden,
        InvalidQuery,
        StandardErrors,
    )
)]
#[get("/admin/audit-log")]
pub async fn list_audit_log(
    CurrentUser(caller): CurrentUser,
    ValidQuery(filter): ValidQuery<AuditFilter>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<AuditRecord>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(audit_log::list(&mut connection, &caller, &filter, &page).await?))
}

/// The user's next request must see the new role or flag at once.
async fn forget_cached(state: &AppState, user: User) -> UserView {
    state.principals().invalidate(&user.clerk_id).await;
    user.into()
}
