//! Who may see a case, and as what: the pet's owners (and the staff member
//! who opened it for them), the vets it was offered to, the accepting vet's
//! clinic, and platform admins. Everyone else gets `NotFound`, exactly as for
//! a case that does not exist.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{EmergencyCaseId, Principal, Role};

use crate::models::{Case, Offer};
use db::schema::{emergency_cases, emergency_offers};

/// The caller's part in a case.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// An owner of the pet, or whoever opened the case for them.
    Owner,
    /// Staff of the accepting vet's clinic (the accepting vet among them).
    Responder,
    /// A vet the case was offered to (and who did not accept it).
    Offered(Box<Offer>),
    /// A platform admin.
    Admin,
}

impl Viewer {
    /// Whether the caller sees the pet's clinical summary.
    pub fn sees_patient(&self) -> bool {
        matches!(self, Self::Responder | Self::Admin)
    }
}

/// The case and the caller's part in it, or `NotFound`; `lock` takes the
/// case's row lock first (every change of a case holds it).
pub async fn resolve(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: EmergencyCaseId,
    lock: bool,
) -> kernel::Result<(Case, Viewer)> {
    let query = emergency_cases::table.find(id).select(Case::as_select());
    let found = if lock { query.for_update().first(connection).await } else { query.first(connection).await };
    let case = found.optional()?.ok_or(kernel::Error::NotFound { resource: "emergency case" })?;
    let viewer = viewer(connection, principal, &case).await?;
    Ok((case, viewer.ok_or(kernel::Error::NotFound { resource: "emergency case" })?))
}

async fn viewer(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    case: &Case,
) -> kernel::Result<Option<Viewer>> {
    if case.accepted_clinic_id.is_some_and(|clinic| principal.clinic_role(clinic).is_some()) {
        return Ok(Some(Viewer::Responder));
    }
    if case.owner_id == principal.user_id || case.created_by == Some(principal.user_id) {
        return Ok(Some(Viewer::Owner));
    }
    let offer: Option<Offer> = emergency_offers::table
        .filter(emergency_offers::case_id.eq(case.id))
        .filter(emergency_offers::vet_id.eq(principal.user_id))
        .select(Offer::as_select())
        .first(connection)
        .await
        .optional()?;
    if let Some(offer) = offer {
        return Ok(Some(Viewer::Offered(Box::new(offer))));
    }
    if principal.is(Role::PlatformAdmin) {
        return Ok(Some(Viewer::Admin));
    }
    match pets::access::resolve(connection, principal, case.pet_id).await {
        Ok((_, access)) => Ok(access.is_owner().then_some(Viewer::Owner)),
        Err(kernel::Error::NotFound { .. } | kernel::Error::Forbidden(_)) => Ok(None),
        Err(other) => Err(other),
    }
}
