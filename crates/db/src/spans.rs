//! One `tracing` span per SQL statement (`db.query`, a child of whatever span
//! is current: the request's or the job's), with the statement's text but
//! never its bound values (which may be personal data). The text is rendered
//! only when spans are exported ([`render_statements`]): rendering SQL for
//! every statement is not free. Every statement sent is also counted
//! ([`statements_sent`]), and so are the round trips they took
//! ([`round_trips`]): a statement sent while another is in flight on its
//! connection (pipelined) shares that one's round trip. Tests bound both for
//! a request. Pipelined statements finish in the order they started.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use tracing::Span;

/// Whether spans carry their statement's text.
static RENDER: AtomicBool = AtomicBool::new(false);

/// Turns the statement text of `db.query` spans on (traces are exported) or off.
pub fn render_statements(on: bool) {
    RENDER.store(on, Ordering::Relaxed);
}

/// Statements sent by this process's pooled connections.
static SENT: AtomicU64 = AtomicU64::new(0);

/// Statements sent while another was in flight on the same connection.
static PIPELINED: AtomicU64 = AtomicU64::new(0);

/// How many statements this process's pooled connections have sent,
/// transaction control included.
pub fn statements_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// How many round trips to the database those statements took: each one
/// not pipelined behind another started a round trip of its own.
pub fn round_trips() -> u64 {
    let pipelined = PIPELINED.load(Ordering::Relaxed);
    SENT.load(Ordering::Relaxed).saturating_sub(pipelined)
}

/// The longest statement text recorded on a span.
const MAX_STATEMENT: usize = 1000;

/// Opens a span when a statement starts and closes it when it finishes, and
/// counts the statements still running (the pool drops a connection left with one).
#[derive(Debug, Default)]
pub struct QuerySpans {
    /// The spans of the statements running, oldest first.
    open: VecDeque<Span>,
    running: Arc<AtomicUsize>,
}

impl QuerySpans {
    /// The count of statements started and not yet finished.
    pub fn running(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.running)
    }
}

impl Instrumentation for QuerySpans {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                SENT.fetch_add(1, Ordering::Relaxed);
                if self.running.fetch_add(1, Ordering::Relaxed) > 0 {
                    PIPELINED.fetch_add(1, Ordering::Relaxed);
                }
                let span = tracing::info_span!(
                    "db.query",
                    otel.name = "db.query",
                    otel.kind = "client",
                    otel.status_code = tracing::field::Empty,
                    db.system.name = "postgresql",
                    db.query.text = tracing::field::Empty,
                );
                if RENDER.load(Ordering::Relaxed) && !span.is_disabled() {
                    let text = query.to_string();
                    let statement = text.split(" -- binds:").next().unwrap_or_default();
                    span.record("db.query.text", statement.chars().take(MAX_STATEMENT).collect::<String>());
                }
                self.open.push_back(span);
            }
            InstrumentationEvent::FinishQuery { error, .. } => {
                self.running.fetch_sub(1, Ordering::Relaxed);
                if let Some(span) = self.open.pop_front()
                    && error.is_some()
                {
                    span.record("otel.status_code", "ERROR");
                }
            }
            _ => {}
        }
    }
}
