-- A survey is identified by the stable id of its definition file.
CREATE TABLE surveys (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Each load of a changed definition is a new version; waves pin one, so answers stay tied to the
-- questions they answered. `definition` is the checked, resolved definition (the serde form of
-- `survey::Survey`); `content_sha256` is the hash of its canonical JSON, to detect unchanged loads.
CREATE TABLE survey_versions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id      text NOT NULL REFERENCES surveys (id),
    version        integer NOT NULL CHECK (version > 0),
    title          text NOT NULL,
    definition     jsonb NOT NULL,
    content_sha256 bytea NOT NULL CHECK (length(content_sha256) = 32),
    source_name    text NOT NULL,
    source_text    text NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (survey_id, version)
);
