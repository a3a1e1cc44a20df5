//! `Idempotency-Key`: a write that must not repeat (a booking, an order, a
//! payment) runs at most once per caller and key; a retry gets the stored
//! answer.
//!
//! A handler takes the [`IdempotencyKey`] extractor and wraps its work in
//! [`once`]:
//! - no key: the work runs;
//! - a new key: the work runs; a success is stored (status and JSON body), a
//!   failure forgets the key so the client can retry;
//! - the key again with the same request: the stored answer, with
//!   `Idempotent-Replayed: true`, and the work does not run;
//! - the key again with another request (body or operation): 422;
//! - the key while its first request still runs: 409, try again shortly.
//!
//! Keys live in Postgres (`idempotency_keys`), so they hold across instances;
//! the daily maintenance job forgets them after a day. A first request that
//! died without an answer releases its key after [`ABANDONED_AFTER`].

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Principal;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;
use db::schema::idempotency_keys;

/// The request header.
pub const HEADER: &str = "Idempotency-Key";

/// A first request without an answer after this long is taken for dead.
pub const ABANDONED_AFTER: Duration = Duration::minutes(2);

/// The `Idempotency-Key` header: `None` when absent; 400 when it is not 1 to
/// 255 visible ASCII characters.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match request.headers().get(HEADER) {
            None => Ok(Self(None)),
            Some(value) => value
                .to_str()
                .ok()
                .filter(|key| (1..=255).contains(&key.len()) && key.bytes().all(|byte| byte.is_ascii_graphic()))
                .map(|key| Self(Some(key.to_owned())))
                .ok_or(ApiError::BadRequest {
                    code: "INVALID_IDEMPOTENCY_KEY",
                    message: "Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned(),
                }),
        };
        std::future::ready(parsed)
    }
}

/// What the work answered: a status and a JSON body.
pub type Answer<T> = (StatusCode, T);

/// Runs `work` once per caller and key (see the module documentation).
/// `operation` and `request` identify what was asked, e.g. `"POST
/// /appointments"` and the body.
pub async fn once<T, W>(
    state: &AppState,
    caller: &Principal,
    key: &IdempotencyKey,
    operation: &str,
    request: &impl Serialize,
    work: W,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    W: Future<Output = Result<Answer<T>, ApiError>>,
{
    let Some(key) = key.0.as_deref() else {
        let (status, body) = work.await?;
        return Ok(HttpResponse::build(status).json(body));
    };
    let fingerprint = fingerprint(operation, request)?;
    let mut connection = db::connect(state.db()).await?;
    if let Some(stored) = claim(&mut connection, caller, key, &fingerprint).await? {
        return Ok(stored);
    }
    match work.await {
        Ok((status, body)) => {
            let body = serde_json::to_value(body).map_err(kernel::Error::internal)?;
            diesel::update(idempotency_keys::table.find((caller.user_id, key)))
                .set((
                    idempotency_keys::status.eq(i16::try_from(status.as_u16()).unwrap_or(200)),
                    idempotency_keys::body.eq(&body),
                ))
                .execute(&mut connection)
                .await
                .map_err(kernel::Error::from)?;
            Ok(HttpResponse::build(status).json(body))
        }
        Err(error) => {
            diesel::delete(idempotency_keys::table.find((caller.user_id, key)))
                .execute(&mut connection)
                .await
                .map_err(kernel::Error::from)?;
            Err(error)
        }
    }
}

/// Takes the key for this request (`None`: go ahead), or answers for it: the
/// stored response, 422 for another request, 409 while the first one runs.
async fn claim(
    connection: &mut diesel_async::AsyncPgConnection,
    caller: &Principal,
    key: &str,
    fingerprint: &str,
) -> Result<Option<HttpResponse>, ApiError> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(caller.user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .await
        .map_err(kernel::Error::from)?;
    if inserted == 1 {
        return Ok(None);
    }
    let (stored_fingerprint, status, body, created_at) = idempotency_keys::table
        .find((caller.user_id, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::status,
            idempotency_keys::body,
            idempotency_keys::created_at,
        ))
        .first::<(String, Option<i16>, Option<serde_json::Value>, chrono::DateTime<Utc>)>(connection)
        .await
        .map_err(kernel::Error::from)?;
    if stored_fingerprint != fingerprint {
        return Err(kernel::Error::invalid_field(HEADER, "was already used with a different request").into());
    }
    match (status, body) {
        (Some(status), Some(body)) => {
            let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(200)).unwrap_or(StatusCode::OK);
            Ok(Some(HttpResponse::build(status).insert_header(("Idempotent-Replayed", "true")).json(body)))
        }
        _ if created_at + ABANDONED_AFTER < Utc::now() => {
            let taken = diesel::update(
                idempotency_keys::table
                    .find((caller.user_id, key))
                    .filter(idempotency_keys::created_at.eq(created_at))
                    .filter(idempotency_keys::status.is_null()),
            )
            .set(idempotency_keys::created_at.eq(Utc::now()))
            .execute(connection)
            .await
            .map_err(kernel::Error::from)?;
            if taken == 1 { Ok(None) } else { Err(in_progress()) }
        }
        _ => Err(in_progress()),
    }
}

/// Forgets keys older than a day before `now` (the daily purge job); how many.
pub async fn purge_expired(
    connection: &mut diesel_async::AsyncPgConnection,
    now: chrono::DateTime<Utc>,
) -> kernel::Result<usize> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(now - Duration::days(1))))
        .execute(connection)
        .await?)
}

fn in_progress() -> ApiError {
    kernel::Error::conflict("a request with this Idempotency-Key is still being processed; retry shortly").into()
}

fn fingerprint(operation: &str, request: &impl Serialize) -> Result<String, ApiError> {
    let body = serde_json::to_vec(request).map_err(kernel::Error::internal)?;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    context.update(operation.as_bytes());
    context.update(&[0]);
    context.update(&body);
    Ok(context.finish().as_ref().iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_tells_operations_and_bodies_apart() {
        let body = serde_json::json!({ "starts_at": "2026-12-01T09:00:00Z" });
        let same = fingerprint("POST /appointments", &body).ok();
        assert_eq!(same, fingerprint("POST /appointments", &body).ok());
        assert_ne!(same, fingerprint("POST /orders", &body).ok());
        assert_ne!(same, fingerprint("POST /appointments", &serde_json::json!({})).ok());
    }
}
