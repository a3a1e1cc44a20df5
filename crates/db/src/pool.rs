//! The Postgres connection pool.
//!
//! Every limit is explicit so that a slow or unreachable database turns into a
//! fast `Unavailable` (HTTP 503) instead of requests that queue without bound:
//! - `wait_timeout`: how long a request waits for a free connection;
//! - `create_timeout`: how long opening a new connection may take;
//! - `recycle_timeout`: how long the liveness check of a pooled connection may take;
//! - `statement_timeout`: set on every new connection, so a stuck query (a table
//!   lock, a runaway plan) is cancelled by Postgres itself.
//!
//! A connection handed back within `verify_idle_after` of its last checkout is
//! handed out again without a round trip (HikariCP's alive-bypass window, PgBouncer's
//! `server_check_delay`): under load that check was half the statements of a
//! read. A connection the server closed (restart, terminated backend) is known
//! without asking, and one dropped in the middle of a statement (a request cut
//! off by its deadline) never returns to the pool; one idle for longer is
//! verified with a `SELECT 1` before reuse.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use deadpool::managed::{BuildError, Metrics, Object, RecycleError, RecycleResult};
use diesel::ConnectionError;
use diesel_async::pooled_connection::{PoolError, PoolableConnection, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

use crate::spans::QuerySpans;

/// The shared pool of diesel-async Postgres connections.
pub type Pool = deadpool::managed::Pool<Manager>;

/// A pooled connection and the count of its statements still running.
pub struct Pooled {
    connection: AsyncPgConnection,
    running: Arc<AtomicUsize>,
}

impl Pooled {
    /// Whether it must not be handed out again: closed by the server, a
    /// transaction left broken, or a statement whose answer is still to come.
    fn is_unusable(&mut self) -> bool {
        self.running.load(Ordering::Relaxed) > 0 || self.connection.is_broken()
    }
}

/// Opens, sets up and recycles [`Pooled`] connections.
pub struct Manager {
    url: String,
    session_setup: String,
    verify_idle_after: Duration,
}

impl deadpool::managed::Manager for Manager {
    type Type = Pooled;
    type Error = PoolError;

    async fn create(&self) -> Result<Pooled, PoolError> {
        let mut connection = AsyncPgConnection::establish(&self.url).await.map_err(PoolError::ConnectionError)?;
        connection
            .batch_execute(&self.session_setup)
            .await
            .map_err(|error| PoolError::ConnectionError(ConnectionError::CouldntSetupConfiguration(error)))?;
        let spans = QuerySpans::default();
        let running = spans.running();
        connection.set_instrumentation(spans);
        Ok(Pooled { connection, running })
    }

    async fn recycle(&self, pooled: &mut Pooled, metrics: &Metrics) -> RecycleResult<PoolError> {
        if pooled.is_unusable() {
            return Err(RecycleError::message("closed, broken or in the middle of a statement"));
        }
        if metrics.last_used() >= self.verify_idle_after {
            pooled
                .connection
                .ping(&RecyclingMethod::Verified)
                .await
                .map_err(|error| RecycleError::Backend(PoolError::QueryError(error)))?;
        }
        Ok(())
    }
}

/// A connection checked out of the [`Pool`]; derefs to `AsyncPgConnection`.
///
/// Dropped in the middle of a transaction or of a statement (a request cut off
/// by its deadline, a cancelled task), it leaves the pool and closes: Postgres
/// rolls the transaction back and releases its locks at once, and no later
/// caller reads the answer meant for the dropped one.
pub struct Connection(Option<Object<Manager>>);

impl Deref for Connection {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        &self.0.as_ref().unwrap_or_else(|| unreachable!("only `drop` takes the object out")).connection
    }
}

impl DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        &mut self.0.as_mut().unwrap_or_else(|| unreachable!("only `drop` takes the object out")).connection
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(mut object) = self.0.take()
            && object.is_unusable()
        {
            drop(Object::take(object));
        }
    }
}

/// Everything needed to build a [`Pool`].
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// `postgres://` URL of the database.
    pub url: String,
    /// Upper bound of open connections held by this process.
    pub max_size: usize,
    /// How long a caller waits for a free connection before getting `Unavailable`.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub create_timeout: Duration,
    /// How long checking a returned connection may take.
    pub recycle_timeout: Duration,
    /// A connection last checked out longer ago than this is verified before reuse.
    pub verify_idle_after: Duration,
    /// Server-side limit of any single statement.
    pub statement_timeout: Duration,
}

/// How often a running statement's backend checks that its client is still
/// there: a statement whose connection was dropped (its request cut off) stops
/// within this, not at `statement_timeout`.
const CLIENT_CHECK_MS: u64 = 1000;

/// Builds the pool; connections are opened lazily, so this does not touch the network.
pub fn build_pool(settings: &PoolSettings) -> Result<Pool, BuildError> {
    let session_setup = format!(
        "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {}; \
         SET client_connection_check_interval = {CLIENT_CHECK_MS}",
        settings.statement_timeout.as_millis(),
        // A transaction left open by a dropped request must not hold locks for long.
        (settings.statement_timeout * 2).as_millis(),
    );
    let manager = Manager { url: settings.url.clone(), session_setup, verify_idle_after: settings.verify_idle_after };
    Pool::builder(manager)
        .max_size(settings.max_size)
        .wait_timeout(Some(settings.wait_timeout))
        .create_timeout(Some(settings.create_timeout))
        .recycle_timeout(Some(settings.recycle_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
}

/// Checks out a connection; any pool failure (exhausted, timed out, database
/// unreachable) is `Unavailable`, which the HTTP layer answers with 503.
pub async fn connect(pool: &Pool) -> kernel::Result<Connection> {
    let asked = std::time::Instant::now();
    let connection = pool.get().await;
    metrics::histogram!("db_pool_wait_seconds").record(asked.elapsed().as_secs_f64());
    connection.map(|object| Connection(Some(object))).map_err(|error| {
        tracing::warn!(%error, "database connection unavailable");
        kernel::Error::Unavailable { dependency: "database" }
    })
}
