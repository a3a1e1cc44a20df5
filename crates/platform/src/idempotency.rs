//! `Idempotency-Key`: a write that must not repeat (a booking, an order, a
//! payment) runs at most once per caller and key; a retry gets the stored
//! answer.
//!
//! A handler takes the [`IdempotencyKey`] extractor and a [`Db`](crate::Db)
//! connection and wraps its work in [`once`]:
//! - no key: the work runs;
//! - a new key: the key is claimed, the work runs and its answer (status and
//!   JSON body) is stored, **all in one transaction**: the answer commits with
//!   the work or neither does, so a crash or a deadline at any point leaves
//!   either both (a retry gets the answer) or nothing (a retry runs the work);
//!   a failure rolls the key back with the work, so the client can retry;
//! - the key again with the same request: the stored answer, with
//!   `Idempotent-Replayed: true`, and the work does not run. A retry that
//!   arrives while the first request runs waits for it (the claim's row lock,
//!   bounded by the statement timeout), then replays its answer or, if it
//!   failed, runs itself;
//! - the key again with another request (body or operation): 422.
//!
//! Keys live in Postgres (`idempotency_keys`), so they hold across instances;
//! the daily maintenance job forgets them after a day.

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::Principal;
use serde::Serialize;

use crate::error::ApiError;
use db::schema::idempotency_keys;

/// The request header.
pub const HEADER: &str = "Idempotency-Key";

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

/// What a keyed request gets: the work's answer, or the one stored for the key.
enum Outcome {
    Fresh(StatusCode, serde_json::Value),
    Replayed(StatusCode, serde_json::Value),
}

/// Runs `work` once per caller and key (see the module documentation), on
/// `connection`. `operation` and `request` identify what was asked, e.g.
/// `"POST /appointments"` and the body.
pub async fn once<T: Serialize>(
    connection: &mut AsyncPgConnection,
    caller: &Principal,
    key: &IdempotencyKey,
    operation: &str,
    request: &impl Serialize,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> kernel::Result<Answer<T>>,
) -> Result<HttpResponse, ApiError> {
    let Some(key) = key.0.as_deref() else {
        let (status, body) = work(connection).await?;
        return Ok(HttpResponse::build(status).json(body));
    };
    let fingerprint = fingerprint(operation, request)?;
    let outcome = db::transaction(connection, async |connection| {
        if let Some(stored) = claim(connection, caller, key, &fingerprint).await? {
            return Ok(stored);
        }
        let (status, body) = work(connection).await?;
        let body = serde_json::to_value(body).map_err(kernel::Error::internal)?;
        diesel::update(idempotency_keys::table.find((caller.user_id, key)))
            .set((
                idempotency_keys::status.eq(i16::try_from(status.as_u16()).unwrap_or(200)),
                idempotency_keys::body.eq(&body),
            ))
            .execute(connection)
            .await?;
        Ok(Outcome::Fresh(status, body))
    })
    .await?;
    Ok(match outcome {
        Outcome::Fresh(status, body) => HttpResponse::build(status).json(body),
        Outcome::Replayed(status, body) => {
            HttpResponse::build(status).insert_header(("Idempotent-Replayed", "true")).json(body)
        }
    })
}

/// Takes the key for this request (`None`: go ahead), or answers for it: the
/// stored answer, or 422 for another request. A first request still running
/// holds the key's row, so the insert waits for its outcome.
async fn claim(
    connection: &mut AsyncPgConnection,
    caller: &Principal,
    key: &str,
    fingerprint: &str,
) -> kernel::Result<Option<Outcome>> {
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(caller.user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    if inserted == 1 {
        return Ok(None);
    }
    let (stored_fingerprint, status, body) = idempotency_keys::table
        .find((caller.user_id, key))
        .select((idempotency_keys::fingerprint, idempotency_keys::status, idempotency_keys::body))
        .first::<(String, Option<i16>, Option<serde_json::Value>)>(connection)
        .await?;
    if stored_fingerprint != fingerprint {
        return Err(kernel::Error::invalid_field(HEADER, "was already used with a different request"));
    }
    let status = status.and_then(|status| StatusCode::from_u16(u16::try_from(status).ok()?).ok());
    match (status, body) {
        (Some(status), Some(body)) => Ok(Some(Outcome::Replayed(status, body))),
        // Only rows from before answers were stored with their work look like this.
        _ => Err(kernel::Error::conflict("a request with this Idempotency-Key has no answer; use a new key")),
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
