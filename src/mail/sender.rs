//! The outbox worker: sends a wave's queued mails with a bounded number of SMTP connections.
//!
//! Each worker thread has its own database connection and loops: wait for the rate limit, claim one
//! due row (`FOR UPDATE SKIP LOCKED`), write and send the mail, record the outcome, commit. The
//! number of workers bounds the SMTP connections open at once (lettre's pool bounds only idle ones).
//!
//! Outcomes: sent; refused for good (5xx: failed, not retried); deferred (4xx: retried with
//! exponential backoff, given up after `max_attempts`); server unreachable (the run stops, the mail
//! stays queued for the next run); no longer wanted (skipped: revoked, opted out, submitted).

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection};

use super::templates::{self, MailKind, MailValues, Overrides};
use super::{Envelope, SendFailure, Transport, build_message};
use crate::store::outbox::{self, Claimed};
use crate::store::waves::Wave;
use crate::store::{self};
use crate::tokens::{self, SecretKey};

/// How a run sends.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Which mails: invitations or reminders.
    pub kind: MailKind,
    /// Worker threads, so SMTP connections open at once.
    pub connections: u32,
    /// At most this many mails per second.
    pub rate: Option<f64>,
    /// Wait before the first retry of a deferred mail; doubles with each attempt.
    pub retry_base: Duration,
    /// Attempts after which a deferred mail is given up.
    pub max_attempts: i32,
    /// Show a progress line on stderr (only when it is a terminal).
    pub progress: bool,
    /// Where the time comes from (claims, sent times, retries).
    pub clock: crate::time::Clock,
    /// Send only what is due now and leave deferred mails for a later run (the schedule's runs);
    /// otherwise deferred mails are tried at once and waited for (a run someone started).
    pub due_only: bool,
}

/// What every mail of the run shares.
#[derive(Debug, Clone)]
pub struct MailContext {
    /// The wave.
    pub wave: Wave,
    /// The title of the survey the wave asks.
    pub survey_title: String,
    /// `PUBLIC_URL`, without a trailing slash.
    pub public_url: String,
    /// `MAIL_FROM`.
    pub mail_from: String,
    /// `SURVEY_CONTACT`.
    pub survey_contact: String,
    /// Derives the links.
    pub key: SecretKey,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Mails sent.
    pub sent: usize,
    /// Mails refused for good or given up in this run.
    pub failed: usize,
    /// Mails deferred in this run at least once (still queued unless later sent).
    pub deferred: usize,
    /// Mails no longer wanted.
    pub skipped: usize,
    /// Why the run stopped early (server unreachable), if it did.
    pub stopped: Option<String>,
}

/// What a worker does when it found nothing to claim.
enum Next {
    /// Nothing is queued: done.
    Done,
    /// A deferred mail became due: claim again.
    Claim,
    /// A queued mail is due but was not claimable: another worker holds it (or it just became due).
    HeldElsewhere,
}

enum Step {
    Idle,
    Sent,
    Failed,
    Deferred,
    Skipped,
    Unreachable(String),
}

struct Shared<'a> {
    url: &'a str,
    transport: &'a Transport,
    context: &'a MailContext,
    options: &'a SendOptions,
    stop: AtomicBool,
    stopped: Mutex<Option<String>>,
    sent: AtomicUsize,
    failed: AtomicUsize,
    deferred: AtomicUsize,
    skipped: AtomicUsize,
    next_slot: Mutex<Instant>,
}

/// Sends the wave's queued mails of `options.kind` until none is due (or the server is unreachable).
pub fn send_queued(
    url: &str,
    transport: &Transport,
    context: &MailContext,
    options: &SendOptions,
) -> anyhow::Result<Summary> {
    let mut conn = store::establish(url)?;
    // A run someone started is an explicit "try now": deferred mails need not wait for their turn.
    if !options.due_only {
        outbox::make_queued_due(
            &mut conn,
            context.wave.id,
            options.kind,
            options.clock.now(),
        )?;
    }
    let total = outbox::counts(&mut conn, context.wave.id, options.kind)?.queued;
    let shared = Shared {
        url,
        transport,
        context,
        options,
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
        sent: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        deferred: AtomicUsize::new(0),
        skipped: AtomicUsize::new(0),
        next_slot: Mutex::new(Instant::now()),
    };
    let show_progress = options.progress && std::io::stderr().is_terminal() && total > 0;
    let results: Vec<anyhow::Result<()>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..options.connections.max(1))
            .map(|_| scope.spawn(|| shared.work()))
            .collect();
        while show_progress && !workers.iter().all(|w| w.is_finished()) {
            shared.print_progress(total);
            std::thread::sleep(Duration::from_millis(200));
        }
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a mail worker panicked")))
            })
            .collect()
    });
    if show_progress {
        shared.print_progress(total);
        eprintln!();
    }
    results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    Ok(Summary {
        sent: shared.sent.into_inner(),
        failed: shared.failed.into_inner(),
        deferred: shared.deferred.into_inner(),
        skipped: shared.skipped.into_inner(),
        stopped: shared
            .stopped
            .into_inner()
            .unwrap_or_else(|e| e.into_inner()),
    })
}

impl Shared<'_> {
    fn work(&self) -> anyhow::Result<()> {
        let result = self.work_loop();
        if result.is_err() {
            self.stop.store(true, Ordering::SeqCst);
        }
        result
    }

    fn work_loop(&self) -> anyhow::Result<()> {
        let mut conn = store::establish(self.url)?;
        // Rounds in a row that found nothing to claim although a mail was due (held by another worker).
        let mut idle_while_due = 0;
        while !self.stop.load(Ordering::SeqCst) {
            self.wait_for_rate();
            let step = conn.transaction(|conn| self.send_one(conn))?;
            if !matches!(step, Step::Idle) {
                idle_while_due = 0;
            }
            match step {
                Step::Sent => self.sent.fetch_add(1, Ordering::Relaxed),
                Step::Failed => self.failed.fetch_add(1, Ordering::Relaxed),
                Step::Deferred => self.deferred.fetch_add(1, Ordering::Relaxed),
                Step::Skipped => self.skipped.fetch_add(1, Ordering::Relaxed),
                Step::Unreachable(reason) => {
                    self.stop.store(true, Ordering::SeqCst);
                    let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
                    stopped.get_or_insert(reason);
                    break;
                }
                Step::Idle => match self.wait_for_deferred(&mut conn)? {
                    Next::Done => break,
                    Next::Claim => 0,
                    // Due now: it may have become due just after the claim looked; try once more,
                    // then leave it to the worker that holds it.
                    Next::HeldElsewhere if idle_while_due == 0 => {
                        idle_while_due += 1;
                        0
                    }
                    Next::HeldElsewhere => break,
                },
            };
        }
        Ok(())
    }

    /// Claims, writes, sends and records one mail, inside the caller's transaction.
    fn send_one(&self, conn: &mut PgConnection) -> diesel::QueryResult<Step> {
        let wave = &self.context.wave;
        let Some(claimed) =
            outbox::claim_next(conn, wave.id, self.options.kind, self.options.clock.now())?
        else {
            return Ok(Step::Idle);
        };
        let id = claimed.outbox_id;
        if let Some(reason) = &claimed.skip_reason {
            outbox::mark_skipped(conn, id, reason)?;
            return Ok(Step::Skipped);
        }
        let message = match compose(self.context, self.options.kind, &claimed) {
            Ok(message) => message,
            Err(error) => {
                outbox::mark_failed(conn, id, &format!("{error:#}"))?;
                return Ok(Step::Failed);
            }
        };
        let file_name = format!(
            "{}/{:06}-{}-{}.eml",
            wave.slug,
            id,
            self.options.kind.as_str(),
            claimed.sequence
        );
        match self.transport.send(&message, &file_name) {
            Ok(()) => {
                outbox::mark_sent(conn, id, self.options.clock.now())?;
                Ok(Step::Sent)
            }
            Err(SendFailure::Permanent(error)) => {
                outbox::mark_failed(conn, id, &error)?;
                Ok(Step::Failed)
            }
            Err(SendFailure::Transient(error))
                if claimed.attempts + 1 >= self.options.max_attempts =>
            {
                let attempts = claimed.attempts + 1;
                outbox::mark_failed(
                    conn,
                    id,
                    &format!("gave up after {attempts} attempts: {error}"),
                )?;
                Ok(Step::Failed)
            }
            Err(SendFailure::Transient(error)) => {
                let wait = self
                    .options
                    .retry_base
                    .saturating_mul(1 << claimed.attempts.clamp(0, 16));
                let wait = wait.min(Duration::from_secs(3600));
                let next =
                    self.options.clock.now() + chrono::Duration::from_std(wait).unwrap_or_default();
                outbox::mark_deferred(conn, id, next, &error)?;
                Ok(Step::Deferred)
            }
            Err(SendFailure::Unreachable(error)) => {
                outbox::note_unreachable(conn, id, &error)?;
                Ok(Step::Unreachable(error))
            }
        }
    }

    /// With nothing claimable: waits for the next deferred mail if one is queued for later.
    fn wait_for_deferred(&self, conn: &mut PgConnection) -> anyhow::Result<Next> {
        let Some(due) = outbox::next_due(conn, self.context.wave.id, self.options.kind)? else {
            return Ok(Next::Done);
        };
        let wait = (due - self.options.clock.now())
            .to_std()
            .unwrap_or_default();
        if self.options.due_only && !wait.is_zero() {
            return Ok(Next::Done);
        }
        if wait.is_zero() {
            return Ok(Next::HeldElsewhere);
        }
        let until = Instant::now() + wait;
        while Instant::now() < until && !self.stop.load(Ordering::SeqCst) {
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(200)));
        }
        Ok(Next::Claim)
    }

    /// Spaces mails evenly when a rate is set, across all workers.
    fn wait_for_rate(&self) {
        let Some(rate) = self.options.rate else {
            return;
        };
        let slot = {
            let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let slot = (*next).max(Instant::now());
            *next = slot + Duration::from_secs_f64(1.0 / rate);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }

    fn print_progress(&self, total: i64) {
        let done = self.sent.load(Ordering::Relaxed)
            + self.failed.load(Ordering::Relaxed)
            + self.skipped.load(Ordering::Relaxed);
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r{}: {done} of {total} done ({} sent, {} failed, {} deferred)   ",
            self.options.kind.as_str(),
            self.sent.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            self.deferred.load(Ordering::Relaxed),
        );
        let _ = stderr.flush();
    }
}

/// Writes the mail for a claimed row.
fn compose(
    context: &MailContext,
    kind: MailKind,
    claimed: &Claimed,
) -> anyhow::Result<lettre::Message> {
    let email = claimed
        .email
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("the contact has no address"))?;
    let link = tokens::personal_link(
        &context.public_url,
        &context.key,
        claimed.participant_id,
        claimed.token_generation,
    );
    let optout_link = format!("{link}/optout");
    let values = MailValues {
        name: claimed.name.clone(),
        region: claimed.region.clone(),
        wave: context.wave.title.clone(),
        survey: context.survey_title.clone(),
        deadline: context.wave.closes_at.map(crate::time::format_deadline),
        link,
        optout_link: optout_link.clone(),
        contact: context.survey_contact.clone(),
    };
    let texts = context.wave.mail_texts();
    let overrides = match kind {
        MailKind::Invitation => Overrides {
            subject: texts.invitation_subject.as_deref(),
            text: texts.invitation_body.as_deref(),
        },
        MailKind::Reminder => Overrides {
            subject: texts.reminder_subject.as_deref(),
            text: texts.reminder_body.as_deref(),
        },
    };
    let mail = templates::render(kind, overrides, &values);
    build_message(
        &Envelope {
            from: &context.mail_from,
            to: email,
            to_name: claimed.name.as_deref(),
            message_key: format!(
                "{}.{}{}.{}",
                context.wave.slug,
                kind.as_str(),
                claimed.sequence,
                claimed.outbox_id
            ),
            unsubscribe: &optout_link,
        },
        &mail,
    )
}
