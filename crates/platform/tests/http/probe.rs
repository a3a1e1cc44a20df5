//! Routes that exist only in these tests, to reach every extractor and failure
//! path of the platform layer (domain crates test their own routes).

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use platform::audit::{self, AuditEntry};
use platform::idempotency::{self, IdempotencyKey};
use platform::{ApiError, CurrentUser, Db, Routes};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

/// Echoes a JSON body.
#[utoipa::path(request_body = Object, responses((status = 200, body = Object)))]
#[post("/probe/echo")]
async fn echo(body: web::Json<Value>) -> web::Json<Value> {
    body
}

/// Takes a numeric path parameter.
#[utoipa::path(params(("id" = u32, Path)), responses((status = 200, body = u32)))]
#[get("/probe/items/{id}")]
async fn item(id: web::Path<u32>) -> web::Json<u32> {
    web::Json(id.into_inner())
}

#[derive(Deserialize, IntoParams)]
struct Page {
    limit: u32,
}

/// Takes a numeric query parameter.
#[utoipa::path(params(Page), responses((status = 200, body = u32)))]
#[get("/probe/search")]
async fn search(page: web::Query<Page>) -> web::Json<u32> {
    web::Json(page.limit)
}

/// Panics, like a bug would.
#[utoipa::path(responses((status = 500)))]
#[get("/probe/panic")]
#[expect(clippy::panic, reason = "the test needs a handler that panics")]
async fn panics() -> web::Json<u32> {
    panic!("a bug in a handler")
}

/// Runs past any reasonable deadline.
#[utoipa::path(responses((status = 504)))]
#[get("/probe/slow")]
async fn slow() -> web::Json<u32> {
    tokio::time::sleep(Duration::from_secs(30)).await;
    web::Json(0)
}

#[derive(Deserialize, IntoParams)]
struct Pause {
    /// How long the work waits after its write, before it answers.
    pause_ms: Option<u64>,
}

/// Writes an audit entry per execution, once per `Idempotency-Key`.
#[utoipa::path(params(Pause), request_body = Object, responses((status = 201, body = Object)))]
#[post("/probe/notes")]
async fn note(
    CurrentUser(caller): CurrentUser,
    key: IdempotencyKey,
    pause: web::Query<Pause>,
    body: web::Json<Value>,
    mut connection: Db,
) -> Result<HttpResponse, ApiError> {
    let pause = Duration::from_millis(pause.pause_ms.unwrap_or(0));
    idempotency::once(&mut connection, &caller, &key, "POST /probe/notes", &*body, async |connection| {
        audit::record(connection, AuditEntry::new(Some(caller.user_id), "probe.noted", "user", caller.user_id)).await?;
        tokio::time::sleep(pause).await;
        Ok((StatusCode::CREATED, serde_json::json!({ "noted": *body })))
    })
    .await
}

/// Who is calling, if anyone.
#[utoipa::path(responses((status = 200, body = Object)))]
#[get("/probe/whoami")]
async fn whoami(platform::MaybeUser(principal): platform::MaybeUser) -> web::Json<Value> {
    web::Json(serde_json::json!({ "subject": principal.map(|principal| principal.subject) }))
}

/// A segment whose name begins with another's (`probe`).
#[utoipa::path(params(("id" = u32, Path)), responses((status = 200, body = String)))]
#[get("/probes/{id}")]
async fn probes(id: web::Path<u32>) -> web::Json<String> {
    web::Json(format!("probes {id}"))
}

/// A `probe` route mounted after a route of another segment.
#[utoipa::path(responses((status = 200, body = String)))]
#[get("/probe/late")]
async fn late() -> web::Json<&'static str> {
    web::Json("late")
}

/// The probe routes over any configuration (for `TestApp::spawn`).
pub fn mount(_: &platform::config::Source) -> fn(&mut Routes<'_, '_>) {
    routes
}

/// Mounts the probe routes next to the platform's own.
pub fn routes(routes: &mut Routes) {
    platform::health::routes(routes);
    platform::auth::session::routes(routes);
    routes.service(echo).service(item).service(search).service(panics).service(slow).service(whoami).service(note);
    routes.service(probes).service(late);
}
