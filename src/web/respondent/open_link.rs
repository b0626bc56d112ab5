//! `/o/{wave}`: the open link of an open-access survey. Each browser session gets its own
//! anonymous response (the session cookie's SHA-256 is stored), asks for the Land, and is braked
//! per address against floods; otherwise it runs the questionnaire's own steps.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::PgConnection;

use super::questionnaire::{Context, Note, Who, handle_post, render_current};
use crate::store::responses;
use crate::store::waves::WaveState;
use crate::survey::answers::{Answers, Attributes};
use crate::web::errors::AppError;
use crate::web::extract::CsrfForm;
use crate::web::shared::{with_cookie, with_db};
use crate::web::{AppState, SurveyCache, csrf};

/// The context of an open link: the wave of `slug` (only open-access surveys have one; the test
/// link of any wave, with `test`) and the session's response, if the session has started one.
pub(super) fn load_for_session(
    conn: &mut PgConnection,
    cache: &SurveyCache,
    slug: &str,
    session: Option<Vec<u8>>,
    test: bool,
) -> Result<Context, AppError> {
    let wave = crate::store::waves::find_by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
    let presented = cache.for_wave(conn, &wave)?;
    let survey = presented.survey;
    if survey.access != crate::survey::Access::Open && !test {
        return Err(AppError::NotFound);
    }
    if wave.state(Utc::now()) == WaveState::Closed {
        return Err(AppError::Gone);
    }
    let response = match &session {
        Some(hash) => responses::find_for_session(conn, wave.id, hash)?,
        None => None,
    };
    let answers = match &response {
        Some(r) => responses::find_current_answers(conn, r, &survey)?,
        None => Answers::new(),
    };
    let mut attributes = Attributes::new();
    if let Some(land) = response.as_ref().and_then(|r| r.land_code.clone()) {
        attributes.insert("land".to_owned(), land);
    }
    Ok(Context {
        who: Who::Session(session),
        wave,
        survey,
        survey_key: presented.key,
        response,
        answers,
        attributes,
        test,
    })
}

/// The cookie that ties an open-link browser session to its response (only its hash is stored).
const SESSION_COOKIE: &str = "sitzung";

/// The session cookie's value and hash, if the request has a well-formed one.
fn session_of(request: &HttpRequest) -> Option<(String, Vec<u8>)> {
    let value = request.cookie(SESSION_COOKIE)?.value().to_owned();
    (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        let hash = crate::tokens::token_hash(&value);
        (value, hash)
    })
}

/// `GET /o/{wave}`: the open link: consent for a new session, else the session's questionnaire.
pub async fn show_open(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let session = session_of(&request).map(|(_, hash)| hash);
    let cache = state.surveys.clone();
    let ctx = with_db(&state, move |conn| {
        load_for_session(conn, &cache, &slug, session.clone(), false)
    })
    .await?;
    let (token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let page = render_current(
        &ctx,
        request.path(),
        &token,
        Note::of(request.query_string()),
    )?;
    with_cookie(page.into_response(), cookie)
}

/// `POST /o/{wave}`: as for a personal link; starting gives the browser its session cookie.
pub async fn submit_open(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let form = form.into_inner();
    let starting = form
        .iter()
        .any(|(name, value)| name == "aktion" && value == "beginnen");
    let (value, hash, new) = match session_of(&request) {
        Some((value, hash)) => (value, hash, false),
        None => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
            let value = hex::encode(bytes);
            let hash = crate::tokens::token_hash(&value);
            (value, hash, true)
        }
    };
    if starting {
        let ip = state.client_address(&request);
        state.starts.check(ip)?;
        AppState::record(&state, |s| &s.starts, ip).await;
    }
    let path = format!("/o/{slug}");
    let cache = state.surveys.clone();
    let wave = slug.clone();
    let reply = handle_post(&state, &request, form, move |conn| {
        load_for_session(conn, &cache, &wave, Some(hash.clone()), false)
    })
    .await?;
    let mut response = reply.into_response();
    if new && starting {
        // The session lasts until the wave closes (the page promises "jederzeit weitermachen"), not
        // only until the browser closes; a wave without an end: a year.
        let closes_at = with_db(&state, move |conn| {
            Ok(crate::store::waves::find_by_slug(conn, &slug)?.and_then(|w| w.closes_at))
        })
        .await?;
        let until = closes_at.unwrap_or_else(|| Utc::now() + chrono::Duration::days(365));
        let expires =
            actix_web::cookie::time::OffsetDateTime::from_unix_timestamp(until.timestamp())
                .map_err(|e| AppError::Internal(e.into()))?;
        let cookie = actix_web::cookie::Cookie::build(SESSION_COOKIE, value)
            .expires(expires)
            .path(path)
            .http_only(true)
            .secure(state.secure_cookies())
            .same_site(actix_web::cookie::SameSite::Lax)
            .finish();
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}
