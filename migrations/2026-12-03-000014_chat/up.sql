-- Chat: conversations between an owner and a clinic (or the assistant), their
-- participants and read receipts, and messages partitioned by month.

-- Files sent in messages are uploads of their own purpose.
ALTER TABLE media DROP CONSTRAINT media_purpose_check;
ALTER TABLE media ADD CONSTRAINT media_purpose_check
    CHECK (purpose IN ('pet_photo', 'record_attachment', 'clinic_photo', 'vet_photo', 'personal_data_export', 'chat_attachment'));

CREATE TABLE chat_conversations (
    id               uuid PRIMARY KEY,
    -- 'clinic': the owner and a clinic's staff; 'assistant': the owner and the AI assistant.
    kind             text NOT NULL,
    clinic_id        uuid REFERENCES clinics (id) ON DELETE CASCADE,
    -- The owner the conversation is with (a clinic's staff open it for one).
    owner_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pet_id           uuid REFERENCES pets (id) ON DELETE SET NULL,
    appointment_id   uuid REFERENCES appointments (id) ON DELETE SET NULL,
    subject          text,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    archived_at      timestamptz,
    -- The newest message's time (the creation time before any): lists sort on it.
    last_activity_at timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chat_conversations_kind_check CHECK (kind IN ('clinic', 'assistant')),
    CONSTRAINT chat_conversations_clinic_id_check CHECK ((kind = 'clinic') = (clinic_id IS NOT NULL)),
    CONSTRAINT chat_conversations_subject_check CHECK (length(coalesce(subject, '')) <= 200)
);
CREATE INDEX chat_conversations_owner_idx ON chat_conversations (owner_id, last_activity_at DESC, id DESC);
CREATE INDEX chat_conversations_clinic_idx ON chat_conversations (clinic_id, last_activity_at DESC, id DESC)
    WHERE clinic_id IS NOT NULL;
CREATE INDEX chat_conversations_pet_idx ON chat_conversations (pet_id) WHERE pet_id IS NOT NULL;
SELECT diesel_manage_updated_at('chat_conversations');

-- The people in a conversation: the owner and co-owners from the start, staff
-- once they write or read. Read receipts and notification throttling live here.
CREATE TABLE chat_participants (
    conversation_id  uuid NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             text NOT NULL,
    -- The newest message this participant has read (message ids are time-ordered).
    last_read_id     uuid,
    last_read_at     timestamptz,
    -- When this participant was last told of a message by notification.
    notified_at      timestamptz,
    joined_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, user_id),
    CONSTRAINT chat_participants_role_check CHECK (role IN ('owner', 'co_owner', 'staff'))
);
CREATE INDEX chat_participants_user_idx ON chat_participants (user_id);

-- Messages, partitioned by month of `created_at`; chat_prepare_partitions()
-- creates the months ahead (a daily job), the default partition catches the rest.
CREATE TABLE chat_messages (
    id               uuid NOT NULL,
    conversation_id  uuid NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    -- NULL for the assistant, or once the sender's account is erased.
    sender_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    sender_role      text NOT NULL,
    body             text NOT NULL,
    attachment_id    uuid REFERENCES media (id) ON DELETE SET NULL,
    -- Assistant messages: 'model' or 'rules', and the model's name.
    generated_by     text,
    model            text,
    -- Pre-triage of an owner's message to the assistant: red flags and the
    -- prefilled emergency request.
    triage           jsonb,
    -- Assistant messages: the owner's message answered (one answer each).
    reply_to_id      uuid,
    edited_at        timestamptz,
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (id, created_at),
    CONSTRAINT chat_messages_sender_role_check CHECK (sender_role IN ('owner', 'co_owner', 'staff', 'assistant')),
    CONSTRAINT chat_messages_body_check CHECK (length(body) <= 8000),
    CONSTRAINT chat_messages_generated_by_check CHECK (
        (sender_role = 'assistant') = (generated_by IS NOT NULL) AND generated_by IN ('model', 'rules'))
) PARTITION BY RANGE (created_at);
CREATE TABLE chat_messages_default PARTITION OF chat_messages DEFAULT;
CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, id);

-- A message resent with the same client_message_id is stored once. Unique
-- across partitions, which a partitioned table's own index cannot be.
CREATE TABLE chat_message_keys (
    conversation_id    uuid NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
    sender_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_message_id  uuid NOT NULL,
    message_id         uuid NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, sender_id, client_message_id)
);

-- Creates the current month's and the next `months` months' partitions of
-- chat_messages when missing. A month whose rows already went to the default
-- partition is left there (creating it would fail), and reported.
CREATE FUNCTION chat_prepare_partitions(months integer) RETURNS integer AS $$
DECLARE
    month date;
    created integer := 0;
    name text;
BEGIN
    FOR offset_months IN 0..months LOOP
        month := date_trunc('month', now() + make_interval(months => offset_months))::date;
        name := 'chat_messages_' || to_char(month, 'YYYY_MM');
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        BEGIN
            EXECUTE format('CREATE TABLE %I PARTITION OF chat_messages FOR VALUES FROM (%L) TO (%L)',
                name, month, (month + interval '1 month')::date);
            created := created + 1;
        EXCEPTION WHEN check_violation THEN
            RAISE WARNING 'chat_messages: rows of % are in the default partition; % not created', month, name;
        END;
    END LOOP;
    RETURN created;
END;
$$ LANGUAGE plpgsql;

SELECT chat_prepare_partitions(2);
