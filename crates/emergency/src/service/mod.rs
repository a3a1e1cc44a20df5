//! The business logic: async functions over `&mut AsyncPgConnection` and a
//! `&Principal`, callable from any binary. Changes a person follows live
//! return the chat events to send once committed ([`Fanout`]).

pub mod cases;
pub mod messages;
pub mod metrics;
pub mod nearest;
pub mod offers;
pub mod on_call;
pub mod progress;
pub mod routing;
pub mod view;

use chat::realtime::events::Event;
use chat::service::Fanout;

use crate::models::Case;

/// `emergency.updated` for the case's owner, whoever opened it and the
/// accepting vet.
pub fn updated(case: &Case) -> Fanout {
    let mut audience: Vec<kernel::UserId> =
        [Some(case.owner_id), case.created_by, case.accepted_vet_id].into_iter().flatten().collect();
    audience.sort_unstable();
    audience.dedup();
    Fanout::one(audience, Event::EmergencyUpdated { case_id: case.id, status: case.status.as_str() })
}
