//! `/admin/wellen/{wave}/teilnehmende…` (admins): uploading a participants file (a preview of what
//! would be imported first, all rows or none, every bad row listed before anything is stored), and
//! renewing, revoking or reopening one participant.

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;

use super::waves::{Notes, Preview, render_wave};
use crate::app::participants::{
    self, Change, ImportMode, ImportNote, Imported, ParticipantsError, Who,
};
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfForm, CsrfUpload, StaffUser};
use crate::web::shared::with_db;

/// Largest participants file accepted over the web.
pub(crate) const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;

/// `POST /admin/wellen/{wave}/teilnehmende`: "Vorschau" shows what a participants CSV would
/// import, storing nothing; "Importieren" imports it, all rows or none.
pub async fn upload_participants(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
    upload: CsrfUpload<MAX_CSV_BYTES>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let form = upload.0;
    if form.oversized {
        let notes = Notes {
            problems: vec![format!(
                "Die Datei ist größer als {} MB und wurde nicht gelesen. Eine Teilnehmendenliste ist meist nur wenige KB groß: Haben Sie die richtige Datei gewählt? Nichts wurde importiert.",
                MAX_CSV_BYTES / 1024 / 1024
            )],
            ..Notes::default()
        };
        return render_wave(&state, &request, &user, slug, notes).await;
    }
    let (mut bytes, mut file_name) = (form.file.clone(), form.file_name.clone());
    let carried = form.field("inhalt");
    if bytes.is_empty() && !carried.is_empty() {
        // The file as previewed, carried in the preview's form.
        bytes = base64::engine::general_purpose::STANDARD
            .decode(carried.trim())
            .map_err(|_| AppError::BadRequest)?;
        file_name = "Vorschau".to_owned();
    }
    if bytes.is_empty() {
        let problem = if file_name.is_empty() {
            "Bitte wählen Sie eine CSV-Datei aus.".to_owned()
        } else {
            format!("Die Datei „{file_name}“ ist leer; nichts wurde importiert.")
        };
        let notes = Notes {
            problems: vec![problem],
            ..Notes::default()
        };
        return render_wave(&state, &request, &user, slug, notes).await;
    }
    let mode = if form.field("aktion") == "vorschau" {
        ImportMode::Preview
    } else {
        ImportMode::Store
    };
    let (settings, actor, wave_slug) = (state.settings.clone(), user.actor(), slug.clone());
    let file = bytes.clone();
    let outcome = with_db(&state, move |conn| {
        let imported =
            participants::import(conn, &settings, &actor, &wave_slug, &file_name, &file, mode);
        refusal(imported)
    })
    .await?;
    let notes = match outcome {
        Ok(imported) if mode == ImportMode::Preview => Notes {
            message: german_notes(&imported.notes),
            preview: Some(preview(imported, &bytes)),
            ..Notes::default()
        },
        Ok(Imported { summary, notes, .. }) => {
            let done = format!(
                "{} Teilnehmende importiert ({} neue Regionen); {} waren schon da.",
                summary.imported, summary.new_regions, summary.already_there
            );
            let message = match german_notes(&notes) {
                Some(notes) => format!("{done} {notes}"),
                None => done,
            };
            Notes {
                message: Some(message),
                ..Notes::default()
            }
        }
        Err(ParticipantsError::Wave(_)) => return Err(AppError::NotFound),
        Err(error) => {
            let (mut problems, message) = match &error {
                ParticipantsError::Rows { errors, notes } => (
                    errors.iter().map(Bilingual::german).collect(),
                    german_notes(notes),
                ),
                _ => (Vec::new(), None),
            };
            problems.push(error.german());
            Notes {
                message,
                problems,
                ..Notes::default()
            }
        }
    };
    render_wave(&state, &request, &user, slug, notes).await
}

/// The notes on an imported file in German, one sentence each, if there are any.
fn german_notes(notes: &[ImportNote]) -> Option<String> {
    let german: Vec<String> = notes.iter().map(Bilingual::german).collect();
    (!german.is_empty()).then(|| german.join(" "))
}

/// The preview of a file that would import as `imported` says.
fn preview(imported: Imported, bytes: &[u8]) -> Preview {
    let summary = imported.summary;
    Preview {
        rows: imported
            .rows
            .into_iter()
            .map(|r| {
                let attributes = r
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    r.line,
                    r.region,
                    r.land_code.to_owned(),
                    r.email,
                    attributes,
                )
            })
            .collect(),
        summary: format!(
            "{} Zeilen sind in Ordnung: {} würden neu importiert, {} sind schon da. Noch ist nichts gespeichert.",
            summary.imported + summary.already_there,
            summary.imported,
            summary.already_there
        ),
        content: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// `POST /admin/wellen/{wave}/teilnehmende/{id}/{change}`: `erneuern` (a new link; the old one stops
/// working; the new one is shown once), `sperren` (the link stops working, no more mails) or
/// `oeffnen` (a submitted response can be changed again until the wave closes).
pub async fn change_participant(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<(String, i64, String)>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, id, change) = path.into_inner();
    let change = match change.as_str() {
        "erneuern" => Change::Renew,
        "sperren" => Change::Revoke,
        "oeffnen" => Change::Reopen,
        _ => return Err(AppError::NotFound),
    };
    let (settings, actor, wave_slug) = (state.settings.clone(), user.actor(), slug.clone());
    let changed = with_db(&state, move |conn| {
        let who = Who::Id(id);
        refusal(participants::change(
            conn, &settings, &actor, &wave_slug, &who, change,
        ))
    })
    .await?;
    let changed = match changed {
        Ok(changed) => changed,
        // An unknown participant, or reopening one who has not submitted: no such page.
        Err(_) => return Err(AppError::NotFound),
    };
    let region = &changed.region;
    let message = match (change, &changed.link) {
        (Change::Renew, Some(link)) => {
            format!("Neuer Link für {region}: {link} (der alte gilt nicht mehr).")
        }
        (Change::Revoke, _) => format!("Der Link von {region} ist gesperrt."),
        _ => format!("Die Antworten von {region} können wieder geändert werden."),
    };
    let notes = Notes {
        message: Some(message),
        ..Notes::default()
    };
    render_wave(&state, &request, &user, slug, notes).await
}
