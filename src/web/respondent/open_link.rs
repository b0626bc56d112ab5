//! `/o/{wave}`: the open link of an open-access survey. Each browser session gets its own
//! anonymous response (the session cookie's SHA-256 is stored), asks for the Land, and is braked
//! per address against floods; otherwise it runs the questionnaire's own steps.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::PgConnection;

use super::questionnaire::{Context, Note, Who, handle_post, render_current};
use crate::store::responses;
use crate::store::waves::WaveState;
use crate::survey::answers::{Answers, Attributes};
use crate::web::errors::AppError;
use crate::web::extract::CsrfForm;
use crate::web::shared::{html, see_other, with_cookie, with_db};
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
            let (value, hash) = new_session()?;
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
    let reply = handle_post(&state, &request, form, None, move |conn| {
        load_for_session(conn, &cache, &wave, Some(hash.clone()), false)
    })
    .await?;
    let mut response = reply.into_response();
    if new && starting {
        let closes_at = with_db(&state, move |conn| {
            Ok(crate::store::waves::find_by_slug(conn, &slug)?.and_then(|w| w.closes_at))
        })
        .await?;
        set_session_cookie(&mut response, &state, &path, value, closes_at)?;
    }
    Ok(response)
}

/// Sets the session cookie. It lasts until the wave closes (the page promises "jederzeit
/// weitermachen"), not only until the browser closes; a wave without an end: a year.
fn set_session_cookie(
    response: &mut HttpResponse,
    state: &AppState,
    path: &str,
    value: String,
    closes_at: Option<chrono::DateTime<Utc>>,
) -> Result<(), AppError> {
    let until = closes_at.unwrap_or_else(|| Utc::now() + chrono::Duration::days(365));
    let expires = actix_web::cookie::time::OffsetDateTime::from_unix_timestamp(until.timestamp())
        .map_err(|e| AppError::Internal(e.into()))?;
    let cookie = actix_web::cookie::Cookie::build(SESSION_COOKIE, value)
        .expires(expires)
        .path(path.to_owned())
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(actix_web::cookie::SameSite::Lax)
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|e| AppError::Internal(e.into()))
}

/// A new session value and its hash: 32 random bytes, hex.
fn new_session() -> Result<(String, Vec<u8>), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let value = hex::encode(bytes);
    let hash = crate::tokens::token_hash(&value);
    Ok((value, hash))
}

/// The form under an open-link page: a continue link, and optionally an address to mail it to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ContinueForm {
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "pages/continue.html")]
struct ContinuePage<'a> {
    back: &'a str,
    /// The new link (`None`: refused, nothing changed).
    link: Option<String>,
    /// The address typed, shown back (never stored).
    email: &'a str,
    /// Whether the link went out by mail.
    mailed: bool,
    /// What went wrong with the address or the mail.
    error: Option<&'static str>,
    action: String,
    csrf: &'a str,
}

/// `POST /o/{wave}/weiterlink`: a personal link to go on with this session's response in any
/// browser, shown once; asking again makes a new one and the old stops working. With an address
/// the link is also mailed there at once; the address is used for that mail only: it is not
/// stored, not logged, and nowhere near the answers.
pub async fn continue_link(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: CsrfForm<ContinueForm>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let back = format!("/o/{slug}");
    let Some((_, old)) = session_of(&request) else {
        return Ok(see_other(&back));
    };
    let email = form.into_inner().email.trim().to_owned();
    let (token, _) = csrf::token(&request, false)?;
    let address = match email.as_str() {
        "" => None,
        typed => match typed.parse::<lettre::Address>() {
            Ok(address) if typed.len() <= 254 => Some(address),
            _ => {
                let error = "Bitte geben Sie eine gültige E-Mail-Adresse an (etwa name@example.org) oder lassen Sie das Feld leer.";
                let page = ContinuePage::new(&slug, &back, None, &email, &token);
                return page.refused(error);
            }
        },
    };
    if address.is_some() {
        let ip = state.client_address(&request);
        state.continue_mails.check(ip)?;
        AppState::record(&state, |s| &s.continue_mails, ip).await;
    }
    let (value, new) = new_session()?;
    let cache = state.surveys.clone();
    let wave = slug.clone();
    let rotated = with_db(&state, move |conn| {
        let ctx = load_for_session(conn, &cache, &wave, Some(old.clone()), false)?;
        let Some(response) = ctx.response.as_ref().filter(|_| ctx.takes_answers()) else {
            return Ok(None);
        };
        let rotated = responses::rotate_session(conn, response.id, &old, &new)?;
        Ok(rotated.then(|| (ctx.survey.title.clone(), ctx.wave.closes_at)))
    })
    .await?;
    let Some((survey, closes_at)) = rotated else {
        return Ok(see_other(&back));
    };
    let link = format!("{}/o/{slug}/weiter/{value}", state.settings.public_url);
    let mut error = None;
    if let Some(address) = address {
        let mail =
            crate::mail::templates::render_continue(&crate::mail::templates::ContinueValues {
                survey: survey.clone(),
                link: link.clone(),
                deadline: closes_at.map(crate::time::format_deadline),
                contact: state.settings.survey_contact.clone(),
            });
        let settings = state.settings.clone();
        let sent = web::block(move || send_continue_mail(&settings, address.as_ref(), &mail))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Err(reason) = sent {
            // The reason may name the server, never the address.
            tracing::warn!(%reason, "a continue link could not be mailed");
            error = Some(
                "Die E-Mail konnte gerade nicht gesendet werden. Bitte kopieren Sie den Link oben.",
            );
        }
    }
    let mut page = ContinuePage::new(&slug, &back, Some(link), &email, &token);
    page.mailed = !email.is_empty() && error.is_none();
    page.error = error;
    let mut response = html(actix_web::http::StatusCode::OK, page.render());
    set_session_cookie(&mut response, &state, &back, value, closes_at)?;
    Ok(response)
}

impl<'a> ContinuePage<'a> {
    fn new(
        slug: &str,
        back: &'a str,
        link: Option<String>,
        email: &'a str,
        csrf: &'a str,
    ) -> ContinuePage<'a> {
        ContinuePage {
            back,
            link,
            email,
            mailed: false,
            error: None,
            action: format!("/o/{slug}/weiterlink"),
            csrf,
        }
    }

    /// The page with `error` about the address, nothing changed.
    fn refused(mut self, error: &'static str) -> Result<HttpResponse, AppError> {
        self.error = Some(error);
        Ok(html(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            self.render(),
        ))
    }
}

/// Mails a continue link at once (no queue: the address must not be stored anywhere).
fn send_continue_mail(
    settings: &crate::config::Settings,
    to: &str,
    mail: &crate::mail::templates::RenderedMail,
) -> Result<(), String> {
    let transport = crate::mail::Transport::new(
        settings.smtp_url.as_deref(),
        1,
        &settings.var_dir.join("outbox"),
    )
    .map_err(|e| format!("{e:#}"))?;
    let message = crate::mail::single_message(&settings.mail_from, to, mail)
        .map_err(|_| "the message could not be built".to_owned())?;
    let (name, _) = new_session().map_err(|_| "no randomness".to_owned())?;
    transport
        .send(&message, &format!("weiter/{}.eml", &name[..16]))
        .map_err(|failure| format!("{failure:?}"))
}

/// `GET /o/{wave}/weiter/{token}`: a continue link: this browser takes over the session and goes
/// on where it stopped. Unknown links count against the address like unknown personal links.
pub async fn resume(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, value) = path.into_inner();
    let ip = state.client_address(&request);
    state.lookups.check(ip)?;
    let well_formed = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
    let hash = crate::tokens::token_hash(&value);
    let wave = slug.clone();
    let found = if well_formed {
        with_db(&state, move |conn| {
            let Some(wave) = crate::store::waves::find_by_slug(conn, &wave)? else {
                return Ok(None);
            };
            let response = responses::find_for_session(conn, wave.id, &hash)?;
            Ok(response.map(|_| wave))
        })
        .await?
    } else {
        None
    };
    let Some(wave) = found else {
        AppState::record(&state, |s| &s.lookups, ip).await;
        return Err(AppError::NotFound);
    };
    if wave.state(Utc::now()) == WaveState::Closed {
        return Err(AppError::Gone);
    }
    let back = format!("/o/{slug}");
    let mut response = see_other(&back);
    set_session_cookie(&mut response, &state, &back, value, wave.closes_at)?;
    Ok(response)
}
