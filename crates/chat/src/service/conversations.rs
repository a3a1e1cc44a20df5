//! Opening, listing, archiving and reopening conversations.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, ConversationId, MessageId, Page, PageRequest, Principal, UserId, Valid};

use crate::access;
use crate::api::{
    ConversationFilter, ConversationKind, ConversationView, NewConversation, ParticipantRole, ParticipantView,
};
use crate::models::{Conversation, Message, Participant};
use crate::realtime::events::Event;
use crate::service::Fanout;
use db::schema::{chat_conversations, chat_messages, chat_participants};

/// Opens a conversation: an owner with a clinic or the assistant, or a
/// clinic's staff with the owner of one of its patients (`pet_id` required).
/// Co-owners of the pet join a clinic conversation from the start.
pub async fn open(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    request: &Valid<NewConversation>,
    now: DateTime<Utc>,
) -> kernel::Result<(ConversationView, Fanout)> {
    db::transaction(connection, async |connection| {
        let (conversation, members) = plan(connection, principal, request, now).await?;
        diesel::insert_into(chat_conversations::table).values(&conversation).execute(connection).await?;
        let rows: Vec<Participant> = members
            .iter()
            .map(|&(user_id, role)| Participant { conversation_id: conversation.id, user_id, role, last_read_id: None })
            .collect();
        diesel::insert_into(chat_participants::table).values(&rows).execute(connection).await?;
        let audience = access::audience(connection, &conversation).await?;
        let event = Event::ConversationUpdated { conversation_id: conversation.id, archived: false };
        let view = views(connection, principal.user_id, vec![conversation]).await?.pop();
        let view = view.ok_or(kernel::Error::NotFound { resource: "conversation" })?;
        Ok((view, Fanout::one(audience, event)))
    })
    .await
}

/// Checks the request and decides the row and its owner-side participants.
async fn plan(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    request: &NewConversation,
    now: DateTime<Utc>,
) -> kernel::Result<(Conversation, Vec<(UserId, ParticipantRole)>)> {
    let pet = match request.pet_id {
        Some(pet) => Some(pets::access::resolve(connection, principal, pet).await?),
        None => None,
    };
    let staff_of = request.clinic_id.filter(|&clinic| principal.clinic_role(clinic).is_some());
    // The pet's owners join a clinic conversation about it.
    let owners = match (request.kind, &pet) {
        (ConversationKind::Clinic, Some((row, _))) => pets::service::reminders::owners_of(connection, row).await?,
        _ => Vec::new(),
    };
    let owner = match (request.kind, staff_of, &pet) {
        (ConversationKind::Assistant, _, Some((_, access))) if access.is_owner() => principal.user_id,
        (ConversationKind::Assistant, ..) => return Err(kernel::Error::invalid_field("pet_id", "must be your pet")),
        (ConversationKind::Clinic, Some(clinic), Some((row, access))) if access.care_clinics.contains(&clinic) => {
            match request.owner_id {
                None => row.primary_owner_id,
                Some(owner) if owners.contains(&owner) => owner,
                Some(_) => return Err(kernel::Error::invalid_field("owner_id", "must be an owner of the pet")),
            }
        }
        (ConversationKind::Clinic, Some(_), _) => {
            return Err(kernel::Error::invalid_field(
                "pet_id",
                "staff open a conversation about one of the clinic's patients",
            ));
        }
        (ConversationKind::Clinic, None, _) => {
            if request.owner_id.is_some_and(|owner| owner != principal.user_id) {
                return Err(kernel::Error::invalid_field(
                    "owner_id",
                    "only a clinic's staff open a conversation for another owner",
                ));
            }
            if pet.as_ref().is_some_and(|(_, access)| !access.is_owner()) {
                return Err(kernel::Error::invalid_field("pet_id", "must be your pet"));
            }
            principal.user_id
        }
    };
    if let Some(clinic) = request.clinic_id {
        require_open_clinic(connection, clinic).await?;
    }
    if let Some(appointment) = request.appointment_id {
        appointment_fits(connection, appointment, request.clinic_id, request.pet_id).await?;
    }
    let mut members = vec![(owner, ParticipantRole::Owner)];
    members.extend(
        owners.into_iter().filter(|&co_owner| co_owner != owner).map(|co_owner| (co_owner, ParticipantRole::CoOwner)),
    );
    let conversation = Conversation {
        id: ConversationId::new(),
        kind: request.kind,
        clinic_id: request.clinic_id,
        owner_id: owner,
        pet_id: request.pet_id,
        appointment_id: request.appointment_id,
        subject: request.subject.clone(),
        created_by: Some(principal.user_id),
        archived_at: None,
        last_activity_at: now,
        created_at: now,
    };
    Ok((conversation, members))
}

/// `NotFound` unless the clinic exists and is active.
async fn require_open_clinic(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<()> {
    let found = clinics::service::clinics::get(connection, None, clinic).await?;
    if found.is_active { Ok(()) } else { Err(kernel::Error::NotFound { resource: "clinic" }) }
}

/// A 422 on `appointment_id` unless it is the pet's, at the clinic.
async fn appointment_fits(
    connection: &mut AsyncPgConnection,
    appointment: kernel::AppointmentId,
    clinic: Option<ClinicId>,
    pet: Option<kernel::PetId>,
) -> kernel::Result<()> {
    use db::schema::appointments;
    let (Some(clinic), Some(pet)) = (clinic, pet) else {
        return Err(kernel::Error::invalid_field("appointment_id", "needs the clinic and the pet it is for"));
    };
    let fits = diesel::select(diesel::dsl::exists(
        appointments::table
            .find(appointment)
            .filter(appointments::clinic_id.eq(clinic))
            .filter(appointments::pet_id.eq(pet)),
    ))
    .get_result::<bool>(connection)
    .await?;
    if fits {
        Ok(())
    } else {
        Err(kernel::Error::invalid_field("appointment_id", "must be the pet's appointment at the clinic"))
    }
}

/// One conversation.
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
) -> kernel::Result<ConversationView> {
    let (conversation, _) = access::resolve(connection, principal, id).await?;
    let view = views(connection, principal.user_id, vec![conversation]).await?.pop();
    view.ok_or(kernel::Error::NotFound { resource: "conversation" })
}

/// The caller's conversations (as an owner, and their clinics' as staff),
/// newest activity first.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    filter: &ConversationFilter,
    page: &PageRequest,
) -> kernel::Result<Page<ConversationView>> {
    let clinics: Vec<ClinicId> = match filter.clinic_id {
        Some(clinic) if principal.clinic_role(clinic).is_some() => vec![clinic],
        Some(_) => return Err(kernel::Error::NotFound { resource: "clinic" }),
        None => principal.memberships.iter().map(|membership| membership.clinic_id).collect(),
    };
    let mut query = chat_conversations::table
        .select(Conversation::as_select())
        .order((chat_conversations::last_activity_at.desc(), chat_conversations::id.desc()))
        .limit(page.fetch_limit())
        .into_boxed();
    let mine = chat_participants::table
        .filter(chat_participants::user_id.eq(principal.user_id))
        .filter(chat_participants::role.ne(ParticipantRole::Staff))
        .select(chat_participants::conversation_id);
    query = if filter.clinic_id.is_some() {
        query.filter(chat_conversations::clinic_id.eq_any(clinics))
    } else {
        query.filter(chat_conversations::id.eq_any(mine).or(chat_conversations::clinic_id.eq_any(clinics)))
    };
    query = if filter.archived {
        query.filter(chat_conversations::archived_at.is_not_null())
    } else {
        query.filter(chat_conversations::archived_at.is_null())
    };
    if let Some(after) = page.after {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(last_activity_at, id) < (SELECT c.last_activity_at, c.id FROM chat_conversations c WHERE c.id = ",
            )
            .bind::<SqlUuid, _>(after)
            .sql(")"),
        );
    }
    let rows = Page::from_rows(query.load(connection).await?, page, |row: &Conversation| row.id.0);
    let items = views(connection, principal.user_id, rows.items).await?;
    Ok(Page { items, next_cursor: rows.next_cursor })
}

/// Archives or reopens a conversation (any of its people).
pub async fn set_archived(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: ConversationId,
    archived: bool,
    now: DateTime<Utc>,
) -> kernel::Result<(ConversationView, Fanout)> {
    db::transaction(connection, async |connection| {
        let (conversation, _) = access::resolve(connection, principal, id).await?;
        let conversation = diesel::update(chat_conversations::table.find(conversation.id))
            .set(chat_conversations::archived_at.eq(archived.then_some(now)))
            .returning(Conversation::as_returning())
            .get_result(connection)
            .await?;
        let audience = access::audience(connection, &conversation).await?;
        let event = Event::ConversationUpdated { conversation_id: conversation.id, archived };
        let view = views(connection, principal.user_id, vec![conversation]).await?.pop();
        let view = view.ok_or(kernel::Error::NotFound { resource: "conversation" })?;
        Ok((view, Fanout::one(audience, event)))
    })
    .await
}

#[derive(QueryableByName)]
struct Activity {
    #[diesel(sql_type = SqlUuid)]
    conversation_id: ConversationId,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    last_id: Option<MessageId>,
    #[diesel(sql_type = BigInt)]
    unread: i64,
}

/// Conversations as `me` sees them: people, newest message, unread count
/// (four queries for the whole page).
pub async fn views(
    connection: &mut AsyncPgConnection,
    me: UserId,
    conversations: Vec<Conversation>,
) -> kernel::Result<Vec<ConversationView>> {
    let ids: Vec<ConversationId> = conversations.iter().map(|conversation| conversation.id).collect();
    let activity: Vec<Activity> = diesel::sql_query(
        "SELECT c.id AS conversation_id,
                (SELECT m.id FROM chat_messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) AS last_id,
                (SELECT count(*) FROM chat_messages m
                  WHERE m.conversation_id = c.id AND m.deleted_at IS NULL
                    AND m.sender_id IS DISTINCT FROM $2
                    AND (p.last_read_id IS NULL OR m.id > p.last_read_id)) AS unread
           FROM unnest($1) AS c(id)
           LEFT JOIN chat_participants p ON p.conversation_id = c.id AND p.user_id = $2",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<SqlUuid, _>(me)
    .load(connection)
    .await?;
    let last_ids: Vec<MessageId> = activity.iter().filter_map(|row| row.last_id).collect();
    let mut last_messages: HashMap<MessageId, Message> = chat_messages::table
        .filter(chat_messages::id.eq_any(&last_ids))
        .select(Message::as_select())
        .load::<Message>(connection)
        .await?
        .into_iter()
        .map(|message| (message.id, message))
        .collect();
    let activity: HashMap<ConversationId, Activity> =
        activity.into_iter().map(|row| (row.conversation_id, row)).collect();
    let people: Vec<Participant> = chat_participants::table
        .filter(chat_participants::conversation_id.eq_any(&ids))
        .order(chat_participants::joined_at)
        .select(Participant::as_select())
        .load(connection)
        .await?;
    let user_ids: Vec<UserId> = people.iter().map(|person| person.user_id).collect();
    let names = platform::users::names(connection, &user_ids).await?;
    Ok(conversations
        .into_iter()
        .map(|conversation| {
            let mut participants: Vec<ParticipantView> = people
                .iter()
                .filter(|person| person.conversation_id == conversation.id)
                .map(|person| ParticipantView {
                    user_id: Some(person.user_id),
                    role: person.role,
                    name: names.get(&person.user_id).map(platform::users::Name::display).unwrap_or_default(),
                    last_read_message_id: person.last_read_id,
                })
                .collect();
            if conversation.kind == ConversationKind::Assistant {
                participants.push(ParticipantView {
                    user_id: None,
                    role: ParticipantRole::Assistant,
                    name: "Assistant".to_owned(),
                    last_read_message_id: None,
                });
            }
            let found = activity.get(&conversation.id);
            let last_message =
                found.and_then(|row| row.last_id).and_then(|id| last_messages.remove(&id)).map(Message::view);
            ConversationView {
                id: conversation.id,
                kind: conversation.kind,
                clinic_id: conversation.clinic_id,
                owner_id: conversation.owner_id,
                pet_id: conversation.pet_id,
                appointment_id: conversation.appointment_id,
                subject: conversation.subject,
                archived: conversation.archived_at.is_some(),
                participants,
                last_message,
                unread: found.map_or(0, |row| row.unread),
                last_activity_at: conversation.last_activity_at,
                created_at: conversation.created_at,
            }
        })
        .collect())
}
