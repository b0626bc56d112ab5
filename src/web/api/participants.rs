//! `/api/v1/waves/{wave}/participants`: import (a JSON list, or a CSV file as on the page) all or
//! nothing, with a dry run first if wanted; the list with mail and answer state, in pages.
//! Through `app::participants`, so the checks, the audit and the wording are the page's.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{self, ApiBody};
use super::problem::{FieldProblem, Kind, Problem, pointer};
use super::waves::WavePath;
use super::{ApiCaller, run};
use crate::app::participants::{self, ImportMode, ParticipantsError};
use crate::participants::RowError;
use crate::text::Bilingual;
use crate::web::AppState;

/// Participants to import.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportJson {
    /// The participants, one per region.
    pub participants: Vec<NewParticipantJson>,
}

/// One participant to import.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewParticipantJson {
    /// The contact's address.
    pub email: String,
    /// The contact person.
    #[serde(default)]
    pub name: Option<String>,
    /// The MINT-Region.
    pub region: String,
    /// The Land: code (`DE-BY`) or name (`Bayern`).
    pub land: String,
    /// The wave's declared attributes (e.g. `landesnetzwerk`).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// What an import did (or, as a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    /// Nothing was stored: a dry run.
    pub dry_run: bool,
    /// Participants added.
    pub imported: usize,
    /// Entries already in the wave (an import run again).
    pub already_there: usize,
    /// Regions created.
    pub new_regions: usize,
    /// Worth knowing (how a CSV file was read), in German.
    pub notes: Vec<String>,
}

/// Query of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true`: check everything against the wave and store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports participants: all entries or none; every problem is named by its JSON pointer
/// (`/participants/3/email`) or, for a CSV file, its row (`#row=4`, RFC 7111).
#[utoipa::path(post, path = "/api/v1/waves/{wave}/participants", summary = "Teilnehmende importieren (JSON-Liste oder CSV-Datei), alle oder keine; mit „dry_run=true“ nur prüfen", tag = "Teilnehmende",
    params(WavePath, ImportQuery),
    request_body(description = "Eine JSON-Liste oder eine Teilnehmendenliste als CSV wie auf der Seite (UTF-8 oder Windows-1252, Semikolon oder Komma)",
        content((ImportJson = "application/json"), (String = "text/csv"))),
    responses((status = 201, description = "Importiert", body = ImportResult),
        (status = 200, description = "Probelauf: nichts gespeichert", body = ImportResult)))]
pub async fn import_participants(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    query: web::Query<ImportQuery>,
    body: ApiBody,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let slug = path.into_inner();
    let dry_run = query.dry_run;
    let (file_name, bytes, rows) = if body::is_json(&body.media_type) {
        let list: ImportJson = body::parse(&body.bytes)?;
        let (bytes, rows) = to_csv(&list)?;
        ("API (JSON)".to_owned(), bytes, Some(rows))
    } else if body.media_type == "text/csv" {
        ("API (CSV)".to_owned(), body.bytes, None)
    } else {
        return Err(Problem::new(
            Kind::UnsupportedMediaType,
            "Bitte senden Sie die Teilnehmenden als „application/json“ oder „text/csv“.",
        ));
    };
    let (actor, settings) = (caller.actor(), state.settings.clone());
    let mode = if dry_run {
        ImportMode::Preview
    } else {
        ImportMode::Store
    };
    let imported = run(&state, move |conn| {
        participants::import(conn, &settings, &actor, &slug, &file_name, &bytes, mode)
            .map_err(|error| import_problem(error, rows.as_ref()))
    })
    .await?;
    let result = ImportResult {
        dry_run,
        imported: imported.summary.imported,
        already_there: imported.summary.already_there,
        new_regions: imported.summary.new_regions,
        notes: imported.notes.iter().map(Bilingual::german).collect(),
    };
    Ok(if dry_run {
        HttpResponse::Ok().json(result)
    } else {
        HttpResponse::Created().json(result)
    })
}

/// Where the entries of a JSON list stand in the CSV text made of them: the line each starts on
/// and the column names of the attributes.
#[derive(Debug, Clone)]
struct CsvRows {
    starts: Vec<usize>,
}

impl CsvRows {
    /// The pointer of a problem: the entry (by the line it starts on) and its field.
    fn pointer(&self, error: &RowError) -> String {
        let Some(index) = self.starts.iter().position(|start| *start == error.line) else {
            return "/participants".to_owned();
        };
        let base = format!("/participants/{index}");
        match error.column.as_deref() {
            None => base,
            Some(column @ ("email" | "name" | "region" | "land")) => pointer(&base, column),
            Some(attribute) => pointer(&format!("{base}/attributes"), attribute),
        }
    }
}

/// The JSON list as the CSV file the import reads (header: email, name, region, land and the
/// attributes), so that a list goes through exactly the checks of a file.
fn to_csv(list: &ImportJson) -> Result<(Vec<u8>, CsvRows), Problem> {
    let mut attributes: Vec<&str> = Vec::new();
    for entry in &list.participants {
        for key in entry.attributes.keys() {
            if !attributes.contains(&key.as_str()) {
                attributes.push(key);
            }
        }
    }
    let failed = |e: csv::Error| Problem::from(crate::web::errors::AppError::Internal(e.into()));
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["email", "name", "region", "land"];
    header.extend(&attributes);
    writer.write_record(&header).map_err(failed)?;
    let mut starts = Vec::with_capacity(list.participants.len());
    let mut line = 2;
    for entry in &list.participants {
        let mut record = vec![
            entry.email.as_str(),
            entry.name.as_deref().unwrap_or(""),
            entry.region.as_str(),
            entry.land.as_str(),
        ];
        record.extend(
            attributes
                .iter()
                .map(|key| entry.attributes.get(*key).map_or("", String::as_str)),
        );
        starts.push(line);
        line += 1 + record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        writer.write_record(&record).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| failed(csv::Error::from(e.into_error())))?;
    Ok((bytes, CsvRows { starts }))
}

fn import_problem(error: ParticipantsError, rows: Option<&CsvRows>) -> Problem {
    match error {
        ParticipantsError::Wave(wave) => super::waves::problem(wave),
        ParticipantsError::Rows { errors, .. } => {
            let detail = participants::rows_refused(&errors);
            let fields = errors
                .iter()
                .map(|e| FieldProblem {
                    pointer: match rows {
                        Some(rows) => rows.pointer(e),
                        None => format!("#row={}", e.line),
                    },
                    detail: match rows {
                        Some(_) => e.german.clone(),
                        None => e.in_german(),
                    },
                    line: rows.is_none().then_some(e.line),
                    column: None,
                })
                .collect();
            Problem::new(Kind::Refused, detail).with_errors(fields)
        }
        other => Problem::of(other, None),
    }
}

/// A page of participants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantPage {
    /// The participants of this page, by id.
    pub participants: Vec<ParticipantJson>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// A participant with mail and answer state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantJson {
    /// Id.
    pub id: i64,
    /// The contact's address (`null` after the contacts were purged).
    pub email: Option<String>,
    /// The contact person.
    pub name: Option<String>,
    /// The region.
    pub region: String,
    /// Land code.
    pub land_code: String,
    /// The declared attributes.
    pub attributes: BTreeMap<String, String>,
    /// Where they stand: `nicht-eingeladen`, `eingeladen`, `erinnert`, `begonnen`, `abgeschickt`,
    /// `abgemeldet`, `fehlgeschlagen` or `gesperrt`.
    pub state: String,
    /// The same in words.
    pub state_text: String,
    /// Submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Their mails, oldest first.
    pub mails: Vec<MailJson>,
}

/// A mail to a participant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailJson {
    /// `invitation` or `reminder`.
    pub kind: String,
    /// 0 for the invitation, n for the n-th reminder.
    pub number: i32,
    /// `queued`, `sent`, `failed` or `skipped`.
    pub status: String,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Entries per page, 1–1000 (default 100).
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The most entries a page holds.
const MAX_LIMIT: usize = 1000;

/// The wave's participants with their mails and state, a page at a time.
#[utoipa::path(get, path = "/api/v1/waves/{wave}/participants", summary = "Die Teilnehmenden mit Versand- und Antwortstand, seitenweise", tag = "Teilnehmende",
    params(WavePath, PageQuery),
    responses((status = 200, description = "Eine Seite", body = ParticipantPage)))]
pub async fn list_participants(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let slug = path.into_inner();
    let limit = match query.limit.as_deref() {
        None => 100,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Problem::new(
                    Kind::InvalidParameter,
                    format!("„limit“ muss eine Zahl von 1 bis {MAX_LIMIT} sein, nicht „{text}“."),
                )
                .at("limit")
            })?,
    };
    let after = match query.cursor.as_deref() {
        None => 0,
        Some(text) => text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            Problem::new(
                Kind::InvalidParameter,
                "„cursor“ ist ungültig; bitte übernehmen Sie „next_cursor“ der vorigen Seite.",
            )
            .at("cursor")
        })?,
    };
    let page = run(&state, move |conn| {
        let (_, mut list) = participants::list(conn, &slug).map_err(|e| import_problem(e, None))?;
        list.sort_by_key(|s| s.listing.participant.id);
        let rest: Vec<_> = list
            .into_iter()
            .filter(|s| s.listing.participant.id > after)
            .collect();
        let more = rest.len() > limit;
        let participants: Vec<ParticipantJson> = rest
            .into_iter()
            .take(limit)
            .map(|s| {
                let p = &s.listing.participant;
                ParticipantJson {
                    id: p.id,
                    email: s.listing.email.clone(),
                    name: s.listing.name.clone(),
                    region: s.listing.region.clone(),
                    land_code: p.land_code.clone(),
                    attributes: crate::store::participants::attributes_of(&p.attributes),
                    state: s.state.code().to_owned(),
                    state_text: s.state.german(),
                    submitted_at: p.submitted_at,
                    mails: s
                        .mails
                        .iter()
                        .map(|(kind, number, status, _, _, sent_at)| MailJson {
                            kind: kind.clone(),
                            number: *number,
                            status: status.clone(),
                            sent_at: *sent_at,
                        })
                        .collect(),
                }
            })
            .collect();
        let next_cursor = more
            .then(|| participants.last().map(|p| p.id.to_string()))
            .flatten();
        Ok(ParticipantPage {
            participants,
            next_cursor,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// A participant after a change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedJson {
    /// The region.
    pub region: String,
    /// After `renew`: the new personal link (the old one no longer works).
    pub link: Option<String>,
}

/// Path parameters: the wave, the participant and the change.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(names("wave", "id", "change"))]
pub struct ChangePath(
    /// The wave's slug.
    pub String,
    /// The participant's id (from the list).
    pub i64,
    /// `renew` (a new link; the old stops working) or `revoke` (the link stops working, no
    /// more mails).
    pub String,
);

/// Renews or revokes a participant's personal link.
#[utoipa::path(post, path = "/api/v1/waves/{wave}/participants/{id}/{change}", summary = "Den Link einer teilnehmenden Person erneuern (renew) oder sperren (revoke)", tag = "Teilnehmende",
    params(ChangePath),
    responses((status = 200, description = "Geändert", body = ChangedJson)))]
pub async fn change_participant(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, Problem> {
    use crate::app::participants::{Change, Who};
    caller.require_admin()?;
    let (slug, id, word) = path.into_inner();
    let change = match word.as_str() {
        "renew" => Change::Renew,
        "revoke" => Change::Revoke,
        other => {
            return Err(Problem::new(
                Kind::NotFound,
                format!("„{other}“ ist keine Änderung; es gibt „renew“ und „revoke“."),
            ));
        }
    };
    let id: i64 = id.parse().map_err(|_| {
        Problem::new(
            Kind::NotFound,
            format!("Es gibt keine teilnehmende Person „{id}“."),
        )
    })?;
    let (actor, settings) = (caller.actor(), state.settings.clone());
    let changed = run(&state, move |conn| {
        participants::change(conn, &settings, &actor, &slug, &Who::Id(id), change).map_err(
            |error| match error {
                ParticipantsError::NoSuchParticipant { who, .. } => Problem::new(
                    Kind::NotFound,
                    format!("Diese Welle hat keine teilnehmende Person {who}."),
                ),
                other => import_problem(other, None),
            },
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(ChangedJson {
        region: changed.region,
        link: changed.link,
    }))
}
