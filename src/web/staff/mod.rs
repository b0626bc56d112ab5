//! Staff sign-in: `/login`, `/logout` (`login.rs`), `/passwort/{token}` and
//! `/passwort-vergessen` (`password.rs`), and here the guard that checks the session and the role
//! on every `/board` and `/admin` request.
//!
//! A session is a random value in an HttpOnly, SameSite=Lax cookie (Secure when `PUBLIC_URL` is
//! https) whose SHA-256 is stored with the account; it ends after 30 minutes without a request or
//! 12 hours in any case. Failed logins count per account (in the audit log, so every `serve` process
//! sees them) and per address; the login form always answers with the same message.

pub mod login;
pub mod password;

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, web};
use chrono::Utc;

use super::AppState;
use super::errors::AppError;
use super::pages::MessagePage;
use super::shared::{encode, see_other, with_db};
use crate::accounts::{self, Role};
use crate::store::users::{self, User};

/// The session cookie.
pub const SESSION_COOKIE: &str = "anmeldung";

/// The logged-in account of a request, put there by [`require_staff`].
#[derive(Debug, Clone)]
pub struct Staff(pub User);

/// Where a role starts after login.
pub fn home(role: Role) -> &'static str {
    if role.administers() {
        "/admin"
    } else {
        "/board"
    }
}

/// The logged-in account of a request, if its session is live.
pub(super) async fn session_user(
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
        return Ok(request.into_response(see_other(location)));
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
