//! Summaries of a conversation for its clinic's staff.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ConversationId, Principal};

use crate::access;
use crate::api::{CAVEAT, ParticipantRole, SummaryView};
use crate::assistant::{Assistant, triage};
use crate::models::Message;
use db::schema::chat_messages;

/// Messages a summary reads, newest.
const TRANSCRIPT: i64 = 50;

/// Summarises the conversation (staff of its clinic only; owners: 403).
pub async fn summarise(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
    assistant: &Assistant,
) -> kernel::Result<SummaryView> {
    let (conversation, role) = access::resolve(connection, principal, id).await?;
    if role != ParticipantRole::Staff {
        return Err(kernel::Error::Forbidden("summaries are for the clinic's staff".to_owned()));
    }
    let mut messages: Vec<Message> = chat_messages::table
        .filter(chat_messages::conversation_id.eq(id))
        .filter(chat_messages::deleted_at.is_null())
        .order(chat_messages::id.desc())
        .limit(TRANSCRIPT)
        .select(Message::as_select())
        .load(connection)
        .await?;
    messages.reverse();
    let species = match conversation.pet_id {
        Some(pet) => pets::access::resolve(connection, principal, pet)
            .await
            .ok()
            .map(|(row, _)| (row.species, row.sex == pets::api::Sex::Female)),
        None => None,
    };
    let mut flags: Vec<triage::RedFlag> = Vec::new();
    if let Some((species, is_female)) = species {
        let patient = triage::Patient { species, is_female };
        for message in messages
            .iter()
            .filter(|message| matches!(message.sender_role, ParticipantRole::Owner | ParticipantRole::CoOwner))
        {
            for flag in triage::red_flags(&message.body, patient) {
                if !flags.iter().any(|found| found.code == flag.code) {
                    flags.push(flag);
                }
            }
        }
    }
    let transcript: Vec<String> =
        messages.iter().map(|message| format!("{}: {}", message.sender_role.as_str(), message.body)).collect();
    let answer = assistant.summarise(&transcript, &flags).await;
    Ok(SummaryView {
        summary: answer.text,
        generated_by: answer.generated_by,
        model: answer.model,
        red_flags: flags,
        caveat: format!("Generated text: check it against the conversation. {CAVEAT}"),
    })
}
