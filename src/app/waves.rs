//! Waves: create one (or copy one), change its settings, open and close it by hand, list them, and
//! drop the contacts after the field period.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{Connection, PgConnection};

use super::{Actor, operation_error};
use crate::config::Settings;
use crate::mail::templates::{PlaceholderError, check_placeholders};
use crate::store::participants::{self, NewParticipant};
use crate::store::surveys as stored_surveys;
use crate::store::waves::{self, MailTexts, Wave, WaveChanges, WaveState, WaveSummary};
use crate::survey::texts::WaveTexts;
use crate::text::{Bilingual, slug};
use crate::time::{DayEdge, format_berlin, format_date, parse_berlin, parse_date};
use crate::tokens::SecretKey;

/// A setting of a wave, as both edges name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveField {
    /// The title.
    Title,
    /// The opening date.
    Opens,
    /// The closing date.
    Closes,
    /// At most this many reminders.
    Reminders,
    /// Days between mails.
    ReminderDays,
    /// Smallest group shown in reports.
    SuppressBelow,
    /// Until when the answers are kept.
    KeepAnswers,
    /// Subject of the invitation.
    InvitationSubject,
    /// Text of the invitation.
    InvitationText,
    /// Subject of reminders.
    ReminderSubject,
    /// Text of reminders.
    ReminderText,
}

impl WaveField {
    /// The field's name on the settings page.
    fn german(self) -> &'static str {
        match self {
            WaveField::Title => "Titel",
            WaveField::Opens => "Beginn",
            WaveField::Closes => "Ende",
            WaveField::Reminders => "Erinnerungen",
            WaveField::ReminderDays => "Abstand",
            WaveField::SuppressBelow => "Mindestgröße",
            WaveField::KeepAnswers => "Antworten aufbewahren bis",
            WaveField::InvitationSubject => "Betreff der Einladung",
            WaveField::InvitationText => "Text der Einladung",
            WaveField::ReminderSubject => "Betreff der Erinnerung",
            WaveField::ReminderText => "Text der Erinnerung",
        }
    }

    /// The command line's flag (or, for mail texts, what it is).
    fn english(self) -> &'static str {
        match self {
            WaveField::Title => "--title",
            WaveField::Opens => "--opens",
            WaveField::Closes => "--closes",
            WaveField::Reminders => "--reminders",
            WaveField::ReminderDays => "--reminder-days",
            WaveField::SuppressBelow => "--suppress-below",
            WaveField::KeepAnswers => "--keep-answers-until",
            WaveField::InvitationSubject => "the invitation subject",
            WaveField::InvitationText => "the invitation text",
            WaveField::ReminderSubject => "the reminder subject",
            WaveField::ReminderText => "the reminder text",
        }
    }
}

/// Why a wave operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum WaveError {
    /// No survey has this id.
    #[error(
        "there is no survey `{0}`; load it first with `mint-survey survey load surveys/{0}.toml`"
    )]
    NoSuchSurvey(String),
    /// No wave has this slug.
    #[error("there is no wave `{slug}`; {}", known_waves(known))]
    NoSuchWave {
        /// The slug asked for.
        slug: String,
        /// The slugs there are.
        known: Vec<String>,
    },
    /// A blank title.
    #[error("--title must not be empty")]
    EmptyTitle,
    /// A wave with this title (slug) exists, and a second one was not asked for.
    #[error("there is already a wave `{slug}` with this title; a new one would be `{next}`")]
    TitleTaken {
        /// The existing wave's slug.
        slug: String,
        /// The slug the new wave would get.
        next: String,
    },
    /// A date that cannot be read.
    #[error(
        "{} `{text}` is not a date; write 2020-05-05 or 05.05.2020, optionally with a time (18:00)",
        field.english()
    )]
    BadDate {
        /// Which date.
        field: WaveField,
        /// As typed.
        text: String,
    },
    /// A number that is not one.
    #[error("{} must be a whole number, not `{text}`", field.english())]
    NotANumber {
        /// Which number.
        field: WaveField,
        /// As typed.
        text: String,
    },
    /// A number below its minimum.
    #[error("{} must be at least {min}, not {value}", field.english())]
    TooSmall {
        /// Which number.
        field: WaveField,
        /// The smallest allowed.
        min: i32,
        /// As given.
        value: i32,
    },
    /// A number above its maximum.
    #[error("{} must be at most {max}, not {value}", field.english())]
    TooLarge {
        /// Which number.
        field: WaveField,
        /// The largest allowed.
        max: i32,
        /// As given.
        value: i32,
    },
    /// Answers would be deleted before the wave ends.
    #[error(
        "--keep-answers-until {} is before the wave's last day ({})",
        format_date(*until),
        format_date(*last_day)
    )]
    KeptOnlyUntilBeforeEnd {
        /// The date given.
        until: NaiveDate,
        /// The wave's last day.
        last_day: NaiveDate,
    },
    /// The closing date is not after the opening date.
    #[error(
        "the wave would close ({}) before it opens ({})",
        format_berlin(*closes),
        format_berlin(*opens)
    )]
    ClosesBeforeOpens {
        /// Opening.
        opens: DateTime<Utc>,
        /// Closing.
        closes: DateTime<Utc>,
    },
    /// A mail text with a placeholder that cannot be filled.
    #[error("{}: {problem}", field.english())]
    MailText {
        /// Which text.
        field: WaveField,
        /// What is wrong with it.
        problem: PlaceholderError,
    },
    /// `wave set` without a setting.
    #[error("nothing to change: give at least one setting (see `mint-survey wave set --help`)")]
    NothingToChange,
    /// Opening a wave whose closing date has passed.
    #[error(
        "wave `{slug}` closed on {} by its date; give it a later one first (`mint-survey wave set {slug} --closes DATE`)",
        format_berlin(*closes)
    )]
    ClosedByDate {
        /// The wave.
        slug: String,
        /// When it closed.
        closes: DateTime<Utc>,
    },
    /// Closing a closed wave.
    #[error("wave `{0}` is already closed")]
    AlreadyClosed(String),
    /// Purging the contacts of a wave that still runs.
    #[error(
        "wave `{slug}` is still {}; close it first (`mint-survey wave close {slug}`): reminders need the addresses",
        state.english()
    )]
    StillRunning {
        /// The wave.
        slug: String,
        /// Its state.
        state: WaveState,
    },
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn known_waves(known: &[String]) -> String {
    if known.is_empty() {
        "there are no waves yet (`mint-survey wave create`)".to_owned()
    } else {
        format!("the waves are: {}", known.join(", "))
    }
}

impl WaveError {
    /// The setting the refusal is about, if one (a form links its error to that field).
    pub fn field(&self) -> Option<WaveField> {
        match self {
            WaveError::EmptyTitle | WaveError::TitleTaken { .. } => Some(WaveField::Title),
            WaveError::BadDate { field, .. }
            | WaveError::NotANumber { field, .. }
            | WaveError::TooSmall { field, .. }
            | WaveError::TooLarge { field, .. }
            | WaveError::MailText { field, .. } => Some(*field),
            WaveError::ClosesBeforeOpens { .. } => Some(WaveField::Closes),
            WaveError::KeptOnlyUntilBeforeEnd { .. } => Some(WaveField::KeepAnswers),
            _ => None,
        }
    }

    fn german_text(&self) -> String {
        match self {
            WaveError::NoSuchSurvey(id) => format!(
                "Es gibt keine Umfrage „{id}“; bitte laden Sie ihre Definition zuerst unter „Umfragen“."
            ),
            WaveError::NoSuchWave { slug, .. } => format!("Es gibt keine Welle „{slug}“."),
            WaveError::EmptyTitle => "Bitte geben Sie einen Titel an.".to_owned(),
            WaveError::TitleTaken { slug, next } => format!(
                "Es gibt schon eine Welle mit diesem Titel („{slug}“). Soll trotzdem eine zweite angelegt werden (als „{next}“)? Dann setzen Sie das Häkchen unten; sonst ändern Sie den Titel."
            ),
            WaveError::BadDate { field, text } => format!(
                "{}: „{text}“ ist kein gültiges Datum (TT.MM.JJJJ, auf Wunsch mit Uhrzeit wie 18:00).",
                field.german()
            ),
            WaveError::NotANumber { field, text } => format!(
                "{}: bitte eine ganze Zahl angeben, nicht „{text}“.",
                field.german()
            ),
            WaveError::TooSmall { field, min, value } => format!(
                "{}: bitte mindestens {min} angeben, nicht {value}.",
                field.german()
            ),
            WaveError::TooLarge { field, max, value } => format!(
                "{}: bitte höchstens {max} angeben, nicht {value}.",
                field.german()
            ),
            WaveError::ClosesBeforeOpens { opens, closes } => format!(
                "Das Ende ({}) liegt nicht nach dem Beginn ({}); bitte prüfen Sie die Daten.",
                format_berlin(*closes),
                format_berlin(*opens)
            ),
            WaveError::KeptOnlyUntilBeforeEnd { until, last_day } => format!(
                "Antworten aufbewahren bis: Der {} liegt vor dem letzten Tag der Welle ({}); bitte ein späteres Datum angeben oder das Feld leer lassen (dann {} Monate nach dem Ende).",
                format_date(*until),
                format_date(*last_day),
                waves::KEEP_ANSWERS_MONTHS
            ),
            WaveError::MailText { field, problem } => {
                format!("{}: {}.", field.german(), problem.german())
            }
            WaveError::NothingToChange => "Es gibt nichts zu ändern.".to_owned(),
            WaveError::ClosedByDate { closes, .. } => format!(
                "Die Welle ist seit {} durch ihr Enddatum geschlossen; bitte setzen Sie in den Einstellungen zuerst ein späteres Ende.",
                format_berlin(*closes)
            ),
            WaveError::AlreadyClosed(_) => "Die Welle ist schon geschlossen.".to_owned(),
            WaveError::StillRunning { state, .. } => format!(
                "Die Welle ist noch {}; bitte schließen Sie sie zuerst: Erinnerungen brauchen die Adressen.",
                state.german()
            ),
            WaveError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(WaveError);

/// A wave's settings as given; `None` keeps the current (or copied, or default) value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaveSettings {
    /// Opening date or time (Europe/Berlin), as typed.
    pub opens: Option<String>,
    /// Closing date (the whole day counts) or time, as typed.
    pub closes: Option<String>,
    /// At most this many reminders.
    pub reminders: Option<i32>,
    /// At least this many days between mails.
    pub reminder_days: Option<i32>,
    /// Smallest group shown in reports.
    pub suppress_below: Option<i32>,
    /// Until when the answers are kept, a date as typed (blank: 24 months after the end).
    pub keep_answers_until: Option<String>,
    /// Subject of the invitation (blank: the default).
    pub invitation_subject: Option<String>,
    /// Text of the invitation (blank: the default).
    pub invitation_text: Option<String>,
    /// Subject of reminders (blank: the default).
    pub reminder_subject: Option<String>,
    /// Text of reminders (blank: the default).
    pub reminder_text: Option<String>,
}

/// The most reminders a wave's policy may allow.
pub const MAX_REMINDERS: i32 = 10;

/// An optional point in time.
type Moment = Option<DateTime<Utc>>;

impl WaveSettings {
    fn times(&self) -> Result<(Moment, Moment), WaveError> {
        let parse = |text: &Option<String>, edge, field| {
            text.as_deref()
                .map(|t| {
                    parse_berlin(t, edge).ok_or_else(|| WaveError::BadDate {
                        field,
                        text: t.trim().to_owned(),
                    })
                })
                .transpose()
        };
        let opens = parse(&self.opens, DayEdge::Start, WaveField::Opens)?;
        let closes = parse(&self.closes, DayEdge::End, WaveField::Closes)?;
        Ok((opens, closes))
    }

    /// The date until which answers are kept: `Some(None)` for a blank text (the default again).
    fn keep_answers_until(&self) -> Result<Option<Option<NaiveDate>>, WaveError> {
        let Some(text) = self.keep_answers_until.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if text.is_empty() {
            return Ok(Some(None));
        }
        match parse_date(text) {
            Some(date) => Ok(Some(Some(date))),
            None => Err(WaveError::BadDate {
                field: WaveField::KeepAnswers,
                text: text.to_owned(),
            }),
        }
    }

    fn check_numbers(&self) -> Result<(), WaveError> {
        for (field, value, min, max) in [
            (WaveField::Reminders, self.reminders, 0, MAX_REMINDERS),
            (WaveField::ReminderDays, self.reminder_days, 1, 365),
            (WaveField::SuppressBelow, self.suppress_below, 1, 10_000),
        ] {
            if let Some(value) = value.filter(|v| *v < min) {
                return Err(WaveError::TooSmall { field, min, value });
            }
            if let Some(value) = value.filter(|v| *v > max) {
                return Err(WaveError::TooLarge { field, max, value });
            }
        }
        Ok(())
    }

    fn has_texts(&self) -> bool {
        self.invitation_subject.is_some()
            || self.invitation_text.is_some()
            || self.reminder_subject.is_some()
            || self.reminder_text.is_some()
    }

    /// `base` with the texts given here put in (a blank text: back to the default), checked.
    fn mail_texts(&self, mut base: MailTexts) -> Result<MailTexts, WaveError> {
        let given = |text: &Option<String>, slot: &mut Option<String>| {
            if let Some(text) = text {
                *slot = Some(text.clone()).filter(|t| !t.trim().is_empty());
            }
        };
        given(&self.invitation_subject, &mut base.invitation_subject);
        given(&self.invitation_text, &mut base.invitation_body);
        given(&self.reminder_subject, &mut base.reminder_subject);
        given(&self.reminder_text, &mut base.reminder_body);
        for (field, text) in [
            (WaveField::InvitationSubject, &base.invitation_subject),
            (WaveField::InvitationText, &base.invitation_body),
            (WaveField::ReminderSubject, &base.reminder_subject),
            (WaveField::ReminderText, &base.reminder_body),
        ] {
            if let Some(text) = text {
                check_placeholders(text)
                    .map_err(|problem| WaveError::MailText { field, problem })?;
            }
        }
        Ok(base)
    }
}

/// Answers may not be promised for deletion before the wave's last day.
fn check_kept_after_end(until: Option<NaiveDate>, closes: Moment) -> Result<(), WaveError> {
    match (until, closes.map(crate::time::last_day)) {
        (Some(until), Some(last_day)) if until < last_day => {
            Err(WaveError::KeptOnlyUntilBeforeEnd { until, last_day })
        }
        _ => Ok(()),
    }
}

fn check_order(opens: Moment, closes: Moment) -> Result<(), WaveError> {
    match (opens, closes) {
        (Some(opens), Some(closes)) if closes <= opens => {
            Err(WaveError::ClosesBeforeOpens { opens, closes })
        }
        _ => Ok(()),
    }
}

/// The wave of this slug, or [`WaveError::NoSuchWave`] naming the waves there are.
pub fn find(conn: &mut PgConnection, slug: &str) -> Result<Wave, WaveError> {
    if let Some(wave) = waves::find_by_slug(conn, slug)? {
        return Ok(wave);
    }
    let known = waves::find_summaries(conn)?
        .into_iter()
        .map(|s| s.wave.slug)
        .collect();
    Err(WaveError::NoSuchWave {
        slug: slug.to_owned(),
        known,
    })
}

/// The shared address of an open-link wave (`PUBLIC_URL/o/{slug}`), or `None` for a wave whose
/// survey is answered through personal links.
pub fn open_link(
    conn: &mut PgConnection,
    settings: &Settings,
    wave: &Wave,
) -> Result<Option<String>, WaveError> {
    let survey = stored_surveys::find_by_id(conn, wave.survey_version_id)?.survey;
    Ok((survey.access == crate::survey::Access::Open)
        .then(|| format!("{}/o/{}", settings.public_url, wave.slug)))
}

/// The wave's test link (`PUBLIC_URL/test/{slug}/{token}`): the real questionnaire, also before
/// the wave opens, whose responses never count.
pub fn test_link(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
) -> Result<String, WaveError> {
    let wave = find(conn, slug)?;
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    Ok(test_link_of(&settings.public_url, &key, &wave))
}

/// What the placeholders of the wave's survey texts show (`{{ ende }}` → "05.05.2020"); where a
/// date is not set yet, words that read in the same place ("bis zum Ende der Befragung").
pub fn texts_of(wave: &Wave, contact: &str) -> WaveTexts {
    WaveTexts {
        beginn: wave
            .opens_at
            .or(wave.opened_at)
            .map(|t| format_date(crate::time::berlin_day(t)))
            .unwrap_or_else(|| "Beginn der Befragung".to_owned()),
        ende: wave
            .closes_at
            .map(crate::time::format_deadline)
            .unwrap_or_else(|| "Ende der Befragung".to_owned()),
        loeschung: wave
            .answers_kept_until()
            .map(format_date)
            .unwrap_or_else(|| {
                format!(
                    "Ablauf von {} Monaten nach dem Ende der Befragung",
                    waves::KEEP_ANSWERS_MONTHS
                )
            }),
        kontakt: contact.to_owned(),
    }
}

/// The test link of a wave at hand, with the key at hand (a page that has both).
pub fn test_link_of(public_url: &str, key: &SecretKey, wave: &Wave) -> String {
    format!(
        "{public_url}/test/{}/{}",
        wave.slug,
        crate::tokens::test_token(key, wave.id)
    )
}

/// Deletes the wave's test-link responses, audited as `test_responses_deleted`; returns how many.
pub fn delete_test_responses(
    conn: &mut PgConnection,
    actor: &Actor,
    slug: &str,
) -> Result<usize, WaveError> {
    conn.transaction(|conn| {
        let wave = find(conn, slug)?;
        let deleted = crate::store::responses::delete_tests(conn, wave.id)?;
        actor.audit(
            conn,
            "test_responses_deleted",
            &wave.slug,
            &format!("{deleted} Testantworten"),
        )?;
        Ok(deleted)
    })
}

/// Every wave with its survey and counts, newest first.
pub fn list(conn: &mut PgConnection) -> Result<Vec<WaveSummary>, WaveError> {
    Ok(waves::find_summaries(conn)?)
}

/// Every wave's schedule, by wave id (waves without one are sent by hand).
pub fn schedules(
    conn: &mut PgConnection,
) -> Result<std::collections::HashMap<i64, crate::store::waves::Schedule>, WaveError> {
    Ok(waves::find_schedules(conn)?)
}

/// The slug a title gives when it is free: `fruehjahr-2020`.
fn base_slug(title: &str) -> String {
    let base = slug(title, '-');
    if base.is_empty() {
        "welle".to_owned()
    } else {
        base.chars().take(56).collect()
    }
}

/// A free slug made from the title: `fruehjahr-2020`, else `fruehjahr-2020-2`, …
fn free_slug(conn: &mut PgConnection, title: &str) -> Result<String, WaveError> {
    let base = base_slug(title);
    let mut candidate = base.clone();
    let mut n = 2;
    while waves::slug_exists(conn, &candidate)? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// What a new wave is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewWave {
    /// The survey's id; the wave pins its current version.
    pub survey: String,
    /// The title.
    pub title: String,
    /// Take over settings, mail texts and participants (with new links) of this wave.
    pub copy_from: Option<String>,
    /// Dates, policy, threshold, texts.
    pub settings: WaveSettings,
    /// Open it at once.
    pub open_now: bool,
    /// Whether a second wave with a title that exists is wanted (it gets `-2`, `-3`, …);
    /// otherwise [`WaveError::TitleTaken`].
    pub same_title: bool,
}

/// A created wave.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    /// The wave as stored.
    pub wave: Wave,
    /// Participants copied from `copy_from`.
    pub copied: usize,
}

/// Creates a wave of the survey's current version, audited as `wave_created`.
pub fn create(
    conn: &mut PgConnection,
    settings: &Settings,
    actor: &Actor,
    input: &NewWave,
) -> Result<Created, WaveError> {
    let title = input.title.trim();
    if title.is_empty() {
        return Err(WaveError::EmptyTitle);
    }
    input.settings.check_numbers()?;
    let (opens_at, closes_at) = input.settings.times()?;
    check_order(opens_at, closes_at)?;
    let keep_answers_until = input.settings.keep_answers_until()?.flatten();
    check_kept_after_end(keep_answers_until, closes_at)?;
    let survey_id = input.survey.trim();
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    conn.transaction(|conn| {
        let version = stored_surveys::find_latest(conn, survey_id)?
            .ok_or_else(|| WaveError::NoSuchSurvey(survey_id.to_owned()))?;
        let source = match input.copy_from.as_deref().map(str::trim) {
            Some(slug) if !slug.is_empty() => Some(find(conn, slug)?),
            _ => None,
        };
        let base_texts = source.as_ref().map(Wave::mail_texts).unwrap_or_default();
        let slug = free_slug(conn, title)?;
        if !input.same_title && slug != base_slug(title) {
            return Err(WaveError::TitleTaken {
                slug: base_slug(title),
                next: slug,
            });
        }
        let new = waves::NewWave {
            slug,
            title: title.to_owned(),
            survey_version_id: version.id,
            opens_at,
            closes_at,
            suppress_below: input
                .settings
                .suppress_below
                .or(source.as_ref().map(|w| w.suppress_below))
                .unwrap_or(i32::try_from(settings.suppress_below).unwrap_or(5)),
            reminders_max: input
                .settings
                .reminders
                .or(source.as_ref().map(|w| w.reminders_max))
                .unwrap_or(2),
            reminder_interval_days: input
                .settings
                .reminder_days
                .or(source.as_ref().map(|w| w.reminder_interval_days))
                .unwrap_or(7),
            mail_texts: input.settings.mail_texts(base_texts)?.to_json(),
            copied_from: source.as_ref().map(|w| w.id),
            keep_answers_until,
        };
        let mut wave = waves::insert(conn, &new)?;
        let copied = match &source {
            Some(source) => {
                // The copy runs by the same schedule (not paused: it is a new wave).
                let schedule = waves::find_schedule(conn, source.id)?;
                if schedule != waves::Schedule::default() {
                    let schedule = waves::Schedule {
                        paused_at: None,
                        ..schedule
                    };
                    waves::set_schedule(conn, wave.id, &schedule)?;
                }
                copy_participants(conn, source, &wave, &key)?
            }
            None => 0,
        };
        let details = format!("Umfrage {survey_id}, {copied} Teilnehmende übernommen");
        actor.audit(conn, "wave_created", &wave.slug, &details)?;
        if input.open_now {
            wave = open_wave(conn, actor, wave)?;
        }
        Ok(Created { wave, copied })
    })
}

/// Copies the participants (with contacts) of `from` into `to`; each gets a new link. Revoked
/// links and purged contacts are left out. A fixed number of statements, whatever the size.
fn copy_participants(
    conn: &mut PgConnection,
    from: &Wave,
    to: &Wave,
    key: &SecretKey,
) -> Result<usize, WaveError> {
    let listings = participants::find_by_wave(conn, from.id)?;
    let new: Vec<NewParticipant> = listings
        .iter()
        .filter(|l| l.participant.revoked_at.is_none())
        .filter_map(|l| {
            Some(NewParticipant {
                region_id: l.participant.region_id,
                land_code: &l.participant.land_code,
                attributes: l.participant.attributes.clone(),
                email: l.email.as_deref()?,
                name: l.name.as_deref(),
            })
        })
        .collect();
    participants::insert_all(conn, to.id, &new, key).map_err(anyhow::Error::from)?;
    Ok(new.len())
}

/// Changes dates, reminder policy, threshold or mail texts, audited as `wave_settings_changed`.
pub fn set(
    conn: &mut PgConnection,
    actor: &Actor,
    slug: &str,
    input: &WaveSettings,
) -> Result<Wave, WaveError> {
    input.check_numbers()?;
    let (opens_at, closes_at) = input.times()?;
    let keep_answers_until = input.keep_answers_until()?;
    conn.transaction(|conn| {
        let wave = find(conn, slug)?;
        check_order(opens_at.or(wave.opens_at), closes_at.or(wave.closes_at))?;
        check_kept_after_end(
            keep_answers_until.unwrap_or(wave.keep_answers_until),
            closes_at.or(wave.closes_at),
        )?;
        let changes = WaveChanges {
            opens_at: opens_at.map(Some),
            closes_at: closes_at.map(Some),
            suppress_below: input.suppress_below,
            reminders_max: input.reminders,
            reminder_interval_days: input.reminder_days,
            keep_answers_until: keep_answers_until.filter(|keep| *keep != wave.keep_answers_until),
            mail_texts: if input.has_texts() {
                Some(input.mail_texts(wave.mail_texts())?.to_json())
            } else {
                None
            },
        };
        if changes == WaveChanges::default() {
            return Err(WaveError::NothingToChange);
        }
        let wave = waves::update(conn, wave.id, &changes)?;
        actor.audit(conn, "wave_settings_changed", &wave.slug, "")?;
        Ok(wave)
    })
}

/// Opens the wave now, audited as `wave_opened`.
pub fn open(conn: &mut PgConnection, actor: &Actor, slug: &str) -> Result<Wave, WaveError> {
    conn.transaction(|conn| {
        let wave = find(conn, slug)?;
        open_wave(conn, actor, wave)
    })
}

fn open_wave(conn: &mut PgConnection, actor: &Actor, wave: Wave) -> Result<Wave, WaveError> {
    let now = Utc::now();
    if let Some(closes) = wave.closes_at.filter(|c| *c <= now) {
        return Err(WaveError::ClosedByDate {
            slug: wave.slug,
            closes,
        });
    }
    let wave = waves::mark_opened(conn, wave.id, now)?;
    actor.audit(conn, "wave_opened", &wave.slug, "")?;
    Ok(wave)
}

/// Closes the wave now, audited as `wave_closed`.
pub fn close(conn: &mut PgConnection, actor: &Actor, slug: &str) -> Result<Wave, WaveError> {
    conn.transaction(|conn| {
        let wave = find(conn, slug)?;
        let now = Utc::now();
        if wave.state(now) == WaveState::Closed {
            return Err(WaveError::AlreadyClosed(wave.slug));
        }
        let wave = waves::mark_closed(conn, wave.id, now)?;
        actor.audit(conn, "wave_closed", &wave.slug, "")?;
        Ok(wave)
    })
}

/// After the field period: drops names and addresses, keeps the answers; audited as
/// `contacts_purged`. Returns how many participants lost their contact.
pub fn purge_contacts(
    conn: &mut PgConnection,
    actor: &Actor,
    slug: &str,
) -> Result<usize, WaveError> {
    conn.transaction(|conn| {
        let wave = find(conn, slug)?;
        let state = wave.state(Utc::now());
        if state != WaveState::Closed {
            return Err(WaveError::StillRunning {
                slug: wave.slug,
                state,
            });
        }
        let purged = waves::delete_contacts(conn, wave.id)?;
        actor.audit(
            conn,
            "contacts_purged",
            &wave.slug,
            &format!("{purged} Kontakte gelöscht"),
        )?;
        Ok(purged)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_date_is_worded_without_flags_in_german_and_with_them_in_english() {
        let settings = WaveSettings {
            closes: Some("31.02.2021".to_owned()),
            ..WaveSettings::default()
        };
        let error = settings.times().unwrap_err();
        assert_eq!(
            error.german(),
            "Ende: „31.02.2021“ ist kein gültiges Datum (TT.MM.JJJJ, auf Wunsch mit Uhrzeit wie 18:00)."
        );
        assert!(
            error
                .english()
                .starts_with("--closes `31.02.2021` is not a date")
        );
    }

    #[test]
    fn a_blank_text_goes_back_to_the_default_and_placeholders_are_checked() {
        let base = MailTexts {
            invitation_subject: Some("Alt".to_owned()),
            ..MailTexts::default()
        };
        let blank = WaveSettings {
            invitation_subject: Some("  ".to_owned()),
            ..WaveSettings::default()
        };
        assert_eq!(
            blank.mail_texts(base.clone()).unwrap().invitation_subject,
            None
        );
        let typo = WaveSettings {
            reminder_text: Some("Hallo {{ regon }}".to_owned()),
            ..WaveSettings::default()
        };
        let error = typo.mail_texts(base).unwrap_err();
        assert!(
            error
                .german()
                .starts_with("Text der Erinnerung: unbekannter Platzhalter")
        );
        assert!(error.english().contains("(did you mean `{{ region }}`?)"));
    }
}
