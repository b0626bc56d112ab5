//! `/login` and `/logout`: a session for an account whose password matches (failed logins paused
//! per account and address, one message for every failure).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{SESSION_COOKIE, home};
use crate::accounts;
use crate::app::accounts as account_ops;
use crate::web::errors::AppError;
use crate::web::extract::CsrfForm;
use crate::web::shared::{html, see_other, with_cookie, with_db};
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage<'a> {
    error: bool,
    email: &'a str,
    next: &'a str,
    notice: Option<&'a str>,
    csrf: &'a str,
}

/// A path of this site to go back to after login, or "" (then the staff start page). Browsers
/// forgive a lot in a `Location` (they drop tabs and line breaks, read `\\` as `/`, decode
/// nothing), so a path is accepted only when it is plainly local as written and as decoded: it
/// starts with one `/`, has no second `/` or `\\` right after it, and holds no backslash, no
/// whitespace or control character, and no percent-encoded one of these.
fn safe_next(next: &str) -> &str {
    let plain = |text: &str| {
        text.starts_with('/')
            && !text[1..].starts_with(['/', '\\'])
            && !text
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    if plain(next) && plain(&decoded) {
        next
    } else {
        ""
    }
}

/// `GET /`: the staff start page of a signed-in account (admins `/admin`, others `/board`), else
/// the login. Respondents come through their links, never through `/`.
pub async fn show_start(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let user = super::session_user(&state, &request).await?;
    Ok(see_other(user.map_or("/login", |u| home(u.role()))))
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
    let ip = state.client_address(&request);
    let address_paused = state.logins.check(ip).is_err();
    let session =
        accounts::random_token().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let email = form.email.clone();
    let now = state.clock.now();
    let sign_in = with_db(&state, move |conn| {
        account_ops::begin_sign_in(conn, &email, ip, now).map_err(AppError::unexpected)
    })
    .await?;
    // argon2 on the blocking pool, without holding a database connection.
    let (password, checked) = (form.passwort.clone(), sign_in.clone());
    let admitted = web::block(move || checked.admit(&password, address_paused)).await?;
    let (user, token) = (admitted.clone(), session.clone());
    with_db(&state, move |conn| {
        account_ops::finish_sign_in(conn, &sign_in, user.as_ref(), &token)
            .map_err(AppError::unexpected)
    })
    .await?;
    let outcome = admitted;
    let Some(user) = outcome else {
        AppState::record(&state, |s| &s.logins, ip).await;
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
    // A new CSRF token with the new session: bound to it, so it changes at every login.
    let csrf_cookie = csrf::for_session(&state.key, &session, state.secure_cookies());
    let cookie = Cookie::build(SESSION_COOKIE, session)
        .path("/")
        .http_only(true)
        .secure(state.secure_cookies())
        .same_site(SameSite::Lax)
        .finish();
    let mut response = with_cookie(see_other(next), Some(cookie))?;
    response
        .add_cookie(&csrf_cookie)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(response)
}

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
            account_ops::sign_out(conn, &token).map_err(AppError::unexpected)
        })
        .await?;
    }
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    with_cookie(see_other("/login?abgemeldet"), Some(gone))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_local_paths_are_followed_after_login() {
        for local in [
            "/admin",
            "/board/waves/x/?a=1&b=%C3%BC",
            "/admin/wellen/neu#titel",
        ] {
            assert_eq!(safe_next(local), local);
        }
        for foreign in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "/%2Fevil.example",
            "/%5Cevil.example",
            "/%09/evil.example",
            "%2F%2Fevil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(foreign), "", "{foreign:?}");
        }
    }
}
