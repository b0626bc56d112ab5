//! Mailings: who would get an invitation or a reminder, queueing them in the outbox (audited), and
//! sending what is queued through the outbox workers. The command line and the pages run the same
//! steps: the command sends in the foreground, a page hands the sending to a background thread.

use std::time::Duration;

use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::waves::{self, WaveError};
use super::{Actor, operation_error};
use crate::config::Settings;
use crate::mail::Transport;
use crate::mail::sender::{self, MailContext, SendOptions, Summary};
use crate::mail::templates::MailKind;
use crate::store::outbox::{self, Counts};
use crate::store::participants::{self, ParticipantListing};
use crate::store::waves::{Wave, WaveState};
use crate::text::Bilingual;

/// Attempts after which a mail the server keeps deferring is given up.
const MAX_ATTEMPTS: i32 = 5;

/// Why a mailing was refused.
#[derive(Debug, thiserror::Error)]
pub enum MailingError {
    /// The wave is unknown.
    #[error(transparent)]
    Wave(WaveError),
    /// Mails outside the field period: a draft's links would show "not yet open", a closed
    /// wave's only that it has ended.
    #[error(
        "wave `{slug}` is {}: mails go out only while a wave is open (`mint-survey wave open {slug}`)",
        state.english()
    )]
    NotOpen {
        /// The wave.
        slug: String,
        /// Its state.
        state: WaveState,
    },
    /// An open-link wave has no participant list to mail.
    #[error(
        "wave `{0}` is answered through its open link; it has no participants to invite or remind"
    )]
    OpenLink(String),
    /// The confirmed preview no longer holds: someone else mailed, answered or changed the wave.
    #[error(
        "the list changed since the preview: {now} mails now instead of {expected}; nothing was queued, look again"
    )]
    Changed {
        /// How many the confirmed preview showed.
        expected: usize,
        /// How many it would be now.
        now: usize,
    },
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<WaveError> for MailingError {
    fn from(error: WaveError) -> Self {
        match error {
            WaveError::Internal(error) => MailingError::Internal(error),
            refusal => MailingError::Wave(refusal),
        }
    }
}

impl MailingError {
    fn german_text(&self) -> String {
        match self {
            MailingError::Wave(error) => error.german(),
            MailingError::NotOpen { state, .. } => match state {
                WaveState::Closed => "Die Welle ist geschlossen: Ihre Links zeigen nur noch das an. Es werden keine Mails mehr versandt; öffnen Sie sie wieder oder legen Sie eine neue Welle an.".to_owned(),
                _ => "Die Welle ist noch nicht geöffnet (Entwurf): Ihre Links zeigten nur „noch nicht geöffnet“. Öffnen Sie die Welle zuerst; dann können Sie Einladungen senden.".to_owned(),
            },
            MailingError::OpenLink(_) => "Diese Welle wird über ihren öffentlichen Link beantwortet: Sie hat keine Teilnehmendenliste, also auch keine Einladungen und Erinnerungen. Geben Sie den Link auf der Seite der Welle weiter.".to_owned(),
            MailingError::Changed { expected, now } => format!(
                "Seit der Vorschau hat sich etwas geändert: jetzt {now} statt {expected} Mails. Es wurde nichts eingereiht; bitte prüfen Sie die Vorschau erneut."
            ),
            MailingError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(MailingError);

/// Why a participant gets no mail of this kind now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// The link is revoked.
    Revoked,
    /// The contact was purged.
    Purged,
    /// The participant has submitted.
    Submitted,
    /// The participant asked for no more reminders.
    OptedOut,
    /// An invitation was already queued or sent.
    AlreadyInvited,
    /// No invitation went out yet (reminders follow invitations).
    NotInvited,
    /// A mail of theirs still waits in the queue.
    Queued,
    /// All reminders the wave's policy allows went out.
    AllReminders(i32),
    /// The policy's days since the last mail have not passed: due from this day (Europe/Berlin).
    NotDue(chrono::NaiveDate),
}

impl Bilingual for Skip {
    fn german(&self) -> String {
        match self {
            Skip::Revoked => "Link gesperrt".to_owned(),
            Skip::Purged => "Kontakt gelöscht".to_owned(),
            Skip::Submitted => "hat schon geantwortet".to_owned(),
            Skip::OptedOut => "hat Erinnerungen abbestellt".to_owned(),
            Skip::AlreadyInvited => "schon eingeladen".to_owned(),
            Skip::NotInvited => "noch nicht eingeladen".to_owned(),
            Skip::Queued => "eine Mail wartet noch in der Warteschlange".to_owned(),
            Skip::AllReminders(max) => format!("hat schon alle {max} Erinnerungen erhalten"),
            Skip::NotDue(day) => format!(
                "nach den Erinnerungsregeln erst ab {} fällig",
                day.format("%d.%m.%Y")
            ),
        }
    }

    fn english(&self) -> String {
        match self {
            Skip::Revoked => "link revoked".to_owned(),
            Skip::Purged => "contact purged".to_owned(),
            Skip::Submitted => "already answered".to_owned(),
            Skip::OptedOut => "opted out of reminders".to_owned(),
            Skip::AlreadyInvited => "already invited".to_owned(),
            Skip::NotInvited => "not invited yet".to_owned(),
            Skip::Queued => "a mail is still queued".to_owned(),
            Skip::AllReminders(max) => format!("had all {max} reminders"),
            Skip::NotDue(day) => format!(
                "not due until {} under the reminder policy",
                day.format("%d.%m.%Y")
            ),
        }
    }
}

/// What a mailing would do now (nothing is queued or sent): who gets a mail, and who does not and
/// why.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The wave.
    pub wave: Wave,
    /// Invitations or reminders.
    pub kind: MailKind,
    /// The participants who would get one, by region.
    pub recipients: Vec<ParticipantListing>,
    /// The others, each with the reason.
    pub skipped: Vec<(ParticipantListing, Skip)>,
}

impl Plan {
    /// How many mails per Land: (code, German name, count), in the order of the Länder.
    pub fn per_land(&self) -> Vec<(&'static str, &'static str, usize)> {
        crate::survey::LAENDER
            .iter()
            .map(|(code, name)| {
                let n = self
                    .recipients
                    .iter()
                    .filter(|l| l.participant.land_code == *code)
                    .count();
                (*code, *name, n)
            })
            .filter(|(_, _, n)| *n > 0)
            .collect()
    }

    /// How many were skipped for each reason, in the order of [`Skip`].
    pub fn skip_counts(&self) -> Vec<(Skip, usize)> {
        let mut counts: std::collections::BTreeMap<Skip, usize> = Default::default();
        for (_, skip) in &self.skipped {
            *counts.entry(*skip).or_default() += 1;
        }
        counts.into_iter().collect()
    }
}

/// Checks that the wave may get mails now (it is open, and not an open-link wave); returns the
/// wave.
fn mailable(conn: &mut PgConnection, slug: &str) -> Result<Wave, MailingError> {
    let wave = waves::find(conn, slug)?;
    let survey = crate::store::surveys::find_by_id(conn, wave.survey_version_id)?.survey;
    if survey.access == crate::survey::Access::Open {
        return Err(MailingError::OpenLink(wave.slug));
    }
    match wave.state(Utc::now()) {
        WaveState::Open => Ok(wave),
        state => Err(MailingError::NotOpen {
            slug: wave.slug,
            state,
        }),
    }
}

/// Who would get an invitation (those who have none) or a reminder (within the wave's policy), and
/// why the others would not.
pub fn plan(conn: &mut PgConnection, slug: &str, kind: MailKind) -> Result<Plan, MailingError> {
    let wave = mailable(conn, slug)?;
    let now = Utc::now();
    let ids = match kind {
        MailKind::Invitation => outbox::invitation_candidates(conn, wave.id)?,
        MailKind::Reminder => outbox::reminder_candidates(
            conn,
            wave.id,
            wave.reminders_max,
            wave.reminder_interval_days,
            now,
        )?,
    };
    // By id, so that a wave of thousands is one pass, not a search per participant.
    let ids: std::collections::HashSet<i64> = ids.into_iter().collect();
    let states: std::collections::HashMap<i64, outbox::MailState> =
        outbox::find_mail_states(conn, wave.id)?
            .into_iter()
            .map(|state| (state.participant_id, state))
            .collect();
    let mut recipients = Vec::new();
    let mut skipped = Vec::new();
    for listing in participants::find_by_wave(conn, wave.id)? {
        if ids.contains(&listing.participant.id) {
            recipients.push(listing);
            continue;
        }
        let state = states.get(&listing.participant.id);
        let skip = skip_reason(&wave, kind, &listing, state);
        skipped.push((listing, skip));
    }
    Ok(Plan {
        wave,
        kind,
        recipients,
        skipped,
    })
}

/// Why a participant who is not a candidate gets no mail of `kind` (the candidates themselves are
/// chosen by the store's queries, which this mirrors).
fn skip_reason(
    wave: &Wave,
    kind: MailKind,
    listing: &ParticipantListing,
    state: Option<&outbox::MailState>,
) -> Skip {
    let p = &listing.participant;
    if p.revoked_at.is_some() {
        return Skip::Revoked;
    }
    if listing.email.is_none() {
        return Skip::Purged;
    }
    if kind == MailKind::Invitation {
        return Skip::AlreadyInvited;
    }
    if p.submitted_at.is_some() {
        return Skip::Submitted;
    }
    if p.opted_out_at.is_some() {
        return Skip::OptedOut;
    }
    let Some(state) = state else {
        return Skip::NotInvited;
    };
    let Some(invited_at) = state.invited_at else {
        return if state.queued {
            Skip::Queued
        } else {
            Skip::NotInvited
        };
    };
    if state.queued {
        return Skip::Queued;
    }
    if state.reminders >= wave.reminders_max {
        return Skip::AllReminders(wave.reminders_max);
    }
    let last = state
        .last_reminder_at
        .map_or(invited_at, |r| r.max(invited_at));
    Skip::NotDue(crate::schedule::reminder_day(
        last,
        wave.reminder_interval_days,
    ))
}

/// Mails queued by [`queue`].
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    /// The wave.
    pub wave: Wave,
    /// New mails in the outbox.
    pub queued: usize,
}

/// Queues what [`plan`] showed: an invitation for everyone who has none, or a reminder for those
/// invited who have not submitted or opted out, within the wave's policy (at most N reminders, at
/// least D days after the last mail). `confirmed` is how many mails the confirmed preview showed;
/// if that no longer holds, nothing is queued ([`MailingError::Changed`]), so a confirmation posted
/// twice queues the mails once. Audited as `invitations_started` or `reminders_started`.
pub fn queue(
    conn: &mut PgConnection,
    actor: &Actor,
    slug: &str,
    kind: MailKind,
    confirmed: usize,
) -> Result<Queued, MailingError> {
    conn.transaction(|conn| {
        let plan = plan(conn, slug, kind)?;
        if plan.recipients.len() != confirmed {
            return Err(MailingError::Changed {
                expected: confirmed,
                now: plan.recipients.len(),
            });
        }
        let wave = plan.wave;
        let (queued, action) = match kind {
            MailKind::Invitation => (
                outbox::queue_invitations(conn, wave.id, Utc::now())?,
                "invitations_started",
            ),
            MailKind::Reminder => (
                outbox::queue_reminders(
                    conn,
                    wave.id,
                    wave.reminders_max,
                    wave.reminder_interval_days,
                    Utc::now(),
                )?,
                "reminders_started",
            ),
        };
        let details = format!("{queued} in die Warteschlange");
        actor.audit(conn, action, &wave.slug, &details)?;
        let run = outbox::Run {
            kind: kind.as_str().to_owned(),
            scheduled: false,
            actor: actor.name(),
            started_at: Utc::now(),
            queued: i32::try_from(queued).unwrap_or(i32::MAX),
        };
        outbox::record_run(conn, wave.id, &run)?;
        Ok(Queued { wave, queued })
    })
}

/// How a sending run goes.
#[derive(Debug, Clone, Default)]
pub struct SendSettings {
    /// Mails per second (default `MAIL_RATE`).
    pub rate: Option<f64>,
    /// SMTP connections at once (default `MAIL_CONNECTIONS`).
    pub connections: Option<u32>,
    /// A progress line on a terminal (the command line).
    pub progress: bool,
    /// Where the time comes from.
    pub clock: crate::time::Clock,
    /// Only what is due now; deferred mails wait for a later run (the schedule).
    pub due_only: bool,
}

/// What a sending run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// This run's mails.
    pub run: Summary,
    /// All of the wave's mails of this kind afterwards.
    pub counts: Counts,
}

/// Sends the wave's queued mails of this kind through the outbox workers, until none is due or the
/// server is unreachable (then [`Summary::stopped`] says why, and the rest stays queued).
pub fn send(
    settings: &Settings,
    database_url: &str,
    wave: Wave,
    kind: MailKind,
    options: &SendSettings,
) -> Result<Sent, MailingError> {
    let connections = options
        .connections
        .unwrap_or(settings.mail_connections)
        .clamp(1, 64);
    let transport = Transport::new(
        settings.smtp_url.as_deref(),
        connections,
        &settings.var_dir.join("outbox"),
    )?;
    let mut conn = crate::store::establish(database_url).map_err(anyhow::Error::from)?;
    let survey_title = crate::store::surveys::find_by_id(&mut conn, wave.survey_version_id)
        .map_err(anyhow::Error::from)?
        .survey
        .title;
    let context = MailContext {
        survey_title,
        public_url: settings.public_url.clone(),
        mail_from: settings.mail_from.clone(),
        survey_contact: settings.survey_contact.clone(),
        key: settings.secret_key().map_err(anyhow::Error::from)?,
        wave,
    };
    let send_options = SendOptions {
        kind,
        connections,
        rate: options.rate.or(settings.mail_rate),
        retry_base: Duration::from_secs_f64(settings.mail_retry_seconds),
        max_attempts: MAX_ATTEMPTS,
        progress: options.progress,
        clock: options.clock.clone(),
        due_only: options.due_only,
    };
    let run = sender::send_queued(database_url, &transport, &context, &send_options)?;
    let counts = outbox::counts(&mut conn, context.wave.id, kind)?;
    Ok(Sent { run, counts })
}
