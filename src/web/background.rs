//! Background work of a `serve` process, each on a thread of its own:
//!
//! - the staff-mail worker sends the queued staff mails (new accounts' and forgotten passwords'
//!   links) through `app::accounts::send_staff_mails`; a page that queues one wakes it;
//! - the scheduler runs the waves' schedules through `app::schedule::tick` once a minute:
//!   invitations when a wave opens, reminders under its policy, inside the sending window; the
//!   same round deletes the brakes' old events.
//!
//! Any number of processes may run both: staff mails and outbox rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, and the scheduler decides what is due from the database alone (see
//! `app::schedule`). Both end when the application's [`Wakeup`] is dropped (the server is gone).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use crate::app::{accounts, schedule};
use crate::config::Settings;
use crate::store::PgPool;
use crate::text::Bilingual;
use crate::time::Clock;

/// How long the staff-mail worker sleeps when nobody wakes it.
const STAFF_MAIL_POLL: Duration = Duration::from_secs(30);

/// How often the scheduler looks for due work: a minute's granularity is enough for mails.
const SCHEDULE_POLL: Duration = Duration::from_secs(60);

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
