// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "cube"))]
    pub struct Cube;

    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_sha256 -> Bytea,
        scopes -> Array<Text>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        rotated_from -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        last_used_from -> Nullable<Text>,
    }
}

diesel::table! {
    appointment_records (appointment_id, record_id) {
        appointment_id -> Uuid,
        record_id -> Uuid,
    }
}

diesel::table! {
    appointment_series (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        pet_id -> Uuid,
        interval_weeks -> Int4,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    appointments (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        service_id -> Uuid,
        vet_id -> Uuid,
        pet_id -> Uuid,
        owner_id -> Uuid,
        booked_by -> Nullable<Uuid>,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        blocks -> Tstzrange,
        room_id -> Nullable<Uuid>,
        room_place -> Nullable<Int4>,
        status -> Text,
        overbooked -> Bool,
        notes -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        series_id -> Nullable<Uuid>,
        reminders_sent -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

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
    campaign_recipients (campaign_id, user_id) {
        campaign_id -> Uuid,
        user_id -> Uuid,
        batch -> Int4,
        notification_id -> Nullable<Uuid>,
        sent_at -> Nullable<Timestamptz>,
        unsubscribed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        name -> Text,
        subject -> Text,
        body -> Text,
        audience -> Jsonb,
        status -> Text,
        send_at -> Nullable<Timestamptz>,
        audience_size -> Nullable<Int4>,
        without_consent -> Nullable<Int4>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    chat_conversations (id) {
        id -> Uuid,
        kind -> Text,
        clinic_id -> Nullable<Uuid>,
        owner_id -> Uuid,
        pet_id -> Nullable<Uuid>,
        appointment_id -> Nullable<Uuid>,
        subject -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        archived_at -> Nullable<Timestamptz>,
        last_activity_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    chat_message_keys (conversation_id, sender_id, client_message_id) {
        conversation_id -> Uuid,
        sender_id -> Uuid,
        client_message_id -> Uuid,
        message_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    chat_messages (id, created_at) {
        id -> Uuid,
        conversation_id -> Uuid,
        sender_id -> Nullable<Uuid>,
        sender_role -> Text,
        body -> Text,
        attachment_id -> Nullable<Uuid>,
        generated_by -> Nullable<Text>,
        model -> Nullable<Text>,
        triage -> Nullable<Jsonb>,
        reply_to_id -> Nullable<Uuid>,
        edited_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    chat_participants (conversation_id, user_id) {
        conversation_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        last_read_id -> Nullable<Uuid>,
        last_read_at -> Nullable<Timestamptz>,
        notified_at -> Nullable<Timestamptz>,
        joined_at -> Timestamptz,
    }
}

diesel::table! {
    clinic_hours_exceptions (id) {
        id -> Int8,
        clinic_id -> Uuid,
        on_date -> Date,
        opens -> Nullable<Time>,
        closes -> Nullable<Time>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    clinic_invitations (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        email -> Text,
        role -> Text,
        invited_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    clinic_memberships (clinic_id, user_id) {
        clinic_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    clinic_opening_hours (clinic_id, weekday, opens) {
        clinic_id -> Uuid,
        weekday -> Int2,
        opens -> Time,
        closes -> Time,
    }
}

diesel::table! {
    clinic_rooms (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        name -> Text,
        capacity -> Int4,
    }
}

diesel::table! {
    clinic_service_rooms (service_id, room_id) {
        service_id -> Uuid,
        room_id -> Uuid,
    }
}

diesel::table! {
    clinic_service_staff (service_id, user_id) {
        service_id -> Uuid,
        user_id -> Uuid,
    }
}

diesel::table! {
    clinic_services (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        kind -> Text,
        name -> Text,
        duration_minutes -> Int4,
        buffer_before_minutes -> Int4,
        buffer_after_minutes -> Int4,
        price -> Numeric,
        currency -> Text,
        species -> Array<Text>,
        bookable_online -> Bool,
        allows_overbooking -> Bool,
        is_active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    clinic_visits (clinic_id, owner_id) {
        clinic_id -> Uuid,
        owner_id -> Uuid,
        last_visit_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Cube;

    clinics (id) {
        id -> Uuid,
        name -> Text,
        description -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        address_line1 -> Text,
        address_line2 -> Nullable<Text>,
        city -> Text,
        region -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country -> Text,
        latitude -> Float8,
        longitude -> Float8,
        location -> Nullable<Cube>,
        time_zone -> Text,
        currency -> Text,
        emergency_capable -> Bool,
        open_24_7 -> Bool,
        cancellation_notice_hours -> Int4,
        emergency_status -> Text,
        emergency_note -> Nullable<Text>,
        emergency_status_at -> Nullable<Timestamptz>,
        rating_count -> Int4,
        rating_sum -> Int4,
        rating_distribution -> Array<Int4>,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        photo_id -> Nullable<Uuid>,
        rating_verified_count -> Int4,
        refuse_unverified_reviews -> Bool,
    }
}

diesel::table! {
    commerce_autoships (id) {
        id -> Uuid,
        owner_id -> Uuid,
        clinic_id -> Uuid,
        pet_id -> Uuid,
        product_id -> Uuid,
        quantity -> Int4,
        every_days -> Int4,
        next_on -> Date,
        fulfilment -> Text,
        shipping_address -> Nullable<Jsonb>,
        status -> Text,
        stop_reason -> Nullable<Text>,
        shipments -> Int4,
        last_order_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_cart_lines (owner_id, product_id) {
        owner_id -> Uuid,
        product_id -> Uuid,
        clinic_id -> Uuid,
        pet_id -> Nullable<Uuid>,
        quantity -> Int4,
        unit_price -> Numeric,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_categories (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_invoice_counters (clinic_id) {
        clinic_id -> Uuid,
        last_number -> Int4,
    }
}

diesel::table! {
    commerce_invoice_lines (id) {
        id -> Uuid,
        invoice_id -> Uuid,
        description -> Text,
        quantity -> Int4,
        unit_price -> Numeric,
        tax_rate -> Numeric,
        net -> Numeric,
        tax -> Numeric,
    }
}

diesel::table! {
    commerce_invoices (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        order_id -> Nullable<Uuid>,
        appointment_id -> Nullable<Uuid>,
        kind -> Text,
        credits_id -> Nullable<Uuid>,
        status -> Text,
        number -> Nullable<Int4>,
        currency -> Text,
        subtotal -> Numeric,
        tax_total -> Numeric,
        total -> Numeric,
        note -> Nullable<Text>,
        issued_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        media_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    commerce_order_lines (id) {
        id -> Uuid,
        order_id -> Uuid,
        product_id -> Nullable<Uuid>,
        pet_id -> Nullable<Uuid>,
        prescription_id -> Nullable<Uuid>,
        sku -> Text,
        name -> Text,
        quantity -> Int4,
        unit_price -> Numeric,
        tax_rate -> Numeric,
        net -> Numeric,
        tax -> Numeric,
        reserved -> Bool,
        returned -> Int4,
    }
}

diesel::table! {
    commerce_orders (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        status -> Text,
        currency -> Text,
        subtotal -> Numeric,
        tax_total -> Numeric,
        total -> Numeric,
        fulfilment -> Text,
        shipping_address -> Nullable<Jsonb>,
        tracking_number -> Nullable<Text>,
        note -> Nullable<Text>,
        pay_by -> Timestamptz,
        paid_at -> Nullable<Timestamptz>,
        fulfilled_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        cancel_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_payment_events (provider, event_id) {
        provider -> Text,
        event_id -> Text,
        event_type -> Text,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_payments (id) {
        id -> Uuid,
        order_id -> Uuid,
        provider -> Text,
        reference -> Nullable<Text>,
        status -> Text,
        amount -> Numeric,
        currency -> Text,
        captured -> Numeric,
        refunded -> Numeric,
        method -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_plan_charges (order_id) {
        order_id -> Uuid,
        enrollment_id -> Uuid,
        plan_id -> Uuid,
        period_index -> Int4,
        kind -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_plan_enrollments (id) {
        id -> Uuid,
        plan_id -> Uuid,
        clinic_id -> Uuid,
        pet_id -> Uuid,
        owner_id -> Nullable<Uuid>,
        status -> Text,
        started_on -> Date,
        period_index -> Int4,
        period_start -> Date,
        period_end -> Date,
        cancel_at_period_end -> Bool,
        next_plan_id -> Nullable<Uuid>,
        grace_until -> Nullable<Date>,
        failed_attempts -> Int4,
        next_retry_on -> Nullable<Date>,
        card_customer -> Nullable<Text>,
        card_payment_method -> Nullable<Text>,
        ended_on -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_plan_services (plan_id, service_id) {
        plan_id -> Uuid,
        service_id -> Uuid,
        per_period -> Int4,
    }
}

diesel::table! {
    commerce_plan_usage (appointment_id) {
        appointment_id -> Uuid,
        enrollment_id -> Uuid,
        period_index -> Int4,
        service_id -> Uuid,
        used_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_plans (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        species -> Text,
        name -> Text,
        description -> Text,
        billing_period -> Text,
        price -> Numeric,
        enrollment_fee -> Numeric,
        discount_percent -> Int4,
        minimum_periods -> Int4,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    commerce_products (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        category_id -> Nullable<Uuid>,
        sku -> Text,
        name -> Text,
        description -> Text,
        species -> Array<Text>,
        price -> Numeric,
        tax_class -> Text,
        prescription_required -> Bool,
        drug -> Nullable<Text>,
        track_stock -> Bool,
        stock_quantity -> Int4,
        low_stock_threshold -> Int4,
        image_id -> Nullable<Uuid>,
        is_active -> Bool,
        search -> Nullable<Tsvector>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_refunds (id) {
        id -> Uuid,
        payment_id -> Uuid,
        amount -> Numeric,
        reason -> Nullable<Text>,
        reference -> Nullable<Text>,
        restocked -> Jsonb,
        requested_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_sales_reports (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        requested_by -> Nullable<Uuid>,
        from_date -> Date,
        to_date -> Date,
        status -> Text,
        media_id -> Nullable<Uuid>,
        requested_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    commerce_stock_movements (id) {
        id -> Uuid,
        product_id -> Uuid,
        change -> Int4,
        quantity_after -> Int4,
        reason -> Text,
        note -> Nullable<Text>,
        order_id -> Nullable<Uuid>,
        actor_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    commerce_tax_rates (clinic_id, tax_class) {
        clinic_id -> Uuid,
        tax_class -> Text,
        rate -> Numeric,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Cube;

    emergency_cases (id) {
        id -> Uuid,
        pet_id -> Uuid,
        owner_id -> Uuid,
        created_by -> Nullable<Uuid>,
        latitude -> Float8,
        longitude -> Float8,
        location -> Nullable<Cube>,
        description -> Text,
        triage -> Jsonb,
        triage_level -> Int2,
        photo_id -> Nullable<Uuid>,
        status -> Text,
        search_radius_km -> Float8,
        round -> Int4,
        accepted_vet_id -> Nullable<Uuid>,
        accepted_clinic_id -> Nullable<Uuid>,
        accepted_at -> Nullable<Timestamptz>,
        conversation_id -> Nullable<Uuid>,
        outcome -> Nullable<Text>,
        fallback -> Nullable<Jsonb>,
        closed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    emergency_offers (id) {
        id -> Uuid,
        case_id -> Uuid,
        vet_id -> Uuid,
        clinic_id -> Uuid,
        round -> Int4,
        distance_km -> Float8,
        status -> Text,
        decline_reason -> Nullable<Text>,
        offered_at -> Timestamptz,
        expires_at -> Timestamptz,
        answered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Cube;

    emergency_on_call (id) {
        id -> Uuid,
        vet_id -> Uuid,
        clinic_id -> Uuid,
        kind -> Text,
        period -> Tstzrange,
        latitude -> Float8,
        longitude -> Float8,
        location -> Nullable<Cube>,
        radius_km -> Float8,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    health_record_addenda (id) {
        id -> Uuid,
        record_id -> Uuid,
        author_id -> Nullable<Uuid>,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    health_record_attachments (record_id, media_id) {
        record_id -> Uuid,
        media_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    health_records (id) {
        id -> Uuid,
        pet_id -> Uuid,
        kind -> Text,
        record_date -> Date,
        title -> Text,
        details -> Jsonb,
        staff_note -> Nullable<Text>,
        author_id -> Nullable<Uuid>,
        clinic_id -> Nullable<Uuid>,
        next_due -> Nullable<Date>,
        next_due_suggested -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        fingerprint -> Text,
        status -> Nullable<Int2>,
        body -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    media (id) {
        id -> Uuid,
        uploader_id -> Uuid,
        purpose -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        file_name -> Text,
        upload_key -> Nullable<Text>,
        storage_key -> Nullable<Text>,
        status -> Text,
        failure -> Nullable<Text>,
        width -> Nullable<Int4>,
        height -> Nullable<Int4>,
        owner_type -> Nullable<Text>,
        owner_id -> Nullable<Uuid>,
        attached_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    media_variants (media_id, name) {
        media_id -> Uuid,
        name -> Text,
        content_type -> Text,
        storage_key -> Text,
        width -> Int4,
        height -> Int4,
        size_bytes -> Int8,
    }
}

diesel::table! {
    notification_attachments (id) {
        id -> Uuid,
        notification_id -> Uuid,
        file_name -> Text,
        content_type -> Text,
        content -> Bytea,
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
    outbound_webhook_attempts (id) {
        id -> Int8,
        endpoint_id -> Uuid,
        event_id -> Uuid,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        error -> Nullable<Text>,
        duration_ms -> Int4,
    }
}

diesel::table! {
    outbound_webhook_deliveries (endpoint_id, event_id) {
        endpoint_id -> Uuid,
        event_id -> Uuid,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Int4,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    outbound_webhooks (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        url -> Text,
        description -> Text,
        events -> Array<Text>,
        secret -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        failures_in_a_row -> Int4,
        disabled_at -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
    }
}

diesel::table! {
    personal_data_exports (id) {
        id -> Uuid,
        user_id -> Uuid,
        status -> Text,
        media_id -> Nullable<Uuid>,
        requested_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    pet_care (pet_id, clinic_id) {
        pet_id -> Uuid,
        clinic_id -> Uuid,
        source -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    pet_co_owners (pet_id, user_id) {
        pet_id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    pet_invitations (id) {
        id -> Uuid,
        pet_id -> Uuid,
        user_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        invited_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    pet_reminders (id) {
        id -> Uuid,
        pet_id -> Uuid,
        record_id -> Uuid,
        kind -> Text,
        subject -> Text,
        due_on -> Date,
        status -> Text,
        snoozed_until -> Nullable<Timestamptz>,
        last_sent_at -> Nullable<Timestamptz>,
        sent_stages -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    pet_weights (id) {
        id -> Uuid,
        pet_id -> Uuid,
        measured_at -> Timestamptz,
        weight_kg -> Numeric,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    pets (id) {
        id -> Uuid,
        primary_owner_id -> Uuid,
        name -> Text,
        species -> Text,
        breed -> Nullable<Text>,
        sex -> Text,
        neuter_status -> Text,
        birth_date -> Nullable<Date>,
        birth_date_estimated -> Bool,
        colour -> Nullable<Text>,
        microchip -> Nullable<Text>,
        insurance_reference -> Nullable<Text>,
        alerts -> Jsonb,
        medical_notes -> Text,
        deceased_on -> Nullable<Date>,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        photo_id -> Nullable<Uuid>,
        current_weight_kg -> Nullable<Numeric>,
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
    reviews (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        vet_id -> Nullable<Uuid>,
        author_id -> Uuid,
        rating -> Int2,
        body -> Text,
        response -> Nullable<Text>,
        responded_at -> Nullable<Timestamptz>,
        flagged -> Bool,
        flag_reason -> Nullable<Text>,
        hidden -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        verified_visit -> Bool,
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
        email_verified -> Bool,
        provider_blocked -> Bool,
        role_set_locally_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    vet_time_off (id) {
        id -> Uuid,
        vet_id -> Uuid,
        period -> Tstzrange,
        reason -> Nullable<Text>,
        clinic_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    vet_working_hours (vet_id, clinic_id, weekday, starts) {
        vet_id -> Uuid,
        clinic_id -> Uuid,
        weekday -> Int2,
        starts -> Time,
        ends -> Time,
    }
}

diesel::table! {
    vets (user_id) {
        user_id -> Uuid,
        display_name -> Text,
        bio -> Text,
        license_number -> Nullable<Text>,
        license_region -> Nullable<Text>,
        specialties -> Array<Text>,
        languages -> Array<Text>,
        on_call -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        photo_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    waitlist_entries (id) {
        id -> Uuid,
        clinic_id -> Uuid,
        service_id -> Uuid,
        vet_id -> Nullable<Uuid>,
        pet_id -> Uuid,
        owner_id -> Uuid,
        period -> Tstzrange,
        status -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    waitlist_offers (id) {
        id -> Uuid,
        entry_id -> Uuid,
        vet_id -> Uuid,
        starts_at -> Timestamptz,
        expires_at -> Timestamptz,
        status -> Text,
        created_at -> Timestamptz,
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

diesel::joinable!(api_keys -> clinics (clinic_id));
diesel::joinable!(appointment_records -> appointments (appointment_id));
diesel::joinable!(appointment_records -> health_records (record_id));
diesel::joinable!(appointment_series -> clinics (clinic_id));
diesel::joinable!(appointment_series -> pets (pet_id));
diesel::joinable!(appointment_series -> users (created_by));
diesel::joinable!(appointments -> appointment_series (series_id));
diesel::joinable!(appointments -> clinic_rooms (room_id));
diesel::joinable!(appointments -> clinic_services (service_id));
diesel::joinable!(appointments -> clinics (clinic_id));
diesel::joinable!(appointments -> pets (pet_id));
diesel::joinable!(campaign_recipients -> campaigns (campaign_id));
diesel::joinable!(campaign_recipients -> users (user_id));
diesel::joinable!(campaigns -> clinics (clinic_id));
diesel::joinable!(campaigns -> users (created_by));
diesel::joinable!(chat_conversations -> appointments (appointment_id));
diesel::joinable!(chat_conversations -> clinics (clinic_id));
diesel::joinable!(chat_conversations -> pets (pet_id));
diesel::joinable!(chat_message_keys -> chat_conversations (conversation_id));
diesel::joinable!(chat_message_keys -> users (sender_id));
diesel::joinable!(chat_messages -> chat_conversations (conversation_id));
diesel::joinable!(chat_messages -> media (attachment_id));
diesel::joinable!(chat_messages -> users (sender_id));
diesel::joinable!(chat_participants -> chat_conversations (conversation_id));
diesel::joinable!(chat_participants -> users (user_id));
diesel::joinable!(clinic_hours_exceptions -> clinics (clinic_id));
diesel::joinable!(clinic_invitations -> clinics (clinic_id));
diesel::joinable!(clinic_invitations -> users (invited_by));
diesel::joinable!(clinic_memberships -> clinics (clinic_id));
diesel::joinable!(clinic_memberships -> users (user_id));
diesel::joinable!(clinic_opening_hours -> clinics (clinic_id));
diesel::joinable!(clinic_rooms -> clinics (clinic_id));
diesel::joinable!(clinic_service_rooms -> clinic_rooms (room_id));
diesel::joinable!(clinic_service_rooms -> clinic_services (service_id));
diesel::joinable!(clinic_service_staff -> clinic_services (service_id));
diesel::joinable!(clinic_service_staff -> users (user_id));
diesel::joinable!(clinic_services -> clinics (clinic_id));
diesel::joinable!(clinic_visits -> clinics (clinic_id));
diesel::joinable!(clinic_visits -> users (owner_id));
diesel::joinable!(clinics -> media (photo_id));
diesel::joinable!(commerce_autoships -> clinics (clinic_id));
diesel::joinable!(commerce_autoships -> commerce_orders (last_order_id));
diesel::joinable!(commerce_autoships -> commerce_products (product_id));
diesel::joinable!(commerce_autoships -> pets (pet_id));
diesel::joinable!(commerce_autoships -> users (owner_id));
diesel::joinable!(commerce_cart_lines -> clinics (clinic_id));
diesel::joinable!(commerce_cart_lines -> commerce_products (product_id));
diesel::joinable!(commerce_cart_lines -> pets (pet_id));
diesel::joinable!(commerce_cart_lines -> users (owner_id));
diesel::joinable!(commerce_invoice_counters -> clinics (clinic_id));
diesel::joinable!(commerce_invoice_lines -> commerce_invoices (invoice_id));
diesel::joinable!(commerce_invoices -> appointments (appointment_id));
diesel::joinable!(commerce_invoices -> clinics (clinic_id));
diesel::joinable!(commerce_invoices -> commerce_orders (order_id));
diesel::joinable!(commerce_invoices -> media (media_id));
diesel::joinable!(commerce_invoices -> users (owner_id));
diesel::joinable!(commerce_order_lines -> commerce_orders (order_id));
diesel::joinable!(commerce_order_lines -> commerce_products (product_id));
diesel::joinable!(commerce_order_lines -> health_records (prescription_id));
diesel::joinable!(commerce_order_lines -> pets (pet_id));
diesel::joinable!(commerce_orders -> clinics (clinic_id));
diesel::joinable!(commerce_orders -> users (owner_id));
diesel::joinable!(commerce_payments -> commerce_orders (order_id));
diesel::joinable!(commerce_payments -> users (recorded_by));
diesel::joinable!(commerce_plan_charges -> commerce_orders (order_id));
diesel::joinable!(commerce_plan_charges -> commerce_plan_enrollments (enrollment_id));
diesel::joinable!(commerce_plan_charges -> commerce_plans (plan_id));
diesel::joinable!(commerce_plan_enrollments -> clinics (clinic_id));
diesel::joinable!(commerce_plan_enrollments -> pets (pet_id));
diesel::joinable!(commerce_plan_enrollments -> users (owner_id));
diesel::joinable!(commerce_plan_services -> clinic_services (service_id));
diesel::joinable!(commerce_plan_services -> commerce_plans (plan_id));
diesel::joinable!(commerce_plan_usage -> appointments (appointment_id));
diesel::joinable!(commerce_plan_usage -> clinic_services (service_id));
diesel::joinable!(commerce_plan_usage -> commerce_plan_enrollments (enrollment_id));
diesel::joinable!(commerce_plans -> clinics (clinic_id));
diesel::joinable!(commerce_products -> clinics (clinic_id));
diesel::joinable!(commerce_products -> commerce_categories (category_id));
diesel::joinable!(commerce_products -> media (image_id));
diesel::joinable!(commerce_refunds -> commerce_payments (payment_id));
diesel::joinable!(commerce_refunds -> users (requested_by));
diesel::joinable!(commerce_sales_reports -> clinics (clinic_id));
diesel::joinable!(commerce_sales_reports -> media (media_id));
diesel::joinable!(commerce_sales_reports -> users (requested_by));
diesel::joinable!(commerce_stock_movements -> commerce_orders (order_id));
diesel::joinable!(commerce_stock_movements -> commerce_products (product_id));
diesel::joinable!(commerce_stock_movements -> users (actor_id));
diesel::joinable!(commerce_tax_rates -> clinics (clinic_id));
diesel::joinable!(emergency_cases -> chat_conversations (conversation_id));
diesel::joinable!(emergency_cases -> clinics (accepted_clinic_id));
diesel::joinable!(emergency_cases -> media (photo_id));
diesel::joinable!(emergency_cases -> pets (pet_id));
diesel::joinable!(emergency_offers -> clinics (clinic_id));
diesel::joinable!(emergency_offers -> emergency_cases (case_id));
diesel::joinable!(emergency_offers -> users (vet_id));
diesel::joinable!(emergency_on_call -> clinics (clinic_id));
diesel::joinable!(health_record_addenda -> health_records (record_id));
diesel::joinable!(health_record_addenda -> users (author_id));
diesel::joinable!(health_record_attachments -> health_records (record_id));
diesel::joinable!(health_record_attachments -> media (media_id));
diesel::joinable!(health_records -> clinics (clinic_id));
diesel::joinable!(health_records -> pets (pet_id));
diesel::joinable!(health_records -> users (author_id));
diesel::joinable!(idempotency_keys -> users (user_id));
diesel::joinable!(media -> users (uploader_id));
diesel::joinable!(media_variants -> media (media_id));
diesel::joinable!(notification_attachments -> notifications (notification_id));
diesel::joinable!(notification_deliveries -> notifications (notification_id));
diesel::joinable!(notification_preferences -> users (user_id));
diesel::joinable!(notification_quiet_hours -> users (user_id));
diesel::joinable!(notifications -> users (recipient_id));
diesel::joinable!(outbound_webhook_deliveries -> outbound_webhooks (endpoint_id));
diesel::joinable!(outbound_webhooks -> clinics (clinic_id));
diesel::joinable!(outbound_webhooks -> users (created_by));
diesel::joinable!(personal_data_exports -> media (media_id));
diesel::joinable!(personal_data_exports -> users (user_id));
diesel::joinable!(pet_care -> clinics (clinic_id));
diesel::joinable!(pet_care -> pets (pet_id));
diesel::joinable!(pet_co_owners -> pets (pet_id));
diesel::joinable!(pet_co_owners -> users (user_id));
diesel::joinable!(pet_invitations -> pets (pet_id));
diesel::joinable!(pet_invitations -> users (invited_by));
diesel::joinable!(pet_reminders -> health_records (record_id));
diesel::joinable!(pet_reminders -> pets (pet_id));
diesel::joinable!(pet_weights -> pets (pet_id));
diesel::joinable!(pet_weights -> users (recorded_by));
diesel::joinable!(pets -> media (photo_id));
diesel::joinable!(pets -> users (primary_owner_id));
diesel::joinable!(push_devices -> users (user_id));
diesel::joinable!(reviews -> clinics (clinic_id));
diesel::joinable!(reviews -> users (author_id));
diesel::joinable!(reviews -> vets (vet_id));
diesel::joinable!(vet_time_off -> clinics (clinic_id));
diesel::joinable!(vet_time_off -> vets (vet_id));
diesel::joinable!(vet_working_hours -> clinics (clinic_id));
diesel::joinable!(vet_working_hours -> vets (vet_id));
diesel::joinable!(vets -> media (photo_id));
diesel::joinable!(vets -> users (user_id));
diesel::joinable!(waitlist_entries -> clinic_services (service_id));
diesel::joinable!(waitlist_entries -> clinics (clinic_id));
diesel::joinable!(waitlist_entries -> pets (pet_id));
diesel::joinable!(waitlist_offers -> users (vet_id));
diesel::joinable!(waitlist_offers -> waitlist_entries (entry_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    appointment_records,
    appointment_series,
    appointments,
    audit_log,
    campaign_recipients,
    campaigns,
    chat_conversations,
    chat_message_keys,
    chat_messages,
    chat_participants,
    clinic_hours_exceptions,
    clinic_invitations,
    clinic_memberships,
    clinic_opening_hours,
    clinic_rooms,
    clinic_service_rooms,
    clinic_service_staff,
    clinic_services,
    clinic_visits,
    clinics,
    commerce_autoships,
    commerce_cart_lines,
    commerce_categories,
    commerce_invoice_counters,
    commerce_invoice_lines,
    commerce_invoices,
    commerce_order_lines,
    commerce_orders,
    commerce_payment_events,
    commerce_payments,
    commerce_plan_charges,
    commerce_plan_enrollments,
    commerce_plan_services,
    commerce_plan_usage,
    commerce_plans,
    commerce_products,
    commerce_refunds,
    commerce_sales_reports,
    commerce_stock_movements,
    commerce_tax_rates,
    emergency_cases,
    emergency_offers,
    emergency_on_call,
    health_record_addenda,
    health_record_attachments,
    health_records,
    idempotency_keys,
    media,
    media_variants,
    notification_attachments,
    notification_deliveries,
    notification_preferences,
    notification_quiet_hours,
    notifications,
    outbound_webhook_attempts,
    outbound_webhook_deliveries,
    outbound_webhooks,
    personal_data_exports,
    pet_care,
    pet_co_owners,
    pet_invitations,
    pet_reminders,
    pet_weights,
    pets,
    push_devices,
    reviews,
    users,
    vet_time_off,
    vet_working_hours,
    vets,
    waitlist_entries,
    waitlist_offers,
    webhook_deliveries,
);
