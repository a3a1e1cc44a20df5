//! The demo owners' pets: several species, alerts, microchips, weights over
//! the last year, each registered with its owner's clinic; one dog shared
//! with a co-owner.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use kernel::{PetId, Species, Valid};
use pets::api::{
    Alert, AlertKind, CoOwnerInvite, InviteUser, NeuterStatus, PetProfile, Severity, Sex, WeightEntry, WeightUnit,
};
use pets::service::{care, household, pets as profiles, weights};

use super::Explain;
use super::cast::Cast;
use super::clinics::Clinic;

/// A pet of the demo world.
pub struct PetSpec {
    /// Its name (visits name the pet; unique in the world).
    pub name: &'static str,
    /// Its primary owner's subject.
    pub owner: &'static str,
    /// The index of the clinic it is registered with.
    pub clinic: usize,
    species: Species,
    breed: &'static str,
    sex: Sex,
    neutered: bool,
    /// Born this many days ago (the world ages with the day it is seeded).
    pub born_days_ago: i64,
    colour: &'static str,
    microchip: Option<&'static str>,
    allergy: Option<(&'static str, Severity)>,
    /// Weighings: days ago, value, unit.
    weights: &'static [(i64, &'static str, WeightUnit)],
}

const KG: WeightUnit = WeightUnit::Kg;
const G: WeightUnit = WeightUnit::G;

/// Every pet.
pub const PETS: &[PetSpec] = &[
    PetSpec {
        name: "Rex",
        owner: "seed_owner_1",
        clinic: 0,
        species: Species::Dog,
        breed: "Labrador Retriever",
        sex: Sex::Male,
        neutered: true,
        born_days_ago: 2_410,
        colour: "Yellow",
        microchip: Some("250269604512345"),
        allergy: Some(("Chicken protein", Severity::Moderate)),
        weights: &[(360, "33.1", KG), (180, "32.4", KG), (40, "31.8", KG)],
    },
    PetSpec {
        name: "Minou",
        owner: "seed_owner_1",
        clinic: 0,
        species: Species::Cat,
        breed: "European Shorthair",
        sex: Sex::Female,
        neutered: true,
        born_days_ago: 3_350,
        colour: "Tabby",
        microchip: Some("250269604598765"),
        allergy: None,
        weights: &[(200, "4.6", KG), (20, "4.3", KG)],
    },
    PetSpec {
        name: "Caramel",
        owner: "seed_owner_2",
        clinic: 0,
        species: Species::Rabbit,
        breed: "Netherland Dwarf",
        sex: Sex::Male,
        neutered: false,
        born_days_ago: 980,
        colour: "Fawn",
        microchip: None,
        allergy: None,
        weights: &[(300, "1.05", KG), (30, "1.12", KG)],
    },
    PetSpec {
        name: "Buddy",
        owner: "seed_owner_3",
        clinic: 1,
        species: Species::Dog,
        breed: "Golden Retriever",
        sex: Sex::Male,
        neutered: true,
        born_days_ago: 2_020,
        colour: "Golden",
        microchip: Some("985141000123456"),
        allergy: None,
        weights: &[(355, "30.2", KG), (60, "31.0", KG)],
    },
    PetSpec {
        name: "Kiwi",
        owner: "seed_owner_3",
        clinic: 1,
        species: Species::Bird,
        breed: "Cockatiel",
        sex: Sex::Unknown,
        neutered: false,
        born_days_ago: 1_500,
        colour: "Grey and yellow",
        microchip: None,
        allergy: None,
        weights: &[(120, "92", G), (25, "88", G)],
    },
    PetSpec {
        name: "Luna",
        owner: "seed_owner_4",
        clinic: 1,
        species: Species::Cat,
        breed: "Maine Coon",
        sex: Sex::Female,
        neutered: true,
        born_days_ago: 2_600,
        colour: "Brown tabby",
        microchip: Some("985141000654321"),
        allergy: Some(("Penicillin", Severity::Severe)),
        weights: &[(250, "6.8", KG), (15, "6.5", KG)],
    },
    PetSpec {
        name: "Pepper",
        owner: "seed_owner_4",
        clinic: 1,
        species: Species::Dog,
        breed: "French Bulldog",
        sex: Sex::Female,
        neutered: false,
        born_days_ago: 110,
        colour: "Brindle",
        microchip: Some("985141000777001"),
        allergy: None,
        weights: &[(60, "3.2", KG), (21, "5.1", KG)],
    },
    PetSpec {
        name: "Hachi",
        owner: "seed_owner_5",
        clinic: 2,
        species: Species::Dog,
        breed: "Shiba Inu",
        sex: Sex::Male,
        neutered: true,
        born_days_ago: 1_480,
        colour: "Red sesame",
        microchip: Some("392141000246810"),
        allergy: None,
        weights: &[(340, "10.4", KG), (14, "10.9", KG)],
    },
    PetSpec {
        name: "Mochi",
        owner: "seed_owner_5",
        clinic: 2,
        species: Species::SmallMammal,
        breed: "Djungarian hamster",
        sex: Sex::Female,
        neutered: false,
        born_days_ago: 420,
        colour: "Winter white",
        microchip: None,
        allergy: None,
        weights: &[(90, "38", G), (45, "41", G)],
    },
    PetSpec {
        name: "Tigger",
        owner: "seed_owner_6",
        clinic: 3,
        species: Species::Cat,
        breed: "Bengal",
        sex: Sex::Male,
        neutered: true,
        born_days_ago: 1_150,
        colour: "Spotted brown",
        microchip: Some("036098100135790"),
        allergy: None,
        weights: &[(358, "5.1", KG), (9, "5.6", KG)],
    },
    PetSpec {
        name: "Spike",
        owner: "seed_owner_6",
        clinic: 3,
        species: Species::Reptile,
        breed: "Central bearded dragon",
        sex: Sex::Male,
        neutered: false,
        born_days_ago: 1_900,
        colour: "Sandy orange",
        microchip: None,
        allergy: None,
        weights: &[(180, "0.44", KG), (33, "0.47", KG)],
    },
];

/// Rex's co-owner (invited by Rex's owner, accepted).
const CO_OWNED: (&str, &str) = ("Rex", "seed_owner_2");

/// A pet as seeded.
pub struct Pet {
    /// Its id.
    pub id: PetId,
    /// Its spec.
    pub spec: &'static PetSpec,
}

/// Each owner creates their pets, registers them with their clinic and
/// records their weights; Rex gets a co-owner. Pets by name.
pub async fn build(
    connection: &mut AsyncPgConnection,
    cast: &Cast,
    settings: &pets::Settings,
    clinics: &[Clinic],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<HashMap<&'static str, Pet>> {
    let mut pets = HashMap::new();
    for spec in PETS {
        let name = spec.name;
        let owner = cast.principal(spec.owner)?;
        let profile = Valid::new(profile(spec, today)).explain(|| format!("the profile of {name}"))?;
        let id = profiles::create(connection, &owner, &profile).await.explain(|| format!("create {name}"))?.id;
        let clinic = clinics.get(spec.clinic).ok_or_else(|| anyhow::anyhow!("{name}'s clinic is not seeded"))?;
        care::register(connection, &owner, id, clinic.id)
            .await
            .explain(|| format!("register {name} with {}", clinic.spec.name))?;
        for &(days_ago, value, unit) in spec.weights {
            let entry = WeightEntry {
                value: value.parse().map_err(|error| anyhow::anyhow!("{name}'s weight {value}: {error}"))?,
                unit,
                measured_at: Some(now - Duration::days(days_ago)),
            };
            let entry = Valid::new(entry).explain(|| format!("a weight of {name}"))?;
            weights::add(connection, &owner, id, &entry).await.explain(|| format!("weigh {name}"))?;
        }
        pets.insert(name, Pet { id, spec });
    }
    let (pet, co_owner) = CO_OWNED;
    let shared = pets.get(pet).ok_or_else(|| anyhow::anyhow!("no pet {pet}"))?;
    let invite = Valid::new(CoOwnerInvite::User(InviteUser { user_id: cast.id(co_owner)? }))
        .explain(|| format!("the invitation to co-own {pet}"))?;
    let invitation = household::invite(
        connection,
        &cast.principal(shared.spec.owner)?,
        shared.id,
        &invite,
        settings.invitation_ttl_days,
    )
    .await
    .explain(|| format!("invite {co_owner} to co-own {pet}"))?;
    household::accept(connection, &cast.principal(co_owner)?, invitation.id)
        .await
        .explain(|| format!("{co_owner} accepts to co-own {pet}"))?;
    Ok(pets)
}

fn profile(spec: &PetSpec, today: NaiveDate) -> PetProfile {
    let alerts = spec
        .allergy
        .iter()
        .map(|&(name, severity)| Alert {
            kind: AlertKind::Allergy,
            name: name.to_owned(),
            severity,
            note: Some("Confirmed by an elimination diet / reaction on record.".to_owned()),
        })
        .collect();
    PetProfile {
        name: spec.name.to_owned(),
        species: spec.species,
        breed: Some(spec.breed.to_owned()),
        sex: spec.sex,
        neuter_status: if spec.neutered { NeuterStatus::Neutered } else { NeuterStatus::Intact },
        birth_date: Some(today - Duration::days(spec.born_days_ago)),
        birth_date_estimated: matches!(spec.species, Species::Bird | Species::Reptile),
        colour: Some(spec.colour.to_owned()),
        microchip: spec.microchip.map(str::to_owned),
        insurance_reference: None,
        alerts,
        medical_notes: String::new(),
        deceased_on: None,
    }
}
