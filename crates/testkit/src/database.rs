//! A database per test, cloned from a migrated template.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::sync::OnceCell;

/// The server's maintenance database, used to create and drop test databases.
fn admin_url() -> String {
    std::env::var("VET_TEST_ADMIN_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn url_for(database: &str) -> String {
    let admin = admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{database}")
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// A fresh, fully migrated database, dropped (with its connections) on `Drop`.
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// Creates `test_<uuid>` from the template (built on first use).
    pub async fn new() -> Self {
        let template = TEMPLATE.get_or_init(ensure_template).await;
        Self::create(&format!(r#"TEMPLATE "{template}""#)).await
    }

    /// Creates an empty database with no migrations applied (migration tests).
    pub async fn empty() -> Self {
        Self::create("").await
    }

    async fn create(options: &str) -> Self {
        let name = format!("test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = AsyncPgConnection::establish(&admin_url()).await.expect("connect to the admin database");
        diesel::sql_query(format!(r#"CREATE DATABASE "{name}" {options}"#))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let url = url_for(&name);
        Self { name, url }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `postgres://` URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to this database.
    pub async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop may run inside or outside a runtime; a thread of its own works in both.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let mut admin = AsyncPgConnection::establish(&admin_url()).await.ok()?;
                diesel::sql_query(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// Name of the template for the current migrations; builds it when missing.
async fn ensure_template() -> String {
    let name = format!("vet_template_{:016x}", migrations_fingerprint());
    let mut admin = AsyncPgConnection::establish(&admin_url()).await.expect("connect to the admin database");
    // One process builds the template; the others wait for it here.
    diesel::sql_query("SELECT pg_advisory_lock(72067)").execute(&mut admin).await.expect("lock");
    let exists = diesel::sql_query(format!("SELECT 1 FROM pg_database WHERE datname = '{name}' AND datistemplate"))
        .execute(&mut admin)
        .await
        .expect("look up the template")
        > 0;
    if !exists {
        diesel::sql_query(format!(r#"DROP DATABASE IF EXISTS "{name}""#)).execute(&mut admin).await.expect("drop");
        diesel::sql_query(format!(r#"CREATE DATABASE "{name}""#)).execute(&mut admin).await.expect("create template");
        db::migrations::run_pending(&url_for(&name)).await.expect("migrate the template");
        jobs::install(&url_for(&name)).await.expect("install the job queue in the template");
        diesel::sql_query(format!(r#"ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"#))
            .execute(&mut admin)
            .await
            .expect("mark the template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock(72067)").execute(&mut admin).await.expect("unlock");
    name
}

/// What the template holds besides the migrations: bump when that changes.
const TEMPLATE_EXTRAS: &str = "graphile_worker schema (jobs::install)";

/// Names the template after the migrations compiled into `db` (not the files
/// on disk, which may be newer than this build) and the extras.
fn migrations_fingerprint() -> u64 {
    let mut hasher = DefaultHasher::new();
    TEMPLATE_EXTRAS.hash(&mut hasher);
    db::migrations::FINGERPRINT.hash(&mut hasher);
    hasher.finish()
}
