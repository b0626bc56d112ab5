-- API keys for the JSON API under /api/v1/: each belongs to a staff account and acts with its
-- role. The key itself is shown once when it is made and stored only as its SHA-256 (a key is 32
-- random bytes, so a plain hash cannot be guessed back; argon2 would cost every API call ~50 ms).
CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    key_sha256   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
-- A key is named in the audit log by its name: no two live keys share one.
CREATE UNIQUE INDEX api_keys_live_name_idx ON api_keys (lower(name)) WHERE revoked_at IS NULL;
