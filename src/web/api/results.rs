//! `/api/v1/waves/{wave}/results`: a wave's per-Land figures, suppressed exactly as on the board
//! pages (they come from the same `Report`; hidden groups carry no numbers), with an `ETag`, so a
//! website polling every minute costs one comparison; and the report's files for download.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::ApiCaller;
use super::problem::{Kind, Problem};
use super::waves::{WavePath, no_such_wave};
use crate::accounts::Role;
use crate::report::json::{self, Results};
use crate::store::{reports, waves};
use crate::web::AppState;
use crate::web::errors::AppError;

/// How long the state a wave's results were built from is taken as known without asking the
/// database again: calls within this second are answered from memory (a 304 costs no query).
/// A submission shows in the results at most this much later.
const FRESH_FOR: Duration = Duration::from_secs(1);

/// Results built for a wave and a Land (or all): the state they were built from and the JSON.
type Built = HashMap<(i64, Option<String>), (String, Arc<Vec<u8>>)>;

/// Results already built, and what the waves' states were lately.
#[derive(Debug, Default)]
pub struct ResultsCache {
    /// By slug: when looked at, the wave's id and the state its report depends on.
    states: Mutex<HashMap<String, (Instant, i64, String)>>,
    /// By wave id and Land: the state they were built from and the JSON.
    built: Mutex<Built>,
}

impl ResultsCache {
    fn fresh_state(&self, slug: &str, now: Instant) -> Option<(i64, String)> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states
            .get(slug)
            .filter(|(at, ..)| now.duration_since(*at) < FRESH_FOR)
            .map(|(_, id, state)| (*id, state.clone()))
    }

    fn remember_state(&self, slug: &str, id: i64, state: &str, now: Instant) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.insert(slug.to_owned(), (now, id, state.to_owned()));
    }
}

/// Query of the results.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ResultsQuery {
    /// Only this Land (code `DE-BY` or name); a coordinator's key reads only its own.
    pub land: Option<String>,
}

/// The entity tag of results built from `state` for `land`.
fn etag(state: &str, land: Option<&str>) -> String {
    let digest = Sha256::digest(format!("{state}\u{0}{}", land.unwrap_or("")).as_bytes());
    format!("\"{}\"", &hex::encode(digest)[..32])
}

/// Whether `If-None-Match` names `tag` (or is `*`).
fn matches(request: &HttpRequest, tag: &str) -> bool {
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == "*" || v == tag)
}

/// The Land whose figures the caller asked for and may read.
fn land_for(caller: &ApiCaller, asked: Option<&str>) -> Result<Option<String>, Problem> {
    let asked = match asked.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => Some(crate::participants::land_code(text).ok_or_else(|| {
            Problem::new(
                Kind::InvalidParameter,
                format!("„{text}“ ist kein Land; bitte den Code (DE-BY) oder den Namen angeben."),
            )
            .at("land")
        })?),
    };
    if caller.role() != Role::Coordinator {
        return Ok(asked.map(str::to_owned));
    }
    let own = caller.0.user.land_code.clone().unwrap_or_default();
    match asked {
        Some(code) if code != own => Err(Problem::new(
            Kind::Forbidden,
            format!(
                "Der Schlüssel „{}“ gehört zur Landeskoordination {own}; er liest nur die Ergebnisse dieses Landes.",
                caller.0.key.name
            ),
        )),
        _ => Ok(Some(own)),
    }
}

/// The wave's per-Land results: responses, response rates, the share of every option and the
/// means per Land, with the board's suppression (a hidden figure is `null` with the reason).
/// Answers `304` to an `If-None-Match` with the current `ETag`.
#[utoipa::path(get, path = "/api/v1/waves/{wave}/results", summary = "Ergebnisse je Land: Rücklauf, Rücklaufquoten, Anteile und Mittelwerte, kleine Gruppen unterdrückt", tag = "Ergebnisse",
    params(WavePath, ResultsQuery),
    responses(
        (status = 200, description = "Die Ergebnisse", body = Results,
            headers(("ETag" = String, description = "Ändert sich, sobald sich die Ergebnisse ändern"))),
        (status = 304, description = "Unverändert seit dem `ETag` in `If-None-Match`")))]
pub async fn show_results(
    state: web::Data<AppState>,
    caller: ApiCaller,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ResultsQuery>,
) -> Result<HttpResponse, Problem> {
    let slug = path.into_inner();
    let land = land_for(&caller, query.land.as_deref())?;
    if let Some((_, known)) = state.api.results.fresh_state(&slug, Instant::now()) {
        let tag = etag(&known, land.as_deref());
        if matches(&request, &tag) {
            return Ok(not_modified(&tag));
        }
    }
    let (tag, bytes) = web::block(move || -> Result<_, Problem> {
        let cache = &state.api.results;
        let mut conn = crate::web::shared::report_connection(&state)?;
        let wave = waves::find_by_slug(&mut conn, &slug)?.ok_or_else(|| no_such_wave(&slug))?;
        let current = crate::web::board::fingerprint(&mut conn, &[wave.id])?;
        cache.remember_state(&slug, wave.id, &current, Instant::now());
        let key = (wave.id, land.clone());
        let tag = etag(&current, land.as_deref());
        if let Some((built_from, bytes)) = cache
            .built
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            && *built_from == current
        {
            return Ok((tag, bytes.clone()));
        }
        let (_, report) = reports::find_report(&mut conn, &wave)?;
        drop(conn);
        let results: Results = json::results(&report, land.as_deref());
        let bytes = Arc::new(
            serde_json::to_vec(&results)
                .map_err(|e| Problem::from(AppError::Internal(e.into())))?,
        );
        cache
            .built
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (current, bytes.clone()));
        Ok((tag, bytes))
    })
    .await??;
    if matches(&request, &tag) {
        return Ok(not_modified(&tag));
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(bytes.as_ref().clone()))
}

fn not_modified(tag: &str) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, tag.to_owned()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .finish()
}

/// Path parameters: the wave and a file of its report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(names("wave", "file"))]
pub struct FilePath(
    /// The wave's slug.
    pub String,
    /// `report.pdf`, `report.zip`, `report.xlsx`, `per-land.csv`, `per-land-excel.csv`, …
    pub String,
);

/// A file of the wave's report, as the board page offers it (PDF, ZIP, Excel, CSV); recorded in
/// the audit log. Not for coordinators' keys (the files hold every Land).
#[utoipa::path(get, path = "/api/v1/waves/{wave}/files/{file}", summary = "Eine Datei des Berichts: PDF, ZIP, Excel oder CSV", tag = "Ergebnisse",
    params(FilePath),
    responses((status = 200, description = "Die Datei",
        content(("application/pdf"), ("application/zip"), ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn download_file(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    if caller.role() == Role::Coordinator {
        return Err(Problem::new(
            Kind::Forbidden,
            "Die Berichtsdateien enthalten alle Länder; der Schlüssel einer Landeskoordination liest die Ergebnisse ihres Landes unter …/results.",
        ));
    }
    let (slug, file) = path.into_inner();
    let downloadable = crate::web::board::is_download(&file);
    let actor = caller.actor();
    let found = web::block(move || -> Result<_, Problem> {
        let files = crate::web::board::plain_report_files(&state, &slug).map_err(|e| match e {
            AppError::NotFound => no_such_wave(&slug),
            other => other.into(),
        })?;
        let found = files
            .iter()
            .find(|f| f.path == file && downloadable)
            .cloned()
            .ok_or_else(|| {
                Problem::new(
                    Kind::NotFound,
                    format!("Der Bericht von „{slug}“ hat keine Datei „{file}“ (z. B. report.pdf, report.zip, per-land.csv)."),
                )
            })?;
        let mut conn = crate::web::shared::connection(&state)?;
        actor.audit(&mut conn, "report_downloaded", &format!("{slug}/{file}"), "API")?;
        Ok(found)
    })
    .await??;
    Ok(crate::web::board::respond_with(&found))
}

/// The wave's figures over every earlier wave that asked the same questions (as
/// `/board/waves/W/verlauf/`): each point exactly what that wave's own results show.
#[utoipa::path(get, path = "/api/v1/waves/{wave}/trend", summary = "Der Verlauf: die Ergebnisse je Land über alle früheren Wellen mit denselben Fragen", tag = "Ergebnisse",
    params(WavePath, ResultsQuery),
    responses((status = 200, description = "Der Verlauf", body = crate::report::json::TrendResults)))]
pub async fn show_trend(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    query: web::Query<ResultsQuery>,
) -> Result<HttpResponse, Problem> {
    let slug = path.into_inner();
    let land = land_for(&caller, query.land.as_deref())?;
    let trend = web::block(move || -> Result<_, Problem> {
        let failed = |e: crate::app::reports::ReportError| Problem::from(AppError::Internal(e.into()));
        let mut conn = crate::web::shared::report_connection(&state)?;
        let wave = waves::find_by_slug(&mut conn, &slug)?.ok_or_else(|| no_such_wave(&slug))?;
        let (survey, report) = reports::find_report(&mut conn, &wave)?;
        let earlier =
            crate::app::reports::trend_waves(&mut conn, &wave, &survey).map_err(failed)?;
        if earlier.is_empty() {
            return Err(Problem::new(
                Kind::NotFound,
                format!("Vor „{slug}“ hat keine Welle dieselben Fragen gestellt; es gibt keinen Verlauf."),
            ));
        }
        let trend = crate::app::reports::trend_over(&mut conn, &earlier, &report).map_err(failed)?;
        Ok(json::trend(&trend, land.as_deref()))
    })
    .await??;
    Ok(HttpResponse::Ok().json(trend))
}
