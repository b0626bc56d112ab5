//! `/login` and `/logout`: a session for an account whose password matches (failed logins paused
//! per account and address, one message for every failure).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use diesel::Connection;

use super::{SESSION_COOKIE, home};
use crate::accounts;
use crate::store::users::{self, User};
use crate::web::errors::AppError;
use crate::web::extract::CsrfForm;
use crate::web::shared::{html, see_other, with_cookie, with_db};
use crate::web::{AppState, csrf};

/// Failed logins of one account within [`LOGIN_WINDOW`] after which it is paused.
const LOGIN_LIMIT: i64 = 5;
/// See [`LOGIN_LIMIT`].
const LOGIN_WINDOW: Duration = Duration::minutes(15);

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage<'a> {
    error: bool,
    email: &'a str,
    next: &'a str,
    notice: Option<&'a str>,
    csrf: &'a str,
}

/// A local path to go back to after login (anything else: none).
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local { next } else { "" }
}

/// `GET /login`.
pub async fn show_login(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let next = query.get("weiter").map_or("", |n| safe_next(n));
    let notice = if query.contains_key("gesetzt") {
        Some("Ihr Passwort ist gesetzt. Bitte melden Sie sich an.")
    } else if query.contains_key("abgemeldet") {
        Some("Sie sind abgemeldet.")
    } else {
        None
    };
    let page = LoginPage {
        error: false,
        email: "",
        next,
        notice,
        csrf: &token,
    };
    with_cookie(html(StatusCode::OK, page.render()), cookie)
}

/// The login form.
#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    passwort: String,
    #[serde(default)]
    weiter: String,
}

/// `POST /login`: checks the password, starts a session, goes on to the page asked for.
pub async fn submit_login(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (csrf_token, _) = csrf::token(&request, state.secure_cookies())?;
    let address_paused = state.logins.check(&request).is_err();
    let email = form.email.trim().to_lowercase();
    let password = form.passwort.clone();
    let session =
        accounts::random_token().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let session_for_db = session.clone();
    let lookup = email.clone();
    let (user, failures) = with_db(&state, move |conn| {
        let user = users::find_by_email(conn, &lookup)?;
        let failures = users::count_failed_logins(conn, &lookup, Utc::now() - LOGIN_WINDOW)?;
        Ok((user, failures))
    })
    .await?;
    // argon2 takes tens of milliseconds: on the blocking pool, and without holding a database
    // connection. Verify against something even without an account, so the time says nothing.
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = web::block(move || {
        accounts::verify_password(&password, hash.as_deref().unwrap_or(DUMMY_HASH))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let admitted = user.filter(|u| {
        matches
            && u.password_hash.is_some()
            && u.disabled_at.is_none()
            && failures < LOGIN_LIMIT
            && !address_paused
    });
    let outcome = with_db(&state, move |conn| {
        conn.transaction(|conn| -> Result<Option<User>, AppError> {
            match admitted {
                Some(user) => {
                    users::insert_session(conn, user.id, &session_for_db)?;
                    users::audit(conn, Some(user.id), &user.email, "login", "", "")?;
                    Ok(Some(user))
                }
                None => {
                    users::audit(conn, None, &email, "login_failed", "", "")?;
                    Ok(None)
                }
            }
        })
    })
    .await?;
    let Some(user) = outcome else {
        state.logins.record(&request);
        let page = LoginPage {
            error: true,
            email: form.email.trim(),
            next: safe_next(&form.weiter),
            notice: None,
            csrf: &csrf_token,
        };
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()));
    };
    let next = match safe_next(&form.weiter) {
        "" => home(user.role()),
        next => next,
    };
    let cookie = Cookie::build(SESSION_COOKIE, session)
        .path("/")
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(SameSite::Lax)
        .finish();
    with_cookie(see_other(next), Some(cookie))
}

/// A valid argon2id hash of a random password: what unknown accounts are checked against.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0V0f6w2cmR4pqfaYkvl8Q1GrvlRO1RmV9cItuC0rGNw";

/// `POST /logout`: ends the session.
pub async fn submit_logout(
    state: web::Data<AppState>,
    request: HttpRequest,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = request
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| accounts::is_token(t))
    {
        with_db(&state, move |conn| {
            if let Some(user) = users::touch_session(conn, &token, Utc::now())? {
                users::audit(conn, Some(user.id), &user.email, "logout", "", "")?;
            }
            Ok(users::delete_session(conn, &token)?)
        })
        .await?;
    }
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    with_cookie(see_other("/login?abgemeldet"), Some(gone))
}
