//! Pre-triage: the red-flag table, read before any model is asked.
//!
//! An owner's message to the assistant is normalised (lower case, letters and
//! digits only, single spaces) and matched against each flag's phrases, for
//! the pet's species. A match answers at once with the flag's advice, the
//! nearest emergency clinics open now and a prefilled emergency request; no
//! model is involved. The table errs on the side of sending a pet to a vet: a
//! phrase matches whatever surrounds it, negations included ("not breathing").
//!
//! | flag | species | phrases (any of) |
//! |---|---|---|
//! | `breathing` | all | difficulty breathing, can't breathe, struggling to breathe, gasping, choking, blue gums, not breathing |
//! | `collapse` | all | collapsed, collapse, unconscious, unresponsive, won't wake, fainted |
//! | `seizure` | all | seizure, seizing, fitting, convulsing, convulsions |
//! | `bleeding` | all | won't stop bleeding, bleeding heavily, lots of blood, blood everywhere, uncontrolled bleeding, spurting blood |
//! | `urinary_blockage` | cats, unless known female | straining to urinate/pee, can't pee, cannot urinate, no urine, blocked bladder, trying to pee |
//! | `bloat` | dogs | swollen belly/abdomen/stomach, bloated, hard belly/abdomen/stomach, retching nothing, trying to vomit |
//! | `xylitol` | all | xylitol, sugar free gum, sugar-free gum |
//! | `chocolate` | dogs, cats | chocolate, cocoa |
//! | `lilies` | cats | lily, lilies |
//! | `rodenticide` | all | rat poison, mouse poison, rodenticide, slug pellets |
//! | `antifreeze` | all | antifreeze, anti freeze, ethylene glycol, coolant |
//! | `vehicle_trauma` | all | hit by a car, hit by car, run over, hit by a vehicle, hit by a bike, struck by a car |
//!
//! Every row is a test (`crates/chat/tests/chat/triage.rs`).

use kernel::Species;
use serde::Serialize;
use utoipa::ToSchema;

/// Which animals a flag applies to.
#[derive(Debug, Clone, Copy)]
enum Applies {
    All,
    Only(&'static [Species]),
    /// Cats that are not known to be female (a blocked male cat dies within days).
    CatsNotFemale,
}

/// One row of the table.
#[derive(Debug)]
struct Flag {
    code: &'static str,
    applies: Applies,
    phrases: &'static [&'static str],
    /// 1 = immediate, 2 = within the hour.
    level: u8,
    symptom: &'static str,
    advice: &'static str,
}

const TABLE: &[Flag] = &[
    Flag {
        code: "breathing",
        applies: Applies::All,
        phrases: &[
            "difficulty breathing",
            "cant breathe",
            "cannot breathe",
            "struggling to breathe",
            "trouble breathing",
            "gasping",
            "choking",
            "blue gums",
            "not breathing",
        ],
        level: 1,
        symptom: "difficulty breathing",
        advice: "Keep your pet calm and cool, do not put anything in its mouth, and go to an emergency vet now.",
    },
    Flag {
        code: "collapse",
        applies: Applies::All,
        phrases: &["collapsed", "collapse", "unconscious", "unresponsive", "wont wake", "fainted"],
        level: 1,
        symptom: "collapse or unresponsiveness",
        advice: "Keep your pet warm and still, check that its airway is clear, and go to an emergency vet now.",
    },
    Flag {
        code: "seizure",
        applies: Applies::All,
        phrases: &["seizure", "seizing", "fitting", "convulsing", "convulsions"],
        level: 1,
        symptom: "seizures",
        advice: "Keep clear of its mouth, dim the lights, time the seizure, and call an emergency vet now.",
    },
    Flag {
        code: "bleeding",
        applies: Applies::All,
        phrases: &[
            "wont stop bleeding",
            "bleeding heavily",
            "lots of blood",
            "blood everywhere",
            "uncontrolled bleeding",
            "spurting blood",
        ],
        level: 1,
        symptom: "uncontrolled bleeding",
        advice: "Press a clean cloth firmly on the wound without lifting it, and go to an emergency vet now.",
    },
    Flag {
        code: "urinary_blockage",
        applies: Applies::CatsNotFemale,
        phrases: &[
            "straining to urinate",
            "straining to pee",
            "straining to wee",
            "cant pee",
            "cannot pee",
            "cannot urinate",
            "cant urinate",
            "no urine",
            "blocked bladder",
            "trying to pee",
        ],
        level: 1,
        symptom: "straining to urinate",
        advice: "A cat that strains and passes little or no urine may be blocked, which is fatal without treatment: \
                 go to an emergency vet now.",
    },
    Flag {
        code: "bloat",
        applies: Applies::Only(&[Species::Dog]),
        phrases: &[
            "swollen belly",
            "swollen abdomen",
            "swollen stomach",
            "bloated",
            "hard belly",
            "hard abdomen",
            "hard stomach",
            "retching nothing",
            "trying to vomit",
        ],
        level: 1,
        symptom: "a swollen, hard abdomen",
        advice: "A swollen, hard belly with retching can be a twisted stomach, which needs surgery within hours: \
                 go to an emergency vet now.",
    },
    Flag {
        code: "xylitol",
        applies: Applies::All,
        phrases: &["xylitol", "sugar free gum"],
        level: 1,
        symptom: "ate xylitol",
        advice: "Xylitol can cause a dangerous drop in blood sugar within minutes: do not wait for signs, \
                 go to an emergency vet now and bring the packaging.",
    },
    Flag {
        code: "chocolate",
        applies: Applies::Only(&[Species::Dog, Species::Cat]),
        phrases: &["chocolate", "cocoa"],
        level: 2,
        symptom: "ate chocolate",
        advice: "Chocolate is poisonous to pets: note the kind and how much, keep the wrapper, \
                 and call an emergency vet now. Do not make your pet vomit unless a vet tells you to.",
    },
    Flag {
        code: "lilies",
        applies: Applies::Only(&[Species::Cat]),
        phrases: &["lily", "lilies"],
        level: 1,
        symptom: "contact with lilies",
        advice: "Every part of a lily, even pollen or vase water, can cause kidney failure in cats: \
                 go to an emergency vet now.",
    },
    Flag {
        code: "rodenticide",
        applies: Applies::All,
        phrases: &["rat poison", "mouse poison", "rodenticide", "slug pellets"],
        level: 1,
        symptom: "ate rat or slug poison",
        advice: "Poison baits act over hours to days: go to an emergency vet now and bring the packaging.",
    },
    Flag {
        code: "antifreeze",
        applies: Applies::All,
        phrases: &["antifreeze", "anti freeze", "ethylene glycol", "coolant"],
        level: 1,
        symptom: "antifreeze",
        advice: "Antifreeze is treatable only in the first hours: go to an emergency vet now, even if your pet seems well.",
    },
    Flag {
        code: "vehicle_trauma",
        applies: Applies::All,
        phrases: &["hit by a car", "hit by car", "run over", "hit by a vehicle", "hit by a bike", "struck by a car"],
        level: 1,
        symptom: "hit by a vehicle",
        advice: "Injuries after a road accident are often internal: move your pet on a flat board or blanket \
                 and go to an emergency vet now, even if it walks.",
    },
];

/// What pre-triage found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct RedFlag {
    /// The table's code, e.g. `breathing`, `lilies`.
    pub code: String,
    /// 1 = immediate, 2 = within the hour.
    pub level: u8,
    /// The symptom in plain words, for the emergency request.
    pub symptom: String,
    /// What to do now.
    pub advice: String,
}

/// What the pet is, as far as triage needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Patient {
    /// Its species.
    pub species: Species,
    /// Whether it is known to be female.
    pub is_female: bool,
}

/// The red flags `message` raises for `patient`, most urgent first.
pub fn red_flags(message: &str, patient: Patient) -> Vec<RedFlag> {
    let text = normalise(message);
    let mut found: Vec<RedFlag> = TABLE
        .iter()
        .filter(|flag| applies(flag.applies, patient))
        .filter(|flag| flag.phrases.iter().any(|phrase| contains_phrase(&text, phrase)))
        .map(|flag| RedFlag {
            code: flag.code.to_owned(),
            level: flag.level,
            symptom: flag.symptom.to_owned(),
            advice: flag.advice.to_owned(),
        })
        .collect();
    found.sort_by_key(|flag| flag.level);
    found
}

/// Every flag code, in table order (tests walk the table with it).
pub fn codes() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|flag| flag.code)
}

fn applies(applies: Applies, patient: Patient) -> bool {
    match applies {
        Applies::All => true,
        Applies::Only(species) => species.contains(&patient.species),
        Applies::CatsNotFemale => patient.species == Species::Cat && !patient.is_female,
    }
}

/// Lower case, apostrophes dropped ("can't" -> "cant"), anything but letters
/// and digits a single space, padded with spaces so phrases match whole words.
fn normalise(message: &str) -> String {
    let mut text = String::with_capacity(message.len() + 2);
    text.push(' ');
    for character in message.chars().flat_map(char::to_lowercase) {
        if character == '\'' || character == '\u{2019}' {
            continue;
        }
        if character.is_alphanumeric() {
            text.push(character);
        } else if !text.ends_with(' ') {
            text.push(' ');
        }
    }
    if !text.ends_with(' ') {
        text.push(' ');
    }
    text
}

/// Whether `phrase` occurs in `text` as whole words (plural `s` allowed).
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.contains(&format!(" {phrase} ")) || text.contains(&format!(" {phrase}s "))
}
