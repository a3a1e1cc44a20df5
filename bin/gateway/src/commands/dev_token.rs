//! `gateway dev-token`: a session token for local development.
//!
//! Creates or updates the local user (subject derived from the email unless
//! given) with the requested role, then signs with the development key (created on first use in `auth.dev_key_dir`,
//! whose public half is the JWKS file the development verifier reads), so the
//! token goes through exactly the production verification path. Refused outside
//! development. [`mint`] and [`print()`] are shared with `gateway seed`, which
//! prints the tokens of its demo users the same way.

use std::io::Write;

use clap::Args;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use kernel::Role;
use platform::Settings;
use platform::auth::{SessionClaims, SigningKey};
use platform::config::Environment;
use secrecy::ExposeSecret;

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

/// Provisions the user, then prints the token on the last line of stdout.
pub async fn run(settings: &Settings, args: &DevTokenArgs) -> anyhow::Result<()> {
    refuse_in_production(settings, "dev-token")?;
    let url = settings.database.url.expose_secret();
    if settings.database.auto_migrate {
        db::migrations::run_pending(url).await?;
    }
    let mut connection = AsyncPgConnection::establish(url).await?;
    let token = mint(settings, &mut connection, args).await?;
    print(&mut std::io::stdout().lock(), args, &token)?;
    Ok(())
}

/// The rule of the development-only commands: anything but production
/// (development and test).
pub fn refuse_in_production(settings: &Settings, command: &str) -> anyhow::Result<()> {
    anyhow::ensure!(settings.environment != Environment::Production, "{command} is refused in production");
    Ok(())
}

/// Creates or updates the local user of `args` with its role and signs its
/// session token with the development key.
pub async fn mint(
    settings: &Settings,
    connection: &mut AsyncPgConnection,
    args: &DevTokenArgs,
) -> anyhow::Result<String> {
    let key = signing_key(settings)?;
    let now = chrono::Utc::now().timestamp();
    let subject = args.sub.clone().unwrap_or_else(|| format!("user_dev_{}", args.email.replace(['@', '.'], "_")));
    let role: Role = args.role.parse()?;
    platform::users::provision_local(connection, &subject, &args.email, role).await?;
    let claims = SessionClaims {
        sub: subject,
        sid: format!("sess_dev_{}", uuid::Uuid::now_v7().simple()),
        iss: settings.auth.issuer.clone(),
        iat: now,
        nbf: now,
        exp: now + args.ttl_minutes * 60,
        azp: settings.auth.authorized_parties.first().cloned(),
    };
    Ok(key.sign(&claims)?)
}

/// The development signing key in `auth.dev_key_dir`, created on first use
/// (its public half is the JWKS file the development verifier reads).
pub fn signing_key(settings: &Settings) -> anyhow::Result<SigningKey> {
    let dir = settings
        .auth
        .dev_key_dir
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("auth.dev_key_dir is not configured for this environment"))?;
    Ok(SigningKey::load_or_create_dev_key(dir)?)
}

/// Writes the token as `dev-token` prints it: a comment line naming the
/// user, then the token alone on its line.
pub fn print(out: &mut impl Write, args: &DevTokenArgs, token: &str) -> std::io::Result<()> {
    writeln!(out, "# development token for {} ({}), valid {} min", args.email, args.role, args.ttl_minutes)?;
    writeln!(out, "{token}")
}
