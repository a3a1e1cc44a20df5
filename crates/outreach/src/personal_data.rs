//! This crate's part of a person's data ([`platform::personal_data`]): the
//! campaigns they were sent (and whether they unsubscribed through one).
//!
//! Erasure deletes their recipient rows (the campaign's counts shrink by
//! them) and forgets them as the author of campaigns they wrote.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{CampaignId, ClinicId, UserId};
use serde::Serialize;

use db::schema::{campaign_recipients, campaigns};

/// The `"campaigns"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

#[derive(Debug, Serialize, Queryable)]
struct Received {
    campaign_id: CampaignId,
    clinic_id: ClinicId,
    subject: String,
    sent_at: Option<DateTime<Utc>>,
    unsubscribed_at: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "campaigns"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        Ok(campaign_recipients::table
            .filter(campaign_recipients::user_id.eq(user))
            .count()
            .get_result(connection)
            .await?)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let received: Vec<Received> = campaign_recipients::table
            .inner_join(campaigns::table)
            .filter(campaign_recipients::user_id.eq(user))
            .order(campaign_recipients::campaign_id)
            .select((
                campaign_recipients::campaign_id,
                campaigns::clinic_id,
                campaigns::subject,
                campaign_recipients::sent_at,
                campaign_recipients::unsubscribed_at,
            ))
            .load(connection)
            .await?;
        Ok(serde_json::json!({ "received": received }))
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, _now: DateTime<Utc>) -> kernel::Result<()> {
        diesel::delete(campaign_recipients::table.filter(campaign_recipients::user_id.eq(user)))
            .execute(connection)
            .await?;
        diesel::update(campaigns::table.filter(campaigns::created_by.eq(user)))
            .set(campaigns::created_by.eq(None::<UserId>))
            .execute(connection)
            .await?;
        Ok(())
    }
}
