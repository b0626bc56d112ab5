//! Staff sign-in: `/login`, `/logout`, `/passwort/{token}` (first or new password), and the guards
//! that check the session and the role on every `/board` and `/admin` request.
//!
//! A session is a random value in an HttpOnly, SameSite=Lax cookie (Secure when `PUBLIC_URL` is
//! https) whose SHA-256 is stored with the account; it ends after 30 minutes without a request or
//! 12 hours in any case. Failed logins count per account (in the audit log, so every `serve` process
//! sees them) and per address; the login form always answers with the same message.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use diesel::Connection;

use super::errors::AppError;
use super::pages::{MessagePage, html};
use super::questionnaire::with_cookie;
use super::respondent::with_db;
use super::{AppState, csrf};
use crate::accounts::{self, Role};
use crate::store::users::{self, User};

/// The session cookie.
pub const SESSION_COOKIE: &str = "anmeldung";

/// Failed logins of one account within [`LOGIN_WINDOW`] after which it is paused.
const LOGIN_LIMIT: i64 = 5;
/// See [`LOGIN_LIMIT`].
const LOGIN_WINDOW: Duration = Duration::minutes(15);

/// The logged-in account of a request, put there by [`require_staff`].
#[derive(Debug, Clone)]
pub struct Staff(pub User);

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginPage<'a> {
    error: bool,
    email: &'a str,
    next: &'a str,
    notice: Option<&'a str>,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/password.html")]
struct PasswordPage<'a> {
    email: &'a str,
    error: Option<&'a str>,
    action: &'a str,
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
    csrf: String,
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
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    csrf::verify(&request, &form.csrf)?;
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
    let mut response = HttpResponse::SeeOther()
        .insert_header((LOCATION, next.to_owned()))
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(response)
}

/// A valid argon2id hash of a random password: what unknown accounts are checked against.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0V0f6w2cmR4pqfaYkvl8Q1GrvlRO1RmV9cItuC0rGNw";

/// Where a role starts after login.
pub fn home(role: Role) -> &'static str {
    if role.administers() {
        "/admin"
    } else {
        "/board"
    }
}

/// The CSRF field of a plain staff form.
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: ends the session.
pub async fn submit_logout(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
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
    let mut response = HttpResponse::SeeOther()
        .insert_header((LOCATION, "/login?abgemeldet"))
        .finish();
    response
        .add_cookie(&gone)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(response)
}

/// `GET /passwort/{token}`: the form for a first or new password.
pub async fn show_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let user = password_user(&state, token).await?;
    let (csrf_token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let page = PasswordPage {
        email: &user.email,
        error: None,
        action: request.path(),
        csrf: &csrf_token,
    };
    with_cookie(html(StatusCode::OK, page.render()), cookie)
}

async fn password_user(state: &web::Data<AppState>, token: String) -> Result<User, AppError> {
    if !accounts::is_token(&token) {
        return Err(AppError::NotFound);
    }
    with_db(state, move |conn| {
        users::find_by_password_token(conn, &token, Utc::now())?.ok_or(AppError::NotFound)
    })
    .await
}

/// The password form.
#[derive(Debug, serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    passwort: String,
    #[serde(default)]
    wiederholung: String,
}

/// `POST /passwort/{token}`: sets the password (all sessions of the account end), uses the link.
pub async fn submit_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let token = path.into_inner();
    let user = password_user(&state, token.clone()).await?;
    let problem = if form.passwort != form.wiederholung {
        Some("Die beiden Eingaben stimmen nicht überein.")
    } else {
        accounts::password_problem(&form.passwort, &user.email)
    };
    if let Some(problem) = problem {
        let (csrf_token, _) = csrf::token(&request, state.secure_cookies())?;
        let page = PasswordPage {
            email: &user.email,
            error: Some(problem),
            action: request.path(),
            csrf: &csrf_token,
        };
        return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()));
    }
    let password = form.passwort.clone();
    let hash = web::block(move || accounts::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))?;
    with_db(&state, move |conn| {
        conn.transaction(|conn| {
            users::set_password(conn, user.id, &hash)?;
            users::use_password_tokens(conn, user.id, Utc::now())?;
            users::audit(conn, Some(user.id), &user.email, "password_set", "", "")?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/login?gesetzt"))
        .finish())
}

/// The logged-in account of a request, if its session is live.
async fn session_user(
    state: &web::Data<AppState>,
    request: &HttpRequest,
) -> Result<Option<User>, AppError> {
    let Some(token) = request
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| accounts::is_token(t))
    else {
        return Ok(None);
    };
    with_db(state, move |conn| {
        Ok(users::touch_session(conn, &token, Utc::now())?)
    })
    .await
}

/// Guards a scope: no session → to the login (303, back here afterwards); a role `allowed` does not
/// list → 403. The account goes into the request's extensions as [`Staff`].
pub async fn require_staff(
    allowed: &'static [Role],
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Err(AppError::NotFound.into());
    };
    let user = session_user(&state, request.request()).await?;
    let Some(user) = user else {
        let target = match request.query_string() {
            "" => request.path().to_owned(),
            query => format!("{}?{query}", request.path()),
        };
        let location = format!("/login?weiter={}", encode(&target));
        let response = HttpResponse::SeeOther()
            .insert_header((LOCATION, location))
            .finish();
        return Ok(request.into_response(response));
    };
    if !allowed.contains(&user.role()) {
        let page = MessagePage::new(
            "Kein Zugriff",
            &["Diese Seite ist für Ihre Rolle nicht freigegeben."],
        );
        return Ok(request.into_response(page.respond(StatusCode::FORBIDDEN)));
    }
    request.extensions_mut().insert(Staff(user));
    Ok(next.call(request).await?.map_into_boxed_body())
}

/// Percent-encodes text for a query parameter (`/` kept, so paths stay readable).
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The account of a guarded request.
pub fn staff_of(request: &HttpRequest) -> Result<User, AppError> {
    request
        .extensions()
        .get::<Staff>()
        .map(|s| s.0.clone())
        .ok_or(AppError::Forbidden)
}

#[derive(Template)]
#[template(path = "pages/forgot.html")]
struct ForgotPage<'a> {
    sent: bool,
    csrf: &'a str,
}

/// `GET /passwort-vergessen`: asks for the address to send a new password link to.
pub async fn show_forgot(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let page = ForgotPage {
        sent: false,
        csrf: &token,
    };
    with_cookie(html(StatusCode::OK, page.render()), cookie)
}

/// The reset form.
#[derive(Debug, serde::Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /passwort-vergessen`: for a known, enabled account a one-time link (48 hours) goes out by
/// mail, on a thread of its own; the answer is the same whether the address has an account or not.
/// Requests count against the address's login brake, so the form cannot be used to flood a mailbox.
pub async fn submit_forgot(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let (csrf_token, _) = csrf::token(&request, state.secure_cookies())?;
    let paused = state.logins.check(&request).is_err();
    state.logins.record(&request);
    let email = form.email.trim().to_lowercase();
    if !paused && email.contains('@') {
        let token =
            accounts::random_token().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let stored_token = token.clone();
        let user = with_db(&state, move |conn| {
            conn.transaction(|conn| -> Result<Option<User>, AppError> {
                let user = users::find_by_email(conn, &email)?.filter(|u| u.disabled_at.is_none());
                if let Some(user) = &user {
                    users::insert_password_token(
                        conn,
                        user.id,
                        &stored_token,
                        "reset",
                        Utc::now(),
                    )?;
                    users::audit(
                        conn,
                        Some(user.id),
                        &user.email,
                        "password_reset_requested",
                        "",
                        "",
                    )?;
                }
                Ok(user)
            })
        })
        .await?;
        if let Some(user) = user {
            let settings = state.settings.clone();
            std::thread::Builder::new()
                .name("password-mail".to_owned())
                .spawn(move || {
                    if let Err(error) = send_reset_mail(&settings, &user, &token) {
                        tracing::error!(user.id = user.id, error = %format!("{error:#}"), "password mail not sent");
                    }
                })
                .map_err(|e| AppError::Internal(e.into()))?;
        }
    }
    let page = ForgotPage {
        sent: true,
        csrf: &csrf_token,
    };
    Ok(html(StatusCode::OK, page.render()))
}

fn send_reset_mail(
    settings: &crate::config::Settings,
    user: &User,
    token: &str,
) -> anyhow::Result<()> {
    let link = crate::commands::users::password_link(&settings.public_url, token);
    let text = format!(
        "Guten Tag,\n\nfür Ihren Zugang zu den MINT-Umfragen ({}) wurde ein neues Passwort angefordert. \
         Über diesen Link legen Sie es fest (er gilt 48 Stunden und nur einmal):\n\n{link}\n\n\
         Wenn Sie das nicht angefordert haben, können Sie diese Mail ignorieren; Ihr bisheriges \
         Passwort gilt weiter.\n\nFragen? {}\n",
        user.email, settings.survey_contact
    );
    let message = crate::mail::staff_message(
        &settings.mail_from,
        &user.email,
        "Neues Passwort für die MINT-Umfragen",
        &text,
    )?;
    let outbox = settings.var_dir.join("outbox");
    let transport = crate::mail::Transport::new(settings.smtp_url.as_deref(), 1, &outbox)?;
    transport
        .send(&message, &format!("staff/{}-passwort.eml", user.id))
        .map_err(|e| anyhow::anyhow!("{e:?}"))
}
