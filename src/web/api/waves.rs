//! `/api/v1/waves`: list, show, create (also as a copy), change settings, open, close — the
//! operations of `app::waves`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::ApiJson;
use super::problem::{Kind, Problem, pointer};
use super::{ApiCaller, run};
use crate::app::waves::{self, NewWave, WaveError, WaveField, WaveSettings};
use crate::store::waves::{Wave, WaveState, WaveSummary};
use crate::web::AppState;

/// A wave with its state and counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaveJson {
    /// Slug: the wave's name in every address.
    pub slug: String,
    /// Title.
    pub title: String,
    /// The survey's id.
    pub survey: String,
    /// The survey version it asks.
    pub survey_version: i32,
    /// `draft`, `open` or `closed`.
    pub state: String,
    /// Opening time, if set.
    pub opens_at: Option<DateTime<Utc>>,
    /// Closing time, if set.
    pub closes_at: Option<DateTime<Utc>>,
    /// Smallest group shown in results.
    pub threshold: i32,
    /// At most this many reminders.
    pub reminders: i32,
    /// At least this many days between mails to one person.
    pub reminder_days: i32,
    /// Answers are deleted after this day.
    pub keep_answers_until: Option<NaiveDate>,
    /// Participants whose link is not revoked.
    pub participants: i64,
    /// Participants whose invitation was sent.
    pub invited: i64,
    /// Participants who submitted.
    pub submitted: i64,
}

impl WaveJson {
    fn of(summary: &WaveSummary) -> WaveJson {
        let wave = &summary.wave;
        WaveJson {
            slug: wave.slug.clone(),
            title: wave.title.clone(),
            survey: summary.survey_id.clone(),
            survey_version: summary.survey_version,
            state: state_word(wave.state(Utc::now())).to_owned(),
            opens_at: wave.opens_at,
            closes_at: wave.closes_at,
            threshold: wave.suppress_below,
            reminders: wave.reminders_max,
            reminder_days: wave.reminder_interval_days,
            keep_answers_until: wave.keep_answers_until,
            participants: summary.participants,
            invited: summary.invited,
            submitted: summary.submitted,
        }
    }
}

fn state_word(state: WaveState) -> &'static str {
    match state {
        WaveState::Draft => "draft",
        WaveState::Open => "open",
        WaveState::Closed => "closed",
    }
}

/// A new wave.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWaveJson {
    /// The survey's id; the wave asks its current version.
    pub survey: String,
    /// The title ("Frühjahr 2027"); the slug is made from it.
    pub title: String,
    /// Take over settings, mail texts and participants (with new links) of this wave.
    #[serde(default)]
    pub copy_from: Option<String>,
    /// Open it at once.
    #[serde(default)]
    pub open_now: bool,
    /// A second wave with a title that exists is wanted (its slug gets `-2`, …).
    #[serde(default)]
    pub same_title: bool,
    /// Opening: a date (`2027-05-04`, 0:00 Berlin time) or date and time (`2027-05-04 08:00`).
    #[serde(default)]
    pub opens: Option<String>,
    /// Closing: a date (the whole day counts) or date and time.
    #[serde(default)]
    pub closes: Option<String>,
    /// At most this many reminders (0–10).
    #[serde(default)]
    pub reminders: Option<i32>,
    /// At least this many days between mails to one person.
    #[serde(default)]
    pub reminder_days: Option<i32>,
    /// Smallest group shown in results.
    #[serde(default)]
    pub threshold: Option<i32>,
    /// Until when the answers are kept (a date; `""`: 24 months after the end).
    #[serde(default)]
    pub keep_answers_until: Option<String>,
}

impl NewWaveJson {
    /// Its settings (mail texts are set with `PATCH` or taken over with `copy_from`).
    fn settings(&self) -> WaveSettings {
        SettingsJson {
            opens: self.opens.clone(),
            closes: self.closes.clone(),
            reminders: self.reminders,
            reminder_days: self.reminder_days,
            threshold: self.threshold,
            keep_answers_until: self.keep_answers_until.clone(),
            ..SettingsJson::default()
        }
        .settings()
    }
}

/// A wave's settings; a field left out keeps its value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsJson {
    /// Opening: a date (`2027-05-04`, 0:00 Berlin time) or date and time (`2027-05-04 08:00`).
    #[serde(default)]
    pub opens: Option<String>,
    /// Closing: a date (the whole day counts) or date and time.
    #[serde(default)]
    pub closes: Option<String>,
    /// At most this many reminders (0–10).
    #[serde(default)]
    pub reminders: Option<i32>,
    /// At least this many days between mails to one person.
    #[serde(default)]
    pub reminder_days: Option<i32>,
    /// Smallest group shown in results.
    #[serde(default)]
    pub threshold: Option<i32>,
    /// Until when the answers are kept (a date; `""`: 24 months after the end).
    #[serde(default)]
    pub keep_answers_until: Option<String>,
    /// Subject of the invitation (`""`: the default).
    #[serde(default)]
    pub invitation_subject: Option<String>,
    /// Text of the invitation (`""`: the default).
    #[serde(default)]
    pub invitation_text: Option<String>,
    /// Subject of reminders (`""`: the default).
    #[serde(default)]
    pub reminder_subject: Option<String>,
    /// Text of reminders (`""`: the default).
    #[serde(default)]
    pub reminder_text: Option<String>,
}

impl SettingsJson {
    fn settings(&self) -> WaveSettings {
        WaveSettings {
            opens: self.opens.clone(),
            closes: self.closes.clone(),
            reminders: self.reminders,
            reminder_days: self.reminder_days,
            suppress_below: self.threshold,
            keep_answers_until: self.keep_answers_until.clone(),
            invitation_subject: self.invitation_subject.clone(),
            invitation_text: self.invitation_text.clone(),
            reminder_subject: self.reminder_subject.clone(),
            reminder_text: self.reminder_text.clone(),
        }
    }
}

/// The JSON name of a setting.
fn field_name(field: WaveField) -> &'static str {
    match field {
        WaveField::Title => "title",
        WaveField::Opens => "opens",
        WaveField::Closes => "closes",
        WaveField::Reminders => "reminders",
        WaveField::ReminderDays => "reminder_days",
        WaveField::SuppressBelow => "threshold",
        WaveField::KeepAnswers => "keep_answers_until",
        WaveField::InvitationSubject => "invitation_subject",
        WaveField::InvitationText => "invitation_text",
        WaveField::ReminderSubject => "reminder_subject",
        WaveField::ReminderText => "reminder_text",
    }
}

/// A wave operation's error: an unknown wave is 404, a wrong setting names its field.
pub fn problem(error: WaveError) -> Problem {
    if let WaveError::NoSuchWave { slug, .. } = &error {
        return Problem::new(Kind::NotFound, format!("Es gibt keine Welle „{slug}“."));
    }
    let at = error.field().map(|f| pointer("", field_name(f)));
    Problem::of(error, at)
}

/// The wave's summary (state and counts).
fn summary(conn: &mut diesel::PgConnection, slug: &str) -> Result<WaveSummary, Problem> {
    let wave = waves::find(conn, slug).map_err(problem)?;
    waves::list(conn)
        .map_err(problem)?
        .into_iter()
        .find(|s| s.wave.id == wave.id)
        .ok_or_else(|| Problem::new(Kind::NotFound, format!("Es gibt keine Welle „{slug}“.")))
}

/// Path parameter: the wave.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(names("wave"))]
pub struct WavePath(
    /// The wave's slug.
    pub String,
);

/// Every wave with its state and counts.
#[utoipa::path(get, path = "/api/v1/waves", summary = "Alle Wellen mit Status und Zahlen", tag = "Wellen",
    responses((status = 200, description = "Alle Wellen", body = [WaveJson])))]
pub async fn list_waves(
    state: web::Data<AppState>,
    caller: ApiCaller,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let list = run(&state, move |conn| {
        Ok(waves::list(conn)
            .map_err(problem)?
            .iter()
            .map(WaveJson::of)
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One wave with its state and counts.
#[utoipa::path(get, path = "/api/v1/waves/{wave}", summary = "Eine Welle mit Status und Zahlen", tag = "Wellen", params(WavePath),
    responses((status = 200, description = "Die Welle", body = WaveJson)))]
pub async fn show_wave(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let slug = path.into_inner();
    let wave = run(&state, move |conn| Ok(WaveJson::of(&summary(conn, &slug)?))).await?;
    Ok(HttpResponse::Ok().json(wave))
}

/// Creates a wave of a survey's current version (also as a copy of another wave).
#[utoipa::path(post, path = "/api/v1/waves", summary = "Eine Welle anlegen (auch als Kopie einer anderen mit „copy_from“)", tag = "Wellen", request_body = NewWaveJson,
    responses((status = 201, description = "Die neue Welle", body = WaveJson,
        headers(("Location" = String, description = "Die Adresse der Welle")))))]
pub async fn create_wave(
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: ApiJson<NewWaveJson>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let input = body.0;
    let actor = caller.actor();
    let settings = state.settings.clone();
    let wave = run(&state, move |conn| {
        let new = NewWave {
            survey: input.survey.clone(),
            title: input.title.clone(),
            copy_from: input.copy_from.clone(),
            settings: input.settings(),
            open_now: input.open_now,
            same_title: input.same_title,
        };
        let created =
            waves::create(conn, &settings, &actor, &new).map_err(|error| match error {
                WaveError::NoSuchSurvey(_) => {
                    let at = pointer("", "survey");
                    Problem::of(error, Some(at))
                }
                WaveError::NoSuchWave { .. } => Problem::of(error, Some(pointer("", "copy_from"))),
                other => problem(other),
            })?;
        Ok(WaveJson::of(&summary(conn, &created.wave.slug)?))
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/waves/{}", wave.slug)))
        .json(wave))
}

/// Changes dates, reminder policy, threshold or mail texts.
#[utoipa::path(patch, path = "/api/v1/waves/{wave}", summary = "Termine, Erinnerungsregel, Mindestgröße oder Mailtexte einer Welle ändern", tag = "Wellen", params(WavePath),
    request_body = SettingsJson,
    responses((status = 200, description = "Die geänderte Welle", body = WaveJson)))]
pub async fn change_wave(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: ApiJson<SettingsJson>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let (slug, input, actor) = (path.into_inner(), body.0, caller.actor());
    let wave = run(&state, move |conn| {
        let wave: Wave = waves::set(conn, &actor, &slug, &input.settings()).map_err(problem)?;
        Ok(WaveJson::of(&summary(conn, &wave.slug)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(wave))
}

/// Opens the wave now.
#[utoipa::path(post, path = "/api/v1/waves/{wave}/open", summary = "Eine Welle jetzt öffnen", tag = "Wellen", params(WavePath),
    responses((status = 200, description = "Die geöffnete Welle", body = WaveJson)))]
pub async fn open_wave(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    change_state(state, caller, path.into_inner(), true).await
}

/// Closes the wave now.
#[utoipa::path(post, path = "/api/v1/waves/{wave}/close", summary = "Eine Welle jetzt schließen", tag = "Wellen", params(WavePath),
    responses((status = 200, description = "Die geschlossene Welle", body = WaveJson)))]
pub async fn close_wave(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    change_state(state, caller, path.into_inner(), false).await
}

async fn change_state(
    state: web::Data<AppState>,
    caller: ApiCaller,
    slug: String,
    open: bool,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let actor = caller.actor();
    let scheduler = state.scheduler.clone();
    let wave = run(&state, move |conn| {
        let wave = if open {
            waves::open(conn, &actor, &slug)
        } else {
            waves::close(conn, &actor, &slug)
        }
        .map_err(problem)?;
        Ok(WaveJson::of(&summary(conn, &wave.slug)?))
    })
    .await?;
    if open {
        // A wave opened by hand sends its automatic invitations now.
        scheduler.wake();
    }
    Ok(HttpResponse::Ok().json(wave))
}
