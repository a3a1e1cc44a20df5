//! The demo appointments, the health records written at the visits, and the
//! owners' reviews.
//!
//! Past visits are booked by the clinic's desk with the services' `now` set
//! a week before the visit (when the booking would have been made: a booking
//! in the past is refused), then checked in, started and completed (or
//! marked a no-show, or cancelled) with `now` at that moment. The vet writes
//! the visit's records, dated that day, and completing the visit attaches
//! them; the completed visit is what makes the owner's review a verified one.
//! Upcoming visits are booked by the owners (confirmed by the desk, or still
//! requested, or cancelled by the owner) with the real time.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Context;
use appointments::api::{BookingRequest, TransitionRequest};
use appointments::service::booking::{self, Booking};
use appointments::service::lifecycle;
use appointments::status::Status;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use clinics::api::{ReviewDraft, ReviewText};
use clinics::service::reviews;
use diesel_async::AsyncPgConnection;
use kernel::{Principal, RecordId, Valid};
use pets::api::{RecordDetails, RecordDraft, ReminderStatus, Severity};

use super::Explain;
use super::cast::Cast;
use super::clinics::Clinic;
use super::owners::Pet;

/// How a visit turned out (or stands).
#[derive(Clone, Copy)]
pub enum Outcome {
    /// Seen (past).
    Completed,
    /// Nobody came (past).
    NoShow,
    /// Called off by the clinic, with the reason.
    CancelledByClinic(&'static str),
    /// Called off by the owner, with the reason (upcoming).
    CancelledByOwner(&'static str),
    /// Booked by the owner, waiting for the clinic (upcoming).
    Requested,
    /// Booked by the owner and confirmed by the clinic (upcoming).
    Confirmed,
}

/// A health record the vet writes at a completed visit.
pub enum Note {
    /// A vaccine given; the next dose due this many days from today.
    Vaccine(&'static str, &'static str, i64),
    /// SOAP notes.
    Exam(&'static str, &'static str, &'static str, &'static str),
    /// A drug: name, dose, unit, frequency, days of treatment, next dose due in days.
    Drug(&'static str, &'static str, &'static str, &'static str, i64, Option<i64>),
    /// A lab result: test, result, unit, reference range.
    Lab(&'static str, &'static str, Option<&'static str>, Option<&'static str>),
    /// An allergy found.
    Allergy(&'static str, &'static str, Severity),
    /// A procedure and its outcome.
    Procedure(&'static str, &'static str),
    /// Anything else.
    Text(&'static str),
}

/// One appointment.
pub struct VisitSpec {
    pet: &'static str,
    service: &'static str,
    /// The index of the vet in the clinic's list.
    vet: usize,
    /// Days from today (the nearest day the clinic and the vet work, away from today).
    days: i64,
    at: &'static str,
    reason: &'static str,
    outcome: Outcome,
    notes: &'static [Note],
}

#[expect(clippy::too_many_arguments, reason = "one line per visit reads as a table")]
const fn visit(
    pet: &'static str,
    service: &'static str,
    vet: usize,
    days: i64,
    at: &'static str,
    reason: &'static str,
    outcome: Outcome,
    notes: &'static [Note],
) -> VisitSpec {
    VisitSpec { pet, service, vet, days, at, reason, outcome, notes }
}

use Outcome::{CancelledByClinic, CancelledByOwner, Completed, Confirmed, NoShow, Requested};

/// Every appointment, by clinic.
#[rustfmt::skip]
pub const VISITS: &[VisitSpec] = &[
    // Paris: Dr Laurent (0), Dr Girard (1).
    visit("Rex", "Vaccination", 0, -352, "09:30", "Annual boosters", Completed, &[
        Note::Vaccine("Rabies", "Rabisin (Boehringer Ingelheim)", 13),
        Note::Vaccine("DHPPi+L4", "Nobivac (MSD)", 13),
    ]),
    visit("Minou", "Vaccination", 1, -200, "11:00", "Rappel vaccin", Completed, &[
        Note::Vaccine("RCP (typhus, coryza)", "Purevax RCP (Boehringer Ingelheim)", 165),
        Note::Lab("Creatinine", "1.9", Some("mg/dL"), Some("0.8-2.4")),
    ]),
    visit("Rex", "Consultation", 0, -40, "10:00", "Limping after a run", Completed, &[
        Note::Exam(
            "Lame on the right foreleg since a run in the park yesterday.",
            "Pain on flexion of the right carpus, no swelling, no instability.",
            "Right carpal sprain.",
            "Ten days of lead walks only; meloxicam; recheck if still lame.",
        ),
        Note::Drug("Meloxicam", "0.1", "mg/kg", "once daily", 10, None),
    ]),
    visit("Caramel", "Consultation NAC", 1, -30, "11:30", "Vaccination and a dental check", Completed, &[
        Note::Vaccine("Myxomatosis / RHDV1+2", "Nobivac Myxo-RHD Plus (MSD)", 335),
        Note::Exam(
            "Eating less hay for a week.",
            "Lower incisors slightly overgrown; molars normal on otoscopy.",
            "Early incisor malocclusion.",
            "Incisors trimmed; more hay and leafy greens; check again in six weeks.",
        ),
    ]),
    visit("Minou", "Consultation", 1, -20, "15:00", "Kidney check", NoShow, &[]),
    visit("Rex", "Consultation", 0, -12, "14:00", "Itchy paws and ears", Completed, &[
        Note::Exam(
            "Licking his paws and shaking his head for three weeks.",
            "Erythema between the toes, waxy otitis on both sides.",
            "Suspected food allergy.",
            "Eight-week elimination diet on hydrolysed protein; ear cleaner twice a week.",
        ),
        Note::Allergy("Chicken protein", "Itching and ear inflammation within days of chicken-based food.", Severity::Moderate),
    ]),
    visit("Rex", "Détartrage", 0, -5, "09:00", "Scale and polish under anaesthesia",
        CancelledByClinic("Dr Laurent was called to an emergency surgery; the clinic will call to book another day."), &[]),
    visit("Rex", "Consultation", 0, 6, "10:30", "Allergy follow-up", Confirmed, &[]),
    visit("Minou", "Consultation", 1, 9, "16:00", "Kidney check (rebooked)", Requested, &[]),
    visit("Caramel", "Consultation NAC", 1, 14, "11:00", "Incisor check", CancelledByOwner("Caramel is eating well again."), &[]),
    // New York: Dr Kim (0) on weekdays, Dr Ortiz (1) nights and weekends.
    visit("Buddy", "Vaccination", 0, -355, "10:00", "Annual vaccines", Completed, &[
        Note::Vaccine("DHPP", "Vanguard Plus 5 (Zoetis)", 10),
        Note::Vaccine("Rabies (3-year)", "Imrab 3 (Boehringer Ingelheim)", 740),
    ]),
    visit("Buddy", "Wellness exam", 0, -60, "11:00", "Wellness exam", Completed, &[
        Note::Exam("No concerns.", "Body condition 5/9, heart and lungs normal.", "Healthy adult dog.", "Monthly parasite prevention."),
        Note::Drug("NexGard Spectra", "1", "chewable", "monthly", 30, Some(5)),
    ]),
    visit("Luna", "Emergency consultation", 1, -15, "22:00", "Vomiting since this morning", Completed, &[
        Note::Exam(
            "Vomited six times since the morning, not eating.",
            "About 5% dehydrated, abdomen soft, no foreign body on X-ray.",
            "Acute gastritis.",
            "IV fluids overnight, maropitant, bland diet for three days.",
        ),
        Note::Procedure("IV fluid therapy", "Rehydrated overnight; home the next morning."),
        Note::Drug("Maropitant (Cerenia)", "1", "mg/kg", "once daily", 4, None),
    ]),
    visit("Pepper", "Vaccination", 0, -21, "15:00", "Puppy shots (2 of 3)", Completed, &[
        Note::Vaccine("DHPP", "Nobivac Puppy DP (Merck)", 7),
    ]),
    visit("Kiwi", "Wellness exam", 0, -25, "14:00", "Feather plucking", Completed, &[
        Note::Exam(
            "Plucking chest feathers for a month.",
            "Skin normal, no parasites, good body condition.",
            "Behavioural plucking (boredom).",
            "Foraging toys, more time out of the cage, recheck in a month.",
        ),
        Note::Lab("Chlamydia psittaci PCR", "Negative", None, None),
    ]),
    visit("Buddy", "Wellness exam", 0, 3, "09:00", "Booster plan", Confirmed, &[]),
    visit("Kiwi", "Wellness exam", 0, 4, "16:00", "Feather check", CancelledByOwner("Travelling that week."), &[]),
    visit("Pepper", "Vaccination", 0, 7, "10:00", "Puppy shots (3 of 3)", Requested, &[]),
    visit("Luna", "Wellness exam", 0, 10, "13:00", "Follow-up after the emergency visit", Requested, &[]),
    // Tokyo: Dr Watanabe (0), Dr Yamamoto (1).
    visit("Hachi", "Vaccination", 0, -340, "11:00", "Yearly rabies and combination vaccines", Completed, &[
        Note::Vaccine("Rabies", "Kyoto Biken", 25),
        Note::Vaccine("5-in-1 combination", "Kyoritsu Seiyaku", 25),
    ]),
    visit("Mochi", "Consultation", 1, -45, "15:00", "Not eating well", Completed, &[
        Note::Exam(
            "Eating less, dropping food.",
            "Upper and lower incisors overgrown.",
            "Incisor overgrowth.",
            "Incisors trimmed; chew sticks; check every six weeks.",
        ),
    ]),
    visit("Hachi", "Grooming", 1, -14, "14:00", "Shampoo and nails", Completed, &[
        Note::Text("Shed undercoat removed, nails trimmed. Mild tartar on the upper premolars: dental check advised."),
    ]),
    visit("Mochi", "Consultation", 1, 5, "17:00", "Incisor trim",
        CancelledByClinic("Dr Yamamoto is away that day; please book another day."), &[]),
    visit("Hachi", "Dental check", 0, 12, "11:30", "Tartar check", Confirmed, &[]),
    // Sydney: Dr Nguyen (0), Dr Murphy (1).
    visit("Tigger", "Vaccination", 0, -358, "09:00", "Annual F3 booster", Completed, &[
        Note::Vaccine("F3 (FPV, FHV, FCV)", "Feligen CRP (Virbac)", 7),
    ]),
    visit("Spike", "Exotics consultation", 0, -33, "10:00", "Annual health check", Completed, &[
        Note::Exam(
            "Eating well; basking less than usual.",
            "Good body condition; UVB tube is 14 months old.",
            "Healthy; UVB output probably low.",
            "Replace the UVB tube; calcium dusting three times a week.",
        ),
        Note::Lab("Faecal flotation", "No parasites seen", None, None),
    ]),
    visit("Tigger", "Consultation", 1, -9, "13:00", "Bad breath", Completed, &[
        Note::Exam(
            "Bad breath for a month, still eating.",
            "Gingivitis grade 2, tartar on the upper premolars.",
            "Periodontal disease.",
            "Antibiotics now; scale and polish under anaesthesia in a few weeks.",
        ),
        Note::Drug("Clindamycin", "25", "mg", "twice daily", 10, None),
    ]),
    visit("Tigger", "Consultation", 1, -3, "14:00", "Gum check", NoShow, &[]),
    visit("Spike", "Exotics consultation", 0, 11, "09:30", "UVB and diet review", Requested, &[]),
    visit("Tigger", "Consultation", 1, 16, "15:00", "Dental plan", Confirmed, &[]),
];

/// An owner's review of a clinic.
struct ReviewSpec {
    author: &'static str,
    clinic: usize,
    vet: Option<usize>,
    rating: i16,
    body: &'static str,
    response: Option<&'static str>,
}

const REVIEWS: &[ReviewSpec] = &[
    ReviewSpec {
        author: "seed_owner_1",
        clinic: 0,
        vet: Some(0),
        rating: 5,
        body: "Dr Laurent found Rex's food allergy after two other vets had missed it. Clear explanations and a \
               call the next day to see how he was.",
        response: Some("Merci Camille! A scratch behind the ears for Rex from all of us."),
    },
    ReviewSpec {
        author: "seed_owner_2",
        clinic: 0,
        vet: Some(1),
        rating: 4,
        body: "Caramel was seen quickly and Dr Girard clearly knows rabbits. The waiting room is a bit loud \
               with dogs around.",
        response: None,
    },
    ReviewSpec {
        author: "seed_owner_3",
        clinic: 1,
        vet: Some(0),
        rating: 5,
        body: "Buddy actually enjoys his wellness exams here, and the booster reminders are spot on.",
        response: Some("Thank you, Emily! See you and Buddy at the next check-up."),
    },
    ReviewSpec {
        author: "seed_owner_4",
        clinic: 1,
        vet: Some(1),
        rating: 5,
        body: "Luna got sick late in the evening. Seen within twenty minutes, kept overnight on fluids and home \
               the next morning. Thank you, Dr Ortiz.",
        response: None,
    },
    ReviewSpec {
        author: "seed_owner_5",
        clinic: 2,
        vet: Some(1),
        rating: 4,
        body: "Gentle with Mochi, and Hachi came back from grooming very fluffy. Booking online is easy.",
        response: None,
    },
    ReviewSpec {
        author: "seed_owner_6",
        clinic: 3,
        vet: Some(0),
        rating: 5,
        body: "Finally a vet who knows bearded dragons! Spike's husbandry review was thorough.",
        response: None,
    },
    // No visit there: held, hidden, for moderation.
    ReviewSpec {
        author: "seed_owner_4",
        clinic: 0,
        vet: None,
        rating: 3,
        body: "Called for advice while on holiday in Paris: friendly, but nothing was free that week.",
        response: None,
    },
];

/// What the visits and reviews added.
#[derive(Debug, Default)]
pub struct Tally {
    /// Appointments by status.
    pub appointments: BTreeMap<String, usize>,
    /// Health records written.
    pub records: usize,
    /// Reviews written; verified ones; held for moderation.
    pub reviews: (usize, usize, usize),
    /// Care reminders pending.
    pub pending_reminders: usize,
}

/// Everything the visits need.
pub struct Scene<'a> {
    /// The people.
    pub cast: &'a Cast,
    /// The clinics, in `CLINICS` order.
    pub clinics: &'a [Clinic],
    /// The pets by name.
    pub pets: &'a HashMap<&'static str, Pet>,
    /// Scheduling settings.
    pub appointments: &'a appointments::Settings,
    /// Pets settings (reminders).
    pub pets_settings: &'a pets::Settings,
    /// Today (UTC).
    pub today: NaiveDate,
    /// The real time.
    pub now: DateTime<Utc>,
}

/// Books every visit, oldest first (so the latest dose of a vaccine is the
/// one whose reminder stands), then writes the reviews.
pub async fn build(
    connection: &mut AsyncPgConnection,
    scene: &Scene<'_>,
    mut step: impl FnMut(String),
) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut visits: Vec<&VisitSpec> = VISITS.iter().collect();
    visits.sort_by_key(|visit| visit.days);
    let mut taken = HashSet::new();
    for visit in visits {
        step(format!("{}: {} ({})", visit.pet, visit.reason, visit.service));
        let status = book(connection, scene, visit, &mut taken, &mut tally).await?;
        *tally.appointments.entry(status.to_string()).or_default() += 1;
    }
    step("reviews".to_owned());
    for review in REVIEWS {
        write_review(connection, scene, review, &mut tally).await?;
    }
    for pet in scene.pets.values() {
        let reminders = pets::service::reminders::list(connection, &scene.cast.principal(pet.spec.owner)?, pet.id)
            .await
            .explain(|| format!("list the reminders of {}", pet.spec.name))?;
        tally.pending_reminders +=
            reminders.iter().filter(|reminder| reminder.status == ReminderStatus::Pending).count();
    }
    Ok(tally)
}

/// Books one visit and takes it where it ends; its final status.
async fn book(
    connection: &mut AsyncPgConnection,
    scene: &Scene<'_>,
    visit: &VisitSpec,
    taken: &mut HashSet<(&'static str, NaiveDate)>,
    tally: &mut Tally,
) -> anyhow::Result<Status> {
    let what = || format!("{}'s visit \"{}\"", visit.pet, visit.reason);
    let pet = scene.pets.get(visit.pet).with_context(|| format!("no pet {}", visit.pet))?;
    let clinic = scene.clinics.get(pet.spec.clinic).with_context(|| format!("no clinic for {}", visit.pet))?;
    let vet =
        clinic.spec.vets.get(visit.vet).with_context(|| format!("{} has no vet {}", clinic.spec.name, visit.vet))?;
    let (service_id, service) = clinic.service(visit.service)?;
    let time = NaiveTime::parse_from_str(visit.at, "%H:%M").with_context(what)?;
    let minutes = i64::from(service.minutes + service.after);
    // The nearest day, away from today, the clinic is open and the vet works
    // then, and has no other demo visit.
    let direction = if visit.days < 0 { -1 } else { 1 };
    let mut date = scene.today + Duration::days(visit.days);
    let mut tries = 0;
    while !clinic.fits(vet, date, time, minutes) || taken.contains(&(vet.subject, date)) {
        date += Duration::days(direction);
        tries += 1;
        anyhow::ensure!(tries < 21, "no day fits {}", what());
    }
    taken.insert((vet.subject, date));
    let starts_at = clinic.at(date, visit.at)?;
    let past = starts_at < scene.now;
    let by_owner = matches!(visit.outcome, Requested | Confirmed | CancelledByOwner(_));
    anyhow::ensure!(!(past && by_owner), "{} is in the past but booked by the owner", what());

    let (desk, owner) = (scene.cast.principal(clinic.desk())?, scene.cast.principal(pet.spec.owner)?);
    let clinician = scene.cast.principal(vet.subject)?;
    let booker = if by_owner { &owner } else { &desk };
    // A past visit was booked a week before it.
    let booked_at = if past { starts_at - Duration::days(7) } else { scene.now };
    let request = BookingRequest {
        pet_id: pet.id,
        service_id,
        vet_id: Some(clinician.user_id),
        starts_at,
        notes: Some(visit.reason.to_owned()),
        overbook: false,
    };
    let request = Valid::new(request).explain(what)?;
    let booked = booking::book(connection, booker, scene.appointments, booked_at, &Booking::from(&request))
        .await
        .explain(|| format!("book {}", what()))?;
    let id = booked.id;
    let ends_at = booked.ends_at;
    let to = |who: &Principal, status: Status, at: DateTime<Utc>, reason: Option<&str>, records: Vec<RecordId>| {
        let request = TransitionRequest { to: status, reason: reason.map(str::to_owned), record_ids: records };
        (who.clone(), request, at)
    };
    let moves: Vec<(Principal, TransitionRequest, DateTime<Utc>)> = match visit.outcome {
        Completed => {
            let records = write_records(connection, scene, &clinician, pet, clinic, date, visit, tally).await?;
            vec![
                to(&desk, Status::CheckedIn, starts_at - Duration::minutes(10), None, Vec::new()),
                to(&clinician, Status::InProgress, starts_at, None, Vec::new()),
                to(&clinician, Status::Completed, ends_at, None, records),
            ]
        }
        NoShow => vec![to(&desk, Status::NoShow, starts_at + Duration::minutes(30), None, Vec::new())],
        CancelledByClinic(reason) => {
            let at = if past { starts_at - Duration::days(2) } else { scene.now };
            vec![to(&desk, Status::Cancelled, at, Some(reason), Vec::new())]
        }
        CancelledByOwner(reason) => vec![to(&owner, Status::Cancelled, scene.now, Some(reason), Vec::new())],
        Confirmed => vec![to(&desk, Status::Confirmed, scene.now, None, Vec::new())],
        Requested => Vec::new(),
    };
    let mut status = booked.status;
    for (who, request, at) in moves {
        let target = request.to;
        let request = Valid::new(request).explain(what)?;
        status = lifecycle::transition(connection, &who, scene.appointments, at, id, &request)
            .await
            .explain(|| format!("move {} to {target}", what()))?
            .status;
    }
    Ok(status)
}

/// The vet writes the visit's records for the clinic, dated `date`; their ids.
#[expect(clippy::too_many_arguments, reason = "the visit's whole context")]
async fn write_records(
    connection: &mut AsyncPgConnection,
    scene: &Scene<'_>,
    vet: &Principal,
    pet: &Pet,
    clinic: &Clinic,
    date: NaiveDate,
    visit: &VisitSpec,
    tally: &mut Tally,
) -> anyhow::Result<Vec<RecordId>> {
    let mut ids = Vec::new();
    for note in visit.notes {
        let draft = RecordDraft {
            record_date: date,
            title: None,
            details: details(note, date, scene.today),
            clinic_id: Some(clinic.id),
            staff_note: None,
        };
        let draft = Valid::new(draft).explain(|| format!("a record of {}", pet.spec.name))?;
        let record = pets::service::records::create(connection, vet, scene.pets_settings, pet.id, &draft)
            .await
            .explain(|| format!("write a record for {}", pet.spec.name))?;
        ids.push(record.id);
        tally.records += 1;
    }
    Ok(ids)
}

fn details(note: &Note, date: NaiveDate, today: NaiveDate) -> RecordDetails {
    let text = |text: &str| Some(text.to_owned());
    match *note {
        Note::Vaccine(vaccine, manufacturer, due_in) => RecordDetails::Vaccination {
            vaccine: vaccine.to_owned(),
            manufacturer: text(manufacturer),
            lot: Some(format!("L{}", date.format("%y%m%d"))),
            expiry: Some(date + Duration::days(540)),
            next_due: Some(today + Duration::days(due_in)),
        },
        Note::Exam(subjective, objective, assessment, plan) => RecordDetails::Examination {
            subjective: text(subjective),
            objective: text(objective),
            assessment: text(assessment),
            plan: text(plan),
        },
        Note::Drug(drug, dose, unit, frequency, days, due_in) => RecordDetails::Medication {
            drug: drug.to_owned(),
            dose: dose.to_owned(),
            unit: unit.to_owned(),
            route: text("oral"),
            frequency: text(frequency),
            start_date: Some(date),
            end_date: Some(date + Duration::days(days - 1)),
            refills: 0,
            next_due: due_in.map(|days| today + Duration::days(days)),
        },
        Note::Lab(test, result, unit, range) => RecordDetails::LabResult {
            test: test.to_owned(),
            result: result.to_owned(),
            unit: unit.map(str::to_owned),
            reference_range: range.map(str::to_owned),
            abnormal: false,
        },
        Note::Allergy(allergen, reaction, severity) => {
            RecordDetails::Allergy { allergen: allergen.to_owned(), reaction: text(reaction), severity }
        }
        Note::Procedure(procedure, outcome) => {
            RecordDetails::Procedure { procedure: procedure.to_owned(), anaesthesia: None, outcome: text(outcome) }
        }
        Note::Text(note) => RecordDetails::Note { text: note.to_owned() },
    }
}

async fn write_review(
    connection: &mut AsyncPgConnection,
    scene: &Scene<'_>,
    review: &ReviewSpec,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let clinic = scene.clinics.get(review.clinic).context("a review of a clinic that is not seeded")?;
    let vet_id = match review.vet {
        Some(index) => {
            let vet = clinic.spec.vets.get(index).context("a review naming a vet the clinic does not have")?;
            Some(scene.cast.id(vet.subject)?)
        }
        None => None,
    };
    let draft = Valid::new(ReviewDraft { rating: review.rating, body: review.body.to_owned(), vet_id })
        .explain(|| format!("the review of {} by {}", clinic.spec.name, review.author))?;
    let written = reviews::put_mine(connection, &scene.cast.principal(review.author)?, clinic.id, &draft)
        .await
        .explain(|| format!("{} reviews {}", review.author, clinic.spec.name))?;
    tally.reviews.0 += 1;
    tally.reviews.1 += usize::from(written.verified_visit);
    tally.reviews.2 += usize::from(written.hidden);
    if let Some(response) = review.response {
        let text = Valid::new(ReviewText { text: response.to_owned() }).explain(|| "a review's answer".to_owned())?;
        reviews::respond(connection, &scene.cast.principal(clinic.spec.admin)?, clinic.id, written.id, &text)
            .await
            .explain(|| format!("{} answers a review", clinic.spec.name))?;
    }
    Ok(())
}
