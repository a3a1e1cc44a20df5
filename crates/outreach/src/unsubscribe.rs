//! Unsubscribe links: `/api/v1/unsubscribe/{token}` works without signing
//! in. The token is the campaign's id, the recipient's id and an
//! HMAC-SHA256 over both under `[outreach] unsubscribe_secret`, in hex (128
//! characters), checked in constant time. It does not expire: an old email's
//! link still works.

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{CampaignId, ClinicId, UserId};
use notifications::Category;

use crate::Settings;
use crate::api::Unsubscribed;
use db::schema::{campaign_recipients, campaigns};

/// Switches marketing off for `user` (every channel: the preference is the
/// person's, not one clinic's) and counts it once against `campaign`, the
/// one whose link they followed. Idempotent.
pub async fn unsubscribe(
    connection: &mut AsyncPgConnection,
    campaign: CampaignId,
    user: UserId,
    now: DateTime<Utc>,
) -> kernel::Result<Unsubscribed> {
    db::transaction(connection, async |connection| {
        let clinic: ClinicId = campaigns::table
            .find(campaign)
            .select(campaigns::clinic_id)
            .first(connection)
            .await
            .optional()?
            .ok_or(kernel::Error::NotFound { resource: "unsubscribe link" })?;
        notifications::service::preferences::switch_off(connection, user, Category::Marketing).await?;
        let first_time = diesel::update(campaign_recipients::table.find((campaign, user)))
            .filter(campaign_recipients::unsubscribed_at.is_null())
            .set(campaign_recipients::unsubscribed_at.eq(now))
            .execute(connection)
            .await?;
        if first_time > 0 {
            metrics::counter!("campaign_unsubscribes_total").increment(1);
        }
        let clinic_name = clinics::scheduling::clinic(connection, clinic).await?.name;
        Ok(Unsubscribed { unsubscribed: true, clinic_name })
    })
    .await
}

/// The token for `user`'s copy of `campaign`.
pub fn token(settings: &Settings, campaign: CampaignId, user: UserId) -> String {
    let ids = ids(campaign, user);
    let tag = hmac::sign(&key(settings), &ids);
    format!("{}{}", hex::encode(ids), hex::encode(tag.as_ref()))
}

/// The link in `user`'s copy of `campaign`: absolute, under `public_url`.
pub fn url(settings: &Settings, campaign: CampaignId, user: UserId) -> String {
    let base = settings.public_url.trim_end_matches('/');
    format!("{base}{}/unsubscribe/{}", platform::routes::API_PREFIX, token(settings, campaign, user))
}

/// The campaign and recipient a token names, when its signature verifies.
pub fn read(settings: &Settings, token: &str) -> Option<(CampaignId, UserId)> {
    let bytes = hex::decode(token).ok().filter(|bytes| bytes.len() == 64)?;
    let (ids, tag) = bytes.split_at(32);
    hmac::verify(&key(settings), ids, tag).ok()?;
    let (campaign, user) = ids.split_at(16);
    Some((CampaignId(uuid::Uuid::from_slice(campaign).ok()?), UserId(uuid::Uuid::from_slice(user).ok()?)))
}

fn ids(campaign: CampaignId, user: UserId) -> [u8; 32] {
    let mut ids = [0_u8; 32];
    ids[..16].copy_from_slice(campaign.0.as_bytes());
    ids[16..].copy_from_slice(user.0.as_bytes());
    ids
}

fn key(settings: &Settings) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, settings.unsubscribe_key())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(secret: &str) -> Settings {
        Settings {
            public_url: "https://api.example.test/".to_owned(),
            unsubscribe_secret: secret.to_owned().into(),
            batch_size: 1,
            batch_interval_secs: 0,
            max_audience: 1,
        }
    }

    #[test]
    fn a_token_names_its_campaign_and_recipient_and_nothing_else_reads() {
        let (campaign, user) = (CampaignId::new(), UserId::new());
        let settings = settings("one key");
        let token = token(&settings, campaign, user);
        assert_eq!(token.len(), 128);
        assert_eq!(read(&settings, &token), Some((campaign, user)));
        assert!(url(&settings, campaign, user).starts_with("https://api.example.test/api/v1/unsubscribe/"));
        assert_eq!(read(&self::settings("another key"), &token), None, "another key");
        let other_user = format!("{}{}{}", &token[..32], UserId::new().0.simple(), &token[64..]);
        assert_eq!(read(&settings, &other_user), None, "another recipient, same signature");
        assert_eq!(read(&settings, &token[..127]), None);
        assert_eq!(read(&settings, "zz"), None);
    }
}
