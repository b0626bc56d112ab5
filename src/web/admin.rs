//! `/admin` (admins only): the waves with their response rate per Land, and the audit log with a
//! filter and a CSV export. `/board/land`: which regions of a Land have answered (coordinators for
//! their own Land, admins for any; never what they answered).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use std::collections::HashMap;

use super::errors::AppError;
use super::pages::html;
use super::respondent::with_db;
use super::staff::{encode, staff_of};
use super::{AppState, csrf};
use crate::accounts::Role;
use crate::store::{participants, users, waves};
use crate::survey::LAENDER;

/// Most audit entries a page shows.
const AUDIT_PAGE: i64 = 500;
/// Most audit entries an export holds.
const AUDIT_EXPORT: i64 = 100_000;

struct Account {
    user: String,
    role: &'static str,
    csrf: String,
}

fn account(
    request: &HttpRequest,
    state: &AppState,
) -> Result<(Account, Option<actix_web::cookie::Cookie<'static>>), AppError> {
    let user = staff_of(request)?;
    let (csrf, cookie) = csrf::token(request, state.secure_cookies())?;
    Ok((
        Account {
            user: user.email.clone(),
            role: user.role().label(),
            csrf,
        },
        cookie,
    ))
}

/// A staff page as a response: never cached, with the CSRF cookie where it was new.
pub(super) fn staff_page(
    status: StatusCode,
    rendered: askama::Result<String>,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> Result<HttpResponse, AppError> {
    let mut response = html(status, rendered);
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    if let Some(cookie) = cookie {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct OverviewPage {
    user: String,
    role: &'static str,
    csrf: String,
    waves: Vec<WaveRates>,
}

struct WaveRates {
    slug: String,
    title: String,
    state: &'static str,
    invited: i64,
    rows: Vec<(String, i64, i64, String)>,
    total: (i64, i64, String),
}

fn rate(submitted: i64, of: i64) -> String {
    if of == 0 {
        "–".to_owned()
    } else {
        format!(
            "{} %",
            crate::report::german(submitted as f64 * 100.0 / of as f64, 0)
        )
    }
}

/// `GET /admin`: every wave with participants, submissions and the rate per Land.
pub async fn show_overview(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = account(&request, &state)?;
    let (summaries, rates) = with_db(&state, |conn| {
        Ok((
            waves::find_summaries(conn)?,
            participants::find_rates_per_land(conn)?,
        ))
    })
    .await?;
    let now = Utc::now();
    let waves = summaries
        .into_iter()
        .map(|s| {
            let rows: Vec<(String, i64, i64, String)> = LAENDER
                .iter()
                .filter_map(|(code, name)| {
                    let r = rates
                        .iter()
                        .find(|r| r.wave_id == s.wave.id && r.land_code == *code)?;
                    Some((
                        (*name).to_owned(),
                        r.participants,
                        r.submitted,
                        rate(r.submitted, r.participants),
                    ))
                })
                .collect();
            WaveRates {
                slug: s.wave.slug.clone(),
                title: s.wave.title.clone(),
                state: s.wave.state(now).label(),
                invited: s.invited,
                total: (
                    s.participants,
                    s.submitted,
                    rate(s.submitted, s.participants),
                ),
                rows,
            }
        })
        .collect();
    let template = OverviewPage {
        user: account.user,
        role: account.role,
        csrf: account.csrf,
        waves,
    };
    staff_page(StatusCode::OK, template.render(), cookie)
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    user: String,
    role: &'static str,
    csrf: String,
    action: String,
    text: String,
    actions: Vec<(&'static str, &'static str)>,
    entries: Vec<users::AuditEntry>,
    export: String,
}

/// The actions the filter offers, with German names.
const ACTIONS: [(&str, &str); 23] = [
    ("login", "Anmeldung"),
    ("login_failed", "fehlgeschlagene Anmeldung"),
    ("logout", "Abmeldung"),
    ("password_set", "Passwort gesetzt"),
    ("password_reset_requested", "neues Passwort angefordert"),
    ("user_added", "Zugang angelegt"),
    ("user_disabled", "Zugang gesperrt"),
    ("user_enabled", "Zugang entsperrt"),
    ("role_changed", "Rolle geändert"),
    ("survey_loaded", "Umfrage geladen"),
    ("wave_created", "Welle angelegt"),
    ("participants_imported", "Teilnehmende importiert"),
    ("invitations_started", "Einladungen gestartet"),
    ("reminders_started", "Erinnerungen gestartet"),
    ("wave_opened", "Welle geöffnet"),
    ("wave_closed", "Welle geschlossen"),
    (
        "wave_settings_changed",
        "Einstellungen einer Welle geändert",
    ),
    ("link_renewed", "Link erneuert"),
    ("link_revoked", "Link gesperrt"),
    ("response_reopened", "Antworten wieder geöffnet"),
    ("report_downloaded", "Download einer Auswertung"),
    ("audit_exported", "Protokoll exportiert"),
    ("land_status_viewed", "Rücklauf eines Landes angesehen"),
];

/// The time of an entry as shown.
pub fn when(entry: &users::AuditEntry) -> String {
    crate::time::format_berlin(entry.at)
}

fn filters(query: &HashMap<String, String>) -> (String, String) {
    let action = query.get("aktion").cloned().unwrap_or_default();
    let action = if ACTIONS.iter().any(|(a, _)| *a == action) {
        action
    } else {
        String::new()
    };
    let text: String = query
        .get("suche")
        .cloned()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect();
    (action, text.trim().to_owned())
}

/// `GET /admin/protokoll`: the newest entries, filtered by action and text.
pub async fn show_audit(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = account(&request, &state)?;
    let (action, text) = filters(&query);
    let (a, t) = (action.clone(), text.clone());
    let entries = with_db(&state, move |conn| {
        Ok(users::find_audit(conn, Some(&a), Some(&t), AUDIT_PAGE)?)
    })
    .await?;
    let export = format!(
        "/admin/protokoll.csv?aktion={}&suche={}",
        encode(&action),
        encode(&text)
    );
    let template = AuditPage {
        user: account.user,
        role: account.role,
        csrf: account.csrf,
        action,
        text,
        actions: ACTIONS.to_vec(),
        entries,
        export,
    };
    staff_page(StatusCode::OK, template.render(), cookie)
}

/// `GET /admin/protokoll.csv`: the filtered audit log as CSV (recorded itself).
pub async fn export_audit(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(&request)?;
    let (action, text) = filters(&query);
    let entries = with_db(&state, move |conn| {
        let entries = users::find_audit(conn, Some(&action), Some(&text), AUDIT_EXPORT)?;
        let details = format!("{} Einträge", entries.len());
        users::audit(
            conn,
            Some(user.id),
            &user.email,
            "audit_exported",
            "protokoll.csv",
            &details,
        )?;
        Ok(entries)
    })
    .await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: [&str; 5]| {
        out.write_record(row.map(|c| crate::text::spreadsheet_safe(c).into_owned()))
    };
    let fail = |e: csv::Error| AppError::Internal(e.into());
    write(&mut out, ["time", "actor", "action", "subject", "details"]).map_err(fail)?;
    for e in &entries {
        let at = e.at.with_timezone(&chrono_tz::Europe::Berlin).to_rfc3339();
        write(&mut out, [&at, &e.actor, &e.action, &e.subject, &e.details]).map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"protokoll.csv\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}

#[derive(Template)]
#[template(path = "board/land.html")]
struct LandPage {
    user: String,
    role: &'static str,
    csrf: String,
    land: String,
    choices: Vec<(&'static str, &'static str, bool)>,
    waves: Vec<WaveRegions>,
}

/// A wave's title, its regions of the Land with whether each submitted, and how many did.
type WaveRegions = (String, Vec<(String, bool)>, usize);

/// `GET /board/land`: which regions of a Land answered each wave. Coordinators see their own Land;
/// admins pick one (`?land=DE-TH`); the board has no access (it reads only pooled figures).
pub async fn show_land_status(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(&request)?;
    let land = match user.role() {
        Role::Coordinator => user.land_code.clone().ok_or(AppError::Forbidden)?,
        Role::Admin => query
            .get("land")
            .and_then(|l| LAENDER.iter().find(|(c, _)| c == l))
            .map_or(LAENDER[0].0, |(c, _)| c)
            .to_owned(),
        Role::Board => return Err(AppError::Forbidden),
    };
    let (account, cookie) = account(&request, &state)?;
    let (l, u) = (land.clone(), user.clone());
    let rows = with_db(&state, move |conn| {
        users::audit(conn, Some(u.id), &u.email, "land_status_viewed", &l, "")?;
        Ok(participants::find_region_status(conn, &l)?)
    })
    .await?;
    let mut waves: Vec<WaveRegions> = Vec::new();
    for row in rows {
        match waves.last_mut() {
            Some((wave, regions, done)) if *wave == row.wave => {
                *done += usize::from(row.submitted);
                regions.push((row.region, row.submitted));
            }
            _ => waves.push((
                row.wave,
                vec![(row.region, row.submitted)],
                usize::from(row.submitted),
            )),
        }
    }
    let name = LAENDER
        .iter()
        .find(|(c, _)| *c == land)
        .map_or("", |(_, n)| n);
    let template = LandPage {
        user: account.user,
        role: account.role,
        csrf: account.csrf,
        land: name.to_owned(),
        choices: if user.role() == Role::Admin {
            LAENDER.iter().map(|(c, n)| (*c, *n, *c == land)).collect()
        } else {
            Vec::new()
        },
        waves,
    };
    staff_page(StatusCode::OK, template.render(), cookie)
}
