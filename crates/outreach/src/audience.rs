//! Who a campaign reaches: the clinic's clients its [`Audience`] chooses,
//! asked of the crates that own each part (pets: clients, species and
//! vaccinations; clinics: visits; commerce: plans), and of them those
//! marketing reaches (notifications: consent). Never this crate's guess at
//! another crate's tables.

use std::collections::HashSet;

use chrono::{Days, NaiveDate, NaiveTime};
use diesel_async::AsyncPgConnection;
use kernel::{ClinicId, UserId};
use notifications::Category;

use crate::api::Audience;

/// The clients an audience chooses, each once, in id order.
#[derive(Debug, Clone, Default)]
pub struct Chosen {
    /// Every client matching.
    pub matching: Vec<UserId>,
    /// Of them, those who opted in to marketing.
    pub consenting: Vec<UserId>,
}

/// Chooses `audience` among `clinic`'s clients as of `today` (UTC days).
pub async fn choose(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    audience: &Audience,
    today: NaiveDate,
) -> kernel::Result<Chosen> {
    let days = |days: i32| today.checked_add_days(Days::new(u64::try_from(days.max(0)).unwrap_or_default()));
    let filter = pets::audience::Clients {
        species: audience.species.clone(),
        vaccination_due_by: audience.vaccination_due_within_days.and_then(days),
    };
    let mut clients = pets::audience::clients(connection, clinic, &filter).await?;
    if let Some(before) = audience.last_visit_before {
        let before = before.and_time(NaiveTime::MIN).and_utc();
        let lapsed: HashSet<UserId> =
            clinics::visits::last_visit_before(connection, clinic, before).await?.into_iter().collect();
        clients.retain(|client| lapsed.contains(client));
    }
    if let Some(wanted) = audience.active_plan {
        let enrolled = commerce::service::plans::enrolled_pets(connection, clinic).await?;
        let members: HashSet<UserId> = pets::audience::owners_of(connection, &enrolled).await?.into_iter().collect();
        clients.retain(|client| members.contains(client) == wanted);
    }
    let consenting = notifications::service::preferences::reached_by(connection, &clients, Category::Marketing).await?;
    Ok(Chosen { matching: clients, consenting })
}
