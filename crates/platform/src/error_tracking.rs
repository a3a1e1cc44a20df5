//! Error reports to Sentry, when `error_tracking.sentry_dsn` is set: panics
//! and 5xx answers, each tagged with the request id, the route template and
//! the caller's user id. Never tokens, emails, phone numbers, headers or
//! bodies: default PII is off, events carry no request, and every event
//! is scrubbed (emails, phone numbers, tokens redacted) before it leaves.

use std::sync::{Arc, OnceLock};

use actix_web::http::StatusCode;
use kernel::UserId;
use secrecy::ExposeSecret;
use sentry::protocol::Event;
use sentry::{ClientInitGuard, ClientOptions, Hub, Level};

use crate::config::Settings;

static GUARD: OnceLock<ClientInitGuard> = OnceLock::new();

/// Starts reporting when a DSN is configured (once per process).
pub fn init(settings: &Settings) {
    let Some(dsn) = &settings.error_tracking.sentry_dsn else { return };
    GUARD.get_or_init(|| {
        let mut options = ClientOptions::new()
            .dsn(dsn.expose_secret())
            .release(env!("CARGO_PKG_VERSION"))
            .environment(format!("{:?}", settings.environment).to_lowercase());
        options.send_default_pii = false;
        options.before_send = Some(Arc::new(|event| Some(scrub(event))));
        sentry::init(options)
    });
}

/// Whether reports are sent.
pub fn enabled() -> bool {
    GUARD.get().is_some_and(|guard| guard.is_enabled())
}

/// A hub for one request, tagged with its id and route: a panic or a 5xx
/// inside it is reported with them (the process's hub, untouched, when
/// reporting is off).
pub fn request_hub(request_id: &str, route: &str) -> Arc<Hub> {
    if !enabled() {
        return Hub::current();
    }
    let hub = Arc::new(Hub::new_from_top(Hub::main()));
    hub.configure_scope(|scope| {
        scope.set_tag("request_id", request_id);
        scope.set_tag("route", route);
    });
    hub
}

/// Names the request's caller (by our id only) on its hub.
pub fn set_user(user: UserId) {
    if enabled() {
        sentry::configure_scope(|scope| {
            scope.set_user(Some(sentry::User { id: Some(user.to_string()), ..Default::default() }));
        });
    }
}

/// Reports a 5xx answer (never its body or cause, which may hold personal data).
pub fn report_server_error(hub: &Hub, status: StatusCode, method: &str, route: &str) {
    if !enabled() {
        return;
    }
    let level = if status == StatusCode::INTERNAL_SERVER_ERROR { Level::Error } else { Level::Warning };
    hub.capture_message(&format!("{} {method} {route}", status.as_u16()), level);
}

/// Sends what is queued (tests, and before exiting).
pub fn flush() {
    if let Some(guard) = GUARD.get() {
        guard.flush(Some(std::time::Duration::from_secs(5)));
    }
}

/// Keeps only what identifies the fault: no request (URL, headers, body,
/// cookies), no user but the id, no server name, and messages (a panic's
/// included) with anything shaped like an email, a phone number or a token
/// replaced.
fn scrub(mut event: Event<'static>) -> Event<'static> {
    event.request = None;
    event.server_name = None;
    if let Some(user) = event.user.as_mut() {
        *user = sentry::User { id: user.id.take(), ..Default::default() };
    }
    event.message = event.message.as_deref().map(redact);
    if let Some(logentry) = event.logentry.as_mut() {
        logentry.message = redact(&logentry.message);
    }
    for exception in &mut event.exception.values {
        exception.value = exception.value.as_deref().map(redact);
    }
    event
}

/// `text` with each word that looks like an email, a phone number (seven
/// digits or more) or a token (a long unbroken run, as JWTs are) replaced.
fn redact(text: &str) -> String {
    let looks_personal = |word: &str| {
        word.contains('@')
            || word.chars().filter(char::is_ascii_digit).count() >= 7
            || (word.len() >= 32 && !word.contains(['/', '{']))
    };
    text.split(' ').map(|word| if looks_personal(word) { "[redacted]" } else { word }).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_phone_numbers_and_tokens_are_redacted_and_routes_stay() {
        let text = "boom for alice@example.com at +33612345678 with eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl on /api/v1/pets/{id}";
        assert_eq!(redact(text), "boom for [redacted] at [redacted] with [redacted] on /api/v1/pets/{id}");
    }
}
