//! `/admin/wellen/…` (admins): create a wave, upload its participants (all rows or none, every
//! bad row listed), see each participant's mails and submission, and start the invitations as a
//! background job whose progress the page shows, refreshing itself while mails are queued (no
//! JavaScript needed).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::admin::staff_page;
use super::errors::AppError;
use super::respondent::with_db;
use super::staff::staff_of;
use super::{AppState, csrf, upload};
use crate::commands::mailing::{self, MailingOptions};
use crate::commands::participants::import_bytes;
use crate::commands::waves::{self as wave_commands, WaveOptions};
use crate::mail::templates::MailKind;
use crate::store::{self, outbox, participants, surveys, users, waves};

/// Largest participants file accepted over the web.
const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;

#[derive(Template)]
#[template(path = "admin/new_wave.html")]
struct NewWavePage<'a> {
    user: &'a str,
    role: &'static str,
    csrf: &'a str,
    surveys: Vec<String>,
    waves: Vec<String>,
    form: NewWaveForm,
    error: Option<String>,
}

/// The new-wave form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewWaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    umfrage: String,
    #[serde(default)]
    titel: String,
    #[serde(default)]
    beginn: String,
    #[serde(default)]
    ende: String,
    #[serde(default)]
    kopie: String,
    #[serde(default)]
    oeffnen: String,
}

async fn render_new(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    form: NewWaveForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(request)?;
    let (token, cookie) = csrf::token(request, state.secure_cookies())?;
    let (surveys, waves) = with_db(state, |conn| {
        let surveys = surveys::find_summaries(conn)?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let waves = waves::find_summaries(conn)?
            .into_iter()
            .map(|s| s.wave.slug)
            .collect();
        Ok((surveys, waves))
    })
    .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = NewWavePage {
        user: &user.email,
        role: user.role().label(),
        csrf: &token,
        surveys,
        waves,
        form,
        error,
    };
    staff_page(status, page.render(), cookie)
}

/// `GET /admin/wellen/neu`.
pub async fn show_new_wave(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    render_new(&state, &request, NewWaveForm::default(), None).await
}

/// `POST /admin/wellen/neu`: creates (and optionally opens) the wave, or shows the form again.
pub async fn create_wave(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<NewWaveForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    csrf::verify(&request, &form.csrf)?;
    let user = staff_of(&request)?;
    let settings = state.settings.clone();
    let input = form.clone();
    let created = with_db(&state, move |conn| {
        let options = WaveOptions {
            opens: Some(input.beginn.trim().to_owned()).filter(|s| !s.is_empty()),
            closes: Some(input.ende.trim().to_owned()).filter(|s| !s.is_empty()),
            ..WaveOptions::default()
        };
        let copy = Some(input.kopie.trim()).filter(|s| !s.is_empty());
        let result = diesel::Connection::transaction(conn, |conn| -> anyhow::Result<String> {
            anyhow::ensure!(
                !input.titel.trim().is_empty(),
                "Bitte geben Sie einen Titel an."
            );
            let (wave, copied) = wave_commands::create(
                conn,
                &settings,
                input.umfrage.trim(),
                input.titel.trim(),
                copy,
                &options,
            )?;
            if input.oeffnen == "ja" {
                wave_commands::open(conn, &wave.slug)?;
            }
            let details = format!(
                "Umfrage {}, {copied} Teilnehmende übernommen",
                input.umfrage
            );
            users::audit(
                conn,
                Some(user.id),
                &user.email,
                "wave_created",
                &wave.slug,
                &details,
            )?;
            Ok(wave.slug)
        });
        Ok(result)
    })
    .await?;
    match created {
        Ok(slug) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/admin/wellen/{slug}")))
            .finish()),
        Err(error) => render_new(&state, &request, form, Some(format!("{error:#}"))).await,
    }
}

#[derive(Template)]
#[template(path = "admin/wave.html")]
struct WavePage<'a> {
    user: &'a str,
    role: &'static str,
    csrf: &'a str,
    slug: String,
    title: String,
    state: &'static str,
    period: String,
    counts: outbox::Counts,
    refresh: bool,
    rows: Vec<ParticipantRow>,
    message: Option<String>,
    problems: Vec<String>,
    preview: Option<Preview>,
}

struct ParticipantRow {
    id: i64,
    revoked: bool,
    region: String,
    land: String,
    email: String,
    mail: String,
    submitted: bool,
}

async fn render_wave(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    slug: String,
    message: Option<String>,
    problems: Vec<String>,
) -> Result<HttpResponse, AppError> {
    render_wave_with(state, request, slug, message, problems, None).await
}

/// What a previewed participants file would import.
struct Preview {
    /// Line, region, Land, address, attributes.
    rows: Vec<(usize, String, String, String, String)>,
    /// One sentence about it.
    summary: String,
    /// The file, base64, carried to the "Importieren" button.
    content: String,
}

async fn render_wave_with(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    slug: String,
    message: Option<String>,
    problems: Vec<String>,
    preview: Option<Preview>,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(request)?;
    let (token, cookie) = csrf::token(request, state.secure_cookies())?;
    let (wave, counts, rows) = with_db(state, move |conn| {
        let wave = waves::find_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
        let counts = outbox::counts(conn, wave.id, MailKind::Invitation)?;
        let mut rows = Vec::new();
        for listing in participants::find_by_wave(conn, wave.id)? {
            let mails = outbox::find_by_participant(conn, listing.participant.id)?;
            let mail = mails.last().map_or_else(
                || "keine".to_owned(),
                |(kind, _, status, _, error, _)| {
                    let kind = if kind == "invitation" {
                        "Einladung"
                    } else {
                        "Erinnerung"
                    };
                    let status = match status.as_str() {
                        "sent" => "gesendet",
                        "queued" => "in der Warteschlange",
                        "failed" => "fehlgeschlagen",
                        _ => "übersprungen",
                    };
                    match error {
                        Some(error) if !error.is_empty() => format!("{kind}: {status} ({error})"),
                        _ => format!("{kind}: {status}"),
                    }
                },
            );
            rows.push(ParticipantRow {
                id: listing.participant.id,
                revoked: listing.participant.revoked_at.is_some(),
                region: listing.region,
                land: listing.participant.land_code.clone(),
                email: listing.email.unwrap_or_else(|| "(gelöscht)".to_owned()),
                mail,
                submitted: listing.participant.submitted_at.is_some(),
            });
        }
        Ok((wave, counts, rows))
    })
    .await?;
    let day = |t: Option<chrono::DateTime<Utc>>| t.map(crate::time::format_berlin);
    let period = match (
        day(wave.opens_at.or(wave.opened_at)),
        wave.closes_at.map(crate::time::format_deadline),
    ) {
        (Some(from), Some(to)) => format!("{from} bis {to}"),
        (None, Some(to)) => format!("bis {to}"),
        (Some(from), None) => format!("ab {from}"),
        (None, None) => "ohne Daten".to_owned(),
    };
    let page = WavePage {
        user: &user.email,
        role: user.role().label(),
        csrf: &token,
        slug: wave.slug.clone(),
        title: wave.title.clone(),
        state: wave.state(Utc::now()).label(),
        period,
        refresh: counts.queued > 0,
        counts,
        rows,
        message,
        problems: problems.clone(),
        preview,
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let refresh = page.refresh;
    let mut response = staff_page(status, page.render(), cookie)?;
    if refresh {
        // Progress without JavaScript: the browser reloads the page while mails are queued.
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("refresh"),
            actix_web::http::header::HeaderValue::from_static("3"),
        );
    }
    Ok(response)
}

/// `GET /admin/wellen/{wave}`: participants, their mails and submissions, the invitation progress.
pub async fn show_wave(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let message = query.get("hinweis").and_then(|h| match h.as_str() {
        "eingeladen" => Some(
            "Die Einladungen werden im Hintergrund gesendet; diese Seite zeigt den Stand."
                .to_owned(),
        ),
        _ => None,
    });
    render_wave(&state, &request, path.into_inner(), message, Vec::new()).await
}

/// `POST /admin/wellen/{wave}/teilnehmende`: imports a participants CSV, all rows or none.
pub async fn upload_participants(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(&request)?;
    let slug = path.into_inner();
    let form = upload::read(payload, "datei", MAX_CSV_BYTES).await?;
    let (mut bytes, mut file_name) = (form.file.clone(), form.file_name.clone());
    let (action, carried) = (form.field("aktion"), form.field("inhalt"));
    csrf::verify(&request, form.field("csrf"))?;
    if bytes.is_empty() && !carried.is_empty() {
        // The file as previewed, carried in the preview's form.
        use base64::Engine;
        bytes = base64::engine::general_purpose::STANDARD
            .decode(carried.trim())
            .map_err(|_| AppError::BadRequest)?;
        file_name = "Vorschau".to_owned();
    }
    if action == "vorschau" && !bytes.is_empty() {
        return preview_participants(&state, &request, slug, bytes).await;
    }
    if bytes.is_empty() {
        let problem = "Bitte wählen Sie eine CSV-Datei aus.".to_owned();
        return render_wave(&state, &request, slug, None, vec![problem]).await;
    }
    let settings = state.settings.clone();
    let wave_slug = slug.clone();
    let outcome = with_db(&state, move |conn| {
        let wave = waves::find_by_slug(conn, &wave_slug)?.ok_or(AppError::NotFound)?;
        let outcome = import_bytes(conn, &settings, &wave, &bytes).map_err(AppError::Internal)?;
        if let Ok(summary) = &outcome {
            let details = format!(
                "{file_name}: {} neu, {} schon da",
                summary.imported, summary.already_there
            );
            users::audit(
                conn,
                Some(user.id),
                &user.email,
                "participants_imported",
                &wave.slug,
                &details,
            )?;
        }
        Ok(outcome)
    })
    .await?;
    match outcome {
        Ok(summary) => {
            let message = format!(
                "{} Teilnehmende importiert ({} neue Regionen); {} waren schon da.",
                summary.imported, summary.new_regions, summary.already_there
            );
            render_wave(&state, &request, slug, Some(message), Vec::new()).await
        }
        Err(errors) => {
            let mut problems: Vec<String> = errors
                .iter()
                .map(crate::participants::RowError::in_german)
                .collect();
            problems.push("Nichts wurde importiert; bitte korrigieren Sie die Datei und laden Sie sie erneut hoch.".to_owned());
            render_wave(&state, &request, slug, None, problems).await
        }
    }
}

/// The CSRF field of a button form.
#[derive(Debug, serde::Deserialize)]
pub struct ButtonForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/wellen/{wave}/einladungen`: queues the invitations and sends them on a thread of
/// their own (the outbox makes a second start or a crash harmless); back to the wave's page.
pub async fn start_invitations(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ButtonForm>,
) -> Result<HttpResponse, AppError> {
    start_mailing(state, request, path, form, true).await
}

/// `POST /admin/wellen/{wave}/erinnerungen`: the same for reminders, within the wave's policy.
pub async fn start_reminders(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ButtonForm>,
) -> Result<HttpResponse, AppError> {
    start_mailing(state, request, path, form, false).await
}

async fn start_mailing(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ButtonForm>,
    invitation: bool,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let user = staff_of(&request)?;
    let slug = path.into_inner();
    let settings = state.settings.clone();
    let job_slug = slug.clone();
    let audit_slug = slug.clone();
    with_db(&state, move |conn| {
        let wave = waves::find_by_slug(conn, &audit_slug)?.ok_or(AppError::NotFound)?;
        let action = if invitation {
            "invitations_started"
        } else {
            "reminders_started"
        };
        users::audit(conn, Some(user.id), &user.email, action, &wave.slug, "")?;
        Ok(())
    })
    .await?;
    std::thread::Builder::new()
        .name(format!("mailing-{slug}"))
        .spawn(move || {
            let result = store::database_url(&settings)
                .map_err(anyhow::Error::from)
                .and_then(|url| {
                    let mut conn = store::establish(&url)?;
                    let options = MailingOptions::default();
                    if invitation {
                        mailing::invite(&mut conn, &url, &settings, &job_slug, &options)
                    } else {
                        mailing::remind(&mut conn, &url, &settings, &job_slug, &options)
                    }
                });
            if let Err(error) = result {
                tracing::error!(wave = %job_slug, error = %format!("{error:#}"), "invitations stopped");
            }
        })
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/admin/wellen/{slug}?hinweis=eingeladen")))
        .finish())
}

/// `POST /admin/wellen/{wave}/oeffnen` and `…/schliessen`: opens or closes the wave by hand.
pub async fn set_wave_state(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<ButtonForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let user = staff_of(&request)?;
    let (slug, change) = path.into_inner();
    let open = match change.as_str() {
        "oeffnen" => true,
        "schliessen" => false,
        _ => return Err(AppError::NotFound),
    };
    let wave_slug = slug.clone();
    let outcome = with_db(&state, move |conn| {
        waves::find_by_slug(conn, &wave_slug)?.ok_or(AppError::NotFound)?;
        let result = if open {
            wave_commands::open(conn, &wave_slug)
        } else {
            wave_commands::close(conn, &wave_slug)
        };
        if result.is_ok() {
            let action = if open { "wave_opened" } else { "wave_closed" };
            users::audit(conn, Some(user.id), &user.email, action, &wave_slug, "")?;
        }
        Ok(result.map(drop).map_err(|e| format!("{e:#}")))
    })
    .await?;
    match outcome {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, format!("/admin/wellen/{slug}")))
            .finish()),
        Err(problem) => render_wave(&state, &request, slug, None, vec![problem]).await,
    }
}

/// The settings form of a wave (dates, threshold, reminder policy, the mail texts).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    aktion: String,
    #[serde(default)]
    beginn: String,
    #[serde(default)]
    ende: String,
    #[serde(default)]
    schwelle: String,
    #[serde(default)]
    erinnerungen: String,
    #[serde(default)]
    abstand: String,
    #[serde(default)]
    einladung_betreff: String,
    #[serde(default)]
    einladung_text: String,
    #[serde(default)]
    erinnerung_betreff: String,
    #[serde(default)]
    erinnerung_text: String,
}

#[derive(Template)]
#[template(path = "admin/wave_settings.html")]
struct SettingsPage<'a> {
    user: &'a str,
    role: &'static str,
    csrf: &'a str,
    slug: &'a str,
    title: &'a str,
    form: SettingsForm,
    error: Option<String>,
    message: Option<&'a str>,
    preview: Vec<(String, String, String)>,
}

fn number(text: &str, label: &str) -> Result<Option<i32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{label}: bitte eine ganze Zahl angeben, nicht „{text}“."))
}

impl SettingsForm {
    /// The form as `wave set` options (empty fields change nothing).
    fn options(&self) -> Result<WaveOptions, String> {
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(WaveOptions {
            opens: text(&self.beginn),
            closes: text(&self.ende),
            suppress_below: number(&self.schwelle, "Mindestgröße")?,
            reminders: number(&self.erinnerungen, "Erinnerungen")?,
            reminder_days: number(&self.abstand, "Abstand")?,
            invitation_subject: text(&self.einladung_betreff),
            invitation_body: text(&self.einladung_text),
            reminder_subject: text(&self.erinnerung_betreff),
            reminder_body: text(&self.erinnerung_text),
            ..WaveOptions::default()
        })
    }

    /// The form filled from the wave as it is.
    fn of(wave: &waves::Wave) -> SettingsForm {
        let texts = wave.mail_texts();
        let day = |t: Option<chrono::DateTime<Utc>>| {
            t.map(|t| {
                t.with_timezone(&chrono_tz::Europe::Berlin)
                    .format("%d.%m.%Y %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
        };
        SettingsForm {
            beginn: day(wave.opens_at),
            ende: day(wave.closes_at),
            schwelle: wave.suppress_below.to_string(),
            erinnerungen: wave.reminders_max.to_string(),
            abstand: wave.reminder_interval_days.to_string(),
            einladung_betreff: texts.invitation_subject.unwrap_or_default(),
            einladung_text: texts.invitation_body.unwrap_or_default(),
            erinnerung_betreff: texts.reminder_subject.unwrap_or_default(),
            erinnerung_text: texts.reminder_body.unwrap_or_default(),
            ..SettingsForm::default()
        }
    }
}

/// `Some(text)` unless it is blank.
fn some(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.trim().is_empty())
}

/// Both mails as a sample participant would get them with these texts.
fn preview(
    wave: &waves::Wave,
    form: &SettingsForm,
    public_url: &str,
    contact: &str,
) -> Vec<(String, String, String)> {
    use crate::mail::templates::{MailValues, Overrides, render};
    let values = MailValues {
        name: Some("Erika Mustermann".to_owned()),
        region: "MINT-Region Beispielstadt".to_owned(),
        wave: wave.title.clone(),
        deadline: wave.closes_at.map(crate::time::format_deadline),
        link: format!("{public_url}/t/00000000-0000-4000-8000-000000000000"),
        optout_link: format!("{public_url}/t/00000000-0000-4000-8000-000000000000/optout"),
        contact: contact.to_owned(),
    };
    [
        (
            "Einladung",
            MailKind::Invitation,
            &form.einladung_betreff,
            &form.einladung_text,
        ),
        (
            "Erinnerung",
            MailKind::Reminder,
            &form.erinnerung_betreff,
            &form.erinnerung_text,
        ),
    ]
    .into_iter()
    .map(|(name, kind, subject, text)| {
        let overrides = Overrides {
            subject: some(subject),
            text: some(text),
        };
        let mail = render(kind, overrides, &values);
        (name.to_owned(), mail.subject, mail.text)
    })
    .collect()
}

async fn render_settings(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    slug: String,
    form: Option<SettingsForm>,
    error: Option<String>,
    show_preview: bool,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(request)?;
    let (token, cookie) = csrf::token(request, state.secure_cookies())?;
    let wave = with_db(state, move |conn| {
        waves::find_by_slug(conn, &slug)?.ok_or(AppError::NotFound)
    })
    .await?;
    let saved = form.is_none() && request.query_string().contains("gespeichert");
    let form = form.unwrap_or_else(|| SettingsForm::of(&wave));
    let preview = if show_preview {
        preview(
            &wave,
            &form,
            &state.settings.public_url,
            &state.settings.survey_contact,
        )
    } else {
        Vec::new()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SettingsPage {
        user: &user.email,
        role: user.role().label(),
        csrf: &token,
        slug: &wave.slug,
        title: &wave.title,
        form,
        error,
        message: saved.then_some("Die Einstellungen sind gespeichert."),
        preview,
    };
    staff_page(status, page.render(), cookie)
}

/// `GET /admin/wellen/{wave}/einstellungen`.
pub async fn show_settings(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    render_settings(&state, &request, path.into_inner(), None, None, false).await
}

/// `POST /admin/wellen/{wave}/einstellungen`: "Vorschau" renders both mails with the texts as
/// typed; "Speichern" stores the settings (`wave set`'s rules: dates in order, known placeholders).
pub async fn save_settings(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    csrf::verify(&request, &form.csrf)?;
    let user = staff_of(&request)?;
    let slug = path.into_inner();
    if form.aktion == "vorschau" {
        return render_settings(&state, &request, slug, Some(form), None, true).await;
    }
    let options = match form.options() {
        Ok(options) => options,
        Err(problem) => {
            return render_settings(&state, &request, slug, Some(form), Some(problem), false).await;
        }
    };
    let wave_slug = slug.clone();
    let saved = with_db(&state, move |conn| {
        let result = diesel::Connection::transaction(conn, |conn| -> anyhow::Result<()> {
            wave_commands::set(conn, &wave_slug, &options)?;
            users::audit(
                conn,
                Some(user.id),
                &user.email,
                "wave_settings_changed",
                &wave_slug,
                "",
            )?;
            Ok(())
        });
        Ok(result.map_err(|e| format!("{e:#}")))
    })
    .await?;
    match saved {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/admin/wellen/{slug}/einstellungen?gespeichert"),
            ))
            .finish()),
        Err(problem) => {
            render_settings(&state, &request, slug, Some(form), Some(problem), false).await
        }
    }
}

/// `POST /admin/wellen/{wave}/teilnehmende/{id}/{change}`: `erneuern` (a new link; the old one stops
/// working; the new one is shown once), `sperren` (the link stops working, no more mails) or
/// `oeffnen` (a submitted response can be changed again until the wave closes).
pub async fn change_participant(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, i64, String)>,
    form: web::Form<ButtonForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let user = staff_of(&request)?;
    let (slug, id, change) = path.into_inner();
    let settings = state.settings.clone();
    let wave_slug = slug.clone();
    let message = with_db(&state, move |conn| {
        diesel::Connection::transaction(conn, |conn| -> Result<String, AppError> {
            let wave = waves::find_by_slug(conn, &wave_slug)?.ok_or(AppError::NotFound)?;
            let listing = participants::find_by_wave(conn, wave.id)?
                .into_iter()
                .find(|l| l.participant.id == id)
                .ok_or(AppError::NotFound)?;
            let subject = format!("{}: {}", wave.slug, listing.region);
            let (action, message) = match change.as_str() {
                "erneuern" => {
                    let key = settings
                        .secret_key()
                        .map_err(|e| AppError::Internal(e.into()))?;
                    let renewed = participants::renew_token(conn, id, &key)?;
                    let link = renewed.link(&settings.public_url, &key);
                    (
                        "link_renewed",
                        format!(
                            "Neuer Link für {}: {link} (der alte gilt nicht mehr).",
                            listing.region
                        ),
                    )
                }
                "sperren" => {
                    participants::revoke(conn, id, Utc::now())?;
                    (
                        "link_revoked",
                        format!("Der Link von {} ist gesperrt.", listing.region),
                    )
                }
                "oeffnen" => {
                    let response = store::responses::find_for_participant(conn, id)?
                        .filter(|r| r.submitted_at.is_some())
                        .ok_or(AppError::NotFound)?;
                    store::responses::mark_reopened(conn, response.id, 0, Utc::now())?;
                    (
                        "response_reopened",
                        format!(
                            "Die Antworten von {} können wieder geändert werden.",
                            listing.region
                        ),
                    )
                }
                _ => return Err(AppError::NotFound),
            };
            users::audit(conn, Some(user.id), &user.email, action, &subject, "")?;
            Ok(message)
        })
    })
    .await?;
    render_wave(&state, &request, slug, Some(message), Vec::new()).await
}

/// Why the preview's transaction ends: always rolled back, carrying what the import would do.
enum DryRun {
    Done(Result<crate::commands::participants::ImportSummary, Vec<crate::participants::RowError>>),
    Failed(anyhow::Error),
}

impl From<diesel::result::Error> for DryRun {
    fn from(error: diesel::result::Error) -> Self {
        DryRun::Failed(error.into())
    }
}

/// The rows a participants file would import, with every problem, storing nothing: the import
/// runs in a transaction that is rolled back.
async fn preview_participants(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    slug: String,
    bytes: Vec<u8>,
) -> Result<HttpResponse, AppError> {
    use base64::Engine;
    let settings = state.settings.clone();
    let wave_slug = slug.clone();
    let file = bytes.clone();
    let outcome = with_db(state, move |conn| {
        let wave = waves::find_by_slug(conn, &wave_slug)?.ok_or(AppError::NotFound)?;
        let run = diesel::Connection::transaction::<(), DryRun, _>(conn, |conn| {
            let outcome = import_bytes(conn, &settings, &wave, &file).map_err(DryRun::Failed)?;
            Err(DryRun::Done(outcome))
        });
        match run {
            Err(DryRun::Done(outcome)) => Ok(outcome),
            Err(DryRun::Failed(error)) => Err(AppError::Internal(error)),
            Ok(()) => Err(AppError::Internal(anyhow::anyhow!(
                "the preview stored nothing"
            ))),
        }
    })
    .await?;
    match outcome {
        Err(errors) => {
            let mut problems: Vec<String> = errors
                .iter()
                .map(crate::participants::RowError::in_german)
                .collect();
            problems.push("Nichts wurde importiert; bitte korrigieren Sie die Datei und laden Sie sie erneut hoch.".to_owned());
            render_wave(state, request, slug, None, problems).await
        }
        Ok(summary) => {
            let (rows, _) = crate::participants::read_participants(&bytes);
            let preview = Preview {
                rows: rows
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
                content: base64::engine::general_purpose::STANDARD.encode(&bytes),
            };
            render_wave_with(state, request, slug, None, Vec::new(), Some(preview)).await
        }
    }
}
