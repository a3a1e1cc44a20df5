//! The `migrate` and `dev-token` subcommands.

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

#[tokio::test]
async fn a_dev_token_provisions_the_user_with_its_role_and_passes_the_production_verifier() {
    let key_dir = std::env::temp_dir().join(format!("vet-dev-keys-{}", uuid::Uuid::now_v7().simple()));
    let development = platform::config::Source::load_from(&config_dir(), platform::config::Environment::Development)
        .unwrap()
        .settings()
        .unwrap();
    let jwks_file = key_dir.join("jwks.json");
    let app = TestApp::spawn_with(crate::modules, move |settings| {
        settings.auth.jwks_url = None;
        settings.auth.jwks_file = Some(jwks_file);
        settings.auth.issuer = development.auth.issuer.clone();
        settings.auth.authorized_parties = development.auth.authorized_parties.clone();
    })
    .await;
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
