//! Prometheus metrics through the `metrics` facade: any crate records with
//! `metrics::counter!` / `histogram!` / `gauge!`, and [`Exporter`] serves them
//! as Prometheus text at `/metrics` on its own listener (`metrics.address`,
//! loopback by default), never on the API's port.
//!
//! Series recorded here: `http_requests_total` and
//! `http_request_duration_seconds` by route template (never the raw path),
//! method and status; `http_requests_in_flight`; the database pool
//! (`db_pool_connections`, `db_pool_idle_connections`, `db_pool_waiters` and
//! `db_statements_total`, the statements sent, and `db_round_trips_total`,
//! the round trips they took (fewer when pipelined), sampled at each scrape,
//! and `db_pool_wait_seconds`, recorded by `db`);
//! `redis_errors_total` and `rate_limit_rejections_total`. Other crates add
//! their own (jobs, notifications) and may sample gauges at scrape time
//! through a [`Sampler`].

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, OnceLock, RwLock};
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::Method;
use actix_web::{App, HttpResponse, HttpServer, web};
use futures_util::future::BoxFuture;
use metrics::{Counter, Gauge, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// Latency buckets, in seconds, shared by request, job and pool-wait histograms.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Sets a crate's gauges just before a scrape (queue depths, for example).
pub type Sampler = Arc<dyn Fn(AppState) -> BoxFuture<'static, ()> + Send + Sync>;

/// The process's recorder, once installed.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use (one per process: the
/// `metrics` facade is global); [`Exporter::bind`] installs it before the
/// first request.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), BUCKETS);
        let recorder = match builder {
            Ok(builder) => builder.build_recorder(),
            Err(_) => PrometheusBuilder::new().build_recorder(),
        };
        let handle = recorder.handle();
        spawn_upkeep(handle.clone());
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics shows only this one's series");
        }
        handle
    })
}

/// Folds the samples histograms buffer into their buckets every few seconds,
/// so memory stays flat however long nothing scrapes `/metrics`.
fn spawn_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new().name("metrics-upkeep".to_owned()).spawn(move || {
        loop {
            std::thread::sleep(UPKEEP_EVERY);
            handle.run_upkeep();
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "no metrics upkeep thread: histograms grow until scraped");
    }
}

/// How often [`spawn_upkeep`] drains the histograms.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The request series of each route, method and status, once registered:
/// building a labelled key and finding it in the recorder on every request
/// costs more than the increment itself.
type RequestSeries = HashMap<String, HashMap<(Method, u16), (Counter, Histogram)>>;

static REQUEST_SERIES: LazyLock<RwLock<RequestSeries>> = LazyLock::new(RwLock::default);

/// One answered request: its route template (`-` when no route matched).
pub fn record_request(route: &str, method: &Method, status: u16, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    if let Ok(series) = REQUEST_SERIES.read()
        && let Some((count, duration)) =
            series.get(route).and_then(|by_method| by_method.get(&(method.clone(), status)))
    {
        count.increment(1);
        duration.record(seconds);
        return;
    }
    let labels = [("route", route.to_owned()), ("method", method.to_string()), ("status", status.to_string())];
    let (count, duration) = (
        metrics::counter!("http_requests_total", &labels),
        metrics::histogram!("http_request_duration_seconds", &labels),
    );
    count.increment(1);
    duration.record(seconds);
    // Handles taken before the recorder exists would count nothing forever.
    if HANDLE.get().is_some()
        && let Ok(mut series) = REQUEST_SERIES.write()
    {
        series.entry(route.to_owned()).or_default().insert((method.clone(), status), (count, duration));
    }
}

/// Counts a request in flight until dropped.
#[derive(Debug)]
pub struct InFlight(Gauge);

impl InFlight {
    /// One more request in flight.
    pub fn start() -> Self {
        static GAUGE: OnceLock<Gauge> = OnceLock::new();
        let gauge = match GAUGE.get() {
            Some(gauge) => gauge.clone(),
            None if HANDLE.get().is_some() => GAUGE.get_or_init(|| metrics::gauge!("http_requests_in_flight")).clone(),
            None => metrics::gauge!("http_requests_in_flight"),
        };
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// A failed Redis command, by what it was for (`rate_limit`, `principal_cache`...).
pub fn redis_error(operation: &'static str) {
    metrics::counter!("redis_errors_total", "operation" => operation).increment(1);
}

fn sample_pool(state: &AppState) {
    let status = state.db().status();
    metrics::gauge!("db_pool_connections").set(status.size as f64);
    metrics::gauge!("db_pool_max_connections").set(status.max_size as f64);
    metrics::gauge!("db_pool_idle_connections").set(status.available as f64);
    metrics::gauge!("db_pool_waiters").set(status.waiting as f64);
    metrics::counter!("db_statements_total").absolute(db::spans::statements_sent());
    metrics::counter!("db_round_trips_total").absolute(db::spans::round_trips());
}

/// The `/metrics` listener.
pub struct Exporter {
    port: u16,
    server: Server,
}

impl Exporter {
    /// Binds `metrics.address` of `state`'s settings; at each scrape the pool
    /// gauges and every sampler's are refreshed first.
    pub fn bind(state: AppState, samplers: Vec<Sampler>) -> std::io::Result<Self> {
        handle();
        let listener = std::net::TcpListener::bind(state.settings().metrics.address.as_str())?;
        let port = listener.local_addr()?.port();
        let scrape = web::Data::new((state, samplers));
        let server =
            HttpServer::new(move || App::new().app_data(scrape.clone()).route("/metrics", web::get().to(render)))
                .listen(listener)?
                .workers(1)
                .disable_signals()
                .shutdown_timeout(1)
                .run();
        Ok(Self { port, server })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves in the background until the process ends.
    pub fn spawn(self) {
        tokio::spawn(self.server);
    }
}

async fn render(scrape: web::Data<(AppState, Vec<Sampler>)>) -> HttpResponse {
    let (state, samplers) = scrape.get_ref();
    sample_pool(state);
    for sampler in samplers {
        sampler(state.clone()).await;
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(handle().render())
}
