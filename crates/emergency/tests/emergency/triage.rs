//! Each row of the triage table (`emergency::triage`), and the assistant's
//! pre-triage only ever raising the urgency.

use emergency::triage::{Answers, Bleeding, Breathing, Trauma, case_level, level};

fn rule(answers: Answers) -> (u8, &'static str) {
    let found = level(&answers);
    (found.level, found.rule)
}

#[test]
fn struggling_or_absent_breathing_is_immediate() {
    for breathing in [Breathing::Struggling, Breathing::NotBreathing] {
        assert_eq!(rule(Answers { breathing: Some(breathing), ..Default::default() }), (1, "not_breathing"));
    }
}

#[test]
fn an_unconscious_pet_is_immediate() {
    assert_eq!(rule(Answers { conscious: Some(false), ..Default::default() }), (1, "unconscious"));
}

#[test]
fn heavy_bleeding_is_immediate() {
    assert_eq!(rule(Answers { bleeding: Some(Bleeding::Heavy), ..Default::default() }), (1, "heavy_bleeding"));
}

#[test]
fn major_trauma_is_immediate() {
    assert_eq!(rule(Answers { trauma: Some(Trauma::Major), ..Default::default() }), (1, "major_trauma"));
}

#[test]
fn a_named_dangerous_toxin_is_immediate_whatever_the_case() {
    for toxin in ["Xylitol gum", "ANTIFREEZE", "some rat poison", "two lilies", "raisins"] {
        let answers = Answers { toxin_ingested: Some(true), toxin: Some(toxin.to_owned()), ..Default::default() };
        assert_eq!(rule(answers), (1, "dangerous_toxin"), "{toxin}");
    }
}

#[test]
fn another_or_unknown_toxin_is_within_the_hour() {
    for toxin in [Some("a sock".to_owned()), None] {
        let answers = Answers { toxin_ingested: Some(true), toxin, ..Default::default() };
        assert_eq!(rule(answers), (2, "toxin"));
    }
    let named_but_not_eaten =
        Answers { toxin_ingested: Some(false), toxin: Some("xylitol".to_owned()), ..Default::default() };
    assert_eq!(rule(named_but_not_eaten), (4, "no_red_flag"), "nothing was ingested");
}

#[test]
fn laboured_breathing_is_within_the_hour() {
    assert_eq!(rule(Answers { breathing: Some(Breathing::Laboured), ..Default::default() }), (2, "laboured_breathing"));
}

#[test]
fn minor_trauma_is_level_three() {
    assert_eq!(rule(Answers { trauma: Some(Trauma::Minor), ..Default::default() }), (3, "minor_trauma"));
}

#[test]
fn minor_bleeding_is_level_three() {
    assert_eq!(rule(Answers { bleeding: Some(Bleeding::Minor), ..Default::default() }), (3, "minor_bleeding"));
}

#[test]
fn no_red_flag_can_wait_for_a_regular_appointment() {
    assert_eq!(rule(Answers::default()), (4, "no_red_flag"));
    let calm = Answers {
        breathing: Some(Breathing::Normal),
        bleeding: Some(Bleeding::None),
        conscious: Some(true),
        toxin_ingested: Some(false),
        toxin: None,
        trauma: Some(Trauma::None),
    };
    assert_eq!(rule(calm), (4, "no_red_flag"));
}

#[test]
fn the_most_urgent_row_wins() {
    let answers =
        Answers { bleeding: Some(Bleeding::Minor), breathing: Some(Breathing::NotBreathing), ..Default::default() };
    assert_eq!(rule(answers), (1, "not_breathing"));
}

#[test]
fn the_assistants_pre_triage_only_raises_urgency() {
    let minor = Answers { trauma: Some(Trauma::Minor), ..Default::default() };
    assert_eq!(case_level(&minor, Some(1)), 1, "a red flag from the assistant makes it immediate");
    assert_eq!(case_level(&minor, Some(4)), 3, "the assistant cannot make it wait longer");
    assert_eq!(case_level(&minor, None), 3);
}
