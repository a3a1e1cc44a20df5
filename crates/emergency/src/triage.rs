//! The triage table: an emergency request's structured answers give a level,
//! 1 = immediate … 4 = can wait for a regular appointment.
//!
//! The first row that matches decides (rows run from most to least urgent);
//! an answer left out matches no row. A level from the assistant's pre-triage
//! (`triage_level` in the request, from chat's red flags) can only make the
//! case more urgent: the case gets the lower of the two.
//!
//! | row | answer | level |
//! |---|---|---|
//! | `not_breathing` | breathing: `struggling` or `not_breathing` | 1 |
//! | `unconscious` | conscious: `false` | 1 |
//! | `heavy_bleeding` | bleeding: `heavy` | 1 |
//! | `major_trauma` | trauma: `major` (hit by a vehicle, a fall from height) | 1 |
//! | `dangerous_toxin` | toxin ingested, and it names one of [`DANGEROUS_TOXINS`] | 1 |
//! | `toxin` | toxin ingested (any other, or not known) | 2 |
//! | `laboured_breathing` | breathing: `laboured` | 2 |
//! | `minor_trauma` | trauma: `minor` | 3 |
//! | `minor_bleeding` | bleeding: `minor` | 3 |
//! | `no_red_flag` | none of the above | 4 |
//!
//! Every row is a test (`crates/emergency/tests/emergency/triage.rs`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Toxins that harm within hours even in small amounts (matched as words
/// anywhere in the answer, case-insensitively).
pub const DANGEROUS_TOXINS: &[&str] = &[
    "xylitol",
    "antifreeze",
    "ethylene glycol",
    "rat poison",
    "rodenticide",
    "slug pellets",
    "metaldehyde",
    "lily",
    "lilies",
    "grapes",
    "raisins",
    "paracetamol",
    "acetaminophen",
    "ibuprofen",
    "chocolate",
    "permethrin",
];

/// How the pet is breathing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Breathing {
    /// As usual.
    Normal,
    /// Fast, noisy or effortful.
    Laboured,
    /// Gasping, open-mouthed (cats), blue gums.
    Struggling,
    /// Not breathing.
    NotBreathing,
}

/// How much the pet is bleeding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bleeding {
    /// Not bleeding.
    None,
    /// A little, stopping with pressure.
    Minor,
    /// A lot, or not stopping.
    Heavy,
}

/// An injury.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trauma {
    /// None.
    None,
    /// A limp, a small wound, a fight.
    Minor,
    /// Hit by a vehicle, a fall from height, a deep wound.
    Major,
}

/// The owner's answers; any may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// How the pet breathes.
    #[serde(default)]
    pub breathing: Option<Breathing>,
    /// Bleeding.
    #[serde(default)]
    pub bleeding: Option<Bleeding>,
    /// Whether the pet is conscious and responds.
    #[serde(default)]
    pub conscious: Option<bool>,
    /// Whether the pet ate or drank something toxic.
    #[serde(default)]
    pub toxin_ingested: Option<bool>,
    /// What, when known (at most 200 characters).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub toxin: Option<String>,
    /// An injury.
    #[serde(default)]
    pub trauma: Option<Trauma>,
}

/// The level and the row that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// 1 = immediate … 4 = can wait.
    pub level: u8,
    /// The row's name.
    pub rule: &'static str,
}

/// The table's answer for `answers` (without the assistant's pre-triage).
pub fn level(answers: &Answers) -> Level {
    let at = |level, rule| Level { level, rule };
    let toxin_named = answers.toxin.as_deref().map(str::to_lowercase);
    let dangerous =
        toxin_named.as_deref().is_some_and(|named| DANGEROUS_TOXINS.iter().any(|toxin| named.contains(toxin)));
    if matches!(answers.breathing, Some(Breathing::Struggling | Breathing::NotBreathing)) {
        at(1, "not_breathing")
    } else if answers.conscious == Some(false) {
        at(1, "unconscious")
    } else if answers.bleeding == Some(Bleeding::Heavy) {
        at(1, "heavy_bleeding")
    } else if answers.trauma == Some(Trauma::Major) {
        at(1, "major_trauma")
    } else if answers.toxin_ingested == Some(true) && dangerous {
        at(1, "dangerous_toxin")
    } else if answers.toxin_ingested == Some(true) {
        at(2, "toxin")
    } else if answers.breathing == Some(Breathing::Laboured) {
        at(2, "laboured_breathing")
    } else if answers.trauma == Some(Trauma::Minor) {
        at(3, "minor_trauma")
    } else if answers.bleeding == Some(Bleeding::Minor) {
        at(3, "minor_bleeding")
    } else {
        at(4, "no_red_flag")
    }
}

/// The case's level: the table's, or the pre-triage's when more urgent.
pub fn case_level(answers: &Answers, pre_triage: Option<u8>) -> u8 {
    let table = level(answers).level;
    pre_triage.map_or(table, |suggested| table.min(suggested))
}
