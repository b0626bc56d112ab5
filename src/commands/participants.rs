//! `participants import|list|links|link|renew|revoke`: the operations of `app::participants`,
//! printed.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use diesel::PgConnection;

use crate::app::Actor;
use crate::app::participants::{
    self, Change, ImportMode, ImportNote, ImportSummary, ParticipantStatus, ParticipantsError, Who,
};
use crate::config::Settings;
use crate::text::{Bilingual, spreadsheet_safe};

/// Largest participants file accepted (the real list has about 130 rows, a few KiB).
const MAX_IMPORT_BYTES: u64 = 10 * 1024 * 1024;

/// `participants import --wave W FILE`: all rows or none; every bad row is listed on stderr.
pub fn import(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    path: &Path,
) -> anyhow::Result<ImportSummary> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {}", path.display()))?;
    anyhow::ensure!(
        bytes.len() as u64 <= MAX_IMPORT_BYTES,
        "{} is larger than {} MiB; a participants file is a few KiB",
        path.display(),
        MAX_IMPORT_BYTES / 1024 / 1024
    );
    let file = path.display().to_string();
    let actor = Actor::command_line();
    match participants::import(
        conn,
        settings,
        &actor,
        slug,
        &file,
        &bytes,
        ImportMode::Store,
    ) {
        Ok(imported) => {
            print_notes(&imported.notes);
            Ok(imported.summary)
        }
        Err(ParticipantsError::Rows { errors, notes }) => {
            print_notes(&notes);
            for error in &errors {
                eprintln!("{file}: {error}");
            }
            Err(ParticipantsError::Rows { errors, notes }.into())
        }
        Err(error) => Err(error.into()),
    }
}

/// What is worth knowing about an imported file (how it was read), on stderr.
fn print_notes(notes: &[ImportNote]) {
    for note in notes {
        eprintln!("note: {}", note.english());
    }
}

/// `participants list --wave W`: every participant with the state of their mails.
pub fn list(conn: &mut PgConnection, slug: &str) -> anyhow::Result<()> {
    let (_, statuses) = participants::list(conn, slug)?;
    if statuses.is_empty() {
        println!(
            "Wave `{slug}` has no participants yet; add them with `mint-survey participants import --wave {slug} FILE.csv`."
        );
        return Ok(());
    }
    println!("REGION\tLAND\tEMAIL\tSTATUS\tMAILS");
    for status in &statuses {
        let listing = &status.listing;
        println!(
            "{}\t{}\t{}\t{}\t{}",
            listing.region,
            listing.participant.land_code,
            listing.email.as_deref().unwrap_or("(purged)"),
            status.state.english(),
            mails(status)
        );
    }
    Ok(())
}

fn mails(status: &ParticipantStatus) -> String {
    status
        .mails
        .iter()
        .map(|(kind, sequence, status, attempts, error, _)| {
            let name = if kind == "invitation" {
                "invitation".to_owned()
            } else {
                format!("reminder {sequence}")
            };
            match error {
                Some(error) if status != "sent" => {
                    format!("{name}: {status} after {attempts} attempts ({error})")
                }
                _ => format!("{name}: {status}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `participants link --wave W --email E`: the participant's current personal link.
pub fn link(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    email: &str,
) -> anyhow::Result<()> {
    let link = participants::link(conn, settings, slug, &Who::Email(email.to_owned()))?;
    println!("{link}");
    Ok(())
}

/// `participants links --wave W`: every working personal link as CSV (region, Land, email, link),
/// for mail merges in an organisation's own mail system.
pub fn links(conn: &mut PgConnection, settings: &Settings, slug: &str) -> anyhow::Result<()> {
    let rows = participants::links(conn, settings, slug)?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["region", "land", "email", "link"])?;
    for row in rows {
        out.write_record([
            spreadsheet_safe(&row.region).as_ref(),
            row.land_code.as_str(),
            spreadsheet_safe(&row.email).as_ref(),
            row.link.as_str(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// `participants renew --wave W --email E`: a new link; the old one stops working.
pub fn renew(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    email: &str,
) -> anyhow::Result<()> {
    let who = Who::Email(email.to_owned());
    let actor = Actor::command_line();
    let changed = participants::change(conn, settings, &actor, slug, &who, Change::Renew)?;
    eprintln!("The old link of {email} no longer works. The new one:");
    println!("{}", changed.link.unwrap_or_default());
    Ok(())
}

/// `participants revoke --wave W --email E`: the link stops working and no more mails go out.
pub fn revoke(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    email: &str,
) -> anyhow::Result<()> {
    let who = Who::Email(email.to_owned());
    let actor = Actor::command_line();
    participants::change(conn, settings, &actor, slug, &who, Change::Revoke)?;
    println!("The link of {email} in wave `{slug}` no longer works, and no more mails go to them.");
    Ok(())
}
