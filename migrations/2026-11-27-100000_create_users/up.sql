-- Staff accounts: admins run waves, the Länderbeirat (board) reads reports, a Land coordinator reads
-- reports and sees which regions of their own Land have answered.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    role          text NOT NULL CHECK (role IN ('admin', 'board', 'coordinator')),
    land_code     text REFERENCES laender (code),
    -- argon2id in PHC string form; NULL until the person sets a password through their link.
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz,
    CHECK ((role = 'coordinator') = (land_code IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_idx ON users (email);

-- Logged-in sessions: only the SHA-256 of the cookie's random value is stored, so sessions survive a
-- restart and any number of `serve` processes share them.
CREATE TABLE staff_sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_sessions_user_idx ON staff_sessions (user_id);

-- One-time links to set a first password or a new one (SHA-256 of the token only).
CREATE TABLE password_tokens (
    token_sha256  bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose       text NOT NULL CHECK (purpose IN ('set', 'reset')),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX password_tokens_user_idx ON password_tokens (user_id);

-- Who did what and when: logins, imports, mailings, exports, role changes, reopened responses.
-- `actor` keeps the address as it was, so entries stay readable after an account is removed.
CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    user_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    subject   text NOT NULL DEFAULT '',
    details   text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
