//! Background work of a `serve` process, each on a thread of its own:
//!
//! - the staff-mail worker sends the queued staff mails (new accounts' and forgotten passwords'
//!   links) through `app::accounts::send_staff_mails`; a page that queues one wakes it;
//! - the scheduler runs the waves' schedules through `app::schedule::tick` once a minute:
//!   invitations when a wave opens, reminders under its policy, inside the sending window; the
//!   same round deletes the brakes' old events.
//!
//! - the visit recorder writes the first openings of personal links ([`FirstVisits`]) in batches,
//!   so that a respondent's first page does not wait for a write.
//!
//! Any number of processes may run all three: staff mails and outbox rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, and the scheduler decides what is due from the database alone (see
//! `app::schedule`). Both end when the application's [`Wakeup`] is dropped (the server is gone).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::app::{accounts, schedule};
use crate::config::Settings;
use crate::store::PgPool;
use crate::text::Bilingual;
use crate::time::Clock;

/// How long the staff-mail worker sleeps when nobody wakes it.
const STAFF_MAIL_POLL: Duration = Duration::from_secs(30);

/// How often the scheduler looks for due work: a minute's granularity is enough for mails.
const SCHEDULE_POLL: Duration = Duration::from_secs(60);

/// How long the visit recorder sleeps when nobody wakes it (a page that notes a visit does).
const VISITS_POLL: Duration = Duration::from_secs(5);

/// At most this many first visits wait in memory while the database is away; beyond, the oldest
/// are dropped (they only feed the progress's "geöffnet").
const MAX_PENDING_VISITS: usize = 100_000;

/// First openings of personal links not yet recorded: the first page notes them here and wakes
/// the recorder, which writes whatever has gathered in one statement. Under load the marks of many
/// requests go in one write; the page itself never waits for one. A process that dies loses the
/// marks of its last moments, which only the progress's "geöffnet" count would have shown.
#[derive(Debug, Default)]
pub struct FirstVisits(Mutex<Vec<(i64, DateTime<Utc>)>>);

impl FirstVisits {
    /// Notes the first opening of participant `id`'s link at `at`.
    pub fn note(&self, id: i64, at: DateTime<Utc>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, at));
    }

    fn take(&self) -> Vec<(i64, DateTime<Utc>)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts marks back that could not be written (the newest kept when there are too many).
    fn put_back(&self, mut visits: Vec<(i64, DateTime<Utc>)>) {
        let mut pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
        visits.append(&mut pending);
        let excess = visits.len().saturating_sub(MAX_PENDING_VISITS);
        visits.drain(..excess);
        *pending = visits;
    }
}

/// Wakes a background worker before its next round, and counts the rounds it finished.
#[derive(Debug)]
pub struct Wakeup {
    woken: Mutex<bool>,
    signal: Condvar,
    poll: Duration,
    rounds: AtomicU64,
}

impl Wakeup {
    fn every(poll: Duration) -> Wakeup {
        Wakeup {
            woken: Mutex::new(false),
            signal: Condvar::new(),
            poll,
            rounds: AtomicU64::new(0),
        }
    }

    /// For the staff-mail worker.
    pub fn staff_mails() -> Wakeup {
        Wakeup::every(STAFF_MAIL_POLL)
    }

    /// For the scheduler.
    pub fn scheduler() -> Wakeup {
        Wakeup::every(SCHEDULE_POLL)
    }

    /// For the visit recorder.
    pub fn visits() -> Wakeup {
        Wakeup::every(VISITS_POLL)
    }

    /// Asks the worker to do its round now.
    pub fn wake(&self) {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.signal.notify_one();
    }

    /// Rounds finished so far (a test wakes the worker and waits for the next one).
    pub fn rounds(&self) -> u64 {
        self.rounds.load(Ordering::SeqCst)
    }

    /// Waits until woken or the poll interval has passed.
    fn wait(&self) {
        let woken = self.woken.lock().unwrap_or_else(|e| e.into_inner());
        let (mut woken, _) = self
            .signal
            .wait_timeout_while(woken, self.poll, |woken| !*woken)
            .unwrap_or_else(|e| e.into_inner());
        *woken = false;
    }
}

/// Runs `round` on a thread of its own, then again whenever woken or the poll interval passed,
/// until `wakeup` is dropped.
fn start(
    name: &str,
    wakeup: &Arc<Wakeup>,
    round: impl Fn() + Send + 'static,
) -> std::io::Result<()> {
    let wakeup: Weak<Wakeup> = Arc::downgrade(wakeup);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            while let Some(current) = wakeup.upgrade() {
                round();
                current.rounds.fetch_add(1, Ordering::SeqCst);
                current.wait();
            }
        })
        .map(drop)
}

/// Starts the visit recorder: it writes the noted first visits whenever woken, and once more
/// when the application is gone (a server stopped with Ctrl-C loses none).
pub fn start_visit_recorder(
    wakeup: &Arc<Wakeup>,
    visits: Arc<FirstVisits>,
    pool: PgPool,
) -> std::io::Result<()> {
    let wakeup: Weak<Wakeup> = Arc::downgrade(wakeup);
    std::thread::Builder::new()
        .name("visits".to_owned())
        .spawn(move || {
            while let Some(current) = wakeup.upgrade() {
                record_visits(&visits, &pool);
                current.rounds.fetch_add(1, Ordering::SeqCst);
                current.wait();
            }
            record_visits(&visits, &pool);
        })
        .map(drop)
}

fn record_visits(visits: &FirstVisits, pool: &PgPool) {
    let batch = visits.take();
    if batch.is_empty() {
        return;
    }
    let written = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
        crate::store::participants::mark_visited(&mut conn, &batch).map_err(|e| e.to_string())
    });
    if let Err(error) = written {
        tracing::warn!(%error, pending = batch.len(), "first visits wait: not recorded yet");
        visits.put_back(batch);
    }
}

/// Starts the staff-mail worker.
pub fn start_staff_mailer(
    wakeup: &Arc<Wakeup>,
    pool: PgPool,
    settings: Settings,
) -> std::io::Result<()> {
    start("staff-mail", wakeup, move || {
        send_staff_mails(&pool, &settings)
    })
}

fn send_staff_mails(pool: &PgPool, settings: &Settings) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(error) => {
            tracing::warn!(%error, "staff mails wait: no database connection");
            return;
        }
    };
    match accounts::send_staff_mails(&mut conn, settings) {
        Ok(summary) if summary.stopped.is_some() => tracing::warn!(
            sent = summary.sent,
            reason = summary.stopped.as_deref().unwrap_or_default(),
            "staff mails stay queued"
        ),
        Ok(_) => {}
        Err(error) => tracing::error!(error = %error.english(), "staff mails not sent"),
    }
}

/// Starts the scheduler, which reads the time from `clock`.
pub fn start_scheduler(
    wakeup: &Arc<Wakeup>,
    pool: PgPool,
    settings: Settings,
    clock: Clock,
) -> std::io::Result<()> {
    start("schedule", wakeup, move || {
        run_schedule(&pool, &settings, &clock)
    })
}

fn run_schedule(pool: &PgPool, settings: &Settings, clock: &Clock) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(error) => {
            tracing::warn!(%error, "schedule waits: no database connection");
            return;
        }
    };
    // The brakes' old events go in the same round: nothing looks at them any more.
    if let Err(error) =
        crate::store::brakes::purge(&mut conn, &crate::app::accounts::LONG_LIVED_BRAKES)
    {
        tracing::warn!(%error, "old brake events not deleted");
    }
    match schedule::tick(&mut conn, settings, clock) {
        Ok(tick) => {
            for queued in &tick.queued {
                tracing::info!(
                    wave = %queued.wave,
                    kind = queued.kind,
                    queued = queued.queued,
                    "scheduled mailing queued"
                );
            }
            for (wave, kind, sent) in &tick.sent {
                tracing::info!(%wave, kind = kind.as_str(), sent, "scheduled mails sent");
            }
            if let Some(reason) = &tick.stopped {
                tracing::warn!(%reason, "scheduled mails stay queued until the next round");
            }
        }
        Err(error) => tracing::warn!(error = %format!("{error:#}"), "schedule not run this round"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_that_could_not_be_written_wait_with_the_newest_kept() {
        let visits = FirstVisits::default();
        let at = Utc::now();
        visits.note(1, at);
        let batch = visits.take();
        assert!(visits.take().is_empty());
        visits.note(2, at);
        visits.put_back(batch);
        assert_eq!(
            visits.take().iter().map(|v| v.0).collect::<Vec<_>>(),
            [1, 2]
        );
        visits.put_back(
            (0..MAX_PENDING_VISITS as i64 + 5)
                .map(|i| (i, at))
                .collect(),
        );
        let kept = visits.take();
        assert_eq!(kept.len(), MAX_PENDING_VISITS);
        assert_eq!(kept[0].0, 5, "the oldest are dropped");
    }
}
