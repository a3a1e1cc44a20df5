//! The `migrate`, `dev-token` and `seed` subcommands.

use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TestApp, TestDb};

use crate::process::{config_dir, gateway, run};

#[tokio::test]
async fn migrate_status_run_and_revert() {
    let database = TestDb::empty().await;
    let environment = [("VET__DATABASE__URL", database.url().to_owned())];
    let stdout = |args: &[&str]| {
        let output = run(gateway(args, &environment));
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };

    let status = stdout(&["migrate", "status"]);
    assert!(status.lines().count() >= 2 && status.lines().all(|line| line.starts_with("pending")), "{status}");
    assert!(stdout(&["migrate", "run"]).starts_with("applied"));
    assert!(stdout(&["migrate", "status"]).lines().all(|line| line.starts_with("applied")));
    assert!(stdout(&["migrate", "revert"]).starts_with("reverted 2026-"));
    assert!(stdout(&["migrate", "status"]).lines().last().unwrap().starts_with("pending"));
}

/// An App that verifies tokens as development does: the dev key published in
/// `key_dir` (by `gateway dev-token` or `gateway seed`), development's issuer
/// and authorized parties.
async fn app_verifying_dev_tokens(key_dir: &std::path::Path) -> TestApp {
    let development = platform::config::Source::load_from(&config_dir(), platform::config::Environment::Development)
        .unwrap()
        .settings()
        .unwrap();
    let jwks_file = key_dir.join("jwks.json");
    TestApp::spawn_with(crate::modules, move |settings| {
        settings.auth.jwks_url = None;
        settings.auth.jwks_file = Some(jwks_file);
        settings.auth.issuer = development.auth.issuer.clone();
        settings.auth.authorized_parties = development.auth.authorized_parties.clone();
    })
    .await
}

#[tokio::test]
async fn a_dev_token_provisions_the_user_with_its_role_and_passes_the_production_verifier() {
    let key_dir = std::env::temp_dir().join(format!("vet-dev-keys-{}", uuid::Uuid::now_v7().simple()));
    let app = app_verifying_dev_tokens(&key_dir).await;
    let mint = |role: &str| {
        let mut command = gateway(&["dev-token", "--role", role, "--email", "vet@example.com"], &[]);
        command
            .env("APP_ENV", "development")
            .env("VET__AUTH__DEV_KEY_DIR", &key_dir)
            .env("VET__DATABASE__URL", app.db.url());
        let output = run(command);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().lines().last().unwrap().to_owned()
    };

    let token = mint("veterinarian");
    let response = app.get_with_token(&token, "/api/v1/auth/session").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["subject"].as_str(), body["role"].as_str()),
        (Some("user_dev_vet_example_com"), Some("veterinarian"))
    );

    // Minting again with another role updates the same local user.
    let token = mint("platform_admin");
    let body: Value = app.get_with_token(&token, "/api/v1/users/me").await.json().await.unwrap();
    assert_eq!((body["role"].as_str(), body["email"].as_str()), (Some("platform_admin"), Some("vet@example.com")));
    std::fs::remove_dir_all(key_dir).unwrap();
}

#[tokio::test]
async fn dev_token_is_refused_in_production() {
    let mut command = gateway(&["dev-token"], &[]);
    command.env("APP_ENV", "production");
    let output = run(command);
    assert!(!output.status.success());
}

#[tokio::test]
async fn seed_is_refused_in_production() {
    // A production configuration that loads, so the refusal is what stops it.
    let production = [
        ("VET__AUTH__JWKS_URL", "https://clerk.example/.well-known/jwks.json".to_owned()),
        ("VET__AUTH__AUTHORIZED_PARTIES", "https://app.example".to_owned()),
    ];
    let mut command = gateway(&["seed"], &production);
    command.env("APP_ENV", "production");
    let output = run(command);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("seed is refused in production"));
}

/// The `(role, subject-bearing token)` pairs `seed` prints, in order.
fn printed_tokens(stdout: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = stdout.lines().collect();
    lines
        .windows(2)
        .filter_map(|pair| {
            let role = pair[0].strip_prefix("# development token for ")?.split(['(', ')']).nth(1)?;
            Some((role.to_owned(), pair[1].to_owned()))
        })
        .collect()
}

/// Rows per table (and appointments and reminders per status).
async fn world_counts(database: &TestDb) -> std::collections::BTreeMap<String, i64> {
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rows: i64,
    }
    let sql = "SELECT 'clinics' AS name, count(*) AS rows FROM clinics \
               UNION ALL SELECT 'users', count(*) FROM users \
               UNION ALL SELECT 'vets', count(*) FROM vets \
               UNION ALL SELECT 'services', count(*) FROM clinic_services \
               UNION ALL SELECT 'pets', count(*) FROM pets \
               UNION ALL SELECT 'weights', count(*) FROM pet_weights \
               UNION ALL SELECT 'records', count(*) FROM health_records \
               UNION ALL SELECT 'verified reviews', count(*) FROM reviews WHERE verified_visit \
               UNION ALL SELECT 'reviews', count(*) FROM reviews \
               UNION ALL SELECT 'vets on call now', count(*) FROM emergency_on_call WHERE period @> now() \
               UNION ALL SELECT 'products', count(*) FROM commerce_products \
               UNION ALL (SELECT 'appointments ' || status, count(*) FROM appointments GROUP BY status) \
               UNION ALL (SELECT 'reminders ' || status, count(*) FROM pet_reminders GROUP BY status)";
    let mut connection = database.connect().await;
    let counts: Vec<Count> = diesel::sql_query(sql).load(&mut connection).await.unwrap();
    counts.into_iter().map(|count| (count.name, count.rows)).collect()
}

#[tokio::test]
async fn seed_builds_the_demo_world_once_and_prints_tokens_that_work() {
    let key_dir = std::env::temp_dir().join(format!("vet-seed-keys-{}", uuid::Uuid::now_v7().simple()));
    let app = app_verifying_dev_tokens(&key_dir).await;
    let seed = || {
        let mut command = gateway(&["seed"], &[]);
        command
            .env("APP_ENV", "development")
            .env("VET__AUTH__DEV_KEY_DIR", &key_dir)
            .env("VET__DATABASE__URL", app.db.url());
        let output = run(command);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };

    let first = seed();
    assert!(first.starts_with("# seeded 4 clinics"), "{first}");
    let seeded = world_counts(&app.db).await;
    let second = seed();
    assert!(second.starts_with("# the demo world was already there"), "{second}");
    assert_eq!(world_counts(&app.db).await, seeded, "a second run adds nothing");

    assert_eq!(seeded["clinics"], 4);
    assert!(seeded["pets"] >= 10 && seeded["vets"] >= 8 && seeded["weights"] > seeded["pets"], "{seeded:?}");
    for status in ["completed", "cancelled", "requested", "confirmed", "no_show"] {
        assert!(seeded.get(&format!("appointments {status}")).is_some_and(|rows| *rows > 0), "{status}: {seeded:?}");
    }
    assert!(seeded["verified reviews"] > 0 && seeded["reviews"] > seeded["verified reviews"], "{seeded:?}");
    assert!(seeded.get("reminders pending").is_some_and(|rows| *rows > 0), "{seeded:?}");
    assert!(seeded["vets on call now"] > 0, "an emergency finds someone at once: {seeded:?}");
    assert_eq!(seeded["products"], 20, "five products in each clinic's shop: {seeded:?}");

    // The same four users each time, each token accepted with its role.
    let (tokens, again) = (printed_tokens(&first), printed_tokens(&second));
    let roles: Vec<&str> = again.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(roles, ["pet_owner", "veterinarian", "clinic_admin", "platform_admin"]);
    let mut subjects = Vec::new();
    for (role, token) in tokens.iter().chain(&again) {
        let response = app.get_with_token(token, "/api/v1/auth/session").await;
        assert_eq!(response.status(), StatusCode::OK, "{role}");
        let session: Value = response.json().await.unwrap();
        assert_eq!(session["role"].as_str(), Some(role.as_str()));
        subjects.push(session["subject"].as_str().unwrap().to_owned());
    }
    assert_eq!(subjects[..4], subjects[4..], "the second run prints the same users' tokens");

    // The owner's vaccinations coming due wait as pending reminders.
    let owner = &again[0].1;
    let pets: Value = app.get_with_token(owner, "/api/v1/pets").await.json().await.unwrap();
    let soon = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive().to_string();
    let mut coming_due = 0;
    for pet in pets["items"].as_array().unwrap() {
        let path = format!("/api/v1/pets/{}/reminders", pet["id"].as_str().unwrap());
        let reminders: Value = app.get_with_token(owner, &path).await.json().await.unwrap();
        coming_due += reminders
            .as_array()
            .unwrap()
            .iter()
            .filter(|reminder| reminder["status"] == "pending" && reminder["due_on"].as_str().unwrap() <= soon.as_str())
            .count();
    }
    assert!(coming_due > 0, "{pets}");
    std::fs::remove_dir_all(key_dir).unwrap();
}

/// `.cargo/config.toml` builds mimalloc with lazily committed arenas, so the
/// pages it purges go back to the system instead of staying in the RSS.
#[test]
fn the_allocator_commits_its_arenas_lazily() {
    let output = run(gateway(&["--version"], &[("MIMALLOC_VERBOSE", "1".to_owned())]));
    let options = String::from_utf8_lossy(&output.stderr);
    assert!(options.contains("option 'arena_eager_commit': 0"), "{options}");
}
