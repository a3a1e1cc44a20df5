//! Telling vets and owners about a case, through `notifications::notify` in
//! the change's transaction. Emergency notifications go out on every channel
//! the person has (they cannot be switched off) and ignore quiet hours.

use diesel_async::AsyncPgConnection;
use kernel::UserId;
use notifications::{Category, Notification, Template};
use serde_json::json;

use crate::Settings;
use crate::models::{Case, Offer};

/// Offers the case to each vet of a round, in one batch.
pub async fn offer_to_vets(
    connection: &mut AsyncPgConnection,
    settings: &Settings,
    case: &Case,
    offers: &[Offer],
) -> kernel::Result<()> {
    let pet = pets::service::pets::name_of(connection, case.pet_id).await?;
    let details = format!(
        "{pet}: {}\nAccept within {} seconds in the app, or decline. Case {}.",
        case.description, settings.accept_timeout_secs, case.id
    );
    let alerts: Vec<Notification> = offers
        .iter()
        .map(|offer| {
            let headline = format!("level {} emergency {:.1} km away", case.triage_level, offer.distance_km);
            emergency_alert(headline, details.clone())
        })
        .collect();
    let notices: Vec<_> = offers.iter().map(|offer| offer.vet_id).zip(&alerts).collect();
    notifications::notify_each(connection, &notices).await.map(drop)
}

/// Tells the owner who took the case.
pub async fn tell_owner_accepted(
    connection: &mut AsyncPgConnection,
    case: &Case,
    vet_name: &str,
    clinic_name: &str,
    clinic_phone: Option<&str>,
) -> kernel::Result<()> {
    let pet = pets::service::pets::name_of(connection, case.pet_id).await?;
    let phone = clinic_phone.map(|phone| format!(" ({phone})")).unwrap_or_default();
    let headline = format!("{vet_name} of {clinic_name} is taking {pet}'s emergency");
    let details = format!("{vet_name} accepted your request; a conversation with them is open in the app.{phone}");
    alert(connection, case.owner_id, headline, details).await
}

/// Tells the owner that no vet could take the case, and where to go.
pub async fn tell_owner_to_go(
    connection: &mut AsyncPgConnection,
    case: &Case,
    clinics: &[chat::api::EmergencyClinic],
) -> kernel::Result<()> {
    let pet = pets::service::pets::name_of(connection, case.pet_id).await?;
    let headline = format!("no on-call vet is free for {pet}: go to an emergency clinic");
    let details = if clinics.is_empty() {
        "No emergency clinic near you is open now. Call your nearest clinic or an emergency line.".to_owned()
    } else {
        let lines: Vec<String> = clinics
            .iter()
            .map(|clinic| {
                let distance = clinic.distance_km.map(|km| format!(", {km:.1} km")).unwrap_or_default();
                let phone = clinic.phone.as_deref().unwrap_or("no phone listed");
                format!("{} ({phone}{distance}): {}", clinic.name, clinic.address)
            })
            .collect();
        format!("Open now:\n{}", lines.join("\n"))
    };
    alert(connection, case.owner_id, headline, details).await
}

/// Tells `recipient` how the case moved on (the vet's progress, the owner
/// calling it off).
pub async fn tell_update(
    connection: &mut AsyncPgConnection,
    case: &Case,
    recipient: UserId,
    headline: String,
) -> kernel::Result<()> {
    let details = format!("Case {} is now {}.", case.id, case.status.as_str().replace('_', " "));
    alert(connection, recipient, headline, details).await
}

async fn alert(
    connection: &mut AsyncPgConnection,
    recipient: UserId,
    headline: String,
    details: String,
) -> kernel::Result<()> {
    notifications::notify(connection, recipient, &emergency_alert(headline, details)).await.map(drop)
}

fn emergency_alert(headline: String, details: String) -> Notification {
    Notification {
        category: Category::Emergency,
        template: Template::EmergencyAlert,
        data: json!({ "headline": headline, "details": details }),
        sender: None,
        attachments: Vec::new(),
    }
}
