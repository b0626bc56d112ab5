//! The mail outbox: mails are queued here and sent by workers that claim one row at a time.
//!
//! A worker claims a row with `FOR UPDATE SKIP LOCKED` inside a transaction, sends the mail and
//! records the outcome in the same transaction. If the worker dies, its connection closes, the lock
//! goes with it and the row is still `queued`: the next run sends it. Several senders (processes or
//! threads) never take the same row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz};

use super::schema::mail_outbox;
use crate::mail::templates::MailKind;

/// A claimed mail with everything needed to write it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    /// The outbox row.
    #[diesel(sql_type = BigInt)]
    pub outbox_id: i64,
    /// 0 for the invitation, 1, 2, … for reminders.
    #[diesel(sql_type = Integer)]
    pub sequence: i32,
    /// Earlier failed attempts.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// The participant.
    #[diesel(sql_type = BigInt)]
    pub participant_id: i64,
    /// The participant's link generation.
    #[diesel(sql_type = Integer)]
    pub token_generation: i32,
    /// The address (`None` when the contact was purged).
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    /// The contact's name.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    /// The region's name.
    #[diesel(sql_type = Text)]
    pub region: String,
    /// Why the mail must not go out any more, if so ("revoked", "opted out", "submitted").
    #[diesel(sql_type = Nullable<Text>)]
    pub skip_reason: Option<String>,
}

/// How a wave's mails of one kind stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Waiting to be sent (including those the server deferred).
    pub queued: i64,
    /// Sent.
    pub sent: i64,
    /// Refused for good, or given up.
    pub failed: i64,
    /// Not sent because the participant no longer should get it.
    pub skipped: i64,
}

/// Queues an invitation for every participant of the wave who has none yet (and whose link works),
/// due at `now`. The unique key (participant, kind, sequence) makes a second run, or a second
/// process, queue nobody twice.
pub fn queue_invitations(
    conn: &mut PgConnection,
    wave_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO mail_outbox (wave_id, participant_id, kind, sequence, next_attempt_at, queued_at)
         SELECT p.wave_id, p.id, 'invitation', 0, $2, $2
         FROM participants p JOIN contacts c ON c.participant_id = p.id
         WHERE p.wave_id = $1 AND p.revoked_at IS NULL
         ORDER BY p.id
         ON CONFLICT DO NOTHING",
    )
    .bind::<BigInt, _>(wave_id)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
}

/// Queues a reminder for every participant who was invited, has not submitted, has not opted out,
/// has had fewer than `max` reminders, and got the last mail at least `interval_days` calendar days
/// (Europe/Berlin) before `now`; due at `now`.
pub fn queue_reminders(
    conn: &mut PgConnection,
    wave_id: i64,
    max: i32,
    interval_days: i32,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        REMINDER_CANDIDATES
            .replace("{SELECT}", "p.wave_id, p.id, 'reminder', r.n + 1, $4, $4")
            .replace(
                "{PREFIX}",
                "INSERT INTO mail_outbox (wave_id, participant_id, kind, sequence, next_attempt_at, queued_at)",
            )
            + " ON CONFLICT DO NOTHING",
    )
    .bind::<BigInt, _>(wave_id)
    .bind::<Integer, _>(max)
    .bind::<Integer, _>(interval_days)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
}

/// Who would get a reminder now (for `remind --dry-run`): participant ids.
pub fn reminder_candidates(
    conn: &mut PgConnection,
    wave_id: i64,
    max: i32,
    interval_days: i32,
    now: DateTime<Utc>,
) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let rows: Vec<Id> = diesel::sql_query(
        REMINDER_CANDIDATES
            .replace("{SELECT}", "p.id")
            .replace("{PREFIX}", ""),
    )
    .bind::<BigInt, _>(wave_id)
    .bind::<Integer, _>(max)
    .bind::<Integer, _>(interval_days)
    .bind::<Timestamptz, _>(now)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Participants due a reminder: `$1` wave, `$2` most reminders, `$3` days between mails, `$4` now.
/// Reminders that failed count too: an address that bounced does not get more tries. Days are
/// calendar days in Europe/Berlin (as `schedule::reminder_day` counts them), so the mails of one
/// round, sent over some minutes, are due again on the same day.
const REMINDER_CANDIDATES: &str = "{PREFIX}
    SELECT {SELECT}
    FROM participants p
    JOIN contacts c ON c.participant_id = p.id
    JOIN mail_outbox inv ON inv.participant_id = p.id AND inv.kind = 'invitation' AND inv.status = 'sent'
    CROSS JOIN LATERAL (
        SELECT count(*)::int AS n, max(m.sent_at) AS last_sent
        FROM mail_outbox m WHERE m.participant_id = p.id AND m.kind = 'reminder'
    ) r
    WHERE p.wave_id = $1
      AND p.revoked_at IS NULL AND p.opted_out_at IS NULL AND p.submitted_at IS NULL
      AND r.n < $2
      AND (GREATEST(inv.sent_at, r.last_sent) AT TIME ZONE 'Europe/Berlin')::date + $3
          <= ($4 AT TIME ZONE 'Europe/Berlin')::date
      AND NOT EXISTS (SELECT 1 FROM mail_outbox q WHERE q.participant_id = p.id AND q.status = 'queued')";

/// A mailing round of a wave: the invitations, or the n-th reminders.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Round {
    /// `invitation` or `reminder`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// 0 for the invitation, n for the n-th reminder.
    #[diesel(sql_type = Integer)]
    pub sequence: i32,
    /// The day its first mail went out (Europe/Berlin).
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub day: chrono::NaiveDate,
    /// Mails of the round sent.
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
}

/// The mailing rounds of a wave that sent something, by their first day.
pub fn find_rounds(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<Round>> {
    diesel::sql_query(
        "SELECT kind, sequence, (min(sent_at) AT TIME ZONE 'Europe/Berlin')::date AS day, count(*) AS sent
         FROM mail_outbox WHERE wave_id = $1 AND status = 'sent'
         GROUP BY kind, sequence ORDER BY 3, kind, sequence",
    )
    .bind::<BigInt, _>(wave_id)
    .load(conn)
}

/// Where one participant's mails of a wave stand: what a mailing's preview explains skips with.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct MailState {
    /// The participant.
    #[diesel(sql_type = BigInt)]
    pub participant_id: i64,
    /// When the invitation went out (`None`: not sent).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub invited_at: Option<DateTime<Utc>>,
    /// Whether the participant has an invitation at all (queued, sent, failed or skipped).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub has_invitation: bool,
    /// Reminders queued or sent (failed ones too).
    #[diesel(sql_type = Integer)]
    pub reminders: i32,
    /// When the last reminder went out.
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_reminder_at: Option<DateTime<Utc>>,
    /// Whether a mail of theirs waits in the queue.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub queued: bool,
}

/// The mail state of every participant of a wave, by participant id.
pub fn find_mail_states(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<MailState>> {
    diesel::sql_query(
        "SELECT p.id AS participant_id,
                max(m.sent_at) FILTER (WHERE m.kind = 'invitation' AND m.status = 'sent') AS invited_at,
                count(m.id) FILTER (WHERE m.kind = 'invitation') > 0 AS has_invitation,
                (count(m.id) FILTER (WHERE m.kind = 'reminder'))::int AS reminders,
                max(m.sent_at) FILTER (WHERE m.kind = 'reminder') AS last_reminder_at,
                count(m.id) FILTER (WHERE m.status = 'queued') > 0 AS queued
         FROM participants p LEFT JOIN mail_outbox m ON m.participant_id = p.id
         WHERE p.wave_id = $1
         GROUP BY p.id
         ORDER BY p.id",
    )
    .bind::<BigInt, _>(wave_id)
    .load(conn)
}

/// Participant ids whose invitation would be queued now (for `invite --dry-run`).
pub fn invitation_candidates(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let rows: Vec<Id> = diesel::sql_query(
        "SELECT p.id FROM participants p JOIN contacts c ON c.participant_id = p.id
         WHERE p.wave_id = $1 AND p.revoked_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.participant_id = p.id AND m.kind = 'invitation' AND m.status <> 'queued')
         ORDER BY p.id",
    )
    .bind::<BigInt, _>(wave_id)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Claims the next due mail of a kind, locked until the caller's transaction ends; `None` when none is free.
pub fn claim_next(
    conn: &mut PgConnection,
    wave_id: i64,
    kind: MailKind,
    now: DateTime<Utc>,
) -> QueryResult<Option<Claimed>> {
    // Lock the outbox row alone first (an index range scan that stops at the first free row), then
    // join only that row: the cost of a claim does not grow with the queue.
    diesel::sql_query(
        "WITH claimed AS (
             SELECT id FROM mail_outbox
             WHERE wave_id = $1 AND kind = $2 AND status = 'queued' AND next_attempt_at <= $3
             ORDER BY next_attempt_at, id
             LIMIT 1
             FOR UPDATE SKIP LOCKED
         )
         SELECT m.id AS outbox_id, m.sequence, m.attempts, p.id AS participant_id, p.token_generation,
                c.email, c.name, r.name AS region,
                CASE WHEN w.closed_at <= $3 OR w.closes_at <= $3 THEN 'the wave has closed'
                     WHEN p.revoked_at IS NOT NULL THEN 'the link was revoked'
                     WHEN c.email IS NULL THEN 'the contact was purged'
                     WHEN m.kind = 'reminder' AND p.opted_out_at IS NOT NULL THEN 'the participant opted out'
                     WHEN m.kind = 'reminder' AND p.submitted_at IS NOT NULL THEN 'the participant has submitted'
                END AS skip_reason
         FROM claimed
         JOIN mail_outbox m ON m.id = claimed.id
         JOIN participants p ON p.id = m.participant_id
         JOIN waves w ON w.id = m.wave_id
         JOIN regions r ON r.id = p.region_id
         LEFT JOIN contacts c ON c.participant_id = p.id",
    )
    .bind::<BigInt, _>(wave_id)
    .bind::<Text, _>(kind.as_str())
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .optional()
}

/// The mail went out.
pub fn mark_sent(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq("sent"),
            mail_outbox::sent_at.eq(now),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        ))
        .execute(conn)
        .map(drop)
}

/// The server deferred the mail (4xx): try again at `next`.
pub fn mark_deferred(
    conn: &mut PgConnection,
    id: i64,
    next: DateTime<Utc>,
    error: &str,
) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::next_attempt_at.eq(next),
            mail_outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(drop)
}

/// The server could not be reached: the mail stays queued as it was, with the reason noted.
pub fn note_unreachable(conn: &mut PgConnection, id: i64, error: &str) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set(mail_outbox::last_error.eq(error))
        .execute(conn)
        .map(drop)
}

/// The mail was refused for good (5xx) or given up: it is not tried again.
pub fn mark_failed(conn: &mut PgConnection, id: i64, error: &str) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq("failed"),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(drop)
}

/// The mail must not go out any more (link revoked, opted out, submitted).
pub fn mark_skipped(conn: &mut PgConnection, id: i64, reason: &str) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::status.eq("skipped"),
            mail_outbox::last_error.eq(reason),
        ))
        .execute(conn)
        .map(drop)
}

/// A new run tries deferred mails at once rather than at their scheduled time.
pub fn make_queued_due(
    conn: &mut PgConnection,
    wave_id: i64,
    kind: MailKind,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::wave_id.eq(wave_id))
            .filter(mail_outbox::kind.eq(kind.as_str()))
            .filter(mail_outbox::status.eq("queued")),
    )
    .set(mail_outbox::next_attempt_at.eq(now))
    .execute(conn)
}

/// The earliest time a queued mail of this kind is due, if any is queued.
pub fn next_due(
    conn: &mut PgConnection,
    wave_id: i64,
    kind: MailKind,
) -> QueryResult<Option<DateTime<Utc>>> {
    mail_outbox::table
        .filter(mail_outbox::wave_id.eq(wave_id))
        .filter(mail_outbox::kind.eq(kind.as_str()))
        .filter(mail_outbox::status.eq("queued"))
        .select(diesel::dsl::min(mail_outbox::next_attempt_at))
        .first(conn)
}

/// How the wave's mails of a kind stand.
pub fn counts(conn: &mut PgConnection, wave_id: i64, kind: MailKind) -> QueryResult<Counts> {
    let rows: Vec<(String, i64)> = mail_outbox::table
        .filter(mail_outbox::wave_id.eq(wave_id))
        .filter(mail_outbox::kind.eq(kind.as_str()))
        .group_by(mail_outbox::status)
        .select((mail_outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts = Counts::default();
    for (status, n) in rows {
        match status.as_str() {
            "queued" => counts.queued = n,
            "sent" => counts.sent = n,
            "failed" => counts.failed = n,
            _ => counts.skipped = n,
        }
    }
    Ok(counts)
}

/// One participant's mails, oldest first: kind, sequence, status, attempts, last error, sent time.
pub type MailRecord = (
    String,
    i32,
    String,
    i32,
    Option<String>,
    Option<DateTime<Utc>>,
);

/// The mails of every participant of a wave: (participant id, mail), oldest first.
pub fn find_by_wave(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<(i64, MailRecord)>> {
    mail_outbox::table
        .filter(mail_outbox::wave_id.eq(wave_id))
        .order(mail_outbox::id)
        .select((
            mail_outbox::participant_id,
            (
                mail_outbox::kind,
                mail_outbox::sequence,
                mail_outbox::status,
                mail_outbox::attempts,
                mail_outbox::last_error,
                mail_outbox::sent_at,
            ),
        ))
        .load(conn)
}

/// A mailing that queued mails: by hand or by the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = super::schema::mailing_runs)]
pub struct Run {
    /// `invitation`, `reminder` or `last_reminder` (the schedule's last reminder).
    pub kind: String,
    /// Started by the schedule.
    pub scheduled: bool,
    /// Who started it, as the audit log names them.
    pub actor: String,
    /// When.
    pub started_at: DateTime<Utc>,
    /// Mails it queued.
    pub queued: i32,
}

/// Records a mailing. The schedule's last reminder can be recorded once per wave: a second
/// attempt (another process) returns `false` and must queue nothing.
pub fn record_run(conn: &mut PgConnection, wave_id: i64, run: &Run) -> QueryResult<bool> {
    use super::schema::mailing_runs as runs;
    diesel::insert_into(runs::table)
        .values((
            runs::wave_id.eq(wave_id),
            runs::kind.eq(&run.kind),
            runs::scheduled.eq(run.scheduled),
            runs::actor.eq(&run.actor),
            runs::started_at.eq(run.started_at),
            runs::queued.eq(run.queued),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}

/// Sets how many mails a run queued (the last reminder is recorded before it queues).
pub fn set_run_queued(
    conn: &mut PgConnection,
    wave_id: i64,
    kind: &str,
    queued: i32,
) -> QueryResult<()> {
    use super::schema::mailing_runs as runs;
    diesel::update(
        runs::table
            .filter(runs::wave_id.eq(wave_id))
            .filter(runs::kind.eq(kind)),
    )
    .set(runs::queued.eq(queued))
    .execute(conn)
    .map(drop)
}

/// The wave's mailings, oldest first.
pub fn find_runs(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<Run>> {
    use super::schema::mailing_runs as runs;
    runs::table
        .filter(runs::wave_id.eq(wave_id))
        .order((runs::started_at, runs::id))
        .select(Run::as_select())
        .load(conn)
}
