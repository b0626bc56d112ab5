// @generated automatically by Diesel CLI.

diesel::table! {
    api_keys (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        key_sha256 -> Bytea,
        created_at -> Timestamptz,
        created_by -> Text,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    answers (response_id, question_id, item_id, option_code) {
        response_id -> Int8,
        question_id -> Text,
        item_id -> Text,
        option_code -> Text,
        number -> Nullable<Numeric>,
        text_value -> Nullable<Text>,
        date_value -> Nullable<Date>,
    }
}

diesel::table! {
    answer_changes (response_id, question_id, item_id, option_code) {
        response_id -> Int8,
        question_id -> Text,
        item_id -> Text,
        option_code -> Text,
        number -> Nullable<Numeric>,
        text_value -> Nullable<Text>,
        date_value -> Nullable<Date>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        user_id -> Nullable<Int8>,
        actor -> Text,
        action -> Text,
        subject -> Text,
        details -> Text,
    }
}

diesel::table! {
    brake_events (kind, key, at) {
        kind -> Text,
        key -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    contacts (participant_id) {
        participant_id -> Int8,
        wave_id -> Int8,
        email -> Text,
        name -> Nullable<Text>,
    }
}

diesel::table! {
    laender (code) {
        code -> Text,
        name -> Text,
        position -> Int2,
    }
}

diesel::table! {
    mailing_runs (id) {
        id -> Int8,
        wave_id -> Int8,
        kind -> Text,
        scheduled -> Bool,
        actor -> Text,
        started_at -> Timestamptz,
        queued -> Int4,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Int8,
        wave_id -> Int8,
        participant_id -> Int8,
        kind -> Text,
        sequence -> Int4,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        queued_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    participants (id) {
        id -> Int8,
        wave_id -> Int8,
        region_id -> Int8,
        land_code -> Text,
        attributes -> Jsonb,
        token_generation -> Int4,
        token_sha256 -> Nullable<Bytea>,
        revoked_at -> Nullable<Timestamptz>,
        opted_out_at -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        first_visit_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    password_tokens (token_sha256) {
        token_sha256 -> Bytea,
        user_id -> Int8,
        purpose -> Text,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        id -> Int8,
    }
}

diesel::table! {
    regions (id) {
        id -> Int8,
        name -> Text,
        land_code -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    responses (id) {
        id -> Int8,
        wave_id -> Int8,
        participant_id -> Nullable<Int8>,
        session_sha256 -> Nullable<Bytea>,
        land_code -> Nullable<Text>,
        attributes -> Jsonb,
        consented_at -> Nullable<Timestamptz>,
        current_page -> Int4,
        submitted_at -> Nullable<Timestamptz>,
        reopened_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        stratum -> Text,
        is_test -> Bool,
    }
}

diesel::table! {
    staff_mails (id) {
        id -> Int8,
        user_id -> Int8,
        kind -> Text,
        password_token_id -> Int8,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    staff_sessions (id) {
        id -> Int8,
        token_sha256 -> Bytea,
        user_id -> Int8,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
    }
}

diesel::table! {
    survey_versions (id) {
        id -> Int8,
        survey_id -> Text,
        version -> Int4,
        title -> Text,
        definition -> Jsonb,
        content_sha256 -> Bytea,
        source_name -> Text,
        source_text -> Text,
        loaded_at -> Timestamptz,
    }
}

diesel::table! {
    surveys (id) {
        id -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        email -> Text,
        role -> Text,
        land_code -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        created_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    wave_schedules (wave_id) {
        wave_id -> Int8,
        invitations_auto -> Bool,
        reminders_auto -> Bool,
        last_reminder_days -> Nullable<Int4>,
        send_from_hour -> Int4,
        send_to_hour -> Int4,
        send_days -> Int4,
        paused_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    waves (id) {
        id -> Int8,
        slug -> Text,
        title -> Text,
        survey_version_id -> Int8,
        opens_at -> Nullable<Timestamptz>,
        closes_at -> Nullable<Timestamptz>,
        opened_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        suppress_below -> Int4,
        reminders_max -> Int4,
        reminder_interval_days -> Int4,
        mail_texts -> Jsonb,
        copied_from -> Nullable<Int8>,
        created_at -> Timestamptz,
        keep_answers_until -> Nullable<Date>,
    }
}

diesel::joinable!(answer_changes -> responses (response_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(answers -> responses (response_id));
diesel::joinable!(audit_log -> users (user_id));
diesel::joinable!(contacts -> participants (participant_id));
diesel::joinable!(contacts -> waves (wave_id));
diesel::joinable!(mailing_runs -> waves (wave_id));
diesel::joinable!(mail_outbox -> participants (participant_id));
diesel::joinable!(mail_outbox -> waves (wave_id));
diesel::joinable!(participants -> laender (land_code));
diesel::joinable!(participants -> regions (region_id));
diesel::joinable!(participants -> waves (wave_id));
diesel::joinable!(password_tokens -> users (user_id));
diesel::joinable!(regions -> laender (land_code));
diesel::joinable!(responses -> laender (land_code));
diesel::joinable!(responses -> participants (participant_id));
diesel::joinable!(responses -> waves (wave_id));
diesel::joinable!(staff_mails -> users (user_id));
diesel::joinable!(staff_sessions -> users (user_id));
diesel::joinable!(survey_versions -> surveys (survey_id));
diesel::joinable!(users -> laender (land_code));
diesel::joinable!(wave_schedules -> waves (wave_id));
diesel::joinable!(waves -> survey_versions (survey_version_id));

diesel::allow_tables_to_appear_in_same_query!(
    answer_changes,
    api_keys,
    answers,
    audit_log,
    brake_events,
    contacts,
    laender,
    mailing_runs,
    mail_outbox,
    participants,
    password_tokens,
    regions,
    responses,
    staff_mails,
    staff_sessions,
    survey_versions,
    surveys,
    users,
    wave_schedules,
    waves,
);
