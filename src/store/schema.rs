// @generated automatically by Diesel CLI.

diesel::table! {
    laender (code) {
        code -> Text,
        name -> Text,
        position -> Int2,
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

diesel::joinable!(regions -> laender (land_code));
diesel::joinable!(survey_versions -> surveys (survey_id));

diesel::allow_tables_to_appear_in_same_query!(laender, regions, survey_versions, surveys,);
