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
use crate::text::Bilingual;
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
    /// The schedule that sends its mails by itself; `null`: mailings by hand only.
    pub schedule: Option<ScheduleJson>,
}

/// A wave's schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleJson {
    /// Invitations go out by themselves when the wave opens.
    pub invitations_auto: bool,
    /// Reminders go out by themselves under the wave's policy.
    pub reminders_auto: bool,
    /// A last reminder this many days before the end (`null`: none).
    pub last_reminder_days: Option<i32>,
    /// The sending window, Europe/Berlin: `8-18 mo-fr`, or `any time`.
    pub window: String,
    /// Paused since.
    pub paused_at: Option<DateTime<Utc>>,
}

impl ScheduleJson {
    fn of(schedule: &crate::store::waves::Schedule) -> ScheduleJson {
        ScheduleJson {
            invitations_auto: schedule.invitations_auto,
            reminders_auto: schedule.reminders_auto,
            last_reminder_days: schedule.last_reminder_days,
            window: schedule.window.english(),
            paused_at: schedule.paused_at,
        }
    }
}

/// Changes to a wave's schedule; a field left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleChange {
    /// Invitations by themselves when the wave opens (`false`: by hand).
    #[serde(default)]
    pub invitations_auto: Option<bool>,
    /// Reminders by themselves under the policy (`false`: by hand).
    #[serde(default)]
    pub reminders_auto: Option<bool>,
    /// A last reminder this many days before the end (0: none).
    #[serde(default)]
    pub last_reminder_days: Option<i32>,
    /// Sending hours, Europe/Berlin: `8-18` (`0-24`: any hour).
    #[serde(default)]
    pub hours: Option<String>,
    /// Sending days: `mo-fr`, `mo,mi,fr`, `mo-so`.
    #[serde(default)]
    pub days: Option<String>,
    /// `true`: pause the schedule; `false`: resume it.
    #[serde(default)]
    pub paused: Option<bool>,
}

impl WaveJson {
    fn of(summary: &WaveSummary, schedule: Option<&crate::store::waves::Schedule>) -> WaveJson {
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
            schedule: schedule.map(ScheduleJson::of),
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

/// A new wave. Its settings are listed again rather than taken from [`SettingsJson`] with
/// `#[serde(flatten)]`: serde cannot refuse unknown fields of a flattened struct.
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

/// The 404 of an unknown wave, in the words of `app::waves`.
pub fn no_such_wave(slug: &str) -> Problem {
    let error = WaveError::NoSuchWave {
        slug: slug.to_owned(),
        known: Vec::new(),
    };
    Problem::new(Kind::NotFound, error.german())
}

/// A wave operation's error: an unknown wave is 404, a wrong setting names its field.
pub fn problem(error: WaveError) -> Problem {
    if let WaveError::NoSuchWave { slug, .. } = &error {
        return no_such_wave(slug);
    }
    let at = error.field().map(|f| pointer("", field_name(f)));
    Problem::of(error, at)
}

/// The wave with its state, counts and schedule.
fn summary(conn: &mut diesel::PgConnection, slug: &str) -> Result<WaveJson, Problem> {
    let wave = waves::find(conn, slug).map_err(problem)?;
    let schedules = waves::schedules(conn).map_err(problem)?;
    waves::list(conn)
        .map_err(problem)?
        .into_iter()
        .find(|s| s.wave.id == wave.id)
        .map(|s| WaveJson::of(&s, schedules.get(&s.wave.id)))
        .ok_or_else(|| no_such_wave(slug))
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
        let schedules = waves::schedules(conn).map_err(problem)?;
        Ok(waves::list(conn)
            .map_err(problem)?
            .iter()
            .map(|s| WaveJson::of(s, schedules.get(&s.wave.id)))
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
    let wave = run(&state, move |conn| summary(conn, &slug)).await?;
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
        summary(conn, &created.wave.slug)
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
        summary(conn, &wave.slug)
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
        summary(conn, &wave.slug)
    })
    .await?;
    if open {
        // A wave opened by hand sends its automatic invitations now.
        scheduler.wake();
    }
    Ok(HttpResponse::Ok().json(wave))
}

/// Sets, pauses or resumes the wave's schedule: `serve` then sends its invitations and reminders
/// by itself, inside the sending window.
#[utoipa::path(put, path = "/api/v1/waves/{wave}/schedule", summary = "Den Zeitplan einer Welle setzen, anhalten oder fortsetzen", tag = "Wellen", params(WavePath),
    request_body = ScheduleChange,
    responses((status = 200, description = "Die Welle mit ihrem Zeitplan", body = WaveJson)))]
pub async fn set_schedule(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
    body: ApiJson<ScheduleChange>,
) -> Result<HttpResponse, Problem> {
    use crate::app::schedule::{self, ScheduleError, ScheduleInput};
    use crate::schedule::{Weekdays, Window};
    caller.require_admin()?;
    let (slug, change, actor) = (path.into_inner(), body.0, caller.actor());
    let refused = |error: ScheduleError, field: &str| Problem::of(error, Some(pointer("", field)));
    let hours = match change.hours.as_deref() {
        None => None,
        Some(text) => Some(
            Window::parse_hours(text).map_err(|e| refused(ScheduleError::Window(e), "hours"))?,
        ),
    };
    let days = match change.days.as_deref() {
        None => None,
        Some(text) => {
            Some(Weekdays::parse(text).map_err(|e| refused(ScheduleError::Window(e), "days"))?)
        }
    };
    let input = ScheduleInput {
        invitations_auto: change.invitations_auto,
        reminders_auto: change.reminders_auto,
        last_reminder_days: change.last_reminder_days,
        hours,
        days,
        pause: change.paused,
    };
    let (scheduler, clock) = (state.scheduler.clone(), state.clock.clone());
    let wave = run(&state, move |conn| {
        schedule::set(conn, &actor, &slug, &input, clock.now()).map_err(|error| {
            let field = match &error {
                ScheduleError::Wave(_) => None,
                ScheduleError::LastReminderDays(_)
                | ScheduleError::LastReminderNotANumber(_)
                | ScheduleError::LastReminderWithoutEnd(_) => Some("last_reminder_days"),
                ScheduleError::NoReminders(_) => Some("reminders_auto"),
                _ => None,
            };
            match error {
                ScheduleError::Wave(wave) => problem(wave),
                other => Problem::of(other, field.map(|f| pointer("", f))),
            }
        })?;
        summary(conn, &slug)
    })
    .await?;
    scheduler.wake();
    Ok(HttpResponse::Ok().json(wave))
}
