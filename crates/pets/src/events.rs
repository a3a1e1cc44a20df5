//! What happens to a pet that crates above this one react to, published as
//! [`::jobs::Event`]s in the same transaction as the change (scheduling moves
//! or cancels the pet's appointments, for example). This crate does not know
//! who reacts.

use kernel::{PetId, UserId};
use serde::{Deserialize, Serialize};

/// The pet has a new primary owner (`from` stays a co-owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetTransferred {
    /// The pet.
    pub pet_id: PetId,
    /// The primary owner before.
    pub from: UserId,
    /// The primary owner now.
    pub to: UserId,
}

impl ::jobs::Event for PetTransferred {
    const NAME: &'static str = "pets_pet_transferred";
}

/// The owner deleted the pet: nothing should be planned for it any more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetRemoved {
    /// The pet.
    pub pet_id: PetId,
    /// Who deleted it.
    pub removed_by: UserId,
}

impl ::jobs::Event for PetRemoved {
    const NAME: &'static str = "pets_pet_removed";
}
