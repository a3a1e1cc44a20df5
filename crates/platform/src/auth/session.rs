//! `GET /api/v1/auth/session`: the caller's verified identity.
//!
//! Lets a client check that its token is accepted, and which user and role the
//! service sees for it.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::CurrentUser;
use crate::Routes;
use crate::error::ErrorEnvelope;

/// The identity the service derived from the bearer token.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionView {
    /// Our user id.
    pub user_id: kernel::UserId,
    /// The identity provider's user id.
    pub subject: String,
    /// The platform role from our records (never from the token).
    pub role: kernel::Role,
}

/// The caller's verified identity.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token is valid", body = SessionView),
        (status = 401, description = "Missing or invalid token", body = ErrorEnvelope),
        (status = 503, description = "Signing keys unavailable", body = ErrorEnvelope),
    )
)]
#[get("/auth/session")]
pub async fn current_session(CurrentUser(principal): CurrentUser) -> web::Json<SessionView> {
    web::Json(SessionView { user_id: principal.user_id, subject: principal.subject, role: principal.role })
}

/// Mounts the session route.
pub fn routes(routes: &mut Routes) {
    routes.service(current_session);
}
