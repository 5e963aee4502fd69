//! The Diesel schema, hand-written and shared by both backends (types both understand).

diesel::table! {
    sources (id) {
        id -> BigInt,
        ats_type -> Text,
        company_slug -> Text,
        declared_slug -> Text,
        name -> Nullable<Text>,
        region -> Text,
        enabled -> Bool,
        last_fetched_at -> Nullable<Timestamp>,
        last_success_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        failure_count -> Integer,
        empty_streak -> Integer,
        created_at -> Timestamp,
        uid_slug -> Nullable<Text>,
        jobs_seen_at -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        done_round -> BigInt,
    }
}

diesel::table! {
    jobs (job_uid) {
        job_uid -> Text,
        ats_type -> Text,
        company_slug -> Text,
        ats_job_id -> Text,
        title -> Text,
        company -> Nullable<Text>,
        location -> Nullable<Text>,
        department -> Nullable<Text>,
        team -> Nullable<Text>,
        employment_type -> Nullable<Text>,
        workplace_type -> Nullable<Text>,
        url -> Nullable<Text>,
        apply_url -> Nullable<Text>,
        description -> Text,
        salary_text -> Nullable<Text>,
        posted_at -> Nullable<Timestamp>,
        updated_at -> Nullable<Timestamp>,
        first_seen_at -> Timestamp,
        last_seen_at -> Timestamp,
        content_hash -> Text,
        changed_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        raw_json -> Text,
        raw_hash -> Nullable<Text>,
    }
}

diesel::table! {
    job_enrichment (job_uid) {
        job_uid -> Text,
        salary -> Nullable<Text>,
        enriched_at -> Timestamp,
        content_hash -> Nullable<Text>,
        analyzer_version -> Nullable<Integer>,
        analysis_json -> Nullable<Text>,
        llm_model -> Nullable<Text>,
        llm_content_hash -> Nullable<Text>,
        llm_json -> Nullable<Text>,
        llm_prompt_tokens -> Nullable<BigInt>,
        llm_completion_tokens -> Nullable<BigInt>,
        llm_enriched_at -> Nullable<Timestamp>,
        llm_error -> Nullable<Text>,
        summary -> Nullable<Text>,
        skills_json -> Nullable<Text>,
        pros -> Nullable<Text>,
        cons -> Nullable<Text>,
        llm_salary -> Nullable<Text>,
        outreach_target -> Nullable<Text>,
        llm_tokens -> Nullable<Integer>,
    }
}

diesel::table! {
    profiles (profile_key) {
        profile_key -> Text,
        cv_path -> Text,
        cv_sha256 -> Nullable<Text>,
        preferences_hash -> Text,
        analyzer_version -> Integer,
        profile_json -> Nullable<Text>,
        analyzed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    job_fit (job_uid, profile_key) {
        job_uid -> Text,
        profile_key -> Text,
        fit_score -> SmallInt,
        fit_class -> Text,
        penalty_flags -> Text,
        reasons_json -> Text,
        scorer_version -> Integer,
        input_hash -> Text,
        computed_at -> Timestamp,
        notion_page_id -> Nullable<Text>,
        notion_last_sync -> Nullable<Timestamp>,
        notion_last_error -> Nullable<Text>,
        notion_dismissed -> Bool,
        notion_closed -> Nullable<Bool>,
    }
}

diesel::table! {
    daily_counters (counter, day) {
        counter -> Text,
        day -> Date,
        used -> BigInt,
    }
}

diesel::table! {
    ingest_round (id) {
        id -> Integer,
        round -> BigInt,
        started_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(job_enrichment -> jobs (job_uid));
diesel::joinable!(job_fit -> jobs (job_uid));
diesel::allow_tables_to_appear_in_same_query!(
    sources,
    jobs,
    job_enrichment,
    daily_counters,
    profiles,
    job_fit
);
