//! One WebSocket, from upgrade to close: a reader that answers the client's
//! frames and watches for silence, and a writer that sends the missed events,
//! then the live ones, in order, through the socket's bounded queue.

use std::time::Duration;

use actix_ws::{AggregatedMessage, Session};
use futures_util::StreamExt;
use kernel::UserId;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::realtime::Realtime;
use crate::realtime::bus::{Replay, parse_event_id};
use crate::realtime::events::{ClientFrame, reply_frame};
use crate::realtime::hub::{Close, Hub, Outgoing, Seat};

/// Who is on the socket, and where they resume from.
#[derive(Debug)]
pub struct Caller {
    /// The user the ticket was for.
    pub user: UserId,
    /// Their identity-provider subject (the principal is re-read per frame,
    /// so a role or membership change applies at once).
    pub subject: String,
    /// `?last_event_id=`: replay what came after it.
    pub last_event_id: Option<String>,
}

/// Runs the socket until either side closes it; then gives its seat back.
pub async fn run(
    (realtime, hub): (Realtime, Hub),
    caller: Caller,
    session: Session,
    stream: actix_ws::MessageStream,
    seat: Seat,
) {
    let Seat { id, outgoing, closer, queue } = seat;
    let settings = realtime.settings();
    let stream = stream
        .max_frame_size(settings.max_frame_bytes)
        .aggregate_continuations()
        .max_continuation_size(settings.max_frame_bytes);
    let replay = match &caller.last_event_id {
        Some(last) => realtime.bus().replay(caller.user, last).await.unwrap_or(Replay::Resync),
        None => Replay::Frames(Vec::new()),
    };
    realtime.mark_present(caller.user, id).await;
    let reader = read(&realtime, &caller, id, stream, &queue, &closer);
    let grace = Duration::from_secs(settings.ping_interval_secs);
    let writer = write(session, replay, outgoing, closer.subscribe(), grace);
    tokio::join!(reader, writer);
    hub.leave(caller.user, id).await;
    realtime.mark_absent(caller.user, id).await;
}

/// The client's side: frames in, pings out, silence watched.
async fn read(
    realtime: &Realtime,
    caller: &Caller,
    seat: u64,
    mut stream: actix_ws::AggregatedMessageStream,
    queue: &tokio::sync::mpsc::Sender<Outgoing>,
    closer: &watch::Sender<Option<Close>>,
) {
    let settings = realtime.settings();
    let idle = Duration::from_secs(settings.idle_timeout_secs);
    let mut ticker = tokio::time::interval(Duration::from_secs(settings.ping_interval_secs));
    let mut heard = Instant::now();
    let mut closed = closer.subscribe();
    let send = |frame: Outgoing| {
        if queue.try_send(frame).is_err() {
            closer.send_replace(Some(Close::TooSlow));
        }
    };
    loop {
        tokio::select! {
            _ = closed.changed() => return,
            _ = ticker.tick() => {
                if heard.elapsed() >= idle {
                    closer.send_replace(Some(Close::Idle));
                    return;
                }
                send(Outgoing::Ping);
                realtime.mark_present(caller.user, seat).await;
            }
            message = stream.next() => {
                heard = Instant::now();
                let close = match message {
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        if let Some(reply) = answer(realtime, caller, &text).await {
                            send(Outgoing::Text(reply));
                        }
                        None
                    }
                    Some(Ok(AggregatedMessage::Ping(_) | AggregatedMessage::Pong(_))) => None,
                    Some(Ok(AggregatedMessage::Binary(_))) => Some(Close::Binary),
                    Some(Ok(AggregatedMessage::Close(_))) | None => Some(Close::Normal),
                    Some(Err(actix_ws::ProtocolError::Overflow)) => Some(Close::TooBig),
                    Some(Err(error)) => {
                        tracing::debug!(%error, "a chat socket sent a broken frame");
                        Some(Close::TooBig)
                    }
                };
                if let Some(close) = close {
                    closer.send_replace(Some(close));
                    return;
                }
            }
        }
    }
}

/// Acts on one text frame; answers an error (or a pong) frame when there is one.
async fn answer(realtime: &Realtime, caller: &Caller, text: &str) -> Option<String> {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value @ serde_json::Value::Object(_)) => value,
        _ => return Some(reply_frame("error", "malformed", "a frame is a JSON object with a type", None)),
    };
    let reference = value.get("ref").and_then(|reference| reference.as_str()).map(str::to_owned);
    let reference = reference.as_deref();
    let kind = value.get("type").and_then(|kind| kind.as_str()).unwrap_or_default().to_owned();
    let frame: ClientFrame = match serde_json::from_value(value) {
        Ok(frame) => frame,
        Err(error) if !matches!(kind.as_str(), "message" | "typing" | "read" | "ping") => {
            tracing::debug!(%error, "unknown chat frame type");
            return Some(reply_frame("error", "unknown_type", "type is one of message, typing, read, ping", reference));
        }
        Err(error) => return Some(reply_frame("error", "invalid", &error.to_string(), reference)),
    };
    if let ClientFrame::Ping { .. } = frame {
        return Some(reply_frame("pong", "ok", "", reference));
    }
    let principal = match realtime.principal(&caller.subject).await {
        Ok(principal) => principal,
        Err(error) => return Some(error_frame(&error, reference)),
    };
    match realtime.handle(&principal, frame).await {
        Ok(()) => None,
        Err(error) => Some(error_frame(&error, reference)),
    }
}

fn error_frame(error: &kernel::Error, reference: Option<&str>) -> String {
    let (code, message) = match error {
        kernel::Error::NotFound { resource } => ("not_found", format!("{resource} not found")),
        kernel::Error::Forbidden(message) => ("forbidden", message.clone()),
        kernel::Error::Conflict { message, .. } => ("conflict", message.clone()),
        kernel::Error::Validation(fields) => ("invalid", serde_json::to_string(fields).unwrap_or_default()),
        kernel::Error::RateLimited { .. } => ("rate_limited", "too many requests; try again later".to_owned()),
        kernel::Error::Unavailable { dependency } => ("unavailable", format!("{dependency} unavailable")),
        kernel::Error::Internal(_) => ("internal", "something went wrong".to_owned()),
    };
    reply_frame("error", code, &message, reference)
}

/// The server's side: missed events first, then the queue, until closed.
async fn write(
    mut session: Session,
    replay: Replay,
    mut outgoing: tokio::sync::mpsc::Receiver<Outgoing>,
    mut closed: watch::Receiver<Option<Close>>,
    grace: Duration,
) {
    let mut last_sent = (0, 0);
    let first = match replay {
        Replay::Resync => vec![r#"{"type":"resync"}"#.to_owned()],
        Replay::Frames(frames) => frames,
    };
    for frame in first {
        if let Some(id) = frame_id(&frame) {
            last_sent = id;
        }
        if session.text(frame).await.is_err() {
            return;
        }
    }
    let close = loop {
        let next = tokio::select! {
            _ = closed.changed() => break *closed.borrow(),
            next = outgoing.recv() => next,
        };
        let sent = match next {
            None => break Some(Close::Normal),
            Some(Outgoing::Ping) => session.ping(b"").await,
            Some(Outgoing::Text(frame)) => match frame_id(&frame) {
                Some(id) if id <= last_sent => continue,
                id => {
                    last_sent = id.unwrap_or(last_sent);
                    tokio::select! {
                        _ = closed.changed() => break *closed.borrow(),
                        sent = session.text(frame) => sent,
                    }
                }
            },
        };
        if sent.is_err() {
            return;
        }
    };
    let reason = close.unwrap_or(Close::Normal).reason();
    // The close frame waits behind what is already queued: a client that
    // reads again gets it; one that never does is dropped after `grace`.
    let _ = tokio::time::timeout(grace, session.close(Some(reason))).await;
}

/// The id of a durable frame (`{"id":"<ms>-<seq>",…`).
fn frame_id(frame: &str) -> Option<(u64, u64)> {
    let rest = frame.strip_prefix(r#"{"id":""#)?;
    parse_event_id(&rest[..rest.find('"')?])
}
