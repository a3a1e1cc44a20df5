//! The red-flag table, row by row (see `chat::assistant::triage`), and a red
//! flag answered at once through the API.

use chat::assistant::triage::{Patient, codes, red_flags};
use kernel::Species;
use reqwest::Method;
use serde_json::json;

const DOG: Patient = Patient { species: Species::Dog, is_female: false };
const CAT: Patient = Patient { species: Species::Cat, is_female: false };
const FEMALE_CAT: Patient = Patient { species: Species::Cat, is_female: true };
const RABBIT: Patient = Patient { species: Species::Rabbit, is_female: false };

fn flagged(message: &str, patient: Patient) -> Vec<String> {
    red_flags(message, patient).into_iter().map(|flag| flag.code).collect()
}

/// `flag`: each message raises it for `yes`, and not for `no`.
macro_rules! red_flag {
    ($name:ident, $flag:literal, [$($message:literal),+], yes: [$($yes:expr),+], no: [$($no:expr),*]) => {
        #[test]
        fn $name() {
            for message in [$($message),+] {
                for patient in [$($yes),+] {
                    assert!(flagged(message, patient).contains(&$flag.to_owned()), "{message:?} for {patient:?}");
                }
                for patient in [$($no),*] as [Patient; _] {
                    assert!(!flagged(message, patient).contains(&$flag.to_owned()), "{message:?} for {patient:?}");
                }
            }
        }
    };
}

red_flag!(breathing, "breathing", ["She has difficulty breathing", "he CAN'T BREATHE!", "gasping for air", "his gums look blue gums"], yes: [DOG, CAT, RABBIT], no: []);
red_flag!(collapse, "collapse", ["He collapsed in the garden", "she is unresponsive", "Rex fainted twice"], yes: [DOG, CAT, RABBIT], no: []);
red_flag!(seizure, "seizure", ["he had a seizure", "She's been seizing for a minute", "convulsions this morning"], yes: [DOG, CAT, RABBIT], no: []);
red_flag!(bleeding, "bleeding", ["the cut won't stop bleeding", "there is blood everywhere", "bleeding heavily from the paw"], yes: [DOG, CAT, RABBIT], no: []);
red_flag!(urinary_blockage, "urinary_blockage", ["he keeps straining to pee", "Tom can't pee", "cannot urinate since last night"], yes: [CAT], no: [FEMALE_CAT, DOG]);
red_flag!(bloat, "bloat", ["his belly is swollen belly and hard", "hard abdomen after dinner", "retching nothing up"], yes: [DOG], no: [CAT, RABBIT]);
red_flag!(xylitol, "xylitol", ["she ate xylitol gum", "he chewed sugar-free gum"], yes: [DOG, CAT], no: []);
red_flag!(chocolate, "chocolate", ["he ate a bar of dark chocolate", "got into the cocoa powder"], yes: [DOG, CAT], no: [RABBIT]);
red_flag!(lilies, "lilies", ["she licked pollen from the lilies", "chewed a lily leaf"], yes: [CAT], no: [DOG]);
red_flag!(rodenticide, "rodenticide", ["he found the rat poison", "ate slug pellets"], yes: [DOG, CAT, RABBIT], no: []);
red_flag!(antifreeze, "antifreeze", ["she drank antifreeze", "licked coolant from the garage floor"], yes: [DOG, CAT], no: []);
red_flag!(vehicle_trauma, "vehicle_trauma", ["he was hit by a car", "run over by a bike this morning"], yes: [DOG, CAT, RABBIT], no: []);

#[test]
fn every_row_of_the_table_has_its_test_and_ordinary_worries_raise_none() {
    let tested = [
        "breathing",
        "collapse",
        "seizure",
        "bleeding",
        "urinary_blockage",
        "bloat",
        "xylitol",
        "chocolate",
        "lilies",
        "rodenticide",
        "antifreeze",
        "vehicle_trauma",
    ];
    assert_eq!(codes().collect::<Vec<_>>(), tested);
    for ordinary in [
        "He has been scratching his ear",
        "what food is best for a puppy?",
        "she seems a bit tired",
        "Breathing normally, eating well",
    ] {
        assert_eq!(flagged(ordinary, DOG), Vec::<String>::new(), "{ordinary}");
    }
    // The most urgent flag comes first.
    assert_eq!(flagged("he ate chocolate and now he collapsed", DOG), ["collapse", "chocolate"]);
}

#[tokio::test]
async fn a_red_flag_is_answered_at_once_with_advice_open_emergency_clinics_and_a_prefilled_request() {
    let scene = crate::fixtures::scene().await;
    let conversation = scene.open_assistant().await;
    let body =
        json!({ "body": "Rex ate a whole bar of chocolate!", "location": { "latitude": 45.76, "longitude": 4.84 } });
    let sent = scene
        .app
        .api(Method::POST, &format!("/chat/conversations/{conversation}/messages"))
        .by(&scene.owner)
        .json(&body)
        .expect(201)
        .await;
    let reply = &sent["reply"];
    assert_eq!(reply["generated_by"], "rules");
    assert!(reply["caveat"].as_str().unwrap().contains("not a diagnosis"));
    assert!(reply["body"].as_str().unwrap().contains("Croix-Rousse Vets"), "{reply}");
    let triage = &reply["triage"];
    assert_eq!(triage["red_flags"][0]["code"], "chocolate");
    assert_eq!(triage["emergency_clinics"][0]["clinic_id"], scene.clinic.as_str());
    let draft = &triage["emergency_request"];
    assert_eq!((draft["pet_id"].clone(), draft["triage_level"].clone()), (json!(scene.pet), json!(2)));
    assert_eq!(draft["symptoms"], json!(["ate chocolate"]));
    assert_eq!(draft["location"]["latitude"], 45.76);
}
