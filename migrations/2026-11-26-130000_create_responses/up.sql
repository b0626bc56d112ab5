-- A response: one participant's (or one open-link session's) answers to one wave, draft until submitted.
-- Land and attributes are copied from the participant when the response starts (open-link responses
-- take the Land from their `land` question), so reports need no join to contacts or participants, and a
-- purge of contacts changes nothing here.
CREATE TABLE responses (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wave_id        bigint NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    participant_id bigint UNIQUE REFERENCES participants (id) ON DELETE CASCADE,
    session_sha256 bytea UNIQUE CHECK (length(session_sha256) = 32),
    land_code      text REFERENCES laender (code),
    attributes     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    consented_at   timestamptz,
    current_page   integer NOT NULL DEFAULT 0 CHECK (current_page >= 0),
    submitted_at   timestamptz,
    -- "Antworten ändern" after submitting: the questionnaire shows again, the response keeps counting
    -- as submitted (with the answers as they are now) and is submitted again with "Absenden".
    reopened_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((participant_id IS NULL) <> (session_sha256 IS NULL))
);
CREATE INDEX responses_submitted_idx ON responses (wave_id, land_code) WHERE submitted_at IS NOT NULL;

-- Answers as rows, one per chosen option (single, multiple, land), per matrix row, per number, text or
-- date. Saving a page replaces that page's rows in one transaction; aggregation per Land is a GROUP BY
-- over answers joined to the (small) responses table, without unpacking any JSON:
--   SELECT r.land_code, a.question_id, a.item_id, a.option_code, count(*) ...
-- item_id and option_code are '' where they do not apply, so they can be part of the primary key.
CREATE TABLE answers (
    response_id bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id text NOT NULL,
    item_id     text NOT NULL DEFAULT '',
    option_code text NOT NULL DEFAULT '',
    number      numeric,
    text_value  text,
    date_value  date,
    PRIMARY KEY (response_id, question_id, item_id, option_code)
);
