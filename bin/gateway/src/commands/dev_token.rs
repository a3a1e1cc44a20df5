//! `gateway dev-token`: a session token for local development.
//!
//! Signs with the development key (created on first use in `auth.dev_key_dir`,
//! whose public half is the JWKS file the development verifier reads), so the
//! token goes through exactly the production verification path. Refused outside
//! development.

use std::io::Write;

use clap::Args;
use platform::Settings;
use platform::auth::{SessionClaims, SigningKey};
use platform::config::Environment;
use serde_json::json;

/// Who the token is for.
#[derive(Debug, Clone, Args)]
pub struct DevTokenArgs {
    /// Identity-provider user id (`sub`); defaults to one derived from the email.
    #[arg(long)]
    pub sub: Option<String>,
    /// Email of the development user.
    #[arg(long, default_value = "dev@vet-platform.local")]
    pub email: String,
    /// Role of the development user (pet_owner, veterinarian, receptionist,
    /// clinic_admin, platform_admin).
    #[arg(long, default_value = "pet_owner")]
    pub role: String,
    /// Lifetime in minutes.
    #[arg(long, default_value_t = 480)]
    pub ttl_minutes: i64,
}

/// Prints the token on the last line of stdout.
pub fn run(settings: &Settings, args: &DevTokenArgs) -> anyhow::Result<()> {
    anyhow::ensure!(settings.environment != Environment::Production, "dev-token is refused in production");
    let dir = settings
        .auth
        .dev_key_dir
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("auth.dev_key_dir is not configured for this environment"))?;
    let key = SigningKey::load_or_create_dev_key(dir)?;
    let now = chrono::Utc::now().timestamp();
    let subject = args.sub.clone().unwrap_or_else(|| format!("user_dev_{}", args.email.replace(['@', '.'], "_")));
    let claims = SessionClaims {
        sub: subject,
        sid: format!("sess_dev_{}", uuid::Uuid::now_v7().simple()),
        iss: settings.auth.issuer.clone(),
        iat: now,
        nbf: now,
        exp: now + args.ttl_minutes * 60,
        azp: settings.auth.authorized_parties.first().cloned(),
    };
    // Email and role ride along for the identity area's just-in-time provisioning;
    // authorization never reads them from the token.
    let mut token_claims = serde_json::to_value(&claims)?;
    if let Some(object) = token_claims.as_object_mut() {
        object.insert("email".into(), json!(args.email));
        object.insert("role".into(), json!(args.role));
    }
    let token = key.sign(&token_claims)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "# development token for {} ({}), valid {} min", args.email, args.role, args.ttl_minutes)?;
    writeln!(out, "{token}")?;
    Ok(())
}
