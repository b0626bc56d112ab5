-- Every mail goes through the outbox: queued in the same transaction as whatever caused it, sent by
-- workers that claim one row at a time with FOR UPDATE SKIP LOCKED and mark it sent in that same
-- transaction. A sender that dies releases its row with its connection; nothing is lost, and the row
-- is sent by the next run. (sequence: 0 for the invitation, 1, 2, … for reminders.)
CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wave_id         bigint NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    participant_id  bigint NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    sequence        integer NOT NULL CHECK (sequence >= 0),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'skipped')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    queued_at       timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (participant_id, kind, sequence),
    CHECK ((kind = 'invitation') = (sequence = 0))
);
-- The claim reads this index in order and stops at the first row it can lock: no sort, no join of the queue.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (wave_id, kind, next_attempt_at, id) WHERE status = 'queued';
