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
    /// Invitations to a closed wave.
    #[error(
        "wave `{0}` is closed: its links would only show that; open it again or create a new wave"
    )]
    Closed(String),
    /// Reminders outside the field period.
    #[error("wave `{slug}` is {}: reminders go out only while a wave is open", state.english())]
    NotOpen {
        /// The wave.
        slug: String,
        /// Its state.
        state: WaveState,
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
            MailingError::Closed(_) => {
                "Die Welle ist geschlossen: ihre Links zeigen nur noch das an. Öffnen Sie sie wieder oder legen Sie eine neue Welle an.".to_owned()
            }
            MailingError::NotOpen { state, .. } => format!(
                "Die Welle ist {}: Erinnerungen gehen nur hinaus, solange eine Welle offen ist.",
                state.german()
            ),
            MailingError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(MailingError);

/// Who would get a mail of this kind now (nothing is queued or sent).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The wave.
    pub wave: Wave,
    /// The participants who would get one, by region.
    pub recipients: Vec<ParticipantListing>,
}

/// Checks that the wave may get mails of this kind now; returns the wave.
fn mailable(conn: &mut PgConnection, slug: &str, kind: MailKind) -> Result<Wave, MailingError> {
    let wave = waves::find(conn, slug)?;
    let state = wave.state(Utc::now());
    match (kind, state) {
        (MailKind::Invitation, WaveState::Closed) => Err(MailingError::Closed(wave.slug)),
        (MailKind::Reminder, WaveState::Draft | WaveState::Closed) => Err(MailingError::NotOpen {
            slug: wave.slug,
            state,
        }),
        _ => Ok(wave),
    }
}

/// Who would get an invitation (those who have none) or a reminder (within the wave's policy).
pub fn plan(conn: &mut PgConnection, slug: &str, kind: MailKind) -> Result<Plan, MailingError> {
    let wave = mailable(conn, slug, kind)?;
    let ids = match kind {
        MailKind::Invitation => outbox::invitation_candidates(conn, wave.id)?,
        MailKind::Reminder => outbox::reminder_candidates(
            conn,
            wave.id,
            wave.reminders_max,
            wave.reminder_interval_days,
            Utc::now(),
        )?,
    };
    let recipients = participants::find_by_wave(conn, wave.id)?
        .into_iter()
        .filter(|l| ids.contains(&l.participant.id))
        .collect();
    Ok(Plan { wave, recipients })
}

/// Mails queued by [`queue`].
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    /// The wave.
    pub wave: Wave,
    /// New mails in the outbox.
    pub queued: usize,
}

impl Queued {
    /// Whether the wave is not open yet (its links show a "not yet open" page until it opens).
    pub fn draft(&self) -> bool {
        self.wave.state(Utc::now()) == WaveState::Draft
    }
}

/// Queues an invitation for everyone who has none, or a reminder for those invited who have not
/// submitted or opted out within the wave's policy (at most N reminders, at least D days after the
/// last mail). Audited as `invitations_started` or `reminders_started`.
pub fn queue(
    conn: &mut PgConnection,
    actor: &Actor,
    slug: &str,
    kind: MailKind,
) -> Result<Queued, MailingError> {
    conn.transaction(|conn| {
        let wave = mailable(conn, slug, kind)?;
        let (queued, action) = match kind {
            MailKind::Invitation => (
                outbox::queue_invitations(conn, wave.id)?,
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
    let context = MailContext {
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
    };
    let run = sender::send_queued(database_url, &transport, &context, &send_options)?;
    let mut conn = crate::store::establish(database_url).map_err(anyhow::Error::from)?;
    let counts = outbox::counts(&mut conn, context.wave.id, kind)?;
    Ok(Sent { run, counts })
}
