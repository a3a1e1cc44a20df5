//! `/api/v1/chat/ws-ticket` and `/api/v1/chat/ws`: the WebSocket, opened
//! with a single-use ticket (a browser cannot send an Authorization header on
//! a WebSocket, and session tokens never travel in URLs).

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use platform::openapi::StandardErrors;
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope};
use secrecy::ExposeSecret;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::Chat;
use crate::api::TicketView;
use crate::realtime::Realtime;
use crate::realtime::socket::{self, Caller};

/// A ticket to open the WebSocket with: valid `chat.ticket_ttl_secs`
/// (30 s), once.
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    responses((status = 201, body = TicketView), StandardErrors)
)]
#[post("/chat/ws-ticket")]
pub async fn issue_ticket(
    state: web::Data<AppState>,
    chat: web::Data<Chat>,
    CurrentUser(caller): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let ttl = Duration::from_secs(chat.settings.ticket_ttl_secs);
    let ticket = Realtime::new(&state, &chat).bus().issue_ticket(caller.user_id, ttl).await?;
    Ok(HttpResponse::Created().json(TicketView { ticket, expires_in_secs: ttl.as_secs() }))
}

/// `GET /chat/ws`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SocketQuery {
    /// From `POST /chat/ws-ticket`.
    #[param(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub ticket: String,
    /// The id of the last event received before a disconnect: what came
    /// after it is sent first (or `resync` when too much was missed).
    #[param(pattern = "^[0-9]{1,20}-[0-9]{1,20}$")]
    pub last_event_id: Option<String>,
}

/// Upgrades to the chat WebSocket (events of the caller's conversations; see
/// the README for the frames). 401 before any upgrade for a missing, used,
/// expired or unknown ticket.
#[utoipa::path(
    tag = "chat",
    params(SocketQuery),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket handshake, or the query is malformed", body = ErrorEnvelope),
        (status = 401, description = "The ticket is missing, used, expired or unknown", body = ErrorEnvelope),
        (status = 503, description = "Redis is unavailable", body = ErrorEnvelope),
    )
)]
#[get("/chat/ws")]
pub async fn open_socket(
    state: web::Data<AppState>,
    chat: web::Data<Chat>,
    query: web::Query<SocketQuery>,
    request: HttpRequest,
    body: web::Payload,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let realtime = Realtime::new(&state, &chat);
    let Some(user) = realtime.bus().redeem_ticket(&query.ticket).await? else {
        return Err(ApiError::Unauthenticated {
            reason: "chat ticket missing, used, expired or unknown",
            credentials_sent: true,
        });
    };
    let subject = platform::users::clerk_id(&mut connection, user).await?;
    drop(connection);
    let redis_url = state.settings().redis.url.expose_secret().to_owned();
    let hub = realtime.hub().cloned().ok_or(kernel::Error::Unavailable { dependency: "gateway" })?;
    let (response, session, stream) = actix_ws::handle(&request, body).map_err(|_| ApiError::BadRequest {
        code: "NOT_A_WEBSOCKET",
        message: "open this endpoint with a WebSocket handshake".to_owned(),
    })?;
    let seat = hub.join(user, &redis_url).await?;
    let caller = Caller { user, subject, last_event_id: query.into_inner().last_event_id };
    actix_web::rt::spawn(socket::run((realtime, hub), caller, session, stream, seat));
    Ok(response)
}
