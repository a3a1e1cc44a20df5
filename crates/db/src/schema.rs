// @generated shape of `diesel print-schema` (see diesel.toml); keep in step with migrations/.

diesel::table! {
    audit_log (id, occurred_at) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        request_id -> Nullable<Text>,
        changes -> Jsonb,
    }
}

diesel::table! {
    notification_deliveries (id) {
        id -> Uuid,
        notification_id -> Uuid,
        channel -> Text,
        status -> Text,
        attempts -> Int4,
        provider_message_id -> Nullable<Text>,
        last_error -> Nullable<Text>,
        scheduled_for -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    notification_preferences (user_id, category, channel) {
        user_id -> Uuid,
        category -> Text,
        channel -> Text,
        enabled -> Bool,
    }
}

diesel::table! {
    notification_quiet_hours (user_id) {
        user_id -> Uuid,
        starts -> Time,
        ends -> Time,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        recipient_id -> Uuid,
        category -> Text,
        template -> Text,
        title -> Text,
        body -> Text,
        data -> Jsonb,
        sender -> Nullable<Jsonb>,
        in_inbox -> Bool,
        read_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    push_devices (id) {
        id -> Uuid,
        user_id -> Uuid,
        token -> Text,
        platform -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        clerk_id -> Text,
        email -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        role -> Text,
        preferences -> Jsonb,
        is_active -> Bool,
        provider_updated_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (provider, message_id) {
        provider -> Text,
        message_id -> Text,
        event_type -> Text,
        received_at -> Timestamptz,
    }
}

diesel::joinable!(notification_deliveries -> notifications (notification_id));
diesel::joinable!(notification_preferences -> users (user_id));
diesel::joinable!(notification_quiet_hours -> users (user_id));
diesel::joinable!(notifications -> users (recipient_id));
diesel::joinable!(push_devices -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    notification_deliveries,
    notification_preferences,
    notification_quiet_hours,
    notifications,
    push_devices,
    users,
    webhook_deliveries,
);
