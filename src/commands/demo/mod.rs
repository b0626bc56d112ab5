//! `demo`: a working installation with demo data and no configuration.
//!
//! Brings up the store (the private cluster unless `DATABASE_URL` is set), migrates it, loads the
//! survey definitions of `surveys/` (or the copies built into the binary when run elsewhere),
//! creates the spring and autumn waves, imports about 130 demo regions through the same import as
//! `participants import`, writes the invitations to `var/outbox/` (never to a real server), fills in
//! about 70 % (spring) and 45 % (autumn) of the questionnaires through the questionnaire's own steps,
//! prints personal links to try and serves the application. Running it again adds nothing.

mod participants;
mod responses;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use diesel::Connection;

use super::mailing::{self, MailingOptions};
use crate::app::participants::ImportMode;
use crate::app::surveys::{self, CheckedFile};
use crate::app::waves::{self, NewWave, WaveSettings};
use crate::app::{Actor, reports};
use crate::config::Settings;
use crate::mail::templates::MailKind;
use crate::store::waves as stored_waves;
use crate::survey::{self, Format};

/// The 2020 questionnaires, built in so that `demo` works outside the project folder too.
const BUILT_IN: [(&str, &str); 3] = [
    (
        "surveys/fruehjahr-2020.toml",
        include_str!("../../../surveys/fruehjahr-2020.toml"),
    ),
    (
        "surveys/herbst-2020.toml",
        include_str!("../../../surveys/herbst-2020.toml"),
    ),
    (
        "surveys/herbst-2020-akteure.toml",
        include_str!("../../../surveys/herbst-2020-akteure.toml"),
    ),
];

/// The demo waves: slug, survey, title, and the wave whose participants it copies.
const WAVES: [(&str, &str, &str, Option<&str>); 2] = [
    ("fruehjahr-2020", "fruehjahr-2020", "Frühjahr 2020", None),
    (
        "herbst-2020",
        "herbst-2020",
        "Herbst 2020",
        Some("fruehjahr-2020"),
    ),
];

/// Runs the demo.
pub fn run(settings: &Settings, serve: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    match &settings.database_url {
        Some(url) => println!("Database: {}", crate::store::redact_url(url)),
        None => println!(
            "Database: private PostgreSQL cluster in {} (Unix socket only)",
            settings.var_dir.join("postgres").display()
        ),
    }
    let (url, mut conn) = super::open_store_with_url(settings)?;
    let files = demo_surveys(Path::new("surveys"))?;
    surveys::load(&mut conn, &Actor::command_line(), &files)?;
    println!("Surveys loaded from surveys/:\n");
    super::surveys::list(&mut conn)?;
    // Demo mails go to example.org addresses: always into files, whatever SMTP_URL says.
    let mut settings = settings.clone();
    settings.smtp_url = None;
    for (slug, survey, title, copy_from) in WAVES {
        create_wave(&mut conn, &settings, slug, survey, title, copy_from)?;
    }
    println!();
    for (slug, ..) in WAVES {
        let options = MailingOptions {
            yes: true,
            ..MailingOptions::default()
        };
        mailing::run(
            &mut conn,
            &url,
            &settings,
            slug,
            MailKind::Invitation,
            &options,
        )?;
    }
    // 2020: 93 of 130 regions answered in spring, 61 in autumn.
    for (slug, share) in [("fruehjahr-2020", 0.72), ("herbst-2020", 0.5)] {
        let wave =
            stored_waves::find_by_slug(&mut conn, slug)?.context("the demo wave is missing")?;
        let filled = responses::fill(&mut conn, &wave, share)?;
        if filled.submitted + filled.drafts > 0 {
            println!(
                "Wave `{slug}`: {} demo responses submitted, {} left as drafts (through the questionnaire's own steps).",
                filled.submitted, filled.drafts
            );
        }
    }
    // The autumn wave runs by itself: reminders under its policy, working days 8–18 Uhr (into
    // files, like every demo mail); its page shows when the next one goes out.
    let reminders = crate::app::schedule::ScheduleInput {
        reminders_auto: Some(true),
        ..Default::default()
    };
    let now = chrono::Utc::now();
    crate::app::schedule::set(
        &mut conn,
        &Actor::command_line(),
        "herbst-2020",
        &reminders,
        now,
    )?;
    println!("\nWaves:\n");
    super::waves::list(&mut conn, &settings)?;
    println!(
        "\nReady in {:.1} s. The invitations are in {} (open one in a mail program).",
        started.elapsed().as_secs_f64(),
        settings.var_dir.join("outbox").display()
    );
    print_links(&mut conn, &settings)?;
    write_reports(&mut conn)?;
    let accounts = demo_accounts(&mut conn)?;
    println!(
        "\nStaff accounts (log in at {}/login):",
        settings.public_url
    );
    for (email, role, password) in &accounts {
        println!("  {role:<6} {email}  password: {password}");
    }
    if serve {
        println!();
        super::serve::run(&settings, None)?;
    }
    Ok(())
}

/// Writes the reports of both demo waves, autumn compared with spring, to `reports/`.
fn write_reports(conn: &mut diesel::PgConnection) -> anyhow::Result<()> {
    println!("\nReports:");
    for (wave, compare) in [
        ("fruehjahr-2020", None),
        ("herbst-2020", Some("fruehjahr-2020")),
    ] {
        let options = reports::ReportOptions {
            wave: wave.to_owned(),
            compare: compare.map(str::to_owned),
            ..Default::default()
        };
        let written = reports::write(conn, None, &Actor::command_line(), &options)?;
        println!(
            "  {wave:<15} {} ({} files{})",
            written.folder.join("index.html").display(),
            written.files,
            compare.map_or_else(String::new, |c| format!(", compared with {c}"))
        );
    }
    Ok(())
}

/// The demo's admin and board accounts, with passwords generated on the first run and kept in the
/// database only as hashes; a later run sets new ones (it cannot show the old).
fn demo_accounts(
    conn: &mut diesel::PgConnection,
) -> anyhow::Result<Vec<(&'static str, &'static str, String)>> {
    use crate::accounts::{Role, hash_password, random_token};
    use crate::store::users;
    let mut out = Vec::new();
    for (email, role) in [
        ("admin@example.org", Role::Admin),
        ("beirat@example.org", Role::Board),
    ] {
        let token = random_token().map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
        let password = format!("demo-{}", &token[..16]);
        let hash = hash_password(&password).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        let user = match users::find_by_email(conn, email)? {
            Some(user) => user,
            None => users::insert(conn, email, role, None)?,
        };
        users::set_password(conn, user.id, &hash)?;
        out.push((email, role.as_str(), password));
    }
    Ok(out)
}

/// Prints personal links to try: one not started, one draft, one submitted.
fn print_links(conn: &mut diesel::PgConnection, settings: &Settings) -> anyhow::Result<()> {
    let key = settings.secret_key()?;
    let wave =
        stored_waves::find_by_slug(conn, "fruehjahr-2020")?.context("the demo wave is missing")?;
    let mut shown = [None, None, None];
    for listing in crate::store::participants::find_by_wave(conn, wave.id)? {
        let state =
            match crate::store::responses::find_for_participant(conn, listing.participant.id)? {
                None => 0,
                Some(r) if r.submitted_at.is_none() => 1,
                Some(_) => 2,
            };
        if shown[state].is_none() {
            let link = listing.participant.link(&settings.public_url, &key);
            shown[state] = Some((listing.region, link));
        }
    }
    println!("\nPersonal links to try (wave `fruehjahr-2020`):");
    for (label, entry) in ["not started", "draft", "submitted"].iter().zip(shown) {
        if let Some((region, link)) = entry {
            println!("  {label:<11}  {link}  ({region})");
        }
    }
    Ok(())
}

/// Creates a demo wave unless it exists: open now for four weeks, so its links work.
fn create_wave(
    conn: &mut diesel::PgConnection,
    settings: &Settings,
    slug: &str,
    survey: &str,
    title: &str,
    copy_from: Option<&str>,
) -> anyhow::Result<()> {
    if stored_waves::find_by_slug(conn, slug)?.is_some() {
        return Ok(());
    }
    let closes = (chrono::Utc::now() + chrono::Duration::days(28))
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%Y-%m-%d")
        .to_string();
    let input = NewWave {
        survey: survey.to_owned(),
        title: title.to_owned(),
        copy_from: copy_from.map(str::to_owned),
        settings: WaveSettings {
            closes: Some(closes),
            ..WaveSettings::default()
        },
        open_now: true,
        same_title: false,
    };
    let actor = Actor::command_line();
    // The wave, its opening and its participants together, or nothing: a failed demo can run again.
    conn.transaction(|conn| {
        let created = waves::create(conn, settings, &actor, &input)?;
        anyhow::ensure!(
            created.wave.slug == slug,
            "the demo wave got the slug `{}` instead of `{slug}`",
            created.wave.slug
        );
        if copy_from.is_none() {
            let csv = participants::participants_csv();
            let imported = crate::app::participants::import(
                conn,
                settings,
                &actor,
                slug,
                "demo-participants.csv",
                csv.as_bytes(),
                ImportMode::Store,
            )?;
            println!(
                "Wave `{slug}`: imported {} demo participants ({} new regions).",
                imported.summary.imported, imported.summary.new_regions
            );
        } else {
            println!(
                "Wave `{slug}`: copied {} participants from `{}`, each with a new link.",
                created.copied,
                copy_from.unwrap_or_default()
            );
        }
        Ok(())
    })?;
    Ok(())
}

/// The definitions in `dir` (every `.toml` and `.json`), or the built-in ones when `dir` does not exist.
fn demo_surveys(dir: &Path) -> anyhow::Result<Vec<CheckedFile>> {
    if !dir.is_dir() {
        return BUILT_IN
            .iter()
            .map(|(name, text)| {
                let survey = survey::parse_definition(name, text.as_bytes(), Format::Toml)
                    .map_err(|problems| anyhow::anyhow!("built-in {name}: {}", problems[0]))?;
                Ok(CheckedFile {
                    name: (*name).to_owned(),
                    text: (*text).to_owned(),
                    survey,
                })
            })
            .collect();
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    paths.sort();
    let (good, problems) = surveys::check_files(&paths);
    if let Some(first) = problems.first() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        anyhow::bail!("the demo surveys have problems, first: {first}");
    }
    Ok(good)
}
