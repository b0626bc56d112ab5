//! `wave create|set|open|close|list|purge-contacts`: the operations of `app::waves`, printed.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use diesel::PgConnection;

use crate::app::Actor;
use crate::app::schedule::{self, ScheduleInput};
use crate::app::waves::{self, NewWave, WaveSettings};
use crate::config::Settings;
use crate::text::Bilingual;

/// Mail texts given as files on the command line.
#[derive(Debug, Clone, Default)]
pub struct TextFiles {
    /// The invitation's text.
    pub invitation: Option<PathBuf>,
    /// The reminders' text.
    pub reminder: Option<PathBuf>,
}

impl TextFiles {
    /// `settings` with the files' texts read into it.
    pub fn read_into(&self, mut settings: WaveSettings) -> anyhow::Result<WaveSettings> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mail text {}", path.display()))
        };
        if let Some(path) = &self.invitation {
            settings.invitation_text = Some(read(path)?);
        }
        if let Some(path) = &self.reminder {
            settings.reminder_text = Some(read(path)?);
        }
        Ok(settings)
    }
}

/// `wave create`: prints the new wave's slug on stdout (for scripts) and what was done on stderr.
pub fn create(conn: &mut PgConnection, settings: &Settings, input: &NewWave) -> anyhow::Result<()> {
    let created = waves::create(conn, settings, &Actor::command_line(), input)?;
    let wave = &created.wave;
    eprintln!(
        "Created wave `{}` ({}){}; it is {}.",
        wave.slug,
        wave.title,
        if created.copied > 0 {
            format!(
                " with {} participants copied, each with a new link",
                created.copied
            )
        } else {
            String::new()
        },
        wave.state(Utc::now()).english()
    );
    if let Some(link) = waves::open_link(conn, settings, wave)? {
        eprintln!("Its open link (to pass on): {link}");
    }
    println!("{}", wave.slug);
    Ok(())
}

/// `wave set`.
pub fn set(conn: &mut PgConnection, slug: &str, input: &WaveSettings) -> anyhow::Result<()> {
    let wave = waves::set(conn, &Actor::command_line(), slug, input)?;
    println!("Updated wave `{}`.", wave.slug);
    Ok(())
}

/// `wave open`.
pub fn open(conn: &mut PgConnection, slug: &str) -> anyhow::Result<()> {
    let wave = waves::open(conn, &Actor::command_line(), slug)?;
    println!("Wave `{}` is open.", wave.slug);
    Ok(())
}

/// `wave close`.
pub fn close(conn: &mut PgConnection, slug: &str) -> anyhow::Result<()> {
    let wave = waves::close(conn, &Actor::command_line(), slug)?;
    println!("Wave `{}` is closed.", wave.slug);
    Ok(())
}

/// `wave test-link W`: the link that runs the questionnaire without counting.
pub fn test_link(conn: &mut PgConnection, settings: &Settings, slug: &str) -> anyhow::Result<()> {
    let link = waves::test_link(conn, settings, slug)?;
    eprintln!(
        "The test link of wave `{slug}`: it runs the real questionnaire (also before the wave opens); its answers never count and can be deleted on the wave's page."
    );
    println!("{link}");
    Ok(())
}

/// `wave schedule W [...]`: changes the schedule if options are given, then shows it, what it sends
/// next and the mailings so far.
pub fn schedule(conn: &mut PgConnection, slug: &str, input: ScheduleInput) -> anyhow::Result<()> {
    let now = Utc::now();
    let wave = if input == ScheduleInput::default() {
        waves::find(conn, slug)?
    } else {
        let (wave, _) = schedule::set(conn, &Actor::command_line(), slug, &input, now)?;
        eprintln!("Updated the schedule of wave `{}`.", wave.slug);
        wave
    };
    let outlook = schedule::outlook(conn, &wave, now)?;
    println!(
        "Schedule of wave `{}`: {}",
        wave.slug,
        outlook.schedule.english()
    );
    let time = |at: chrono::DateTime<Utc>| {
        at.with_timezone(&chrono_tz::Europe::Berlin)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    };
    let when = |planned: &schedule::Planned| {
        planned
            .at
            .map_or_else(|| "when the wave is opened".to_owned(), time)
    };
    if let Some(planned) = &outlook.invitations {
        println!(
            "  invitations: {}, {} people",
            when(planned),
            planned.people
        );
    }
    if let Some(planned) = &outlook.next_reminder {
        println!(
            "  next reminder: {}, about {} people",
            when(planned),
            planned.people
        );
    }
    if let Some(planned) = &outlook.last_reminder {
        println!(
            "  last reminder: {}, to everyone who has not answered by then (now {} people)",
            when(planned),
            planned.people
        );
    }
    if outlook.history.is_empty() {
        println!("  nothing sent yet");
    }
    for run in &outlook.history {
        println!(
            "  {}  {:<13}  {:>5} queued  by {}",
            time(run.started_at),
            run.kind,
            run.queued,
            run.actor
        );
    }
    Ok(())
}

/// `wave purge-contacts`.
pub fn purge_contacts(conn: &mut PgConnection, slug: &str) -> anyhow::Result<()> {
    let purged = waves::purge_contacts(conn, &Actor::command_line(), slug)?;
    println!(
        "Removed the names and addresses of {purged} participants of wave `{slug}`; answers are kept."
    );
    Ok(())
}

/// `wave list`: one line per wave, then the open links of open-link waves.
pub fn list(conn: &mut PgConnection, settings: &Settings) -> anyhow::Result<()> {
    let summaries = waves::list(conn)?;
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
    let schedules = waves::schedules(conn)?;
    let schedule_of = |id: i64| schedules.get(&id).copied().unwrap_or_default().english();
    let schedule_width = summaries
        .iter()
        .map(|s| schedule_of(s.wave.id).chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<slug_width$}  {:<11}  {:<24}  {:<10}  {:<10}  {:>12}  {:>7}  {:>9}  {:<schedule_width$}  TITLE",
        "WAVE",
        "STATE",
        "SURVEY",
        "OPENS",
        "CLOSES",
        "PARTICIPANTS",
        "INVITED",
        "SUBMITTED",
        "SCHEDULE"
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
    let mut links = Vec::new();
    for s in summaries {
        if let Some(link) = waves::open_link(conn, settings, &s.wave)? {
            links.push(format!("  {:<slug_width$}  {link}", s.wave.slug));
        }
        let closes = s
            .wave
            .closes_at
            .map_or_else(|| "–".to_owned(), crate::time::format_deadline);
        let closes: String = closes.chars().take(10).collect();
        println!(
            "{:<slug_width$}  {:<11}  {:<24}  {:<10}  {:<10}  {:>12}  {:>7}  {:>9}  {:<schedule_width$}  {}",
            s.wave.slug,
            s.wave.state(now).english(),
            format!("{} v{}", s.survey_id, s.survey_version),
            day(s.wave.opens_at.or(s.wave.opened_at)),
            closes,
            s.participants,
            s.invited,
            s.submitted,
            schedule_of(s.wave.id),
            s.wave.title
        );
    }
    if !links.is_empty() {
        println!("\nOpen links (anyone with the link can answer, anonymously):");
        for line in links {
            println!("{line}");
        }
    }
    Ok(())
}
