//! Co-owners, invitations to co-own, and the clinics caring for a pet.

use chrono::{DateTime, Utc};
use kernel::{ClinicId, PetId, PetInvitationId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// `POST /pets/{id}/co-owners`: invite by user id or by email. The answer is
/// the same whether or not such an account exists.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CoOwnerInvite {
    /// By user id.
    User(InviteUser),
    /// By email.
    Email(InviteEmail),
}

/// An invitee known by their user id.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteUser {
    /// The invitee's user id.
    pub user_id: UserId,
}

/// An invitee known by their email.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct InviteEmail {
    /// Their email.
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

impl CoOwnerInvite {
    /// The user id, when invited by id.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::User(invite) => Some(invite.user_id),
            Self::Email(_) => None,
        }
    }

    /// The email, lower-cased, when invited by email.
    pub fn email(&self) -> Option<String> {
        match self {
            Self::User(_) => None,
            Self::Email(invite) => Some(invite.email.to_lowercase()),
        }
    }
}

impl Validate for CoOwnerInvite {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        match self {
            Self::User(_) => Ok(()),
            Self::Email(invite) => invite.validate(),
        }
    }
}

/// An open invitation to co-own a pet.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PetInvitationView {
    /// Accept with `POST /api/v1/pet-invitations/{id}/accept`.
    pub id: PetInvitationId,
    /// The pet.
    pub pet_id: PetId,
    /// Its name.
    pub pet_name: String,
    /// After this, the invitation can no longer be accepted.
    pub expires_at: DateTime<Utc>,
}

/// Someone sharing a pet (names only; never contact details).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerView {
    /// The user.
    pub user_id: UserId,
    /// Their name, as on their profile.
    pub name: String,
    /// Whether they are the primary owner.
    pub primary: bool,
}

/// `POST /pets/{id}/transfer`: the co-owner who becomes primary owner.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// A current co-owner.
    pub user_id: UserId,
}

kernel::text_enum!(
    /// Why a clinic may see a pet.
    CareSource as PetCareSource {
        /// The owner registered the pet with the clinic.
        Registration = "registration",
        /// The pet has an appointment there.
        Appointment = "appointment",
        /// A vet of the clinic accepted an emergency case for the pet.
        Emergency = "emergency",
    }
);

/// `POST /pets/{id}/clinics`: register the pet with a clinic.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CareRegistration {
    /// The clinic.
    pub clinic_id: ClinicId,
}

/// A clinic caring for a pet.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CareView {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// Its name.
    pub clinic_name: String,
    /// Why it may see the pet.
    pub source: CareSource,
    /// Since when the clinic cares for the pet.
    pub since: DateTime<Utc>,
}
