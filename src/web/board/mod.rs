//! The Länderbeirat's pages under `/board`: the list of waves, each wave's report (the same
//! `index.html` and files that `mint-survey report` writes) and a ZIP of all.
//!
//! Every account may read them (`staff::require_staff` guards the scope); each download is recorded
//! in the audit log. Reports are built on request and kept in memory until a submission changes
//! the wave.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use sha2::{Digest, Sha256};

pub mod land;
pub mod progress;

use super::AppState;
use super::csrf;
use super::errors::AppError;
use super::extract::StaffUser;
use super::shared::staff_page;
use crate::accounts::Role;
use crate::report::files::{self, OutputFile};
use crate::report::{compare, html::REPORT_CSS};
use crate::store::waves::WaveSummary;
use crate::store::{reports, waves};
use crate::text::Bilingual;

/// A rendered report with the state of the data it was built from.
type Rendered = (String, Arc<Vec<OutputFile>>);

/// Rendered reports by wave and view.
#[derive(Debug, Default)]
pub struct ReportCache(Mutex<HashMap<(i64, Cached), Rendered>>);

/// Which report of a wave is cached: its own, compared with a wave (by id), or with the trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Cached {
    Plain,
    Compare(i64),
    Trend,
}

/// Which report of a wave: its own, compared with another wave, or with the trend.
enum View {
    Plain,
    Compare(String),
    Trend,
}

#[derive(Template)]
#[template(path = "board/index.html")]
struct BoardPage {
    waves: Vec<WaveLine>,
    user: String,
    role: String,
    admin: bool,
    land_status: bool,
    csrf: String,
}

struct WaveLine {
    slug: String,
    title: String,
    state: String,
    submitted: i64,
    comparisons: Vec<(String, String)>,
    /// An earlier wave asked one of its questions: the trend is offered.
    trend: bool,
}

/// `GET /board`: every wave with its report and the comparisons with other waves.
pub async fn show_board(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
) -> Result<HttpResponse, AppError> {
    let (csrf_token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let page = web::block(move || -> Result<BoardPage, AppError> {
        let mut conn = crate::web::shared::report_connection(&state)?;
        let summaries = waves::find_summaries(&mut conn)?;
        let now = chrono::Utc::now();
        let mut surveys = Vec::new();
        for s in &summaries {
            surveys.push(state.surveys.get(&mut conn, s.wave.survey_version_id)?);
        }
        let ids = |i: usize| -> Vec<&str> {
            surveys[i].questions().map(|(_, q)| q.id.as_str()).collect()
        };
        let waves = summaries
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mine = ids(i);
                let shared: Vec<&WaveSummary> = summaries
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i && ids(*j).iter().any(|id| mine.contains(id)))
                    .map(|(_, other)| other)
                    .collect();
                let comparisons = shared
                    .iter()
                    .map(|other| (other.wave.slug.clone(), other.wave.title.clone()))
                    .collect();
                let start = crate::app::reports::wave_start;
                let trend = shared.iter().any(|o| start(&o.wave) <= start(&s.wave));
                WaveLine {
                    slug: s.wave.slug.clone(),
                    title: s.wave.title.clone(),
                    state: s.wave.state(now).german(),
                    submitted: s.submitted,
                    comparisons,
                    trend,
                }
            })
            .collect();
        let role = user.role();
        Ok(BoardPage {
            waves,
            user: user.email.clone(),
            role: role.german(),
            admin: role.administers(),
            land_status: role != Role::Board,
            csrf: csrf_token,
        })
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let response = staff_page(StatusCode::OK, page.render(), cookie)?;
    Ok(no_store(response))
}

/// `GET /board/waves/{wave}`: the report lives in a folder, so relative links need the slash.
pub async fn redirect_to_folder(request: HttpRequest) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, format!("{}/", request.path())))
        .finish()
}

/// `GET /board/waves/{wave}/{file}`: a file of the wave's report (`""`: index.html).
pub async fn show_report_file(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (wave, file) = path.into_inner();
    serve(state, user, wave, View::Plain, file).await
}

/// `GET /board/waves/{wave}/verlauf/{file}`: the report with the trend over every earlier wave.
pub async fn show_trend_file(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (wave, file) = path.into_inner();
    serve(state, user, wave, View::Trend, file).await
}

/// `GET /board/waves/{wave}/vergleich/{other}/{file}`: the report compared with another wave.
pub async fn show_comparison_file(
    state: web::Data<AppState>,
    user: StaffUser,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (wave, other, file) = path.into_inner();
    serve(state, user, wave, View::Compare(other), file).await
}

/// A file of a report; downloads (PDF, CSV, Excel, ZIP) are recorded in the audit log.
async fn serve(
    state: web::Data<AppState>,
    user: StaffUser,
    wave: String,
    view: View,
    file: String,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let file = if file.is_empty() {
        "index.html".to_owned()
    } else {
        file
    };
    let download = is_download(&file);
    let subject = match &view {
        View::Compare(other) => format!("{wave}/vergleich/{other}/{file}"),
        View::Trend => format!("{wave}/verlauf/{file}"),
        View::Plain => format!("{wave}/{file}"),
    };
    let (files, file) = web::block(move || -> Result<_, AppError> {
        let files = report_files(&state, &wave, &view)?;
        if download && files.iter().any(|f| f.path == file) {
            let mut conn = crate::web::shared::connection(&state)?;
            actor.audit(&mut conn, "report_downloaded", &subject, "")?;
        }
        Ok((files, file))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))??;
    let found = files
        .iter()
        .find(|f| f.path == file)
        .ok_or(AppError::NotFound)?;
    Ok(respond_with(found))
}

/// The files of a wave's own report (as `/board/waves/W/` serves them), from the cache.
pub(crate) fn plain_report_files(
    state: &AppState,
    slug: &str,
) -> Result<Arc<Vec<OutputFile>>, AppError> {
    report_files(state, slug, &View::Plain)
}

/// Whether a report file is a download (PDF, CSV, Excel, ZIP): recorded in the audit log, and the
/// only files the API hands out.
pub(crate) fn is_download(file: &str) -> bool {
    [".csv", ".xlsx", ".zip", ".pdf"]
        .iter()
        .any(|e| file.ends_with(e))
}

/// The report's files, from the cache while no submission changed the wave(s).
fn report_files(
    state: &AppState,
    slug: &str,
    view: &View,
) -> Result<Arc<Vec<OutputFile>>, AppError> {
    let failed = |e: crate::app::reports::ReportError| AppError::Internal(e.into());
    let mut conn = crate::web::shared::report_connection(state)?;
    let wave = waves::find_by_slug(&mut conn, slug)?.ok_or(AppError::NotFound)?;
    let (other, earlier) = match view {
        View::Plain => (None, Vec::new()),
        View::Compare(slug) => (
            Some(waves::find_by_slug(&mut conn, slug)?.ok_or(AppError::NotFound)?),
            Vec::new(),
        ),
        View::Trend => {
            let survey = crate::store::surveys::find_by_id(&mut conn, wave.survey_version_id)?;
            let earlier = crate::app::reports::trend_waves(&mut conn, &wave, &survey.survey)
                .map_err(failed)?;
            if earlier.is_empty() {
                return Err(AppError::NotFound);
            }
            (None, earlier)
        }
    };
    let ids: Vec<i64> = std::iter::once(wave.id)
        .chain(other.as_ref().map(|w| w.id))
        .chain(earlier.iter().map(|w| w.id))
        .collect();
    let fingerprint = fingerprint(&mut conn, &ids)?;
    let key = match (view, &other) {
        (View::Trend, _) => (wave.id, Cached::Trend),
        (_, Some(other)) => (wave.id, Cached::Compare(other.id)),
        (_, None) => (wave.id, Cached::Plain),
    };
    let cache = &state.reports.0;
    if let Some((seen, files)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
        && *seen == fingerprint
    {
        return Ok(files.clone());
    }
    let (survey, report) = reports::find_report(&mut conn, &wave)?;
    let comparison = match &other {
        Some(other) => Some(compare::compare(
            &report,
            &reports::find_report(&mut conn, other)?.1,
        )),
        None => None,
    };
    let trend = match view {
        View::Trend => {
            Some(crate::app::reports::trend_over(&mut conn, &earlier, &report).map_err(failed)?)
        }
        _ => None,
    };
    drop(conn);
    let files = Arc::new(
        files::render(&survey, &report, comparison.as_ref(), trend.as_ref())
            .map_err(|e| AppError::Internal(e.into()))?,
    );
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (fingerprint, files.clone()));
    Ok(files)
}

#[derive(QueryableByName)]
struct Fingerprint {
    #[diesel(sql_type = Text)]
    state: String,
}

/// What a report depends on: the waves' settings and their submitted responses' last change.
pub(crate) fn fingerprint(conn: &mut PgConnection, wave_ids: &[i64]) -> QueryResult<String> {
    let row: Fingerprint = diesel::sql_query(
        "SELECT concat_ws('|',
             (SELECT string_agg(id || ':' || suppress_below || ':' || title, ',' ORDER BY id)
              FROM waves WHERE id = ANY($1)),
             (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') || ':'
                     || coalesce(max(submitted_at)::text, '')
              FROM responses WHERE wave_id = ANY($1) AND submitted_at IS NOT NULL)) AS state",
    )
    .bind::<Array<BigInt>, _>(wave_ids)
    .get_result(conn)?;
    Ok(row.state)
}

/// A report file as a response: its type, downloads as attachments, never cached by proxies.
pub(crate) fn respond_with(file: &OutputFile) -> HttpResponse {
    let extension = file.path.rsplit('.').next().unwrap_or("");
    let content_type = match extension {
        "html" => "text/html; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    };
    let mut response = HttpResponse::Ok();
    response.content_type(content_type);
    if extension == "html" {
        response.insert_header(("Content-Security-Policy", report_csp()));
    } else {
        response.insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ));
    }
    if matches!(extension, "csv" | "xlsx" | "zip" | "pdf") {
        let name = file.path.rsplit('/').next().unwrap_or("report");
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ));
    }
    no_store(response.body(file.bytes.clone()))
}

/// The report page's policy: its one inline style sheet (by hash), nothing else inline.
fn report_csp() -> String {
    use base64::Engine;
    let hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(REPORT_CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )
}

fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        header::HeaderValue::from_static("noindex"),
    );
    response
}
