//! `wave create|open|close|list|set|purge-contacts`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::Utc;
use diesel::{Connection, PgConnection};

use crate::config::Settings;
use crate::store::participants::{self, NewParticipant};
use crate::store::surveys as stored_surveys;
use crate::store::waves::{self, MailTexts, NewWave, Wave, WaveChanges, WaveState};
use crate::text::slug;
use crate::time::{DayEdge, format_berlin, parse_berlin};

/// An optional point in time.
type Moment = Option<chrono::DateTime<Utc>>;

/// Settings given on the command line; `None` keeps the current (or copied, or default) value.
#[derive(Debug, Clone, Default)]
pub struct WaveOptions {
    /// Opening date or time (Europe/Berlin).
    pub opens: Option<String>,
    /// Closing date (the whole day counts) or time.
    pub closes: Option<String>,
    /// At most this many reminders.
    pub reminders: Option<i32>,
    /// At least this many days between mails.
    pub reminder_days: Option<i32>,
    /// Smallest group shown in reports.
    pub suppress_below: Option<i32>,
    /// Subject of the invitation.
    pub invitation_subject: Option<String>,
    /// File with the text of the invitation.
    pub invitation_text: Option<PathBuf>,
    /// Subject of reminders.
    pub reminder_subject: Option<String>,
    /// File with the text of reminders.
    pub reminder_text: Option<PathBuf>,
    /// The invitation's text itself (the admin pages' form), instead of a file.
    pub invitation_body: Option<String>,
    /// The reminders' text itself, instead of a file.
    pub reminder_body: Option<String>,
}

impl WaveOptions {
    fn times(&self) -> anyhow::Result<(Moment, Moment)> {
        let parse = |text: &Option<String>, edge, flag| {
            text.as_deref()
                .map(|t| {
                    parse_berlin(t, edge).with_context(|| {
                        format!("{flag} `{t}` is not a date; write 2020-05-05 or 05.05.2020, optionally with a time (18:00)")
                    })
                })
                .transpose()
        };
        let opens = parse(&self.opens, DayEdge::Start, "--opens")?;
        let closes = parse(&self.closes, DayEdge::End, "--closes")?;
        Ok((opens, closes))
    }

    fn check_numbers(&self) -> anyhow::Result<()> {
        for (flag, value, min) in [
            ("--reminders", self.reminders, 0),
            ("--reminder-days", self.reminder_days, 1),
            ("--suppress-below", self.suppress_below, 1),
        ] {
            if let Some(value) = value {
                anyhow::ensure!(value >= min, "{flag} must be at least {min}, not {value}");
            }
        }
        Ok(())
    }

    /// `base` with the texts given here put in.
    pub fn mail_texts(&self, mut base: MailTexts) -> anyhow::Result<MailTexts> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mail text {}", path.display()))
        };
        if let Some(subject) = &self.invitation_subject {
            base.invitation_subject = Some(subject.clone());
        }
        if let Some(path) = &self.invitation_text {
            base.invitation_body = Some(read(path)?);
        }
        if let Some(subject) = &self.reminder_subject {
            base.reminder_subject = Some(subject.clone());
        }
        if let Some(path) = &self.reminder_text {
            base.reminder_body = Some(read(path)?);
        }
        if let Some(text) = &self.invitation_body {
            base.invitation_body = Some(text.clone()).filter(|t| !t.trim().is_empty());
        }
        if let Some(text) = &self.reminder_body {
            base.reminder_body = Some(text.clone()).filter(|t| !t.trim().is_empty());
        }
        for (name, text) in [
            ("invitation subject", &base.invitation_subject),
            ("invitation text", &base.invitation_body),
            ("reminder subject", &base.reminder_subject),
            ("reminder text", &base.reminder_body),
        ] {
            if let Some(text) = text {
                crate::mail::templates::check_placeholders(text)
                    .with_context(|| format!("the {name}"))?;
            }
        }
        Ok(base)
    }

    /// Whether any mail text or subject is given.
    pub fn has_texts(&self) -> bool {
        self.invitation_subject.is_some()
            || self.invitation_text.is_some()
            || self.reminder_subject.is_some()
            || self.reminder_text.is_some()
            || self.invitation_body.is_some()
            || self.reminder_body.is_some()
    }
}

/// The wave of this slug, or an error that lists the waves there are.
pub fn find_wave(conn: &mut PgConnection, slug: &str) -> anyhow::Result<Wave> {
    if let Some(wave) = waves::find_by_slug(conn, slug)? {
        return Ok(wave);
    }
    let known: Vec<String> = waves::find_summaries(conn)?
        .into_iter()
        .map(|s| s.wave.slug)
        .collect();
    if known.is_empty() {
        bail!("there is no wave `{slug}`; there are no waves yet (`mint-survey wave create`)");
    }
    bail!(
        "there is no wave `{slug}`; the waves are: {}",
        known.join(", ")
    )
}

/// A free slug made from the title: `fruehjahr-2020`, else `fruehjahr-2020-2`, …
fn free_slug(conn: &mut PgConnection, title: &str) -> anyhow::Result<String> {
    let base = slug(title, '-');
    let base: String = if base.is_empty() {
        "welle".to_owned()
    } else {
        base.chars().take(56).collect()
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while waves::slug_exists(conn, &candidate)? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// `wave create`: pins the survey's current version; with `copy_from`, takes over that wave's settings,
/// mail texts and participants (with new links). Returns the new wave.
pub fn create(
    conn: &mut PgConnection,
    settings: &Settings,
    survey_id: &str,
    title: &str,
    copy_from: Option<&str>,
    options: &WaveOptions,
) -> anyhow::Result<(Wave, usize)> {
    options.check_numbers()?;
    let (opens_at, closes_at) = options.times()?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at) {
        anyhow::ensure!(closes > opens, "--closes must be after --opens");
    }
    anyhow::ensure!(!title.trim().is_empty(), "--title must not be empty");
    let version = stored_surveys::find_latest(conn, survey_id)?.with_context(|| {
        format!("there is no survey `{survey_id}`; load it first with `mint-survey survey load surveys/{survey_id}.toml`")
    })?;
    let source = copy_from.map(|slug| find_wave(conn, slug)).transpose()?;
    let key = settings.secret_key()?;
    conn.transaction(|conn| {
        let base_texts = source.as_ref().map(Wave::mail_texts).unwrap_or_default();
        let new = NewWave {
            slug: free_slug(conn, title)?,
            title: title.trim().to_owned(),
            survey_version_id: version.id,
            opens_at,
            closes_at,
            suppress_below: options
                .suppress_below
                .or(source.as_ref().map(|w| w.suppress_below))
                .unwrap_or(i32::try_from(settings.suppress_below).unwrap_or(5)),
            reminders_max: options
                .reminders
                .or(source.as_ref().map(|w| w.reminders_max))
                .unwrap_or(2),
            reminder_interval_days: options
                .reminder_days
                .or(source.as_ref().map(|w| w.reminder_interval_days))
                .unwrap_or(7),
            mail_texts: options.mail_texts(base_texts)?.to_json(),
            copied_from: source.as_ref().map(|w| w.id),
        };
        let wave = waves::insert(conn, &new)?;
        let copied = match &source {
            Some(source) => copy_participants(conn, source, &wave, &key)?,
            None => 0,
        };
        Ok((wave, copied))
    })
}

/// Copies the participants (with contacts) of `from` into `to`; each gets a new link.
fn copy_participants(
    conn: &mut PgConnection,
    from: &Wave,
    to: &Wave,
    key: &crate::tokens::SecretKey,
) -> anyhow::Result<usize> {
    let mut copied = 0;
    for listing in participants::find_by_wave(conn, from.id)? {
        let (Some(email), None) = (&listing.email, listing.participant.revoked_at) else {
            continue;
        };
        participants::insert(
            conn,
            to.id,
            &NewParticipant {
                region_id: listing.participant.region_id,
                land_code: &listing.participant.land_code,
                attributes: listing.participant.attributes.clone(),
                email,
                name: listing.name.as_deref(),
            },
            key,
        )?;
        copied += 1;
    }
    Ok(copied)
}

/// `wave set`: changes dates, reminder policy, threshold or mail texts of a wave.
pub fn set(conn: &mut PgConnection, slug: &str, options: &WaveOptions) -> anyhow::Result<Wave> {
    options.check_numbers()?;
    let wave = find_wave(conn, slug)?;
    let (opens_at, closes_at) = options.times()?;
    let opens = opens_at.or(wave.opens_at);
    let closes = closes_at.or(wave.closes_at);
    if let (Some(opens), Some(closes)) = (opens, closes) {
        anyhow::ensure!(
            closes > opens,
            "the wave would close ({}) before it opens ({})",
            format_berlin(closes),
            format_berlin(opens)
        );
    }
    let changes = WaveChanges {
        opens_at: opens_at.map(Some),
        closes_at: closes_at.map(Some),
        suppress_below: options.suppress_below,
        reminders_max: options.reminders,
        reminder_interval_days: options.reminder_days,
        mail_texts: if options.has_texts() {
            Some(options.mail_texts(wave.mail_texts())?.to_json())
        } else {
            None
        },
    };
    if changes.opens_at.is_none()
        && changes.closes_at.is_none()
        && changes.suppress_below.is_none()
        && changes.reminders_max.is_none()
        && changes.reminder_interval_days.is_none()
        && changes.mail_texts.is_none()
    {
        bail!("nothing to change: give at least one setting (see `mint-survey wave set --help`)");
    }
    Ok(waves::update(conn, wave.id, &changes)?)
}

/// `wave open`: opens the wave now.
pub fn open(conn: &mut PgConnection, slug: &str) -> anyhow::Result<Wave> {
    let wave = find_wave(conn, slug)?;
    let now = Utc::now();
    if let Some(closes) = wave.closes_at.filter(|c| *c <= now) {
        bail!(
            "wave `{slug}` closed on {} by its date; give it a later one first (`mint-survey wave set {slug} --closes DATE`)",
            format_berlin(closes)
        );
    }
    Ok(waves::mark_opened(conn, wave.id, now)?)
}

/// `wave close`: closes the wave now.
pub fn close(conn: &mut PgConnection, slug: &str) -> anyhow::Result<Wave> {
    let wave = find_wave(conn, slug)?;
    if wave.state(Utc::now()) == WaveState::Closed {
        bail!("wave `{slug}` is already closed");
    }
    Ok(waves::mark_closed(conn, wave.id, Utc::now())?)
}

/// `wave list`: one line per wave.
pub fn list(conn: &mut PgConnection) -> anyhow::Result<()> {
    let summaries = waves::find_summaries(conn)?;
    if summaries.is_empty() {
        println!(
            "No waves yet; create one with `mint-survey wave create --survey ID --title TITLE`."
        );
        return Ok(());
    }
    let now = Utc::now();
    let slug_width = summaries
        .iter()
        .map(|s| s.wave.slug.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<slug_width$}  {:<11}  {:<24}  {:<10}  {:<10}  {:>12}  {:>7}  {:>9}  TITLE",
        "WAVE", "STATE", "SURVEY", "OPENS", "CLOSES", "PARTICIPANTS", "INVITED", "SUBMITTED"
    );
    let day = |t: Option<chrono::DateTime<Utc>>| {
        t.map_or_else(
            || "–".to_owned(),
            |t| {
                t.with_timezone(&chrono_tz::Europe::Berlin)
                    .format("%d.%m.%Y")
                    .to_string()
            },
        )
    };
    for s in summaries {
        let closes = s
            .wave
            .closes_at
            .map_or_else(|| "–".to_owned(), crate::time::format_deadline);
        let closes: String = closes.chars().take(10).collect();
        println!(
            "{:<slug_width$}  {:<11}  {:<24}  {:<10}  {:<10}  {:>12}  {:>7}  {:>9}  {}",
            s.wave.slug,
            s.wave.state(now).as_str(),
            format!("{} v{}", s.survey_id, s.survey_version),
            day(s.wave.opens_at.or(s.wave.opened_at)),
            closes,
            s.participants,
            s.invited,
            s.submitted,
            s.wave.title
        );
    }
    Ok(())
}

/// `wave purge-contacts`: after the field period, drops names and addresses; answers stay.
pub fn purge_contacts(conn: &mut PgConnection, slug: &str) -> anyhow::Result<usize> {
    let wave = find_wave(conn, slug)?;
    anyhow::ensure!(
        wave.state(Utc::now()) == WaveState::Closed,
        "wave `{slug}` is still {}; close it first (`mint-survey wave close {slug}`): reminders need the addresses",
        wave.state(Utc::now()).as_str()
    );
    Ok(waves::delete_contacts(conn, wave.id)?)
}
