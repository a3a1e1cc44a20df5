//! Logs and traces.
//!
//! Logs: JSON lines in production and tests, pretty in development. Each line
//! inside a request carries the request span's fields (request id, trace id,
//! method, route, user id). `RUST_LOG`, when set, overrides `log.filter`.
//!
//! Traces: every `tracing` span is an OpenTelemetry span (`tracing-opentelemetry`):
//! a request (named by its route template, continuing an incoming W3C
//! `traceparent`), each database statement (`db`), Redis command, job run
//! (linked to the request that enqueued it, `jobs::enqueue`) and outgoing HTTP
//! call ([`send`], which also sends `traceparent`). They are exported by
//! OTLP/HTTP only when `telemetry.otlp_endpoint` is set.
//!
//! Without an endpoint no OpenTelemetry layer is installed at all (spans cost
//! what logging makes them cost, statements are not rendered for spans): a
//! request's logs still carry a trace id, the incoming `traceparent`'s or a
//! fresh one, but nothing is propagated onwards.

use std::sync::OnceLock;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, TracerProvider};
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, OtlpProtocol, Settings, TelemetrySettings};

/// The tracer provider, when traces are exported.
static PROVIDER: OnceLock<Option<SdkTracerProvider>> = OnceLock::new();

/// Whether spans are OpenTelemetry spans (an endpoint is configured).
fn tracing_enabled() -> bool {
    PROVIDER.get().is_some_and(Option::is_some)
}

/// Installs the global subscriber (logs, and spans as OpenTelemetry spans)
/// and error reporting; a second call (tests) is a no-op.
pub fn init(settings: &Settings) {
    crate::error_tracking::init(settings);
    // Logs follow `log.filter`; spans are traced at INFO whatever the log level.
    let logs = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log.filter));
    let provider = PROVIDER.get_or_init(|| tracer_provider(&settings.telemetry));
    let traces = provider.as_ref().map(|provider| {
        db::spans::render_statements(true);
        tracing_opentelemetry::layer().with_tracer(provider.tracer("vet-platform")).with_filter(LevelFilter::INFO)
    });
    let registry = tracing_subscriber::registry().with(traces);
    let installed = match settings.log.format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer().json().with_current_span(true).with_span_list(false).with_filter(logs),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer().compact().with_filter(logs)).try_init(),
    };
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}

/// The exporting provider, when `telemetry.otlp_endpoint` is set.
fn tracer_provider(settings: &TelemetrySettings) -> Option<SdkTracerProvider> {
    let endpoint = settings.otlp_endpoint.as_ref()?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name(settings.service_name.clone()).build();
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let protocol = match settings.otlp_protocol {
        OtlpProtocol::HttpProtobuf => Protocol::HttpBinary,
        OtlpProtocol::HttpJson => Protocol::HttpJson,
    };
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build();
    match exporter {
        Ok(exporter) => Some(builder.with_batch_exporter(exporter).build()),
        Err(error) => {
            eprintln!("traces are not exported: the OTLP exporter could not be built: {error}");
            None
        }
    }
}

/// Sends the spans still buffered (blocking; tests, and before exiting).
pub fn flush() {
    if let Some(Some(provider)) = PROVIDER.get()
        && let Err(error) = provider.force_flush()
    {
        tracing::warn!(%error, "flushing traces failed");
    }
}

/// Continues the trace of an incoming request's `traceparent`, if any, in
/// `span`; answers the request's trace id (hex), as logs and error reports
/// show it: the span's when traces are exported, else the incoming one or a
/// fresh one.
pub fn continue_trace(span: &Span, headers: &actix_web::http::header::HeaderMap) -> String {
    let parent = TraceContextPropagator::new().extract(&HeaderText(headers));
    let incoming = parent.span().span_context().clone();
    if !tracing_enabled() {
        return if incoming.is_valid() {
            incoming.trace_id().to_string()
        } else {
            uuid::Uuid::new_v4().simple().to_string()
        };
    }
    if incoming.is_valid() {
        let _ = span.set_parent(parent);
    }
    span.context().span().span_context().trace_id().to_string()
}

/// The W3C `traceparent` of the current span (none outside any trace).
pub fn traceparent() -> Option<String> {
    let mut carrier = Traceparent(None);
    TraceContextPropagator::new().inject_context(&Span::current().context(), &mut carrier);
    carrier.0
}

/// `(trace_id, span_id, flags)` of the current span, for a job's `_trace`.
pub fn current_span_context() -> Option<(String, String, u8)> {
    let context = Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    span_context.is_valid().then(|| {
        (span_context.trace_id().to_string(), span_context.span_id().to_string(), span_context.trace_flags().to_u8())
    })
}

/// Sends `request` in a client span named `name`, with the trace's `traceparent`.
pub async fn send(request: reqwest::RequestBuilder, name: &'static str) -> reqwest::Result<reqwest::Response> {
    let span = tracing::info_span!(
        "http.client",
        otel.name = name,
        otel.kind = "client",
        http.status_code = tracing::field::Empty
    );
    let request = match span.in_scope(traceparent) {
        Some(traceparent) => request.header("traceparent", traceparent),
        None => request,
    };
    let response = tracing::Instrument::instrument(request.send(), span.clone()).await;
    if let Ok(response) = &response {
        span.record("http.status_code", response.status().as_u16());
    }
    response
}

struct HeaderText<'a>(&'a actix_web::http::header::HeaderMap);

impl Extractor for HeaderText<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(actix_web::http::header::HeaderName::as_str).collect()
    }
}

struct Traceparent(Option<String>);

impl Injector for Traceparent {
    fn set(&mut self, key: &str, value: String) {
        if key == "traceparent" {
            self.0 = Some(value);
        }
    }
}
