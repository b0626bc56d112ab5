//! `/admin/wellen/{wave}/einstellungen` (admins): a wave's dates, threshold, reminder policy and
//! both mail texts, with a preview of the mails as a sample participant would get them. Saving goes
//! through `app::waves::set` (the rules of `wave set`: dates in order, known placeholders). The
//! schedule's form is here too; it posts to `schedule.rs`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::Account;
use super::schedule::{DAYS, ScheduleForm};
use crate::app::waves::{self, WaveError, WaveField, WaveSettings};
use crate::mail::templates::{MailKind, MailValues, Overrides, render};
use crate::store::waves::Wave;
use crate::text::Bilingual;
use crate::time::{DayEdge, format_input};
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfForm, StaffUser};
use crate::web::shared::{see_other, staff_page, with_db};

/// The settings form of a wave (dates, threshold, reminder policy, the mail texts).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    aktion: String,
    #[serde(default)]
    beginn: String,
    #[serde(default)]
    ende: String,
    #[serde(default)]
    schwelle: String,
    #[serde(default)]
    aufbewahren: String,
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
    role: &'a str,
    csrf: &'a str,
    slug: &'a str,
    title: &'a str,
    form: SettingsForm,
    /// What was refused, and the id of the field it is about.
    error: Option<(String, &'static str)>,
    message: Option<&'a str>,
    preview: Vec<(String, String, String)>,
    /// The schedule form (`None`: an open-link wave, which has none).
    schedule: Option<ScheduleForm>,
    /// What the schedule form refused, and the id of its field.
    schedule_error: Option<(String, &'static str)>,
    /// Whether the schedule is paused.
    paused: bool,
    days: &'static [(&'static str, &'static str); 7],
    /// How long answers are kept after the end unless a date is given.
    keep_default_months: u32,
    /// That default as a date, if the wave has an end.
    keep_default: Option<String>,
}

/// The id of the form field (new wave, wave settings) that holds `field`.
pub(super) fn field_id(field: WaveField) -> &'static str {
    match field {
        WaveField::Title => "titel",
        WaveField::Opens => "beginn",
        WaveField::Closes => "ende",
        WaveField::Reminders => "erinnerungen",
        WaveField::ReminderDays => "abstand",
        WaveField::SuppressBelow => "schwelle",
        WaveField::KeepAnswers => "aufbewahren",
        WaveField::InvitationSubject => "einladung_betreff",
        WaveField::InvitationText => "einladung_text",
        WaveField::ReminderSubject => "erinnerung_betreff",
        WaveField::ReminderText => "erinnerung_text",
    }
}

/// A whole number typed into `field`, if any.
fn number(text: &str, field: WaveField) -> Result<Option<i32>, WaveError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| WaveError::NotANumber {
        field,
        text: text.to_owned(),
    })
}

impl SettingsForm {
    /// The form as the operation's input (empty fields change nothing).
    fn settings(&self) -> Result<WaveSettings, WaveError> {
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(WaveSettings {
            opens: text(&self.beginn),
            closes: text(&self.ende),
            suppress_below: number(&self.schwelle, WaveField::SuppressBelow)?,
            // Blank: back to the default (24 months after the end).
            keep_answers_until: Some(self.aufbewahren.trim().to_owned()),
            reminders: number(&self.erinnerungen, WaveField::Reminders)?,
            reminder_days: number(&self.abstand, WaveField::ReminderDays)?,
            invitation_subject: text(&self.einladung_betreff),
            invitation_text: text(&self.einladung_text),
            reminder_subject: text(&self.erinnerung_betreff),
            reminder_text: text(&self.erinnerung_text),
        })
    }

    /// The form filled from the wave as it is.
    fn of(wave: &Wave) -> SettingsForm {
        let texts = wave.mail_texts();
        let field = |t: Option<chrono::DateTime<chrono::Utc>>, edge| {
            t.map(|t| format_input(t, edge)).unwrap_or_default()
        };
        SettingsForm {
            beginn: field(wave.opens_at, DayEdge::Start),
            ende: field(wave.closes_at, DayEdge::End),
            schwelle: wave.suppress_below.to_string(),
            aufbewahren: wave
                .keep_answers_until
                .map(crate::time::format_date)
                .unwrap_or_default(),
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
    wave: &Wave,
    survey_title: &str,
    form: &SettingsForm,
    public_url: &str,
    contact: &str,
) -> Vec<(String, String, String)> {
    let values = MailValues {
        name: Some("Erika Mustermann".to_owned()),
        region: "MINT-Region Beispielstadt".to_owned(),
        wave: wave.title.clone(),
        survey: survey_title.to_owned(),
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

/// What the settings page shows besides the stored settings.
#[derive(Default)]
pub(super) struct Shown {
    /// The settings form as typed.
    pub(super) form: Option<SettingsForm>,
    /// Its refusal and the id of the field.
    pub(super) error: Option<(String, &'static str)>,
    /// Whether to show the mails' preview.
    pub(super) preview: bool,
    /// The schedule form as typed, with its refusal.
    pub(super) schedule: Option<(ScheduleForm, Option<(String, &'static str)>)>,
}

pub(super) async fn render_settings(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    slug: String,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(user, request, state)?;
    let (wave, schedule, survey) = with_db(state, move |conn| {
        let Ok(wave) = refusal(waves::find(conn, &slug))? else {
            return Err(AppError::NotFound);
        };
        let schedule = crate::store::waves::find_schedule(conn, wave.id)?;
        let survey = crate::store::surveys::find_by_id(conn, wave.survey_version_id)?.survey;
        Ok((wave, schedule, survey))
    })
    .await?;
    let open_link = survey.access == crate::survey::Access::Open;
    let (schedule_form, schedule_error) = match shown.schedule {
        Some((form, error)) => (form, error),
        None => (ScheduleForm::of(&schedule), None),
    };
    let saved = shown.form.is_none() && request.query_string().contains("gespeichert");
    let form = shown.form.unwrap_or_else(|| SettingsForm::of(&wave));
    let preview = if shown.preview {
        let settings = &state.settings;
        preview(
            &wave,
            &survey.title,
            &form,
            &settings.public_url,
            &settings.survey_contact,
        )
    } else {
        Vec::new()
    };
    let status = if shown.error.is_some() || schedule_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = SettingsPage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        slug: &wave.slug,
        title: &wave.title,
        form,
        error: shown.error,
        message: saved.then_some("Die Einstellungen sind gespeichert."),
        preview,
        schedule: (!open_link).then_some(schedule_form),
        schedule_error,
        paused: schedule.paused_at.is_some(),
        days: &DAYS,
        keep_default_months: crate::store::waves::KEEP_ANSWERS_MONTHS,
        keep_default: wave
            .default_keep_answers_until()
            .map(crate::time::format_date),
    };
    staff_page(status, page.render(), cookie)
}

/// `GET /admin/wellen/{wave}/einstellungen`.
pub async fn show_settings(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    render_settings(&state, &request, &user, path.into_inner(), Shown::default()).await
}

/// `POST /admin/wellen/{wave}/einstellungen`: "Vorschau" renders both mails with the texts as
/// typed; "Speichern" stores the settings.
pub async fn save_settings(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
    form: CsrfForm<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let slug = path.into_inner();
    if form.aktion == "vorschau" {
        let shown = Shown {
            form: Some(form),
            preview: true,
            ..Shown::default()
        };
        return render_settings(&state, &request, &user, slug, shown).await;
    }
    let saved = match form.settings() {
        Ok(settings) => {
            let (actor, wave_slug) = (user.actor(), slug.clone());
            with_db(&state, move |conn| {
                refusal(waves::set(conn, &actor, &wave_slug, &settings))
            })
            .await?
        }
        Err(refused) => Err(refused),
    };
    match saved {
        Ok(_) => Ok(see_other(format!(
            "/admin/wellen/{slug}/einstellungen?gespeichert"
        ))),
        Err(error) => {
            let shown = Shown {
                form: Some(form),
                error: Some((error.german(), error.field().map_or("beginn", field_id))),
                ..Shown::default()
            };
            render_settings(&state, &request, &user, slug, shown).await
        }
    }
}
