//! Waves that run themselves: a wave's schedule (invitations when it opens, reminders under its
//! policy, a last reminder before the end, a sending window), what it will do next, and the
//! scheduler's run, which every `serve` process does once a minute.
//!
//! The run queues what is due through the same outbox as the manual buttons, and the outbox workers
//! send it. Any number of processes may run it against one database: a wave is worked by one
//! process at a time (`pg_try_advisory_xact_lock`), the outbox's unique key (participant, kind,
//! sequence) queues nobody twice, and the last reminder is a round with a unique key of its own.
//! Nothing decides from memory, so a process that was down catches up when it starts: whatever is
//! due and still allowed (the wave open, inside the window) goes out once.

use chrono::{DateTime, Duration, Utc};
use diesel::{Connection, PgConnection};

use super::mailing::{self, SendSettings};
use super::waves::{self, WaveError};
use super::{Actor, operation_error};
use crate::config::Settings;
use crate::mail::templates::MailKind;
use crate::schedule::{Weekdays, WindowError, berlin_day, berlin_hour, reminder_day};
use crate::store::outbox::{self, Run};
use crate::store::waves::{self as stored_waves, Schedule, Wave, WaveState};
use crate::text::Bilingual;
use crate::time::Clock;

/// The most days before the end a last reminder may go out.
pub const MAX_LAST_REMINDER_DAYS: i32 = 60;

/// Why a schedule was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The wave is unknown.
    #[error(transparent)]
    Wave(WaveError),
    /// An open-link wave has no participants to mail.
    #[error(
        "wave `{0}` is answered through its open link; it has no participants to invite or remind, so it has no schedule"
    )]
    OpenLink(String),
    /// A sending window that cannot be.
    #[error(transparent)]
    Window(WindowError),
    /// A last reminder too early or too late.
    #[error(
        "--last-reminder-days must be between 1 and {MAX_LAST_REMINDER_DAYS} (0: no last reminder), not {0}"
    )]
    LastReminderDays(i32),
    /// A last reminder's days that are not a number.
    #[error("--last-reminder-days must be a whole number, not `{0}`")]
    LastReminderNotANumber(String),
    /// A last reminder for a wave without an end.
    #[error(
        "wave `{0}` has no closing date, so there is no end to send a last reminder before; set one first (`mint-survey wave set {0} --closes DATE`)"
    )]
    LastReminderWithoutEnd(String),
    /// Automatic reminders under a policy of none.
    #[error(
        "wave `{0}` allows 0 reminders; allow some first (`mint-survey wave set {0} --reminders 2`)"
    )]
    NoReminders(String),
    /// `wave schedule` without a setting.
    #[error(
        "nothing to change: give at least one setting (see `mint-survey wave schedule --help`)"
    )]
    NothingToChange,
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<WaveError> for ScheduleError {
    fn from(error: WaveError) -> Self {
        match error {
            WaveError::Internal(error) => ScheduleError::Internal(error),
            refusal => ScheduleError::Wave(refusal),
        }
    }
}

impl ScheduleError {
    fn german_text(&self) -> String {
        match self {
            ScheduleError::Wave(error) => error.german(),
            ScheduleError::OpenLink(_) => "Diese Welle wird über ihren öffentlichen Link beantwortet: Sie hat keine Teilnehmendenliste, also auch keinen Zeitplan für Einladungen und Erinnerungen.".to_owned(),
            ScheduleError::Window(error) => error.german(),
            ScheduleError::LastReminderDays(days) => format!(
                "Letzte Erinnerung: bitte 1 bis {MAX_LAST_REMINDER_DAYS} Tage vor dem Ende angeben (leer: keine), nicht {days}."
            ),
            ScheduleError::LastReminderNotANumber(text) => format!(
                "Letzte Erinnerung: bitte eine ganze Zahl von Tagen angeben, nicht „{text}“ (leer: keine)."
            ),
            ScheduleError::LastReminderWithoutEnd(_) => "Letzte Erinnerung: Die Welle hat kein Ende; bitte setzen Sie zuerst in den Einstellungen ein Ende.".to_owned(),
            ScheduleError::NoReminders(_) => "Erinnerungen automatisch: Die Welle erlaubt 0 Erinnerungen; bitte erlauben Sie zuerst mindestens eine (Feld „Erinnerungen“).".to_owned(),
            ScheduleError::NothingToChange => "Es gibt nichts zu ändern.".to_owned(),
            ScheduleError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(ScheduleError);

/// Changes to a wave's schedule; `None` keeps a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleInput {
    /// Invitations automatically when the wave opens (`false`: by hand).
    pub invitations_auto: Option<bool>,
    /// Reminders automatically under the policy (`false`: by hand).
    pub reminders_auto: Option<bool>,
    /// A last reminder this many days before the end (0: none).
    pub last_reminder_days: Option<i32>,
    /// The sending window's hours (from, to).
    pub hours: Option<(u8, u8)>,
    /// The sending window's weekdays.
    pub days: Option<Weekdays>,
    /// Pause (`true`) or resume (`false`) the schedule.
    pub pause: Option<bool>,
}

/// Sets, pauses or resumes a wave's schedule, audited as `schedule_changed`, `schedule_paused` or
/// `schedule_resumed`.
pub fn set(
    conn: &mut PgConnection,
    actor: &Actor,
    slug: &str,
    input: &ScheduleInput,
    now: DateTime<Utc>,
) -> Result<(Wave, Schedule), ScheduleError> {
    if *input == ScheduleInput::default() {
        return Err(ScheduleError::NothingToChange);
    }
    if let Some(days) = input
        .last_reminder_days
        .filter(|d| *d != 0 && !(1..=MAX_LAST_REMINDER_DAYS).contains(d))
    {
        return Err(ScheduleError::LastReminderDays(days));
    }
    if let Some((from, to)) = input.hours
        && (to > 24 || from > 23 || to <= from)
    {
        return Err(ScheduleError::Window(WindowError::Backwards { from, to }));
    }
    conn.transaction(|conn| {
        let wave = waves::find(conn, slug)?;
        let survey = crate::store::surveys::find_by_id(conn, wave.survey_version_id)?.survey;
        if survey.access == crate::survey::Access::Open {
            return Err(ScheduleError::OpenLink(wave.slug));
        }
        let old = stored_waves::find_schedule(conn, wave.id)?;
        let mut new = old;
        if let Some(auto) = input.invitations_auto {
            new.invitations_auto = auto;
        }
        if let Some(auto) = input.reminders_auto {
            new.reminders_auto = auto;
        }
        if let Some(days) = input.last_reminder_days {
            new.last_reminder_days = Some(days).filter(|d| *d > 0);
        }
        if let Some((from, to)) = input.hours {
            new.window.from = from;
            new.window.to = to;
        }
        if let Some(days) = input.days {
            new.window.days = days;
        }
        if new.reminders_auto && wave.reminders_max == 0 {
            return Err(ScheduleError::NoReminders(wave.slug));
        }
        if new.last_reminder_days.is_some() && wave.closes_at.is_none() {
            return Err(ScheduleError::LastReminderWithoutEnd(wave.slug));
        }
        let pause_action = match input.pause {
            Some(true) if old.paused_at.is_none() => {
                new.paused_at = Some(now);
                Some("schedule_paused")
            }
            Some(false) if old.paused_at.is_some() => {
                new.paused_at = None;
                Some("schedule_resumed")
            }
            _ => None,
        };
        if new != old {
            stored_waves::set_schedule(conn, wave.id, &new)?;
        }
        let changed = Schedule {
            paused_at: old.paused_at,
            ..new
        } != old;
        if changed {
            actor.audit(conn, "schedule_changed", &wave.slug, &new.german())?;
        }
        if let Some(action) = pause_action {
            actor.audit(conn, action, &wave.slug, "")?;
        }
        Ok((wave, new))
    })
}

impl Bilingual for Schedule {
    /// "Einladungen automatisch, Erinnerungen automatisch (letzte 3 Tage vor Ende), 8–18 Uhr,
    /// Mo–Fr", or "von Hand".
    fn german(&self) -> String {
        if !self.invitations_auto && !self.reminders_auto {
            return "von Hand".to_owned();
        }
        let how = |auto| if auto { "automatisch" } else { "von Hand" };
        let last = match self.last_reminder_days {
            Some(days) if self.reminders_auto => {
                format!(
                    " (letzte {} vor Ende)",
                    super::plural(days as usize, "Tag", "Tage")
                )
            }
            _ => String::new(),
        };
        let paused = if self.paused_at.is_some() {
            "angehalten: "
        } else {
            ""
        };
        format!(
            "{paused}Einladungen {}, Erinnerungen {}{last}, {}",
            how(self.invitations_auto),
            how(self.reminders_auto),
            self.window.german()
        )
    }

    /// "inv auto, rem auto (last 3d), 8-18 mo-fr", or "manual".
    fn english(&self) -> String {
        if !self.invitations_auto && !self.reminders_auto {
            return "manual".to_owned();
        }
        let how = |auto| if auto { "auto" } else { "manual" };
        let last = match self.last_reminder_days {
            Some(days) if self.reminders_auto => format!(" (last {days}d)"),
            _ => String::new(),
        };
        let paused = if self.paused_at.is_some() {
            "PAUSED "
        } else {
            ""
        };
        format!(
            "{paused}inv {}, rem {}{last}, {}",
            how(self.invitations_auto),
            how(self.reminders_auto),
            self.window.english()
        )
    }
}

/// A mailing the schedule will start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    /// When (`None`: when the wave is opened, which has no date yet).
    pub at: Option<DateTime<Utc>>,
    /// How many people it would reach as things stand.
    pub people: usize,
}

/// What a wave's schedule will do next, as things stand.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// The schedule.
    pub schedule: Schedule,
    /// The invitations still to go out automatically.
    pub invitations: Option<Planned>,
    /// The next automatic reminder round.
    pub next_reminder: Option<Planned>,
    /// The last reminder before the end.
    pub last_reminder: Option<Planned>,
    /// The mailings so far, by hand or by the schedule, oldest first.
    pub history: Vec<Run>,
}

/// What the wave's schedule will send next and what was sent so far.
pub fn outlook(
    conn: &mut PgConnection,
    wave: &Wave,
    now: DateTime<Utc>,
) -> Result<Outlook, ScheduleError> {
    let schedule = stored_waves::find_schedule(conn, wave.id)?;
    let history = outbox::find_runs(conn, wave.id)?;
    let mut outlook = Outlook {
        schedule,
        invitations: None,
        next_reminder: None,
        last_reminder: None,
        history,
    };
    let state = wave.state(now);
    if state == WaveState::Closed || !schedule.is_active() {
        return Ok(outlook);
    }
    let listings = crate::store::participants::find_by_wave(conn, wave.id)?;
    let states: std::collections::HashMap<i64, outbox::MailState> =
        outbox::find_mail_states(conn, wave.id)?
            .into_iter()
            .map(|s| (s.participant_id, s))
            .collect();
    let window = schedule.window;
    // When the wave opens (or now, if it is open); `None`: a draft without an opening date.
    let opening = match state {
        WaveState::Open => Some(now),
        _ => wave.opens_at.map(|t| t.max(now)),
    };
    let mailable: Vec<_> = listings
        .iter()
        .filter(|l| l.participant.revoked_at.is_none() && l.email.is_some())
        .collect();
    let invitation_at = opening.map(|t| window.next_open(t));
    if schedule.invitations_auto {
        let people = mailable
            .iter()
            .filter(|l| {
                states
                    .get(&l.participant.id)
                    .is_none_or(|s| !s.has_invitation)
            })
            .count();
        if people > 0 {
            outlook.invitations = Some(Planned {
                at: invitation_at,
                people,
            });
        }
    }
    if !schedule.reminders_auto {
        return Ok(outlook);
    }
    let last_at = last_reminder_time(wave, &schedule).map(|t| window.next_open(t));
    let open_for_reminders = mailable
        .iter()
        .filter(|l| l.participant.submitted_at.is_none() && l.participant.opted_out_at.is_none());
    // Each person's first day for the next reminder: after their last mail, or after the
    // invitation the schedule will send.
    let regular_max = regular_reminders(wave, &schedule);
    let mut due_days = Vec::new();
    let mut last_round = 0;
    for listing in open_for_reminders {
        let state = states.get(&listing.participant.id);
        let reminders = state.map_or(0, |s| s.reminders);
        if reminders < wave.reminders_max {
            last_round += 1;
        }
        if reminders >= regular_max {
            continue;
        }
        let last_mail = match state.and_then(|s| s.invited_at) {
            Some(invited) => Some(
                state
                    .and_then(|s| s.last_reminder_at)
                    .map_or(invited, |r| r.max(invited)),
            ),
            None if state.is_some_and(|s| s.has_invitation) || schedule.invitations_auto => {
                invitation_at
            }
            None => None,
        };
        if let Some(last_mail) = last_mail {
            due_days.push(reminder_day(last_mail, wave.reminder_interval_days));
        }
    }
    if let Some(first) = due_days.iter().min() {
        let at = window.next_open(berlin_hour(*first, 0).max(now));
        let day = berlin_day(at);
        let before_end = wave
            .closes_at
            .is_none_or(|closes| at < closes - Duration::days(1));
        let before_last = last_at.is_none_or(|last| at < last);
        if before_end && before_last {
            outlook.next_reminder = Some(Planned {
                at: Some(at),
                people: due_days.iter().filter(|d| **d <= day).count(),
            });
        }
    }
    let last_done = outlook.history.iter().any(|r| r.kind == "last_reminder");
    if let (Some(at), false) = (last_at, last_done)
        && wave.closes_at.is_some_and(|closes| at < closes)
    {
        outlook.last_reminder = Some(Planned {
            at: Some(at),
            people: last_round,
        });
    }
    Ok(outlook)
}

/// When the last reminder is due (before the window is applied): K days before the end.
fn last_reminder_time(wave: &Wave, schedule: &Schedule) -> Option<DateTime<Utc>> {
    let days = schedule.last_reminder_days?;
    Some(wave.closes_at? - Duration::days(i64::from(days)))
}

/// How many reminders the regular rounds send: all the policy allows, or one fewer when the
/// last reminder takes the last one.
fn regular_reminders(wave: &Wave, schedule: &Schedule) -> i32 {
    if schedule.last_reminder_days.is_some() && wave.closes_at.is_some() {
        (wave.reminders_max - 1).max(0)
    } else {
        wave.reminders_max
    }
}

/// What one scheduler run queued for one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The wave.
    pub wave: String,
    /// `invitation`, `reminder` or `last_reminder`.
    pub kind: &'static str,
    /// Mails queued.
    pub queued: usize,
}

/// Queues what the schedules of all waves have due at `now`: for every open wave whose schedule
/// is on and not paused, inside its sending window, the invitations of everyone not yet invited,
/// the reminders the policy allows now (none in the last day before the end), and the last
/// reminder once. Each wave in its own transaction, under the wave's scheduler lock; audited with
/// the actor "Zeitplan".
pub fn queue_due(conn: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<Vec<Queued>> {
    let mut done = Vec::new();
    for (wave, _) in stored_waves::find_scheduled(conn)? {
        let queued = conn.transaction(|conn| -> anyhow::Result<Vec<Queued>> {
            if !stored_waves::try_lock_schedule(conn, wave.id)? {
                // Another process works this wave now.
                return Ok(Vec::new());
            }
            // Read again under the lock: the schedule may have been paused meanwhile.
            let Some(wave) = stored_waves::find_by_slug(conn, &wave.slug)? else {
                return Ok(Vec::new());
            };
            let schedule = stored_waves::find_schedule(conn, wave.id)?;
            queue_wave(conn, &wave, &schedule, now)
        })?;
        done.extend(queued);
    }
    Ok(done)
}

fn queue_wave(
    conn: &mut PgConnection,
    wave: &Wave,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Queued>> {
    if !schedule.is_active() || wave.state(now) != WaveState::Open || !schedule.window.contains(now)
    {
        return Ok(Vec::new());
    }
    let mut done = Vec::new();
    let mut record =
        |conn: &mut PgConnection, kind: &'static str, queued: usize| -> anyhow::Result<()> {
            let details = format!("{queued} in die Warteschlange");
            let action = if kind == "invitation" {
                "invitations_started"
            } else {
                "reminders_started"
            };
            Actor::Schedule.audit(conn, action, &wave.slug, &details)?;
            let run = Run {
                kind: kind.to_owned(),
                scheduled: true,
                actor: Actor::Schedule.name(),
                started_at: now,
                queued: i32::try_from(queued).unwrap_or(i32::MAX),
            };
            if kind == "last_reminder" {
                outbox::set_run_queued(conn, wave.id, kind, run.queued)?;
            } else {
                outbox::record_run(conn, wave.id, &run)?;
            }
            done.push(Queued {
                wave: wave.slug.clone(),
                kind,
                queued,
            });
            Ok(())
        };
    if schedule.invitations_auto {
        let queued = outbox::queue_invitations(conn, wave.id, now)?;
        if queued > 0 {
            record(conn, "invitation", queued)?;
        }
    }
    if !schedule.reminders_auto {
        return Ok(done);
    }
    let last_at = last_reminder_time(wave, schedule);
    if last_at.is_some_and(|t| t <= now) {
        // The last round: once per wave (the unique key decides), to everyone who has not
        // answered and has reminders left, a day after their previous mail at the earliest.
        let claim = Run {
            kind: "last_reminder".to_owned(),
            scheduled: true,
            actor: Actor::Schedule.name(),
            started_at: now,
            queued: 0,
        };
        if wave.closes_at.is_some_and(|closes| now < closes)
            && outbox::record_run(conn, wave.id, &claim)?
        {
            let queued = outbox::queue_reminders(conn, wave.id, wave.reminders_max, 1, now)?;
            record(conn, "last_reminder", queued)?;
        }
        return Ok(done);
    }
    let before_end = wave
        .closes_at
        .is_none_or(|closes| now < closes - Duration::days(1));
    if before_end {
        let queued = outbox::queue_reminders(
            conn,
            wave.id,
            regular_reminders(wave, schedule),
            wave.reminder_interval_days,
            now,
        )?;
        if queued > 0 {
            record(conn, "reminder", queued)?;
        }
    }
    Ok(done)
}

/// What one scheduler tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tick {
    /// Mailings queued.
    pub queued: Vec<Queued>,
    /// Mails sent, per wave and kind: (wave, kind, sent).
    pub sent: Vec<(String, MailKind, usize)>,
    /// Why sending stopped (the mail server unreachable), if it did; the rest stays queued.
    pub stopped: Option<String>,
}

/// One run of the scheduler: queues what is due ([`queue_due`]), then sends the queued mails of
/// the waves whose schedule is on, inside their window, through the outbox workers (only what is
/// due: mails the server deferred wait for a later tick). What cannot be sent now stays queued for
/// the next tick.
pub fn tick(conn: &mut PgConnection, settings: &Settings, clock: &Clock) -> anyhow::Result<Tick> {
    let url = crate::store::database_url(settings)?;
    let now = clock.now();
    let queued = queue_due(conn, now)?;
    let mut tick = Tick {
        queued,
        ..Tick::default()
    };
    for (wave, schedule) in stored_waves::find_scheduled(conn)? {
        if wave.state(now) != WaveState::Open || !schedule.window.contains(now) {
            continue;
        }
        for kind in [MailKind::Invitation, MailKind::Reminder] {
            let due = outbox::next_due(conn, wave.id, kind)?.is_some_and(|due| due <= now);
            if !due {
                continue;
            }
            let options = SendSettings {
                clock: clock.clone(),
                due_only: true,
                ..SendSettings::default()
            };
            let sent = mailing::send(settings, &url, wave.clone(), kind, &options)
                .map_err(|e| anyhow::anyhow!(e.english()))?;
            tick.sent.push((wave.slug.clone(), kind, sent.run.sent));
            if let Some(reason) = sent.run.stopped {
                tick.stopped = Some(reason);
                return Ok(tick);
            }
        }
    }
    Ok(tick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Window;

    #[test]
    fn the_schedule_words_itself_for_both_edges() {
        let mut schedule = Schedule {
            invitations_auto: true,
            reminders_auto: true,
            last_reminder_days: Some(3),
            window: Window::default(),
            paused_at: None,
        };
        assert_eq!(
            schedule.german(),
            "Einladungen automatisch, Erinnerungen automatisch (letzte 3 Tage vor Ende), 8–18 Uhr, Mo–Fr"
        );
        assert_eq!(
            schedule.english(),
            "inv auto, rem auto (last 3d), 8-18 mo-fr"
        );
        schedule.paused_at = Some(Utc::now());
        assert!(schedule.english().starts_with("PAUSED "));
        assert!(!schedule.is_active());
        schedule.invitations_auto = false;
        schedule.reminders_auto = false;
        assert_eq!(schedule.german(), "von Hand");
        assert_eq!(schedule.english(), "manual");
    }
}
