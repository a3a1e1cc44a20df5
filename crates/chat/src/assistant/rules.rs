//! The built-in, rule-based responder: answers with no model and no account,
//! and whenever the model fails or is too slow. It gives general care
//! guidance by topic, never a dose, and always points to a veterinarian.

use crate::api::EmergencyClinic;
use crate::assistant::Context;
use crate::assistant::triage::RedFlag;

/// Topics it recognises: words in the question, and what to say.
const TOPICS: &[(&[&str], &str)] = &[
    (
        &["vomit", "vomiting", "threw up", "throwing up", "sick"],
        "An occasional vomit with a pet otherwise bright can be watched for a few hours with small amounts of \
         water. Call your clinic today if it happens more than twice, there is blood, your pet is lethargic or \
         stops drinking, or it is very young, old or has other illnesses.",
    ),
    (
        &["diarrhoea", "diarrhea", "loose stool", "runny poo", "stool"],
        "Keep water available and watch your pet's energy and appetite. Blood in the stool, diarrhoea lasting \
         more than a day, lethargy or vomiting as well are reasons to call your clinic today.",
    ),
    (
        &["not eating", "won't eat", "wont eat", "appetite", "off food", "off his food", "off her food"],
        "A pet that skips one meal but is otherwise well can be watched. Not eating for more than a day \
         (for a cat or a rabbit, even half a day) needs a vet's check, sooner with vomiting or lethargy.",
    ),
    (
        &["itch", "itchy", "scratching", "licking", "rash", "fleas", "flea", "ticks", "tick"],
        "Itching is often parasites or allergies. Check the coat for fleas or ticks and keep parasite \
         prevention up to date; your clinic can find the cause if it persists or the skin is broken.",
    ),
    (
        &["limp", "limping", "lame", "sore leg", "paw"],
        "Rest your pet and keep walks short on a lead. Limping that lasts more than a day, a leg it will not \
         put down, swelling or pain when touched need a vet's examination.",
    ),
    (
        &["vaccine", "vaccination", "vaccinations", "booster", "jab", "jabs"],
        "Your pet's vaccination summary in the app shows what is due; your clinic tailors boosters to your \
         pet's lifestyle and can book them for you.",
    ),
    (
        &["food", "diet", "feed", "feeding", "treats", "weight", "overweight", "fat"],
        "Feed a complete diet for your pet's life stage and weigh portions; treats should stay under a tenth of \
         daily calories. Your clinic can weigh your pet and suggest a target weight.",
    ),
];

const FALLBACK: &str = "I can share general care information. For anything about your pet's health that worries \
                        you, your clinic can help: you can message them here or book a visit.";

const NO_DOSES: &str = "I can't give medication doses: the right dose depends on your pet's weight, health and \
                        other medicines, and only a veterinarian who has examined your pet can prescribe it. \
                        Please ask your clinic.";

/// Whether `text` asks for, or gives, a medication dose.
pub fn mentions_dose(text: &str) -> bool {
    let lower = text.to_lowercase();
    let asks_amount = ["how much", "how many"].iter().any(|words| lower.contains(words));
    let medicine =
        ["mg", "ml", "tablet", "pill", "medicine", "medication", "drops", "paracetamol", "ibuprofen", "aspirin"];
    ["dose", "dosage", "mg/kg"].iter().any(|word| lower.contains(word))
        || (asks_amount && medicine.iter().any(|word| lower.contains(word)))
        || has_amount(&lower)
}

/// A number followed by a unit of medicine (`5 mg`, `2.5ml`, `10 mg/kg`).
fn has_amount(lower: &str) -> bool {
    let units = ["mg", "ml", "mcg", "µg", "iu", "tablet", "tablets", "pill", "pills", "drops"];
    let tokens: Vec<&str> = lower.split(|character: char| character.is_whitespace()).collect();
    tokens.iter().enumerate().any(|(index, token)| {
        let digits_end =
            token.find(|character: char| !(character.is_ascii_digit() || character == '.')).unwrap_or(token.len());
        if digits_end == 0 {
            return false;
        }
        let rest = token[digits_end..].trim_matches(|character: char| !character.is_alphanumeric() && character != '/');
        let next = tokens.get(index + 1).map(|next| next.trim_matches(|character: char| !character.is_alphanumeric()));
        units.iter().any(|unit| rest.starts_with(unit) || next == Some(*unit))
    })
}

/// An answer to `question` about the pet in `context`.
pub fn answer(question: &str, context: &Context) -> String {
    if mentions_dose(question) {
        return NO_DOSES.to_owned();
    }
    let lower = question.to_lowercase();
    let mut parts: Vec<&str> = TOPICS
        .iter()
        .filter(|(words, _)| words.iter().any(|word| lower.contains(word)))
        .map(|(_, guidance)| *guidance)
        .take(2)
        .collect();
    if parts.is_empty() {
        parts.push(FALLBACK);
    }
    let mut answer = format!("About {}: {}", context.pet_name, parts.join(" "));
    if !context.allergies.is_empty()
        && ["food", "diet", "treat", "medic", "itch"].iter().any(|word| lower.contains(word))
    {
        answer.push_str(&format!(
            " Remember {}'s recorded allergies: {}.",
            context.pet_name,
            context.allergies.join(", ")
        ));
    }
    answer
}

/// What the assistant says at once when pre-triage finds red flags.
pub fn red_flag_answer(pet_name: &str, flags: &[RedFlag], clinics: &[EmergencyClinic]) -> String {
    let mut answer = format!(
        "This may be an emergency for {pet_name}: {}. {}",
        flags.iter().map(|flag| flag.symptom.as_str()).collect::<Vec<_>>().join(", "),
        flags.iter().map(|flag| flag.advice.as_str()).collect::<Vec<_>>().join(" ")
    );
    if clinics.is_empty() {
        answer.push_str(
            " Share your location to see the nearest emergency clinics open now, or call your nearest emergency vet.",
        );
    } else {
        answer.push_str(" Emergency clinics open now:");
        for clinic in clinics {
            let phone = clinic.phone.as_deref().map(|phone| format!(", {phone}")).unwrap_or_default();
            let distance = clinic.distance_km.map(|km| format!(" ({km:.1} km)")).unwrap_or_default();
            answer.push_str(&format!(" {}{distance}{phone};", clinic.name));
        }
        answer.pop();
        answer.push('.');
    }
    answer.push_str(" You can also start an emergency request from this message.");
    answer
}

/// A summary without a model: the last messages and any red flags.
pub fn summary(lines: &[String], flags: &[RedFlag]) -> String {
    let mut summary = String::new();
    if !flags.is_empty() {
        let found: Vec<&str> = flags.iter().map(|flag| flag.symptom.as_str()).collect();
        summary.push_str(&format!("Red flags mentioned: {}. ", found.join(", ")));
    }
    if lines.is_empty() {
        summary.push_str("No messages yet.");
    } else {
        summary.push_str(&format!("Last {} messages: {}", lines.len(), lines.join(" | ")));
    }
    summary
}
