//! An appointment's lifecycle: the statuses and, in one table, which moves
//! exist and who may make them.

use serde::Serialize;
use utoipa::ToSchema;

kernel::text_enum!(
    /// Where an appointment stands.
    Status as AppointmentStatus {
        /// Booked by an owner, waiting for the clinic to confirm.
        Requested = "requested",
        /// Confirmed by the clinic (staff bookings start here).
        Confirmed = "confirmed",
        /// The pet has arrived.
        CheckedIn = "checked_in",
        /// With the vet.
        InProgress = "in_progress",
        /// Done.
        Completed = "completed",
        /// Called off, with a reason.
        Cancelled = "cancelled",
        /// Nobody came.
        NoShow = "no_show",
    }
);

/// Statuses that hold their slot (the database's no-overlap constraint
/// ignores the others).
pub const ACTIVE: &[Status] = &[Status::Requested, Status::Confirmed, Status::CheckedIn, Status::InProgress];

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// Staff of the clinic (and platform admins).
    Staff,
    /// The pet's owners, within the clinic's cancellation notice; staff too.
    OwnerOrStaff,
}

/// Every move of the lifecycle; anything else is refused with 409.
pub const TRANSITIONS: &[(Status, Status, Actor)] = &[
    (Status::Requested, Status::Confirmed, Actor::Staff),
    (Status::Requested, Status::Cancelled, Actor::OwnerOrStaff),
    (Status::Confirmed, Status::CheckedIn, Actor::Staff),
    (Status::Confirmed, Status::Cancelled, Actor::OwnerOrStaff),
    (Status::Confirmed, Status::NoShow, Actor::Staff),
    (Status::CheckedIn, Status::InProgress, Actor::Staff),
    (Status::CheckedIn, Status::Cancelled, Actor::Staff),
    (Status::InProgress, Status::Completed, Actor::Staff),
];

impl Status {
    /// Whether it still holds its slot.
    pub fn is_active(self) -> bool {
        ACTIVE.contains(&self)
    }

    /// Who may move from here to `to`, if anyone.
    pub fn transition_to(self, to: Status) -> Option<Actor> {
        TRANSITIONS.iter().find(|(from, into, _)| *from == self && *into == to).map(|(_, _, actor)| *actor)
    }

    /// Where one can go from here.
    pub fn next(self) -> Vec<Status> {
        TRANSITIONS.iter().filter(|(from, ..)| *from == self).map(|(_, to, _)| *to).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_appointments_go_nowhere_and_owners_only_cancel() {
        for done in [Status::Completed, Status::Cancelled, Status::NoShow] {
            assert!(done.next().is_empty(), "{done}");
            assert!(!done.is_active());
        }
        let owner_moves: Vec<_> = TRANSITIONS.iter().filter(|(.., actor)| *actor == Actor::OwnerOrStaff).collect();
        assert!(owner_moves.iter().all(|(_, to, _)| *to == Status::Cancelled));
        assert_eq!(Status::Requested.transition_to(Status::Completed), None);
    }
}
