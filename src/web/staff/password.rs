//! `/passwort/{token}` (a first or new password through a one-time link) and
//! `/passwort-vergessen` (a new link by mail, the same answer for every address).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::accounts;
use crate::app::accounts as account_ops;
use crate::store::users::{self, User};
use crate::web::errors::AppError;
use crate::web::extract::CsrfForm;
use crate::web::shared::{html, see_other, with_cookie, with_db};
use crate::web::{AppState, csrf};

#[derive(Template)]
#[template(path = "pages/password.html")]
struct PasswordPage<'a> {
    email: &'a str,
    error: Option<&'a str>,
    action: &'a str,
    csrf: &'a str,
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
    passwort: String,
    #[serde(default)]
    wiederholung: String,
}

/// `POST /passwort/{token}`: sets the password (all sessions of the account end), uses the link.
pub async fn submit_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
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
        account_ops::set_password(conn, &user, &hash).map_err(AppError::unexpected)
    })
    .await?;
    Ok(see_other("/login?gesetzt"))
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
    email: String,
}

/// `POST /passwort-vergessen`: for a known, enabled account a one-time link (48 hours) is queued
/// for the staff-mail worker; the answer is the same whether the address has an account or not.
/// Requests count against the address's login brake, so the form cannot be used to flood a mailbox.
pub async fn submit_forgot(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: CsrfForm<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let (csrf_token, _) = csrf::token(&request, state.secure_cookies())?;
    let ip = state.client_address(&request);
    let paused = state.logins.check(ip).is_err();
    AppState::record(&state, |s| &s.logins, ip).await;
    let email = form.into_inner().email;
    if !paused && email.contains('@') {
        // After the answer, not before it: the answer's timing is the same whether the address
        // has an account (a link is stored and mailed) or not (nothing happens).
        let state = state.clone();
        actix_web::rt::spawn(async move {
            let settings = state.settings.clone();
            let requested = with_db(&state, move |conn| {
                account_ops::request_password_reset(conn, &settings, &email)
                    .map_err(AppError::unexpected)
            })
            .await;
            match requested {
                Ok(()) => state.staff_mailer.wake(),
                Err(error) => tracing::warn!(%error, "password reset not requested"),
            }
        });
    }
    let page = ForgotPage {
        sent: true,
        csrf: &csrf_token,
    };
    Ok(html(StatusCode::OK, page.render()))
}
