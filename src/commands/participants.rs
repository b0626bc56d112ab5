//! `participants import|list|link|renew|revoke`.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::waves::find_wave;
use crate::config::Settings;
use crate::participants::{ParticipantRow, RowError, both, read_participants};
use crate::store::participants::{self as stored, NewParticipant, ParticipantListing};
use crate::store::waves::Wave;
use crate::store::{outbox, regions, surveys};
use crate::survey::Survey;
use crate::text::spreadsheet_safe;
use crate::tokens::SecretKey;

/// Largest participants file accepted (the real list has about 130 rows, a few KiB).
const MAX_IMPORT_BYTES: u64 = 10 * 1024 * 1024;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Participants added.
    pub imported: usize,
    /// Rows whose address was already in the wave for the same region (an import run again).
    pub already_there: usize,
    /// Regions created because no region had the name.
    pub new_regions: usize,
}

/// `participants import --wave W FILE`: all rows or none; every bad row is listed.
pub fn import(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    path: &Path,
) -> anyhow::Result<ImportSummary> {
    let wave = find_wave(conn, slug)?;
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
    match import_bytes(conn, settings, &wave, &bytes)? {
        Ok(summary) => Ok(summary),
        Err(errors) => Err(refused(&file, &errors)),
    }
}

/// Imports a participants file's bytes into `wave`, all rows or none: the summary, or every row
/// problem in line order (nothing stored then). Database failures are the outer error.
pub fn import_bytes(
    conn: &mut PgConnection,
    settings: &Settings,
    wave: &Wave,
    bytes: &[u8],
) -> anyhow::Result<Result<ImportSummary, Vec<RowError>>> {
    let (rows, file_errors) = read_participants(bytes);
    let survey = surveys::find_by_id(conn, wave.survey_version_id)?.survey;
    let key = settings.secret_key()?;
    // The valid rows are checked against the wave too, so one run lists every problem of the file.
    let outcome = conn.transaction(|conn| {
        let mut summary = ImportSummary::default();
        let mut errors = file_errors;
        for row in &rows {
            match import_row(conn, wave, &survey, row, &key)? {
                Ok(RowOutcome::Imported { new_region }) => {
                    summary.imported += 1;
                    summary.new_regions += usize::from(new_region);
                }
                Ok(RowOutcome::AlreadyThere) => summary.already_there += 1,
                Err(mut row_errors) => errors.append(&mut row_errors),
            }
        }
        if errors.is_empty() {
            Ok(Ok(summary))
        } else {
            errors.sort_by_key(|e| e.line);
            Err(ImportAbort::Rows(errors))
        }
    });
    match outcome {
        Ok(summary) => Ok(summary),
        Err(ImportAbort::Rows(errors)) => Ok(Err(errors)),
        Err(ImportAbort::Failed(error)) => Err(error),
    }
}

/// Why the import transaction was rolled back.
enum ImportAbort {
    /// Bad rows.
    Rows(Vec<RowError>),
    /// The database or the key failed.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for ImportAbort {
    fn from(error: anyhow::Error) -> Self {
        ImportAbort::Failed(error)
    }
}

impl From<diesel::result::Error> for ImportAbort {
    fn from(error: diesel::result::Error) -> Self {
        ImportAbort::Failed(error.into())
    }
}

fn refused(file: &str, errors: &[RowError]) -> anyhow::Error {
    for error in errors {
        eprintln!("{file}: {error}");
    }
    let rows: std::collections::BTreeSet<usize> = errors.iter().map(|e| e.line).collect();
    anyhow::anyhow!(
        "{} {} in {} {}; nothing was imported",
        errors.len(),
        if errors.len() == 1 {
            "problem"
        } else {
            "problems"
        },
        rows.len(),
        if rows.len() == 1 { "row" } else { "rows" }
    )
}

enum RowOutcome {
    Imported { new_region: bool },
    AlreadyThere,
}

/// One row into the wave; row problems in the inner `Err`, database failures in the outer.
fn import_row(
    conn: &mut PgConnection,
    wave: &Wave,
    survey: &Survey,
    row: &ParticipantRow,
    key: &SecretKey,
) -> anyhow::Result<Result<RowOutcome, Vec<RowError>>> {
    let problem = |column: &str, text| RowError::new(row.line, Some(column.to_owned()), text);
    let mut problems = Vec::new();
    let mut attributes = serde_json::Map::new();
    for (key, value) in &row.attributes {
        let value = match survey.attributes.get(key) {
            Some(declared) => {
                match declared
                    .values
                    .iter()
                    .find(|v| v.eq_ignore_ascii_case(value.trim()))
                {
                    Some(allowed) => allowed.clone(),
                    None => {
                        let allowed = declared.values.join(", ");
                        problems.push(problem(
                        key,
                        both(
                            format!("`{value}` is not a value of {key}; the survey allows {allowed}"),
                            format!("„{value}“ ist kein Wert von {key}; die Umfrage erlaubt {allowed}"),
                        ),
                    ));
                        continue;
                    }
                }
            }
            None => value.clone(),
        };
        attributes.insert(key.clone(), serde_json::Value::String(value));
    }
    if let Some(existing) = stored::find_by_email(conn, wave.id, &row.email)? {
        if existing.region.eq_ignore_ascii_case(&row.region) && problems.is_empty() {
            return Ok(Ok(RowOutcome::AlreadyThere));
        }
        let (email, region) = (&row.email, &existing.region);
        problems.push(problem(
            "email",
            both(
                format!("`{email}` is already in this wave, for region {region}"),
                format!("„{email}“ ist in dieser Welle schon für die Region {region} eingetragen"),
            ),
        ));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let (region, new_region) = regions::find_or_insert(conn, &row.region, row.land_code)?;
    stored::insert(
        conn,
        wave.id,
        &NewParticipant {
            region_id: region.id,
            land_code: row.land_code,
            attributes: serde_json::Value::Object(attributes),
            email: &row.email,
            name: row.name.as_deref(),
        },
        key,
    )?;
    Ok(Ok(RowOutcome::Imported { new_region }))
}

/// `participants list --wave W`: every participant with the state of their mails.
pub fn list(conn: &mut PgConnection, slug: &str) -> anyhow::Result<()> {
    let wave = find_wave(conn, slug)?;
    let listings = stored::find_by_wave(conn, wave.id)?;
    if listings.is_empty() {
        println!(
            "Wave `{slug}` has no participants yet; add them with `mint-survey participants import --wave {slug} FILE.csv`."
        );
        return Ok(());
    }
    println!("REGION\tLAND\tEMAIL\tSTATUS\tMAILS");
    for listing in &listings {
        let mails = outbox::find_by_participant(conn, listing.participant.id)?
            .into_iter()
            .map(|(kind, sequence, status, attempts, error, _)| {
                let name = if kind == "invitation" {
                    "Einladung".to_owned()
                } else {
                    format!("Erinnerung {sequence}")
                };
                match error {
                    Some(error) if status != "sent" => {
                        format!("{name}: {status} after {attempts} attempts ({error})")
                    }
                    _ => format!("{name}: {status}"),
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        println!(
            "{}\t{}\t{}\t{}\t{}",
            listing.region,
            listing.participant.land_code,
            listing.email.as_deref().unwrap_or("(gelöscht)"),
            status(listing),
            mails
        );
    }
    Ok(())
}

fn status(listing: &ParticipantListing) -> &'static str {
    let p = &listing.participant;
    if p.revoked_at.is_some() {
        "gesperrt"
    } else if p.submitted_at.is_some() {
        "abgeschickt"
    } else if p.opted_out_at.is_some() {
        "keine Erinnerungen"
    } else {
        "offen"
    }
}

fn find_participant(
    conn: &mut PgConnection,
    wave: &Wave,
    email: &str,
) -> anyhow::Result<ParticipantListing> {
    stored::find_by_email(conn, wave.id, email)?.with_context(|| {
        format!(
            "wave `{}` has no participant with the address {email}",
            wave.slug
        )
    })
}

/// `participants link --wave W --email E`: the participant's current personal link.
pub fn link(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    email: &str,
) -> anyhow::Result<String> {
    let wave = find_wave(conn, slug)?;
    let listing = find_participant(conn, &wave, email)?;
    if listing.participant.revoked_at.is_some() {
        bail!(
            "the link of {email} is revoked; `mint-survey participants renew --wave {slug} --email {email}` makes a new one"
        );
    }
    Ok(listing
        .participant
        .link(&settings.public_url, &settings.secret_key()?))
}

/// `participants links --wave W`: every working personal link as CSV (region, Land, email, link), for
/// mail merges in an organisation's own mail system. Revoked links are left out.
pub fn links(conn: &mut PgConnection, settings: &Settings, slug: &str) -> anyhow::Result<()> {
    let wave = find_wave(conn, slug)?;
    let key = settings.secret_key()?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["region", "land", "email", "link"])?;
    for listing in stored::find_by_wave(conn, wave.id)? {
        if listing.participant.revoked_at.is_some() {
            continue;
        }
        let link = listing.participant.link(&settings.public_url, &key);
        out.write_record([
            spreadsheet_safe(&listing.region).as_ref(),
            listing.participant.land_code.as_str(),
            spreadsheet_safe(listing.email.as_deref().unwrap_or_default()).as_ref(),
            link.as_str(),
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
) -> anyhow::Result<String> {
    let wave = find_wave(conn, slug)?;
    let listing = find_participant(conn, &wave, email)?;
    let key = settings.secret_key()?;
    let renewed = stored::renew_token(conn, listing.participant.id, &key)?;
    Ok(renewed.link(&settings.public_url, &key))
}

/// `participants revoke --wave W --email E`: the link stops working and no more mails go out.
pub fn revoke(conn: &mut PgConnection, slug: &str, email: &str) -> anyhow::Result<()> {
    let wave = find_wave(conn, slug)?;
    let listing = find_participant(conn, &wave, email)?;
    stored::revoke(conn, listing.participant.id, Utc::now())?;
    Ok(())
}
