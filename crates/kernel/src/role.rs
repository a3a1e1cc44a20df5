//! Platform roles.
//!
//! A user's role comes from our own `users` row, never from token claims. Clinic
//! roles (vet, receptionist, clinic admin *of a given clinic*) come from clinic
//! memberships once clinics exist; the role here is the platform-wide one.

use std::fmt;
use std::str::FromStr;

/// What a user is on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Owns pets; the default for every new user.
    PetOwner,
    /// A veterinarian.
    Veterinarian,
    /// Front-desk staff of a clinic.
    Receptionist,
    /// Manages a clinic.
    ClinicAdmin,
    /// Operates the platform.
    PlatformAdmin,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 5] =
        [Role::PetOwner, Role::Veterinarian, Role::Receptionist, Role::ClinicAdmin, Role::PlatformAdmin];

    /// Anyone working at a clinic: who may see its calendar, patients and rooms.
    pub const CLINIC_STAFF: &[Role] = &[Role::Veterinarian, Role::Receptionist, Role::ClinicAdmin];
    /// Who runs a clinic's desk: its admins and receptionists (vets' schedules).
    pub const CLINIC_DESK: &[Role] = &[Role::ClinicAdmin, Role::Receptionist];
    /// Who treats at a clinic: its vets and admins (clinical notes and records).
    pub const CLINICIANS: &[Role] = &[Role::Veterinarian, Role::ClinicAdmin];
    /// Who manages a clinic: its admins (profile, staff, catalog, reviews).
    pub const CLINIC_ADMINS: &[Role] = &[Role::ClinicAdmin];

    /// The `snake_case` name used in JSON, SQL and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PetOwner => "pet_owner",
            Role::Veterinarian => "veterinarian",
            Role::Receptionist => "receptionist",
            Role::ClinicAdmin => "clinic_admin",
            Role::PlatformAdmin => "platform_admin",
        }
    }

    /// Maps an identity-provider value; anything unknown is `PetOwner`, the least privilege.
    pub fn from_provider(value: Option<&str>) -> Self {
        value.and_then(|value| value.parse().ok()).unwrap_or(Role::PetOwner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The text is not one of the five role names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|role| role.as_str() == text).ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

#[cfg(feature = "diesel")]
impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for Role {
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
    }
}

#[cfg(feature = "diesel")]
impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for Role {
    fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)?;
        Ok(text.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
    }

    #[test]
    fn unknown_provider_values_are_the_least_privileged_role() {
        assert_eq!(Role::from_provider(Some("superuser")), Role::PetOwner);
        assert_eq!(Role::from_provider(None), Role::PetOwner);
        assert_eq!(Role::from_provider(Some("veterinarian")), Role::Veterinarian);
    }
}
