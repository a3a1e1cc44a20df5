//! [`Species`]: what kind of animal a pet is, and which animals a clinic's
//! service is for. One type, so a pet's species and a service's always match.

/// What kind of animal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Species {
    /// A dog.
    Dog,
    /// A cat.
    Cat,
    /// A rabbit.
    Rabbit,
    /// A bird.
    Bird,
    /// A reptile.
    Reptile,
    /// A horse.
    Horse,
    /// Hamsters, guinea pigs, ferrets and the like.
    SmallMammal,
    /// Anything else.
    Other,
}

crate::__text_enum_names!(Species {
    Dog = "dog",
    Cat = "cat",
    Rabbit = "rabbit",
    Bird = "bird",
    Reptile = "reptile",
    Horse = "horse",
    SmallMammal = "small_mammal",
    Other = "other",
});

#[cfg(feature = "diesel")]
crate::__text_enum_sql!(Species);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_through_text_and_json() {
        for species in Species::ALL {
            assert_eq!(species.as_str().parse::<Species>(), Ok(*species));
            assert_eq!(serde_json::to_value(species).ok(), Some(serde_json::json!(species.as_str())));
        }
    }
}
