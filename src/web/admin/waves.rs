//! `/admin/wellen/…` (admins): create a wave, its page (participants with their mails and
//! submissions, the invitation progress, refreshing itself while mails are queued; no JavaScript
//! needed), and opening and closing it by hand. Mailings are in `mailing.rs`.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::Account;
use super::participant_list::{ListFilter, Listed};
use crate::app::participants as participant_ops;
use crate::app::schedule;
use crate::app::surveys;
use crate::app::waves::{self, NewWave, WaveSettings};
use crate::mail::templates::MailKind;
use crate::store::outbox;
use crate::store::waves::WaveState;
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfForm, StaffUser};
use crate::web::shared::{see_other, staff_page, with_db};

#[derive(Template)]
#[template(path = "admin/new_wave.html")]
struct NewWavePage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    surveys: Vec<String>,
    waves: Vec<String>,
    form: NewWaveForm,
    /// What was refused, and the id of the field it is about.
    error: Option<(String, &'static str)>,
    /// Whether to offer "a second wave with this title".
    ask_same_title: bool,
}

/// The new-wave form, kept as typed when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewWaveForm {
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
    /// "ja": a second wave with a title that exists is wanted.
    #[serde(default)]
    zweite: String,
}

impl NewWaveForm {
    /// The operation's input: blank fields are not given.
    fn input(&self) -> NewWave {
        let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        NewWave {
            survey: self.umfrage.trim().to_owned(),
            title: self.titel.clone(),
            copy_from: given(&self.kopie),
            settings: WaveSettings {
                opens: given(&self.beginn),
                closes: given(&self.ende),
                ..WaveSettings::default()
            },
            open_now: self.oeffnen == "ja",
            same_title: self.zweite == "ja",
        }
    }
}

async fn render_new(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    form: NewWaveForm,
    error: Option<(String, &'static str)>,
    ask_same_title: bool,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(user, request, state)?;
    let (surveys, waves) = with_db(state, |conn| {
        let surveys = surveys::list(conn).map_err(AppError::unexpected)?;
        let waves = waves::list(conn).map_err(AppError::unexpected)?;
        Ok((
            surveys.into_iter().map(|s| s.id).collect(),
            waves.into_iter().map(|s| s.wave.slug).collect(),
        ))
    })
    .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let ask_same_title = ask_same_title || form.zweite == "ja";
    let page = NewWavePage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        surveys,
        waves,
        form,
        error,
        ask_same_title,
    };
    staff_page(status, page.render(), cookie)
}

/// `GET /admin/wellen/neu`.
pub async fn show_new_wave(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
) -> Result<HttpResponse, AppError> {
    render_new(&state, &request, &user, NewWaveForm::default(), None, false).await
}

/// `POST /admin/wellen/neu`: creates (and optionally opens) the wave, or shows the form again with
/// the reason in German.
pub async fn create_wave(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    form: CsrfForm<NewWaveForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (input, actor, settings) = (form.input(), user.actor(), state.settings.clone());
    let created = with_db(&state, move |conn| {
        refusal(waves::create(conn, &settings, &actor, &input))
    })
    .await?;
    match created {
        Ok(created) => Ok(see_other(format!("/admin/wellen/{}", created.wave.slug))),
        Err(error) => {
            let field = match &error {
                waves::WaveError::NoSuchSurvey(_) => "umfrage",
                waves::WaveError::NoSuchWave { .. } => "kopie",
                waves::WaveError::TitleTaken { .. } => "zweite",
                _ => error.field().map_or("titel", super::settings::field_id),
            };
            let ask = matches!(error, waves::WaveError::TitleTaken { .. });
            let error = Some((error.german(), field));
            render_new(&state, &request, &user, form, error, ask).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin/wave.html")]
struct WavePage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    slug: String,
    title: String,
    state: String,
    /// Whether "Welle jetzt öffnen" and "… schließen" apply (not open yet; not closed yet).
    can_open: bool,
    can_close: bool,
    period: String,
    /// The shared address of an open-link wave (which has no participants to mail).
    open_link: Option<String>,
    /// The test link, and its responses: (begun, submitted).
    test_link: String,
    tests: (i64, i64),
    counts: outbox::Counts,
    refresh: bool,
    list: Listed,
    message: Option<String>,
    problems: Vec<String>,
    preview: Option<Preview>,
    /// What the schedule sends next, in German.
    plan: Vec<String>,
    /// The mailings so far: when, what, who, how many.
    history: Vec<(String, &'static str, String, String)>,
}

/// What a previewed participants file would import.
pub(super) struct Preview {
    /// Line, region, Land, address, attributes.
    pub(super) rows: Vec<(usize, String, String, String, String)>,
    /// One sentence about it.
    pub(super) summary: String,
    /// The file, base64, carried to the "Importieren" button.
    pub(super) content: String,
}

/// What the wave page says above the lists.
#[derive(Default)]
pub(super) struct Notes {
    /// A notice (done, or how it goes on).
    pub(super) message: Option<String>,
    /// What was refused, each in German.
    pub(super) problems: Vec<String>,
    /// A participants file's preview.
    pub(super) preview: Option<Preview>,
    /// The participants table's search, filters, order and page.
    pub(super) filter: ListFilter,
}

/// The wave page; 422 when it shows problems.
pub(super) async fn render_wave(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    slug: String,
    notes: Notes,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(user, request, state)?;
    let settings = state.settings.clone();
    let now = state.clock.now();
    let (wave, counts, statuses, (open_link, tests), outlook) = with_db(state, move |conn| {
        let Ok((wave, statuses)) = refusal(participant_ops::list(conn, &slug))? else {
            return Err(AppError::NotFound);
        };
        let counts = outbox::counts(conn, wave.id, MailKind::Invitation)?;
        let open_link = waves::open_link(conn, &settings, &wave).map_err(AppError::unexpected)?;
        let tests = crate::store::responses::count_tests(conn, wave.id)?;
        let outlook = schedule::outlook(conn, &wave, now).map_err(AppError::unexpected)?;
        Ok((wave, counts, statuses, (open_link, tests), outlook))
    })
    .await?;
    let test_link = waves::test_link_of(&state.settings.public_url, &state.key, &wave);
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
    let status = if notes.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let refresh = counts.queued > 0;
    let page = WavePage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        slug: wave.slug.clone(),
        title: wave.title.clone(),
        state: wave.state(Utc::now()).german(),
        can_open: wave.state(Utc::now()) != WaveState::Open,
        can_close: wave.state(Utc::now()) != WaveState::Closed,
        period,
        open_link,
        test_link,
        tests,
        refresh,
        counts,
        list: Listed::of(statuses, notes.filter),
        message: notes.message,
        problems: notes.problems,
        preview: notes.preview,
        plan: super::schedule::plan_lines(&outlook),
        history: super::schedule::history_rows(&outlook.history),
    };
    let mut response = staff_page(status, page.render(), cookie)?;
    if refresh {
        // Progress without JavaScript: the browser reloads the page while mails are queued.
        response.headers_mut().insert(
            HeaderName::from_static("refresh"),
            HeaderValue::from_static("3"),
        );
    }
    Ok(response)
}

/// `GET /admin/wellen/{wave}`: participants, their mails and submissions, the invitation progress.
pub async fn show_wave(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let count = query.get("anzahl").and_then(|n| n.parse::<usize>().ok());
    let message = match (query.get("versandt").map(String::as_str), count) {
        (Some("einladungen"), Some(n)) => Some(format!(
            "{n} Einladungen in die Warteschlange gestellt; sie werden im Hintergrund gesendet, diese Seite zeigt den Stand."
        )),
        (Some("erinnerungen"), Some(n)) => Some(format!(
            "{n} Erinnerungen in die Warteschlange gestellt; sie werden im Hintergrund gesendet, diese Seite zeigt den Stand."
        )),
        _ => match query.get("zeitplan").map(String::as_str) {
            Some("gespeichert") => Some(
                "Der Zeitplan ist gespeichert; unten steht, was er als Nächstes sendet.".to_owned(),
            ),
            Some("angehalten") => Some(
                "Der Zeitplan ist angehalten: Er sendet nichts, bis Sie ihn fortsetzen.".to_owned(),
            ),
            Some("fortgesetzt") => Some(
                "Der Zeitplan läuft wieder; unten steht, was er als Nächstes sendet.".to_owned(),
            ),
            _ => None,
        },
    };
    let notes = Notes {
        message,
        filter: ListFilter::of(&query),
        ..Notes::default()
    };
    render_wave(&state, &request, &user, path.into_inner(), notes).await
}

/// `POST /admin/wellen/{wave}/testantworten`: deletes the test link's responses.
pub async fn delete_test_responses(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let (actor, wave_slug) = (user.actor(), slug.clone());
    let deleted = with_db(&state, move |conn| {
        match refusal(waves::delete_test_responses(conn, &actor, &wave_slug))? {
            Ok(deleted) => Ok(deleted),
            Err(_) => Err(AppError::NotFound),
        }
    })
    .await?;
    let notes = Notes {
        message: Some(format!(
            "{deleted} Testantworten gelöscht; der Testlink beginnt wieder von vorn."
        )),
        ..Notes::default()
    };
    render_wave(&state, &request, &user, slug, notes).await
}

/// `POST /admin/wellen/{wave}/status/{oeffnen|schliessen}`: opens or closes the wave by hand.
pub async fn set_wave_state(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<(String, String)>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, change) = path.into_inner();
    let open = match change.as_str() {
        "oeffnen" => true,
        "schliessen" => false,
        _ => return Err(AppError::NotFound),
    };
    let (actor, wave_slug) = (user.actor(), slug.clone());
    let outcome = with_db(&state, move |conn| {
        refusal(if open {
            waves::open(conn, &actor, &wave_slug)
        } else {
            waves::close(conn, &actor, &wave_slug)
        })
    })
    .await?;
    match outcome {
        Ok(_) => Ok(see_other(format!("/admin/wellen/{slug}"))),
        Err(waves::WaveError::NoSuchWave { .. }) => Err(AppError::NotFound),
        Err(error) => {
            let notes = Notes {
                problems: vec![error.german()],
                ..Notes::default()
            };
            render_wave(&state, &request, &user, slug, notes).await
        }
    }
}
