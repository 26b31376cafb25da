// One schema for both backends. Only types that mean the same on SQLite and PostgreSQL:
// `Text` ids, `BigInt` integers and money, `Timestamp` (UTC). No `Bool`: flags are
// nullable timestamps (`deactivated_at`), which also say when.

diesel::table! {
    /// One row: a number the triggers move whenever users, service accounts, teams or
    /// settings change (see the `directory_version` migration).
    directory_version (id) {
        id -> BigInt,
        value -> BigInt,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        name -> Text,
        parent_id -> Nullable<Text>,
        lead_id -> Nullable<Text>,
        market -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        role -> Text,
        team_id -> Nullable<Text>,
        password_hash -> Text,
        session_epoch -> BigInt,
        deactivated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_accounts (id) {
        id -> Text,
        name -> Text,
        client_id -> Text,
        secret_hash -> Text,
        scopes -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (caller_id, idem_key) {
        caller_id -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        status -> Nullable<BigInt>,
        response_body -> Nullable<Text>,
        response_etag -> Nullable<Text>,
        response_location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    leads (id) {
        id -> Text,
        company_name -> Text,
        contact_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        wechat_id -> Nullable<Text>,
        email -> Nullable<Text>,
        business_license_no -> Nullable<Text>,
        market -> Nullable<Text>,
        district -> Nullable<Text>,
        stall_no -> Nullable<Text>,
        location_lat -> Nullable<Double>,
        location_lng -> Nullable<Double>,
        product_categories -> Text,
        source -> Nullable<Text>,
        stage -> Text,
        lost_reason -> Nullable<Text>,
        owner_id -> Text,
        team_id -> Nullable<Text>,
        estimated_value -> Nullable<BigInt>,
        estimated_currency -> Nullable<Text>,
        notes -> Nullable<Text>,
        last_visit_at -> Nullable<Timestamp>,
        next_follow_up_at -> Nullable<Timestamp>,
        account_id -> Nullable<Text>,
        merged_into_id -> Nullable<Text>,
        archived_at -> Nullable<Timestamp>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    seller_accounts (id) {
        id -> Text,
        company_name -> Text,
        contact_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        wechat_id -> Nullable<Text>,
        business_license_no -> Nullable<Text>,
        market -> Nullable<Text>,
        district -> Nullable<Text>,
        stall_no -> Nullable<Text>,
        location_lat -> Nullable<Double>,
        location_lng -> Nullable<Double>,
        lead_id -> Nullable<Text>,
        owner_id -> Text,
        team_id -> Nullable<Text>,
        membership_tier -> Text,
        status -> Text,
        contract_start -> Date,
        contract_end -> Date,
        contract_value -> BigInt,
        contract_currency -> Text,
        signed_at -> Timestamp,
        signed_business_date -> Text,
        churn_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    renewals (id) {
        id -> Text,
        account_id -> Text,
        owner_id -> Text,
        team_id -> Nullable<Text>,
        actor_id -> Text,
        contract_months -> BigInt,
        contract_value -> BigInt,
        contract_currency -> Text,
        previous_end -> Date,
        new_end -> Date,
        renewed_at -> Timestamp,
        business_date -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        entity_type -> Text,
        entity_id -> Text,
        action -> Text,
        actor_id -> Text,
        changes -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    visits (id) {
        id -> Text,
        rep_id -> Text,
        team_id -> Nullable<Text>,
        lead_id -> Nullable<Text>,
        seller_account_id -> Nullable<Text>,
        visited_at -> Timestamp,
        business_date -> Text,
        received_at -> Timestamp,
        location_lat -> Nullable<Double>,
        location_lng -> Nullable<Double>,
        location_accuracy_m -> Nullable<Double>,
        location_check -> Text,
        market -> Nullable<Text>,
        district -> Nullable<Text>,
        stall_no -> Nullable<Text>,
        purpose -> Text,
        outcome -> Text,
        notes -> Nullable<Text>,
        next_follow_up_at -> Nullable<Timestamp>,
        duration_minutes -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        team_id -> Text,
        date -> Text,
        held_at -> Nullable<Timestamp>,
        location -> Nullable<Text>,
        agenda -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    meeting_attendance (meeting_id, user_id) {
        meeting_id -> Text,
        user_id -> Text,
        status -> Text,
        note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meeting_plans (meeting_id, user_id) {
        meeting_id -> Text,
        user_id -> Text,
        planned_visits -> BigInt,
        planned_signings -> BigInt,
        focus_market -> Nullable<Text>,
        notes -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    targets (id) {
        id -> Text,
        period -> Text,
        subject_type -> Text,
        subject_id -> Text,
        metric -> Text,
        value -> BigInt,
        team_id -> Nullable<Text>,
        set_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    seller_performance (seller_account_id, period) {
        seller_account_id -> Text,
        period -> Text,
        inquiries -> BigInt,
        orders -> BigInt,
        gmv -> BigInt,
        gmv_currency -> Text,
        active_listings -> BigInt,
        buyer_response_rate -> Double,
        last_seller_login_at -> Nullable<Timestamp>,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (key) {
        key -> Text,
        failures -> BigInt,
        window_start -> Timestamp,
    }
}

diesel::table! {
    /// The events outbox; `(txid, seq)` is the feed's order (see the migration).
    events (seq) {
        seq -> BigInt,
        txid -> BigInt,
        event_id -> Text,
        event_type -> Text,
        occurred_at -> Timestamp,
        actor_type -> Text,
        actor_id -> Text,
        record_type -> Text,
        record_id -> Text,
        team_id -> Nullable<Text>,
        data -> Text,
        changes -> Nullable<Text>,
    }
}

diesel::table! {
    target_achievements (subject_type, subject_id, period, metric) {
        subject_type -> Text,
        subject_id -> Text,
        period -> Text,
        metric -> Text,
        achieved_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        event_types -> Text,
        active -> BigInt,
        description -> Nullable<Text>,
        secret -> Text,
        created_by -> Text,
        creator_kind -> Text,
        failure_streak -> BigInt,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        payload -> Text,
        attempt -> BigInt,
        status -> Text,
        response_status -> Nullable<BigInt>,
        duration_ms -> Nullable<BigInt>,
        error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_delivery_attempts (delivery_id, attempt) {
        delivery_id -> Text,
        attempt -> BigInt,
        attempted_at -> Timestamp,
        response_status -> Nullable<BigInt>,
        duration_ms -> BigInt,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    job_cursors (name) {
        name -> Text,
        position -> Text,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(users -> teams (team_id));
diesel::joinable!(seller_performance -> seller_accounts (seller_account_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_delivery_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    teams,
    users,
    refresh_tokens,
    service_accounts,
    idempotency_keys,
    login_failures,
    leads,
    seller_accounts,
    renewals,
    audit_events,
    visits,
    meetings,
    meeting_attendance,
    meeting_plans,
    targets,
    seller_performance,
    events,
    target_achievements,
    webhooks,
    webhook_deliveries,
    webhook_delivery_attempts,
    job_cursors,
);
