//! Rules of the typed record details: lengths, dates, the derived title and
//! what a record schedules reminders for.

use chrono::NaiveDate;
use kernel::FieldErrors;

use crate::api::{RecordDetails, RecordKind, ReminderKind};

impl RecordDetails {
    /// The kind these details belong to.
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::Vaccination { .. } => RecordKind::Vaccination,
            Self::Medication { .. } => RecordKind::Medication,
            Self::Examination { .. } => RecordKind::Examination,
            Self::LabResult { .. } => RecordKind::LabResult,
            Self::Procedure { .. } => RecordKind::Procedure,
            Self::Allergy { .. } => RecordKind::Allergy,
            Self::Note { .. } => RecordKind::Note,
        }
    }

    /// A title when the draft gives none.
    pub fn default_title(&self) -> String {
        let title = match self {
            Self::Vaccination { vaccine, .. } => format!("Vaccination: {vaccine}"),
            Self::Medication { drug, .. } => format!("Medication: {drug}"),
            Self::Examination { .. } => "Examination".to_owned(),
            Self::LabResult { test, .. } => format!("Lab result: {test}"),
            Self::Procedure { procedure, .. } => procedure.clone(),
            Self::Allergy { allergen, .. } => format!("Allergy: {allergen}"),
            Self::Note { .. } => "Note".to_owned(),
        };
        title.chars().filter(|character| !character.is_control()).take(200).collect()
    }

    /// What reminders follow: the kind, the vaccine or drug, and the due date.
    pub fn due(&self) -> Option<(ReminderKind, &str, Option<NaiveDate>)> {
        match self {
            Self::Vaccination { vaccine, next_due, .. } => Some((ReminderKind::Vaccination, vaccine, *next_due)),
            Self::Medication { drug, next_due, .. } => Some((ReminderKind::Medication, drug, *next_due)),
            _ => None,
        }
    }

    /// Sets the vaccination's next due date (a protocol's suggestion).
    pub fn set_next_due(&mut self, date: NaiveDate) {
        if let Self::Vaccination { next_due, .. } = self {
            *next_due = Some(date);
        }
    }

    /// Field problems, keyed `details.<field>`, for details of a record dated `record_date`.
    pub fn problems(&self, record_date: NaiveDate) -> FieldErrors {
        let mut problems = Problems::default();
        match self {
            Self::Vaccination { vaccine, manufacturer, lot, expiry, next_due } => {
                problems.in_calendar("expiry", *expiry);
                problems.in_calendar("next_due", *next_due);
                problems.required("vaccine", vaccine, 100);
                problems.optional("manufacturer", manufacturer, 100);
                problems.optional("lot", lot, 100);
                problems.after("next_due", *next_due, record_date);
            }
            Self::Medication { drug, dose, unit, route, frequency, start_date, end_date, refills, next_due } => {
                problems.required("drug", drug, 100);
                problems.required("dose", dose, 50);
                problems.required("unit", unit, 50);
                problems.optional("route", route, 50);
                problems.optional("frequency", frequency, 100);
                for (field, date) in [("start_date", start_date), ("end_date", end_date), ("next_due", next_due)] {
                    problems.in_calendar(field, *date);
                }
                if start_date.zip(*end_date).is_some_and(|(start, end)| end < start) {
                    problems.add("end_date", "must not be before the start date");
                }
                if *refills > 99 {
                    problems.add("refills", "must be at most 99");
                }
                problems.after("next_due", *next_due, record_date);
            }
            Self::Examination { subjective, objective, assessment, plan } => {
                for (field, text) in
                    [("subjective", subjective), ("objective", objective), ("assessment", assessment), ("plan", plan)]
                {
                    problems.optional(field, text, 5000);
                }
            }
            Self::LabResult { test, result, unit, reference_range, .. } => {
                problems.required("test", test, 200);
                problems.required("result", result, 2000);
                problems.optional("unit", unit, 50);
                problems.optional("reference_range", reference_range, 100);
            }
            Self::Procedure { procedure, anaesthesia, outcome } => {
                problems.required("procedure", procedure, 200);
                problems.optional("anaesthesia", anaesthesia, 200);
                problems.optional("outcome", outcome, 5000);
            }
            Self::Allergy { allergen, reaction, .. } => {
                problems.required("allergen", allergen, 200);
                problems.optional("reaction", reaction, 1000);
            }
            Self::Note { text } => problems.required("text", text, 5000),
        }
        problems.0
    }
}

#[derive(Default)]
struct Problems(FieldErrors);

impl Problems {
    fn add(&mut self, field: &str, problem: &str) {
        self.0.entry(format!("details.{field}")).or_default().push(problem.to_owned());
    }

    fn required(&mut self, field: &str, text: &str, max: usize) {
        if text.trim().is_empty() {
            self.add(field, "must not be blank");
        }
        self.optional(field, &Some(text.to_owned()), max);
    }

    fn optional(&mut self, field: &str, text: &Option<String>, max: usize) {
        if text.as_ref().is_some_and(|text| text.chars().count() > max) {
            self.add(field, &format!("must be at most {max} characters"));
        }
    }

    fn in_calendar(&mut self, field: &str, date: Option<NaiveDate>) {
        if let Some(Err(problem)) = date.as_ref().map(kernel::dates::in_calendar) {
            self.add(field, &problem.to_string());
        }
    }

    fn after(&mut self, field: &str, date: Option<NaiveDate>, earliest_exclusive: NaiveDate) {
        if date.is_some_and(|date| date <= earliest_exclusive) {
            self.add(field, "must be after the record's date");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn a_vaccination_due_before_it_was_given_is_a_problem() {
        let details = RecordDetails::Vaccination {
            vaccine: "Rabies".into(),
            manufacturer: None,
            lot: None,
            expiry: None,
            next_due: Some(date("2026-01-01")),
        };
        assert!(details.problems(date("2026-06-01")).contains_key("details.next_due"));
        assert!(details.problems(date("2025-06-01")).is_empty());
        assert_eq!(details.default_title(), "Vaccination: Rabies");
    }

    #[test]
    fn blank_required_text_and_overlong_text_are_problems() {
        let note = RecordDetails::Note { text: "   ".into() };
        assert!(note.problems(date("2026-01-01")).contains_key("details.text"));
        let long = RecordDetails::Note { text: "x".repeat(5001) };
        assert!(long.problems(date("2026-01-01")).contains_key("details.text"));
    }
}
