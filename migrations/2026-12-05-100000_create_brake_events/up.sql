-- What the brakes count (failed link look-ups, open-link starts, failed logins, per client address
-- or account), kept here so that the limits hold for the installation, whatever number of `serve`
-- processes runs. Rows older than a day are deleted by the background round (successful logins,
-- which make an address known to an account, after 90 days).
CREATE TABLE brake_events (
    kind text NOT NULL,
    key  text NOT NULL,
    at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX brake_events_idx ON brake_events (kind, key, at);
CREATE INDEX brake_events_at_idx ON brake_events (at);
