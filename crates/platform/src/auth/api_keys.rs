//! A clinic's API keys, and the `api_keys` table, owned here: third parties
//! (practice software, labs, websites) call the API as the clinic, on the
//! routes the key's scopes open.
//!
//! A key reads `vpk_<12 hex>_<48 hex>` and is sent as a bearer token. Its
//! first part (`vpk_<12 hex>`, the prefix) names it in lists and finds its
//! row; the whole key is shown once, when it is made, and kept only as its
//! SHA-256 (192 random bits need no slow hash), compared in constant time.
//! Every request reads the row again, so a revoked or expired key fails at
//! once on every instance.
//!
//! A key acts through an account of its own (a `users` row, `apikey:<id>`),
//! shared with the keys that rotate it: the clinic's admin at that clinic
//! alone, and the actor of its changes in the audit log. Which routes a scope
//! opens is written on each route (`security(("api_key" = ["..."]))`) and
//! read from the OpenAPI document, so the document says it too.
//!
//! `accounts` decides who may create, list, revoke and rotate keys; the
//! writes are here.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ApiKeyId, ClinicId, Credential, Membership, Principal, Role, UserId};
use serde::{Deserialize, Serialize};

use db::schema::{api_keys, users};

/// How every key starts.
pub const KEY_PREFIX: &str = "vpk_";

/// Random bytes of a key's prefix and of its secret part.
const PREFIX_BYTES: usize = 6;
const SECRET_BYTES: usize = 24;

/// How often a key's last use is written, at most (not on every request).
const LAST_USED_EVERY: Duration = Duration::minutes(1);

/// What a key may do. Each opens the routes that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scope {
    /// Read the clinic's calendar, appointments and free slots.
    #[serde(rename = "appointments:read")]
    AppointmentsRead,
    /// Book, move and move along the clinic's appointments.
    #[serde(rename = "appointments:write")]
    AppointmentsWrite,
    /// Read the clinic's patients and their records.
    #[serde(rename = "patients:read")]
    PatientsRead,
    /// Change the clinic's services and products.
    #[serde(rename = "catalog:write")]
    CatalogWrite,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Self; 4] =
        [Self::AppointmentsRead, Self::AppointmentsWrite, Self::PatientsRead, Self::CatalogWrite];

    /// As written on routes and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppointmentsRead => "appointments:read",
            Self::AppointmentsWrite => "appointments:write",
            Self::PatientsRead => "patients:read",
            Self::CatalogWrite => "catalog:write",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// An `api_keys` row as lists show it (never the secret, nor its hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    /// Its id.
    pub id: ApiKeyId,
    /// The clinic it acts for.
    pub clinic_id: ClinicId,
    /// The account it acts through.
    pub user_id: UserId,
    /// What the clinic calls it.
    pub name: String,
    /// `vpk_<12 hex>`: how it is recognised.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it stops working, if ever (a rotated key: at the end of its grace).
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key it replaced by rotation.
    pub rotated_from: Option<ApiKeyId>,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Its last use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// The address it was last used from.
    pub last_used_from: Option<String>,
}

impl ApiKey {
    /// Neither revoked nor expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expires| expires > now)
    }
}

/// A key just made: its row and the whole key, which is shown this once.
pub struct Issued {
    /// The row.
    pub key: ApiKey,
    /// `vpk_<prefix>_<secret>`.
    pub secret: String,
}

impl fmt::Debug for Issued {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Issued").field("key", &self.key).field("secret", &"[redacted]").finish()
    }
}

/// A new key's particulars.
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    /// The clinic.
    pub clinic: ClinicId,
    /// Its name.
    pub name: &'a str,
    /// Its scopes.
    pub scopes: &'a [Scope],
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// The admin making it.
    pub created_by: UserId,
}

/// Makes a key and the account it acts through.
pub async fn create(connection: &mut AsyncPgConnection, new: &NewKey<'_>) -> kernel::Result<Issued> {
    let id = ApiKeyId::new();
    let user_id = UserId::new();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(user_id),
            users::clerk_id.eq(format!("apikey:{id}")),
            users::first_name.eq(new.name),
            users::last_name.eq("(API key)"),
            users::role.eq(Role::ClinicAdmin),
        ))
        .execute(connection)
        .await?;
    let scopes: Vec<&str> = new.scopes.iter().map(|scope| scope.as_str()).collect();
    let lineage = Lineage {
        user_id,
        clinic: new.clinic,
        name: new.name,
        scopes: &scopes,
        expires_at: new.expires_at,
        rotated_from: None,
        created_by: new.created_by,
    };
    issue(connection, id, &lineage).await
}

/// What a key row holds besides its id and secret: what a rotation keeps
/// (and which key it replaced, and who rotated it).
struct Lineage<'a> {
    user_id: UserId,
    clinic: ClinicId,
    name: &'a str,
    scopes: &'a [&'a str],
    expires_at: Option<DateTime<Utc>>,
    rotated_from: Option<ApiKeyId>,
    created_by: UserId,
}

/// Writes the key row `id` with a fresh secret.
async fn issue(connection: &mut AsyncPgConnection, id: ApiKeyId, lineage: &Lineage<'_>) -> kernel::Result<Issued> {
    let (prefix, secret) = mint()?;
    let key = diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(id),
            api_keys::clinic_id.eq(lineage.clinic),
            api_keys::user_id.eq(lineage.user_id),
            api_keys::name.eq(lineage.name),
            api_keys::prefix.eq(&prefix),
            api_keys::secret_sha256.eq(sha256(&secret)),
            api_keys::scopes.eq(lineage.scopes),
            api_keys::expires_at.eq(lineage.expires_at),
            api_keys::rotated_from.eq(lineage.rotated_from),
            api_keys::created_by.eq(lineage.created_by),
        ))
        .returning(ApiKey::as_returning())
        .get_result(connection)
        .await?;
    Ok(Issued { key, secret })
}

/// The clinic's keys, newest first (revoked and expired ones too).
pub async fn list(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<Vec<ApiKey>> {
    Ok(api_keys::table
        .filter(api_keys::clinic_id.eq(clinic))
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .select(ApiKey::as_select())
        .load(connection)
        .await?)
}

/// The clinic's key `id`, locked for a change; `NotFound` for another clinic's.
pub async fn find_for_update(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    id: ApiKeyId,
) -> kernel::Result<ApiKey> {
    api_keys::table
        .find(id)
        .filter(api_keys::clinic_id.eq(clinic))
        .select(ApiKey::as_select())
        .for_update()
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "API key" })
}

/// Revokes `key` (one [`find_for_update`] found unrevoked) as of `now`.
pub async fn revoke(connection: &mut AsyncPgConnection, key: &ApiKey, now: DateTime<Utc>) -> kernel::Result<ApiKey> {
    Ok(diesel::update(api_keys::table.find(key.id))
        .set(api_keys::revoked_at.eq(now))
        .returning(ApiKey::as_returning())
        .get_result(connection)
        .await?)
}

/// Replaces `key` with a new one (same clinic, account, name, scopes and
/// expiry); the old one keeps working until `now + grace` (or its own
/// expiry, when sooner), so the third party can switch without a gap.
/// Returns the new key and when the old one stops.
pub async fn rotate(
    connection: &mut AsyncPgConnection,
    key: &ApiKey,
    rotated_by: UserId,
    now: DateTime<Utc>,
    grace: Duration,
) -> kernel::Result<(Issued, DateTime<Utc>)> {
    let until = key.expires_at.map_or(now + grace, |expires| expires.min(now + grace));
    diesel::update(api_keys::table.find(key.id)).set(api_keys::expires_at.eq(until)).execute(connection).await?;
    let scopes: Vec<&str> = key.scopes.iter().map(String::as_str).collect();
    let lineage = Lineage {
        user_id: key.user_id,
        clinic: key.clinic_id,
        name: &key.name,
        scopes: &scopes,
        expires_at: key.expires_at,
        rotated_from: Some(key.id),
        created_by: rotated_by,
    };
    Ok((issue(connection, ApiKeyId::new(), &lineage).await?, until))
}

/// Whether a bearer token is an API key (rather than a session token).
pub fn is_api_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

/// The caller `token` (an API key) stands for, if it is a live key: `None`
/// for a malformed, unknown, revoked or expired one, or one whose account a
/// platform admin deactivated. Records its use from
/// `address` (at most once a minute).
pub async fn authenticate(
    connection: &mut AsyncPgConnection,
    token: &str,
    address: &str,
    now: DateTime<Utc>,
) -> kernel::Result<Option<Principal>> {
    let Some(prefix) = prefix_of(token) else { return Ok(None) };
    let active_accounts = users::table.filter(users::is_active).select(users::id);
    let found: Option<(ApiKey, Vec<u8>)> = api_keys::table
        .filter(api_keys::prefix.eq(prefix))
        .filter(api_keys::user_id.eq_any(active_accounts))
        .select((ApiKey::as_select(), api_keys::secret_sha256))
        .first(connection)
        .await
        .optional()?;
    let Some((key, stored)) = found else { return Ok(None) };
    let matches = aws_lc_rs::constant_time::verify_slices_are_equal(&stored, &sha256(token)).is_ok();
    if !(matches && key.is_live(now)) {
        return Ok(None);
    }
    if key.last_used_at.is_none_or(|used| used + LAST_USED_EVERY <= now)
        || key.last_used_from.as_deref() != Some(address)
    {
        diesel::update(api_keys::table.find(key.id))
            .set((api_keys::last_used_at.eq(now), api_keys::last_used_from.eq(address)))
            .execute(connection)
            .await?;
    }
    Ok(Some(Principal {
        user_id: key.user_id,
        subject: format!("apikey:{}", key.prefix),
        role: Role::ClinicAdmin,
        memberships: vec![Membership { clinic_id: key.clinic_id, role: Role::ClinicAdmin }],
        credential: Credential::ApiKey { id: key.id, scopes: key.scopes },
    }))
}

/// `vpk_<12 hex>` of a well-formed key.
fn prefix_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    let hex = |part: &str, bytes: usize| part.len() == bytes * 2 && part.bytes().all(|byte| byte.is_ascii_hexdigit());
    (hex(prefix, PREFIX_BYTES) && hex(secret, SECRET_BYTES)).then(|| &token[..KEY_PREFIX.len() + prefix.len()])
}

/// A fresh `(prefix, whole key)`.
fn mint() -> kernel::Result<(String, String)> {
    let mut random = [0_u8; PREFIX_BYTES + SECRET_BYTES];
    aws_lc_rs::rand::fill(&mut random).map_err(|_| kernel::Error::internal("no randomness for an API key"))?;
    let (prefix, secret) = random.split_at(PREFIX_BYTES);
    let prefix = format!("{KEY_PREFIX}{}", hex(prefix));
    let whole = format!("{prefix}_{}", hex(secret));
    Ok((prefix, whole))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn sha256(text: &str) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes()).as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_key_has_its_shape_and_its_prefix_is_found_in_it() {
        let (prefix, whole) = mint().unwrap();
        assert!(is_api_key(&whole));
        assert_eq!(prefix.len(), KEY_PREFIX.len() + 2 * PREFIX_BYTES);
        assert_eq!(whole.len(), prefix.len() + 1 + 2 * SECRET_BYTES);
        assert_eq!(prefix_of(&whole), Some(prefix.as_str()));
        assert_ne!(mint().unwrap().1, whole, "each key is new");
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        let (_, whole) = mint().unwrap();
        for bad in [
            "vpk_",
            "vpk_abc",
            &whole[..whole.len() - 1],
            &format!("{whole}0"),
            &whole.replacen('_', "-", 2),
            &format!("{}g", &whole[..whole.len() - 1]),
            "eyJhbGciOiJSUzI1NiJ9.e30.sig",
        ] {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_stored_hash_is_the_sha256_of_the_whole_key() {
        let digest = sha256("abc");
        assert_eq!(hex(&digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn scopes_are_written_as_routes_name_them() {
        for scope in Scope::ALL {
            assert_eq!(serde_json::to_value(scope).unwrap(), scope.as_str());
        }
    }
}
