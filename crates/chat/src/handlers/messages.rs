//! `/api/v1/chat/conversations/{id}/messages…` and read receipts.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use kernel::{ConversationId, MessageId, Page};
use media::api::VariantQuery;
use platform::openapi::{Forbidden, InvalidQuery, JsonBodyErrors, NotFound, StandardErrors};
use platform::{ApiError, AppState, CurrentUser, Db, ErrorEnvelope, Now, PageQuery, ValidJson, ValidQuery};

use crate::Chat;
use crate::api::{EditMessage, HistoryQuery, MessageView, NewMessage, ReadReceipt, SentView};
use crate::realtime::Realtime;
use crate::service::{messages, reads};

/// A page of history: `direction=older` (default) newest first from the
/// cursor back, `newer` oldest first from the cursor on.
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    params(("id" = ConversationId, Path, description = "Conversation id"), HistoryQuery, PageQuery),
    responses((status = 200, body = Page<MessageView>), NotFound, InvalidQuery, StandardErrors)
)]
#[get("/chat/conversations/{id}/messages")]
pub async fn list_messages(
    CurrentUser(caller): CurrentUser,
    id: web::Path<ConversationId>,
    ValidQuery(query): ValidQuery<HistoryQuery>,
    page: web::Query<PageQuery>,
    mut connection: Db,
) -> Result<web::Json<Page<MessageView>>, ApiError> {
    let page = page.page_request()?;
    Ok(web::Json(messages::history(&mut connection, &caller, *id, query.direction, &page).await?))
}

/// Sends a message (201; the same `client_message_id` again: 200 with the
/// stored message, nothing sent twice). To the assistant: a red flag is
/// answered at once in `reply`; other answers arrive on the socket.
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    params(("id" = ConversationId, Path, description = "Conversation id")),
    request_body = NewMessage,
    responses(
        (status = 201, body = SentView),
        (status = 200, description = "Sent before with this client_message_id", body = SentView),
        NotFound,
        (status = 429, description = "The assistant's daily limit is reached", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[post("/chat/conversations/{id}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    chat: web::Data<Chat>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ConversationId>,
    ValidJson(request): ValidJson<NewMessage>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let mut sent = messages::send(&mut connection, &caller, *id, &request, &chat.settings, now).await?;
    Realtime::new(&state, &chat).sent(&mut connection, &mut sent).await;
    let mut response = if sent.created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(sent.view))
}

/// Edits one's own message within `chat.edit_window_minutes`; audited.
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    params(
        ("id" = ConversationId, Path, description = "Conversation id"),
        ("message_id" = MessageId, Path, description = "Message id"),
    ),
    request_body = EditMessage,
    responses(
        (status = 200, body = MessageView),
        Forbidden,
        NotFound,
        (status = 409, description = "The edit window has passed", body = ErrorEnvelope),
        JsonBodyErrors,
        StandardErrors,
    )
)]
#[patch("/chat/conversations/{id}/messages/{message_id}")]
pub async fn edit_message(
    state: web::Data<AppState>,
    chat: web::Data<Chat>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ConversationId, MessageId)>,
    ValidJson(request): ValidJson<EditMessage>,
    Now(now): Now,
    mut connection: Db,
) -> Result<web::Json<MessageView>, ApiError> {
    let (view, fanout) =
        messages::edit(&mut connection, &caller, path.into_inner(), &request, &chat.settings, now).await?;
    Realtime::new(&state, &chat).fan_out(fanout).await;
    Ok(web::Json(view))
}

/// Deletes one's own message: a tombstone stays in its place; audited.
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    params(
        ("id" = ConversationId, Path, description = "Conversation id"),
        ("message_id" = MessageId, Path, description = "Message id"),
    ),
    responses((status = 204, description = "Deleted"), Forbidden, NotFound, StandardErrors)
)]
#[delete("/chat/conversations/{id}/messages/{message_id}")]
pub async fn delete_message(
    state: web::Data<AppState>,
    chat: web::Data<Chat>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ConversationId, MessageId)>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let fanout = messages::delete(&mut connection, &caller, path.into_inner(), now).await?;
    Realtime::new(&state, &chat).fan_out(fanout).await;
    Ok(HttpResponse::NoContent().finish())
}

/// A message's attachment, for anyone in the conversation.
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    params(
        ("id" = ConversationId, Path, description = "Conversation id"),
        ("message_id" = MessageId, Path, description = "Message id"),
        VariantQuery,
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 206, description = "The requested range", content_type = "application/octet-stream"),
        (status = 304, description = "Not modified"),
        NotFound,
        (status = 409, description = "Still processing", body = ErrorEnvelope),
        (status = 416, description = "Range not satisfiable"),
        StandardErrors,
    )
)]
#[get("/chat/conversations/{id}/messages/{message_id}/attachment")]
pub async fn get_attachment(
    uploads: web::Data<media::Uploads>,
    CurrentUser(caller): CurrentUser,
    path: web::Path<(ConversationId, MessageId)>,
    query: web::Query<VariantQuery>,
    request: HttpRequest,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let file = messages::attachment(&mut connection, &caller, path.into_inner()).await?;
    uploads.download(&mut connection, file, query.checked()?, &request).await
}

/// Marks the conversation read up to a message (the others see the receipt).
#[utoipa::path(
    tag = "chat",
    security(("bearer" = [])),
    params(("id" = ConversationId, Path, description = "Conversation id")),
    request_body = ReadReceipt,
    responses((status = 204, description = "Recorded"), NotFound, JsonBodyErrors, StandardErrors)
)]
#[post("/chat/conversations/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    chat: web::Data<Chat>,
    CurrentUser(caller): CurrentUser,
    id: web::Path<ConversationId>,
    ValidJson(receipt): ValidJson<ReadReceipt>,
    Now(now): Now,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let fanout = reads::read(&mut connection, &caller, *id, receipt.message_id, now).await?;
    Realtime::new(&state, &chat).fan_out(fanout).await;
    Ok(HttpResponse::NoContent().finish())
}
