//! The rows of this crate's tables.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{CampaignId, ClinicId, UserId};

use crate::api::{Audience, CampaignCounts, CampaignStatus, CampaignView};
use db::schema::campaigns;

/// A campaign.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns, check_for_backend(diesel::pg::Pg))]
pub struct Campaign {
    /// Its id.
    pub id: CampaignId,
    /// The clinic sending it.
    pub clinic_id: ClinicId,
    /// What the clinic calls it.
    pub name: String,
    /// The email's subject.
    pub subject: String,
    /// The message.
    pub body: String,
    /// Who receives it (an [`Audience`] as JSON).
    pub audience: serde_json::Value,
    /// Where it stands.
    pub status: CampaignStatus,
    /// When sending starts.
    pub send_at: Option<DateTime<Utc>>,
    /// Clients matching when sending started.
    pub audience_size: Option<i32>,
    /// Of them, not opted in.
    pub without_consent: Option<i32>,
    /// Who wrote it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When sending started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the last batch went out.
    pub finished_at: Option<DateTime<Utc>>,
}

impl Campaign {
    /// Its audience. A stored filter that no longer reads is an error, never
    /// "everyone".
    pub fn audience(&self) -> kernel::Result<Audience> {
        serde_json::from_value(self.audience.clone()).map_err(kernel::Error::internal)
    }

    /// The API view, with `counts` once sending started.
    pub fn view(self, counts: Option<CampaignCounts>) -> kernel::Result<CampaignView> {
        Ok(CampaignView {
            audience: self.audience()?,
            id: self.id,
            clinic_id: self.clinic_id,
            name: self.name,
            subject: self.subject,
            body: self.body,
            status: self.status,
            send_at: self.send_at,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            counts,
        })
    }
}
