//! The chat's jobs: the assistant's answer to an owner, and the message
//! partitions of the months ahead.

use anyhow::Context as _;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::Resources;
use kernel::{ConversationId, MessageId};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::Settings;
use crate::access;
use crate::api::ParticipantRole;
use crate::assistant::{self, Assistant, Turn};
use crate::models::{Conversation, Message};
use crate::realtime::Realtime;
use crate::realtime::events::Event;
use db::schema::{chat_conversations, chat_messages};

/// Answers an owner's message to the assistant (at least once; a second run
/// finds the answer stored and does nothing).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerOwner {
    /// The assistant conversation.
    pub conversation_id: ConversationId,
    /// The owner's message.
    pub message_id: MessageId,
}

impl TaskHandler for AnswerOwner {
    const IDENTIFIER: &'static str = "chat_answer_owner";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let settings = context.get_ext::<Settings>().context("chat::Settings are not registered on the worker")?;
        let assistant = context.get_ext::<Assistant>().context("chat::Assistant is not registered on the worker")?;
        let realtime = Realtime::for_jobs(resources, settings);
        let mut connection = resources.connect().await?;
        Ok(answer(&mut connection, &realtime, assistant, &self).await?)
    }
}

async fn answer(
    connection: &mut AsyncPgConnection,
    realtime: &Realtime,
    assistant: &Assistant,
    job: &AnswerOwner,
) -> kernel::Result<()> {
    let Some((conversation, question)) = pending(connection, job).await? else { return Ok(()) };
    let now = realtime.now();
    let Some(pet) = conversation.pet_id else { return Ok(()) };
    let context = match assistant::context(connection, conversation.owner_id, pet, now.date_naive()).await {
        Ok(context) => context,
        // The pet was deleted or passed on since: nothing to answer about.
        Err(kernel::Error::NotFound { .. }) => return Ok(()),
        Err(error) => return Err(error),
    };
    let history = history(connection, &question).await?;
    let audience = access::audience(connection, &conversation).await?;
    let asked = question.body.clone();
    let (parts, mut streamed) = mpsc::channel::<String>(64);
    let forward = async {
        while let Some(text) = streamed.recv().await {
            let event = Event::AssistantDelta { conversation_id: conversation.id, reply_to: question.id, text };
            realtime.bus().publish(&audience, &event).await;
        }
    };
    let (answer, ()) = tokio::join!(
        async move {
            let answer = assistant.answer(&context, history, &asked, &parts).await;
            drop(parts);
            answer
        },
        forward
    );
    let reply = assistant::assistant_message(
        &question,
        answer.text,
        (answer.generated_by, answer.model),
        None,
        realtime.now(),
    )?;
    let stored = db::transaction(connection, async |connection| {
        chat_conversations::table
            .find(conversation.id)
            .select(chat_conversations::id)
            .for_update()
            .first::<ConversationId>(connection)
            .await?;
        if answered(connection, &question).await? {
            return Ok(false);
        }
        diesel::insert_into(chat_messages::table).values(&reply).execute(connection).await?;
        diesel::update(chat_conversations::table.find(conversation.id))
            .set(chat_conversations::last_activity_at.eq(reply.created_at))
            .execute(connection)
            .await?;
        Ok(true)
    })
    .await?;
    if stored {
        realtime
            .fan_out(crate::service::Fanout::one(
                audience.clone(),
                Event::MessageCreated { conversation_id: conversation.id, message: Box::new(reply.clone().view()) },
            ))
            .await;
        realtime.notify_offline(connection, &reply, &audience).await;
    }
    Ok(())
}

/// The conversation and the question, unless answered or deleted already.
async fn pending(
    connection: &mut AsyncPgConnection,
    job: &AnswerOwner,
) -> kernel::Result<Option<(Conversation, Message)>> {
    let found = chat_messages::table
        .inner_join(chat_conversations::table.on(chat_conversations::id.eq(chat_messages::conversation_id)))
        .filter(chat_messages::conversation_id.eq(job.conversation_id))
        .filter(chat_messages::id.eq(job.message_id))
        .filter(chat_messages::deleted_at.is_null())
        .select((Conversation::as_select(), Message::as_select()))
        .first::<(Conversation, Message)>(connection)
        .await
        .optional()?;
    match found {
        Some((_, question)) if answered(connection, &question).await? => Ok(None),
        found => Ok(found),
    }
}

async fn answered(connection: &mut AsyncPgConnection, question: &Message) -> kernel::Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        chat_messages::table
            .filter(chat_messages::conversation_id.eq(question.conversation_id))
            .filter(chat_messages::reply_to_id.eq(question.id)),
    ))
    .get_result(connection)
    .await?)
}

/// The ten messages before `question`, oldest first, as model turns.
async fn history(connection: &mut AsyncPgConnection, question: &Message) -> kernel::Result<Vec<Turn>> {
    let mut earlier: Vec<Message> = chat_messages::table
        .filter(chat_messages::conversation_id.eq(question.conversation_id))
        .filter(chat_messages::id.lt(question.id))
        .filter(chat_messages::deleted_at.is_null())
        .order(chat_messages::id.desc())
        .limit(10)
        .select(Message::as_select())
        .load(connection)
        .await?;
    earlier.reverse();
    Ok(earlier
        .into_iter()
        .map(|message| Turn {
            role: if message.sender_role == ParticipantRole::Assistant { "assistant" } else { "user" },
            content: message.body,
        })
        .collect())
}

/// Creates the message partitions of this month and the next
/// `chat.partitions_ahead_months` (daily, and at the worker's start).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrepareMessagePartitions {}

impl PrepareMessagePartitions {
    /// Every day at 03:10 UTC.
    pub const CRONTAB: &'static str = "10 3 * * * chat_prepare_message_partitions ?fill=1d {}";
}

impl TaskHandler for PrepareMessagePartitions {
    const IDENTIFIER: &'static str = "chat_prepare_message_partitions";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let resources = Resources::of(&context)?;
        let settings = context.get_ext::<Settings>().context("chat::Settings are not registered on the worker")?;
        let mut connection = resources.connect().await?;
        prepare_partitions(&mut connection, settings.partitions_ahead_months).await?;
        Ok(())
    }
}

/// Creates the missing message partitions up to `months` ahead.
pub async fn prepare_partitions(connection: &mut AsyncPgConnection, months: i32) -> kernel::Result<()> {
    connection.batch_execute(&format!("SELECT chat_prepare_partitions({months})")).await?;
    Ok(())
}
