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

diesel::allow_tables_to_appear_in_same_query!(audit_log, users, webhook_deliveries);
