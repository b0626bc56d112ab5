-- A wave: one run of one survey version to one audience in a time window.
-- Its state is derived, not stored: closed once closed_at or closes_at has passed, open once opened_at or
-- opens_at has passed, a draft before. So a wave opens and closes on its dates without anyone acting.
CREATE TABLE waves (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                   text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    title                  text NOT NULL CHECK (btrim(title) <> ''),
    survey_version_id      bigint NOT NULL REFERENCES survey_versions (id),
    opens_at               timestamptz,
    closes_at              timestamptz,
    opened_at              timestamptz,
    closed_at              timestamptz,
    suppress_below         integer NOT NULL DEFAULT 5 CHECK (suppress_below >= 1),
    reminders_max          integer NOT NULL DEFAULT 2 CHECK (reminders_max >= 0),
    reminder_interval_days integer NOT NULL DEFAULT 7 CHECK (reminder_interval_days >= 1),
    -- Per-wave replacements of the default mail texts: {"invitation_subject": …, "invitation_body": …,
    -- "reminder_subject": …, "reminder_body": …}, each optional.
    mail_texts             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(mail_texts) = 'object'),
    copied_from            bigint REFERENCES waves (id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at)
);
