//! The AI assistant for owners, and summaries for clinic staff.
//!
//! An owner's message to an `assistant` conversation goes through
//! [`triage`] first: a red flag is answered at once, by rules, with advice,
//! the nearest emergency clinics open now and a prefilled emergency request.
//! Anything else is answered by the `chat_answer_owner` job: the configured
//! model ([`openai`]), streamed to the owner's sockets as it arrives, or,
//! with no model, on a failure or past `chat.assistant.timeout_ms`, the
//! [`rules`] responder. The assistant sees only what the owner may see of
//! the pet (profile, weight, allergies, current medications by name, recent
//! records' titles), never gives doses (an answer that does is replaced) and
//! every answer carries the caveat that it is not a diagnosis.

pub mod limits;
pub mod openai;
pub mod rules;
pub mod triage;

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{MessageId, PageRequest, PetId, Principal, Role, UserId, Valid};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::Settings;
use crate::api::{EmergencyClinic, EmergencyDraft, GeneratedBy, Location, ParticipantRole, Triage};
use crate::models::{Conversation, Message};
use crate::settings::AssistantSettings;
use db::schema::chat_messages;

/// One turn of a model conversation.
#[derive(Debug, Clone, Serialize)]
pub struct Turn {
    /// `system`, `user` or `assistant`.
    pub role: &'static str,
    /// Its text.
    pub content: String,
}

/// Why the model gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The request failed.
    #[error("model request failed: {0}")]
    Http(#[source] reqwest::Error),
    /// The API answered with an error status.
    #[error("model answered HTTP {0}")]
    Status(u16),
    /// The answer was not what the API promises.
    #[error("model answer malformed or empty")]
    Malformed,
    /// It took longer than `chat.assistant.timeout_ms`.
    #[error("model timed out")]
    TimedOut,
}

/// What the assistant knows of the pet: what its owner may see.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Its name.
    pub pet_name: String,
    /// Species, breed, sex, age and weight, in words.
    pub description: String,
    /// Recorded allergies.
    pub allergies: Vec<String>,
    /// Medications being given (names only).
    pub medications: Vec<String>,
    /// Recent records: date and title.
    pub recent_records: Vec<String>,
}

/// The owner's principal as the assistant acts with it: their own pets only,
/// none of the clinic access they may also have as staff.
fn as_owner(owner: UserId) -> Principal {
    Principal {
        user_id: owner,
        subject: String::new(),
        role: Role::PetOwner,
        memberships: Vec::new(),
        credential: kernel::Credential::Session,
    }
}

/// What `owner` may see of `pet`, for the assistant.
pub async fn context(
    connection: &mut AsyncPgConnection,
    owner: UserId,
    pet: PetId,
    today: chrono::NaiveDate,
) -> kernel::Result<Context> {
    let principal = as_owner(owner);
    let view = pets::service::pets::get(connection, &principal, pet).await?;
    let profile = &view.profile;
    let page = PageRequest::new(Some(10), None).map_err(kernel::Error::internal)?;
    let records = pets::service::records::timeline(connection, &principal, pet, &Default::default(), &page).await?;
    let age =
        profile.birth_date.map(|born| (today - born).num_days() / 365).map(|years| format!(", {years} years old"));
    let weight = view.current_weight_kg.map(|kg| format!(", {kg} kg"));
    let breed = profile.breed.as_deref().map(|breed| format!(" ({breed})")).unwrap_or_default();
    let medications = records
        .items
        .iter()
        .filter_map(|record| match &record.details {
            pets::api::RecordDetails::Medication { drug, end_date, .. } if end_date.is_none_or(|end| end >= today) => {
                Some(drug.clone())
            }
            _ => None,
        })
        .collect();
    Ok(Context {
        pet_name: profile.name.clone(),
        description: format!(
            "a {} {}{breed}{}{}",
            profile.sex.as_str(),
            profile.species.as_str(),
            age.unwrap_or_default(),
            weight.unwrap_or_default()
        ),
        allergies: profile
            .alerts
            .iter()
            .filter(|alert| alert.kind == pets::api::AlertKind::Allergy)
            .map(|alert| alert.name.clone())
            .collect(),
        medications,
        recent_records: records.items.iter().map(|record| format!("{} {}", record.record_date, record.title)).collect(),
    })
}

/// Pre-triage of `message`: with red flags, the assistant's immediate answer
/// (stored now); without, the job that will answer is enqueued.
pub async fn answer_or_defer(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    conversation: &Conversation,
    message: &Message,
    location: Option<crate::api::Location>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> kernel::Result<Option<Message>> {
    let pet = conversation.pet_id.ok_or(kernel::Error::NotFound { resource: "pet" })?;
    let (row, _) = pets::access::resolve(connection, principal, pet).await?;
    let patient = triage::Patient { species: row.species, is_female: row.sex == pets::api::Sex::Female };
    let flags = triage::red_flags(&message.body, patient);
    if flags.is_empty() {
        let job = crate::jobs::AnswerOwner { conversation_id: conversation.id, message_id: message.id };
        jobs::enqueue(connection, &job, jobs::EnqueueOptions::default()).await?;
        return Ok(None);
    }
    let limit = u32::try_from(settings.assistant.emergency_clinics).unwrap_or(3);
    let clinics = match location {
        Some(location) => emergency_clinics(connection, location, RED_FLAG_RADIUS_KM, limit).await?,
        None => Vec::new(),
    };
    let body = rules::red_flag_answer(&row.name, &flags, &clinics);
    let triage = Triage {
        emergency_request: Some(EmergencyDraft {
            pet_id: pet,
            description: message.body.clone(),
            symptoms: flags.iter().map(|flag| flag.symptom.clone()).collect(),
            triage_level: flags.iter().map(|flag| flag.level).min().unwrap_or(1),
            location,
        }),
        red_flags: flags,
        emergency_clinics: clinics,
    };
    let reply = assistant_message(message, body, (GeneratedBy::Rules, None), Some(&triage), now)?;
    diesel::insert_into(chat_messages::table).values(&reply).execute(connection).await?;
    Ok(Some(reply))
}

/// The assistant's message answering `question`.
pub fn assistant_message(
    question: &Message,
    body: String,
    (generated_by, model): (GeneratedBy, Option<String>),
    triage: Option<&Triage>,
    now: DateTime<Utc>,
) -> kernel::Result<Message> {
    Ok(Message {
        id: MessageId::new(),
        conversation_id: question.conversation_id,
        sender_id: None,
        sender_role: ParticipantRole::Assistant,
        body,
        attachment_id: None,
        generated_by: Some(generated_by),
        model,
        triage: triage.map(serde_json::to_value).transpose().map_err(kernel::Error::internal)?,
        reply_to_id: Some(question.id),
        edited_at: None,
        deleted_at: None,
        created_at: now,
    })
}

/// How far a red flag's answer looks for emergency clinics, in kilometres.
const RED_FLAG_RADIUS_KM: f64 = 100.0;

/// Up to `limit` emergency-capable clinics open now within `radius_km` of
/// `location`, nearest first (of any species: in an emergency the nearest
/// open door comes first). Also the emergency crate's fallback list.
pub async fn emergency_clinics(
    connection: &mut AsyncPgConnection,
    location: Location,
    radius_km: f64,
    limit: u32,
) -> kernel::Result<Vec<EmergencyClinic>> {
    let search = clinics::api::ClinicSearch {
        near: Some(format!("{},{}", location.latitude, location.longitude)),
        radius_km: Some(radius_km),
        open_now: Some(true),
        emergency: Some(true),
        ..Default::default()
    };
    let page = PageRequest::new(Some(limit), None).map_err(kernel::Error::internal)?;
    let found = clinics::service::search::clinics(connection, &Valid::new(search)?, &page).await?;
    Ok(found
        .items
        .into_iter()
        .map(|clinic| EmergencyClinic {
            clinic_id: clinic.id,
            name: clinic.profile.name.clone(),
            phone: clinic.profile.phone.clone(),
            address: one_line(&clinic.profile.address),
            distance_km: clinic.distance_km,
        })
        .collect())
}

/// The model (when configured) behind a deadline, with the rules as the fallback.
#[derive(Debug, Clone)]
pub struct Assistant {
    model: Option<openai::OpenAi>,
    timeout: Duration,
}

/// An answer and what wrote it.
#[derive(Debug)]
pub struct Answer {
    /// The text.
    pub text: String,
    /// Model or rules.
    pub generated_by: GeneratedBy,
    /// The model's name, when one wrote it.
    pub model: Option<String>,
}

const SYSTEM: &str = "You are the assistant of a veterinary clinic platform, talking with a pet owner about \
    their pet. Give general, practical care information in plain words, at most a few short paragraphs. Never \
    give medication doses or amounts, never diagnose: say that a diagnosis needs a veterinarian who has examined \
    the pet. If anything sounds urgent, tell the owner to contact an emergency vet now.";

impl Assistant {
    /// The assistant `settings` describe.
    pub fn new(settings: &AssistantSettings) -> Self {
        Self { model: openai::OpenAi::new(settings), timeout: Duration::from_millis(settings.timeout_ms) }
    }

    /// Answers `question` about the pet in `context` (`history`: earlier turns,
    /// oldest first); each part of a model's answer goes to `parts` as it comes.
    pub async fn answer(
        &self,
        context: &Context,
        history: Vec<Turn>,
        question: &str,
        parts: &mpsc::Sender<String>,
    ) -> Answer {
        let rules = || Answer { text: rules::answer(question, context), generated_by: GeneratedBy::Rules, model: None };
        let Some(model) = &self.model else { return rules() };
        if rules::mentions_dose(question) {
            return rules();
        }
        let mut turns = vec![Turn { role: "system", content: format!("{SYSTEM}\n\nThe pet: {}", describe(context)) }];
        turns.extend(history);
        turns.push(Turn { role: "user", content: question.to_owned() });
        let answered =
            tokio::time::timeout(self.timeout, model.stream(&turns, parts)).await.unwrap_or(Err(ModelError::TimedOut));
        match answered {
            Ok(text) if !rules::mentions_dose(&text) => {
                Answer { text, generated_by: GeneratedBy::Model, model: Some(model.model().to_owned()) }
            }
            Ok(_) => {
                tracing::warn!("the model's answer mentioned a dose; the rules answered instead");
                rules()
            }
            Err(error) => {
                tracing::warn!(%error, "the model did not answer; the rules answered instead");
                rules()
            }
        }
    }

    /// Summarises a conversation's transcript for clinic staff.
    pub async fn summarise(&self, transcript: &[String], flags: &[triage::RedFlag]) -> Answer {
        let rules = || Answer {
            text: rules::summary(&transcript[transcript.len().saturating_sub(5)..], flags),
            generated_by: GeneratedBy::Rules,
            model: None,
        };
        let Some(model) = &self.model else { return rules() };
        let turns = [
            Turn {
                role: "system",
                content: "Summarise this conversation between a pet owner and a veterinary clinic for the clinic's \
                          staff in at most five sentences: the pet's problem, what was advised, what is pending. \
                          Do not add advice."
                    .to_owned(),
            },
            Turn { role: "user", content: transcript.join("\n") },
        ];
        match tokio::time::timeout(self.timeout, model.complete(&turns)).await.unwrap_or(Err(ModelError::TimedOut)) {
            Ok(text) => Answer { text, generated_by: GeneratedBy::Model, model: Some(model.model().to_owned()) },
            Err(error) => {
                tracing::warn!(%error, "the model did not summarise; the rules did");
                rules()
            }
        }
    }
}

/// An address on one line: street, city, country.
pub fn one_line(address: &clinics::api::Address) -> String {
    let parts = [
        Some(address.line1.as_str()),
        address.line2.as_deref(),
        Some(address.city.as_str()),
        Some(address.country.as_str()),
    ];
    parts.into_iter().flatten().collect::<Vec<_>>().join(", ")
}

fn describe(context: &Context) -> String {
    let list = |items: &[String]| if items.is_empty() { "none recorded".to_owned() } else { items.join("; ") };
    format!(
        "{}, {}. Allergies: {}. Current medications: {}. Recent records: {}.",
        context.pet_name,
        context.description,
        list(&context.allergies),
        list(&context.medications),
        list(&context.recent_records)
    )
}
