-- A wave's schedule: invitations when it opens and reminders under its policy, sent by `serve`
-- inside a sending window (hours on weekdays, Europe/Berlin). A wave without a row is sent by hand.
CREATE TABLE wave_schedules (
    wave_id            bigint PRIMARY KEY REFERENCES waves (id) ON DELETE CASCADE,
    invitations_auto   boolean NOT NULL DEFAULT false,
    reminders_auto     boolean NOT NULL DEFAULT false,
    last_reminder_days integer CHECK (last_reminder_days BETWEEN 1 AND 60),
    send_from_hour     integer NOT NULL DEFAULT 8 CHECK (send_from_hour BETWEEN 0 AND 23),
    send_to_hour       integer NOT NULL DEFAULT 18 CHECK (send_to_hour BETWEEN 1 AND 24),
    -- bit 0 Monday … bit 6 Sunday; 31 = Monday to Friday
    send_days          integer NOT NULL DEFAULT 31 CHECK (send_days BETWEEN 1 AND 127),
    paused_at          timestamptz,
    CHECK (send_to_hour > send_from_hour)
);

-- Every mailing that queued mails, by hand or by the schedule: the wave's history of what went out
-- when. The schedule's last reminder is a round of its own that runs once per wave (the unique
-- index decides it, whatever number of processes try).
CREATE TABLE mailing_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wave_id     bigint NOT NULL REFERENCES waves (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('invitation', 'reminder', 'last_reminder')),
    scheduled   boolean NOT NULL,
    actor       text NOT NULL,
    started_at  timestamptz NOT NULL,
    queued      integer NOT NULL CHECK (queued >= 0)
);
CREATE INDEX mailing_runs_wave_idx ON mailing_runs (wave_id, started_at);
CREATE UNIQUE INDEX mailing_runs_last_reminder_idx ON mailing_runs (wave_id) WHERE kind = 'last_reminder';
