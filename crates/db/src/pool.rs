//! The Postgres connection pool.
//!
//! Every limit is explicit so that a slow or unreachable database turns into a
//! fast `Unavailable` (HTTP 503) instead of requests that queue without bound:
//! - `wait_timeout`: how long a request waits for a free connection;
//! - `create_timeout`: how long opening a new connection may take;
//! - `recycle_timeout`: how long the liveness check of a pooled connection may take;
//! - `statement_timeout`: set on every new connection, so a stuck query (a table
//!   lock, a runaway plan) is cancelled by Postgres itself.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::pooled_connection::deadpool::{BuildError, Object};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolableConnection, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

/// The shared pool of diesel-async Postgres connections.
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;

/// A connection checked out of the [`Pool`]; derefs to `AsyncPgConnection`.
///
/// Dropped in the middle of a transaction (a request cut off by its deadline,
/// a cancelled task), it leaves the pool and closes: Postgres rolls the
/// transaction back and releases its locks at once, rather than when the idle
/// connection is next checked out and found broken.
pub struct Connection(Option<Object<AsyncPgConnection>>);

impl Deref for Connection {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        self.0.as_ref().unwrap_or_else(|| unreachable!("only `drop` takes the object out"))
    }
}

impl DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        self.0.as_mut().unwrap_or_else(|| unreachable!("only `drop` takes the object out"))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(mut object) = self.0.take()
            && object.is_broken()
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
    /// Server-side limit of any single statement.
    pub statement_timeout: Duration,
}

/// Builds the pool; connections are opened lazily, so this does not touch the network.
pub fn build_pool(settings: &PoolSettings) -> Result<Pool, BuildError> {
    let session_setup = format!(
        "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {}",
        settings.statement_timeout.as_millis(),
        // A transaction left open by a dropped request must not hold locks for long.
        (settings.statement_timeout * 2).as_millis(),
    );
    let mut manager_config = ManagerConfig::default();
    manager_config.recycling_method = RecyclingMethod::Verified;
    manager_config.custom_setup = Box::new(move |url| {
        let session_setup = session_setup.clone();
        let url = url.to_owned();
        async move {
            let mut connection = AsyncPgConnection::establish(&url).await?;
            connection.batch_execute(&session_setup).await.map_err(ConnectionError::CouldntSetupConfiguration)?;
            connection.set_instrumentation(crate::spans::QuerySpans::default());
            Ok(connection)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(&settings.url, manager_config);
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
