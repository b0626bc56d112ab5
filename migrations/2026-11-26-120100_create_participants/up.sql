-- A participant: one contact invited to one wave for one region. Land and attributes are recorded per
-- participant (a region spanning two Länder answers for the Land it was invited for).
-- The database never holds a usable token: only the SHA-256 of the token, which is derived from the
-- installation's secret key, the participant's id and token_generation (renewing a link increments it).
CREATE TABLE participants (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wave_id          bigint NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    region_id        bigint NOT NULL REFERENCES regions (id),
    land_code        text NOT NULL REFERENCES laender (code),
    attributes       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    token_generation integer NOT NULL DEFAULT 1 CHECK (token_generation >= 1),
    token_sha256     bytea UNIQUE CHECK (length(token_sha256) = 32),
    revoked_at       timestamptz,
    opted_out_at     timestamptz,
    submitted_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX participants_wave_id_idx ON participants (wave_id);

-- Names and addresses are kept apart from everything else, so `wave purge-contacts` can drop them after
-- the field period without touching answers.
CREATE TABLE contacts (
    participant_id bigint PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    wave_id        bigint NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    email          text NOT NULL CHECK (position('@' in email) > 1),
    name           text
);
CREATE UNIQUE INDEX contacts_wave_email_key ON contacts (wave_id, lower(email));
