//! `/admin/protokoll`: the audit log of logins, uploads, imports, mailings, downloads, exports and
//! account changes (from the pages and the command line), filterable and exportable as CSV.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

use super::Account;
use crate::store::users;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::extract::StaffUser;
use crate::web::shared::{csv_download, encode, staff_page, with_db};

/// Most audit entries a page shows.
const AUDIT_PAGE: i64 = 500;
/// Most audit entries an export holds.
const AUDIT_EXPORT: i64 = 100_000;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    user: String,
    role: String,
    csrf: String,
    action: String,
    text: String,
    actions: Vec<(&'static str, &'static str)>,
    entries: Vec<users::AuditEntry>,
    export: String,
}

/// The actions the filter offers, with German names.
const ACTIONS: [(&str, &str); 31] = [
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
    ("participants_exported", "Teilnehmendenliste exportiert"),
    ("contacts_purged", "Kontakte einer Welle gelöscht"),
    ("report_written", "Auswertung geschrieben"),
    ("raw_export_written", "Rohdaten exportiert"),
    ("test_responses_deleted", "Testantworten gelöscht"),
    ("report_downloaded", "Download einer Auswertung"),
    ("audit_exported", "Protokoll exportiert"),
    ("land_status_viewed", "Rücklauf eines Landes angesehen"),
    ("schedule_changed", "Zeitplan einer Welle geändert"),
    ("schedule_paused", "Zeitplan angehalten"),
    ("schedule_resumed", "Zeitplan fortgesetzt"),
];

/// The German name of an entry's action (the stored word for one not in the list).
pub fn action_name(entry: &users::AuditEntry) -> &str {
    ACTIONS
        .iter()
        .find(|(action, _)| *action == entry.action)
        .map_or(entry.action.as_str(), |(_, name)| name)
}

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
    user: StaffUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(&user, &request, &state)?;
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
    user: StaffUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor();
    let (action, text) = filters(&query);
    let entries = with_db(&state, move |conn| {
        let entries = users::find_audit(conn, Some(&action), Some(&text), AUDIT_EXPORT)?;
        let details = format!("{} Einträge", entries.len());
        actor.audit(conn, "audit_exported", "protokoll.csv", &details)?;
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
    Ok(csv_download("protokoll.csv", bytes))
}
