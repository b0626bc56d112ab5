//! A wave's participants: import a contacts file (all rows or none, previewed first on the pages),
//! list them with their mails, and renew, revoke or reopen one.

use std::collections::HashSet;

use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::waves::{self, WaveError};
use super::{Actor, operation_error, plural};
use crate::config::Settings;
use crate::participants::{Encoding, ImportTarget, ParticipantRow, RowError, read_participants};
use crate::store::outbox::{self, MailRecord};
use crate::store::participants::{self as stored, NewParticipant, ParticipantListing};
use crate::store::waves::Wave;
use crate::store::{regions, responses, surveys};
use crate::text::Bilingual;
use crate::tokens::SecretKey;

/// Why a participants operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ParticipantsError {
    /// The wave is unknown.
    #[error(transparent)]
    Wave(WaveError),
    /// Rows of the file are wrong; nothing was imported. Each row problem is worded by
    /// [`RowError`] itself.
    #[error("{} in {}; nothing was imported", plural(errors.len(), "problem", "problems"), plural(rows(errors), "row", "rows"))]
    Rows {
        /// Every problem, by line.
        errors: Vec<RowError>,
        /// How the file was read (a file read as Windows-1252 that was something else shows
        /// its umlauts wrong).
        notes: Vec<ImportNote>,
    },
    /// An open-link wave takes no participant list.
    #[error(
        "wave `{0}` is answered through its open link; it takes no participants file (its respondents are anonymous)"
    )]
    OpenLink(String),
    /// No participant of the wave is meant.
    #[error("wave `{wave}` has no participant with the address {who}")]
    NoSuchParticipant {
        /// The wave.
        wave: String,
        /// The address (or id) asked for.
        who: String,
    },
    /// The link asked for is revoked.
    #[error(
        "the link of {email} is revoked; `mint-survey participants renew --wave {wave} --email {email}` makes a new one"
    )]
    Revoked {
        /// The wave.
        wave: String,
        /// The participant's address.
        email: String,
    },
    /// Reopening a response that was not submitted.
    #[error("{region} has not submitted; there is nothing to reopen")]
    NotSubmitted {
        /// The participant's region.
        region: String,
    },
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(anyhow::Error),
}

fn rows(errors: &[RowError]) -> usize {
    errors
        .iter()
        .map(|e| e.line)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

impl From<WaveError> for ParticipantsError {
    fn from(error: WaveError) -> Self {
        match error {
            WaveError::Internal(error) => ParticipantsError::Internal(error),
            refusal => ParticipantsError::Wave(refusal),
        }
    }
}

impl From<anyhow::Error> for ParticipantsError {
    fn from(error: anyhow::Error) -> Self {
        ParticipantsError::Internal(error)
    }
}

/// What a refused import says in German: "3 Probleme in 2 Zeilen; nichts wurde importiert."
/// (the pages add how to go on; the API names every row by its pointer instead).
pub fn rows_refused(errors: &[RowError]) -> String {
    format!(
        "{} in {}; nichts wurde importiert.",
        plural(errors.len(), "Problem", "Probleme"),
        plural(rows(errors), "Zeile", "Zeilen")
    )
}

impl ParticipantsError {
    fn german_text(&self) -> String {
        match self {
            ParticipantsError::Wave(error) => error.german(),
            ParticipantsError::Rows { errors, .. } => format!(
                "{} Bitte korrigieren Sie die Datei und laden Sie sie erneut hoch.",
                rows_refused(errors)
            ),
            ParticipantsError::OpenLink(_) => "Diese Welle wird über ihren öffentlichen Link beantwortet; ihre Antworten sind anonym, eine Teilnehmendenliste gibt es für sie nicht.".to_owned(),
            ParticipantsError::NoSuchParticipant { who, .. } => {
                format!("Diese Welle hat keine teilnehmende Person {who}.")
            }
            ParticipantsError::Revoked { email, .. } => {
                format!("Der Link von {email} ist gesperrt; „Link erneuern“ gibt einen neuen.")
            }
            ParticipantsError::NotSubmitted { region } => {
                format!("{region} hat noch nicht abgeschickt; es gibt nichts wieder zu öffnen.")
            }
            ParticipantsError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(ParticipantsError);

/// What an import did (or, previewed, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Participants added.
    pub imported: usize,
    /// Rows whose address was already in the wave for the same region (an import run again).
    pub already_there: usize,
    /// Regions created because no region had the name.
    pub new_regions: usize,
}

/// Whether an import stores its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Check every row against the wave and store nothing (the pages' preview).
    Preview,
    /// Store all rows, or none.
    Store,
}

/// Something worth knowing about an imported file that is no problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportNote {
    /// The file was not UTF-8 and was read as Windows-1252 (German Excel's "CSV
    /// (Trennzeichen-getrennt)"); umlauts are intact.
    Windows1252 {
        /// The file's name.
        file: String,
    },
}

impl ImportNote {
    /// The notes on a file read with `encoding`.
    fn of(file: &str, encoding: Encoding) -> Vec<ImportNote> {
        match encoding {
            Encoding::Utf8 => Vec::new(),
            Encoding::Windows1252 => vec![ImportNote::Windows1252 {
                file: file.to_owned(),
            }],
        }
    }
}

impl Bilingual for ImportNote {
    fn german(&self) -> String {
        match self {
            ImportNote::Windows1252 { .. } => "Die Datei war nicht UTF-8 und wurde als \
                Windows-1252 gelesen (Umlaute sind erhalten)."
                .to_owned(),
        }
    }

    fn english(&self) -> String {
        match self {
            ImportNote::Windows1252 { file } => {
                format!("{file} was read as Windows-1252 (not UTF-8)")
            }
        }
    }
}

/// An import's outcome: the summary and the file's rows (what the preview lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// What was (or would be) imported.
    pub summary: ImportSummary,
    /// The file's rows, in file order.
    pub rows: Vec<ParticipantRow>,
    /// What is worth knowing about the file (how it was read).
    pub notes: Vec<ImportNote>,
}

/// Imports a participants file (`file_name` for the audit log and the notes) into the wave: all
/// rows or none, every problem of every row in [`ParticipantsError::Rows`]. Stored imports are
/// audited as `participants_imported`.
///
/// Set-based, so the time grows with the rows and not with their square: the wave's addresses are
/// loaded once and the rows checked against them in memory, then the missing regions, the
/// participants and their contacts are written with a fixed number of statements.
pub fn import(
    conn: &mut PgConnection,
    settings: &Settings,
    actor: &Actor,
    slug: &str,
    file_name: &str,
    bytes: &[u8],
    mode: ImportMode,
) -> Result<Imported, ParticipantsError> {
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    let outcome = conn.transaction(|conn| {
        let wave = waves::find(conn, slug)?;
        let survey = surveys::find_by_id(conn, wave.survey_version_id)?.survey;
        if survey.access == crate::survey::Access::Open {
            return Err(Abort::Refused(ParticipantsError::OpenLink(wave.slug)));
        }
        let contacts = stored::find_addresses(conn, wave.id)?;
        let target = ImportTarget {
            attributes: survey.attributes,
            contacts: contacts
                .into_iter()
                .map(|(email, region)| (email.to_lowercase(), region))
                .collect(),
        };
        let file = read_participants(bytes, &target);
        let notes = ImportNote::of(file_name, file.encoding);
        if !file.errors.is_empty() {
            let errors = file.errors;
            return Err(Abort::Refused(ParticipantsError::Rows { errors, notes }));
        }
        let summary = store_rows(conn, &wave, &file.rows, &key)?;
        let imported = Imported {
            summary,
            rows: file.rows,
            notes,
        };
        if mode == ImportMode::Preview {
            return Err(Abort::Preview(imported));
        }
        let read_as = match file.encoding {
            Encoding::Utf8 => "",
            Encoding::Windows1252 => " (Windows-1252)",
        };
        let details = format!(
            "{file_name}{read_as}: {} neu, {} schon da",
            summary.imported, summary.already_there
        );
        actor.audit(conn, "participants_imported", &wave.slug, &details)?;
        Ok(imported)
    });
    match outcome {
        Ok(imported) | Err(Abort::Preview(imported)) => Ok(imported),
        Err(Abort::Refused(error)) => Err(error),
    }
}

/// Stores the rows that are not in the wave yet: the regions missing, then participants and
/// contacts, each in one statement.
fn store_rows(
    conn: &mut PgConnection,
    wave: &Wave,
    rows: &[ParticipantRow],
    key: &SecretKey,
) -> Result<ImportSummary, ParticipantsError> {
    let new: Vec<&ParticipantRow> = rows.iter().filter(|row| !row.in_wave).collect();
    let mut regions_named: Vec<(&str, &str)> = Vec::new();
    let mut named = HashSet::new();
    for row in &new {
        if named.insert(row.region.as_str()) {
            regions_named.push((row.region.as_str(), row.land_code));
        }
    }
    let new_regions = regions::insert_missing(conn, &regions_named)?;
    let names: Vec<&str> = regions_named.iter().map(|(name, _)| *name).collect();
    let region_ids = regions::find_ids(conn, &names)?;
    let participants = new
        .iter()
        .map(|row| {
            let region_id = region_ids.get(&row.region).copied().ok_or_else(|| {
                anyhow::anyhow!("region {} was neither found nor created", row.region)
            })?;
            Ok(NewParticipant {
                region_id,
                land_code: row.land_code,
                attributes: serde_json::Value::Object(
                    row.attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect(),
                ),
                email: &row.email,
                name: row.name.as_deref(),
            })
        })
        .collect::<Result<Vec<_>, ParticipantsError>>()?;
    stored::insert_all(conn, wave.id, &participants, key)?;
    Ok(ImportSummary {
        imported: new.len(),
        already_there: rows.len() - new.len(),
        new_regions,
    })
}

/// Why the import transaction ends without committing.
enum Abort {
    /// A refusal or a failure.
    Refused(ParticipantsError),
    /// A preview: everything checked, the transaction rolled back on purpose.
    Preview(Imported),
}

impl From<ParticipantsError> for Abort {
    fn from(error: ParticipantsError) -> Self {
        Abort::Refused(error)
    }
}

impl From<WaveError> for Abort {
    fn from(error: WaveError) -> Self {
        Abort::Refused(error.into())
    }
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Refused(error.into())
    }
}

/// Where a participant stands, as the participants list filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParticipantState {
    /// No invitation sent yet.
    NotInvited,
    /// Invited.
    Invited,
    /// Reminded at least once.
    Reminded,
    /// Has begun answering (consented), not submitted.
    Begun,
    /// Has submitted.
    Submitted,
    /// Asked for no more reminders (and has not submitted).
    OptedOut,
    /// The latest mail failed.
    Failed,
    /// The link is revoked.
    Revoked,
}

impl ParticipantState {
    /// Every state, in the order the list offers them.
    pub const ALL: [ParticipantState; 8] = [
        ParticipantState::NotInvited,
        ParticipantState::Invited,
        ParticipantState::Reminded,
        ParticipantState::Begun,
        ParticipantState::Submitted,
        ParticipantState::OptedOut,
        ParticipantState::Failed,
        ParticipantState::Revoked,
    ];

    /// The word in URLs and exports (`abgeschickt`).
    pub fn code(self) -> &'static str {
        match self {
            ParticipantState::NotInvited => "nicht-eingeladen",
            ParticipantState::Invited => "eingeladen",
            ParticipantState::Reminded => "erinnert",
            ParticipantState::Begun => "begonnen",
            ParticipantState::Submitted => "abgeschickt",
            ParticipantState::OptedOut => "abgemeldet",
            ParticipantState::Failed => "fehler",
            ParticipantState::Revoked => "gesperrt",
        }
    }
}

impl Bilingual for ParticipantState {
    fn german(&self) -> String {
        match self {
            ParticipantState::NotInvited => "nicht eingeladen",
            ParticipantState::Invited => "eingeladen",
            ParticipantState::Reminded => "erinnert",
            ParticipantState::Begun => "begonnen",
            ParticipantState::Submitted => "abgeschickt",
            ParticipantState::OptedOut => "abgemeldet",
            ParticipantState::Failed => "Fehler",
            ParticipantState::Revoked => "Link gesperrt",
        }
        .to_owned()
    }

    fn english(&self) -> String {
        match self {
            ParticipantState::NotInvited => "not invited",
            ParticipantState::Invited => "invited",
            ParticipantState::Reminded => "reminded",
            ParticipantState::Begun => "begun",
            ParticipantState::Submitted => "submitted",
            ParticipantState::OptedOut => "opted out",
            ParticipantState::Failed => "mail failed",
            ParticipantState::Revoked => "link revoked",
        }
        .to_owned()
    }
}

/// A participant with the mails sent (or queued) to them and where they stand.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantStatus {
    /// The participant with region and contact.
    pub listing: ParticipantListing,
    /// Their mails, oldest first.
    pub mails: Vec<MailRecord>,
    /// Where they stand.
    pub state: ParticipantState,
}

/// Where a participant stands: a revoked link first, then a failed latest mail, then the answer,
/// then the mails.
fn state_of(listing: &ParticipantListing, mails: &[MailRecord], begun: bool) -> ParticipantState {
    let p = &listing.participant;
    let sent = |kind: &str| {
        mails
            .iter()
            .any(|(k, _, status, ..)| k == kind && status == "sent")
    };
    if p.revoked_at.is_some() {
        ParticipantState::Revoked
    } else if p.submitted_at.is_some() {
        ParticipantState::Submitted
    } else if mails
        .last()
        .is_some_and(|(_, _, status, ..)| status == "failed")
    {
        ParticipantState::Failed
    } else if p.opted_out_at.is_some() {
        ParticipantState::OptedOut
    } else if begun {
        ParticipantState::Begun
    } else if sent("reminder") {
        ParticipantState::Reminded
    } else if sent("invitation") {
        ParticipantState::Invited
    } else {
        ParticipantState::NotInvited
    }
}

/// A wave and its participants, each with their mails and state (three queries, whatever the
/// size of the wave).
pub fn list(
    conn: &mut PgConnection,
    slug: &str,
) -> Result<(Wave, Vec<ParticipantStatus>), ParticipantsError> {
    let wave = waves::find(conn, slug)?;
    let mut mails: std::collections::HashMap<i64, Vec<MailRecord>> = Default::default();
    for (participant, mail) in outbox::find_by_wave(conn, wave.id)? {
        mails.entry(participant).or_default().push(mail);
    }
    let begun: std::collections::HashSet<i64> =
        responses::find_participants_with_response(conn, wave.id)?
            .into_iter()
            .collect();
    let statuses = stored::find_by_wave(conn, wave.id)?
        .into_iter()
        .map(|listing| {
            let mails = mails.remove(&listing.participant.id).unwrap_or_default();
            let state = state_of(&listing, &mails, begun.contains(&listing.participant.id));
            ParticipantStatus {
                listing,
                mails,
                state,
            }
        })
        .collect();
    Ok((wave, statuses))
}

/// Which participant of a wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// By the contact's address (any case): the command line.
    Email(String),
    /// By id: the pages.
    Id(i64),
}

fn find_participant(
    conn: &mut PgConnection,
    wave: &Wave,
    who: &Who,
) -> Result<ParticipantListing, ParticipantsError> {
    let found = match who {
        Who::Email(email) => stored::find_by_email(conn, wave.id, email)?,
        Who::Id(id) => stored::find_by_wave(conn, wave.id)?
            .into_iter()
            .find(|l| l.participant.id == *id),
    };
    found.ok_or_else(|| ParticipantsError::NoSuchParticipant {
        wave: wave.slug.clone(),
        who: match who {
            Who::Email(email) => email.clone(),
            Who::Id(id) => format!("#{id}"),
        },
    })
}

/// A participant's current personal link.
pub fn link(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
    who: &Who,
) -> Result<String, ParticipantsError> {
    let wave = waves::find(conn, slug)?;
    let listing = find_participant(conn, &wave, who)?;
    if listing.participant.revoked_at.is_some() {
        return Err(ParticipantsError::Revoked {
            wave: wave.slug,
            email: listing.email.unwrap_or_default(),
        });
    }
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    Ok(listing.participant.link(&settings.public_url, &key))
}

/// One working personal link, for a mail merge in an organisation's own mail system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// The region.
    pub region: String,
    /// The Land's code.
    pub land_code: String,
    /// The contact's address ("" after purging).
    pub email: String,
    /// The link.
    pub link: String,
}

/// Every working personal link of a wave (revoked ones are left out).
pub fn links(
    conn: &mut PgConnection,
    settings: &Settings,
    slug: &str,
) -> Result<Vec<LinkRow>, ParticipantsError> {
    let wave = waves::find(conn, slug)?;
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    Ok(stored::find_by_wave(conn, wave.id)?
        .into_iter()
        .filter(|l| l.participant.revoked_at.is_none())
        .map(|l| LinkRow {
            link: l.participant.link(&settings.public_url, &key),
            region: l.region,
            land_code: l.participant.land_code,
            email: l.email.unwrap_or_default(),
        })
        .collect())
}

/// What happens to one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new link; the old one stops working.
    Renew,
    /// The link stops working and no more mails go out.
    Revoke,
    /// A submitted response can be changed again until the wave closes.
    Reopen,
}

/// A changed participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The region.
    pub region: String,
    /// The new link (after [`Change::Renew`]).
    pub link: Option<String>,
}

/// Renews, revokes or reopens one participant, audited as `link_renewed`, `link_revoked` or
/// `response_reopened` (subject "wave: region").
pub fn change(
    conn: &mut PgConnection,
    settings: &Settings,
    actor: &Actor,
    slug: &str,
    who: &Who,
    change: Change,
) -> Result<Changed, ParticipantsError> {
    let key = settings.secret_key().map_err(anyhow::Error::from)?;
    conn.transaction(|conn| {
        let wave = waves::find(conn, slug)?;
        let listing = find_participant(conn, &wave, who)?;
        let id = listing.participant.id;
        let (action, link) = match change {
            Change::Renew => {
                let renewed = stored::renew_token(conn, id, &key)?;
                (
                    "link_renewed",
                    Some(renewed.link(&settings.public_url, &key)),
                )
            }
            Change::Revoke => {
                stored::revoke(conn, id, Utc::now())?;
                ("link_revoked", None)
            }
            Change::Reopen => {
                let response = responses::find_for_participant(conn, id)?
                    .filter(|r| r.submitted_at.is_some())
                    .ok_or_else(|| ParticipantsError::NotSubmitted {
                        region: listing.region.clone(),
                    })?;
                responses::mark_reopened(conn, response.id, 0, Utc::now())?;
                ("response_reopened", None)
            }
        };
        let subject = format!("{}: {}", wave.slug, listing.region);
        actor.audit(conn, action, &subject, "")?;
        Ok(Changed {
            region: listing.region,
            link,
        })
    })
}
