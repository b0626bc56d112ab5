//! `/t/{token}…`: what a respondent reaches through the personal link.
//!
//! Unknown and revoked tokens get the same 404 page, a closed wave's tokens a 410 page: nothing tells
//! whether a token exists. The questionnaire itself is in `questionnaire.rs`.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::errors::AppError;
use super::pages::html;
use super::{AppState, csrf};
use crate::store::participants;
use crate::store::waves::WaveState;
use crate::tokens::canonical_token;

/// What a link leads to (participant, wave, region, response), or the page to show instead.
pub(super) fn find_by_token(
    conn: &mut diesel::PgConnection,
    token: &str,
) -> Result<participants::Link, AppError> {
    let token = canonical_token(token).ok_or(AppError::NotFound)?;
    let link = participants::find_link_by_token(conn, &token)?.ok_or(AppError::NotFound)?;
    if link.participant.revoked_at.is_some() {
        return Err(AppError::NotFound);
    }
    if link.wave.state(Utc::now()) == WaveState::Closed {
        return Err(AppError::Gone);
    }
    Ok(link)
}

/// Runs `f` with a pooled connection on the blocking thread pool.
pub(super) async fn with_db<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl FnOnce(&mut diesel::PgConnection) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

#[derive(Template)]
#[template(path = "pages/optout.html")]
struct OptOutPage<'a> {
    wave_title: &'a str,
    opted_out: bool,
    action: &'a str,
    csrf: &'a str,
}

/// `GET /t/{token}/optout`: asks to confirm (or says it is done).
pub async fn show_optout(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let link = with_db(&state, move |conn| find_by_token(conn, &path)).await?;
    let secure = state.secure_cookies();
    let (token, new_cookie) = csrf::token(&request, secure)?;
    let page = OptOutPage {
        wave_title: &link.wave.title,
        opted_out: link.participant.opted_out_at.is_some(),
        action: request.path(),
        csrf: &token,
    };
    let mut response = html(StatusCode::OK, page.render());
    if let Some(cookie) = new_cookie {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}

/// The opt-out form.
#[derive(Debug, Deserialize)]
pub struct OptOutForm {
    csrf: String,
}

/// `POST /t/{token}/optout`: records the opt-out, then shows the confirmation (post/redirect/get).
pub async fn record_optout(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<OptOutForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&request, &form.csrf)?;
    let location = request.path().to_owned();
    with_db(&state, move |conn| {
        let link = find_by_token(conn, &path)?;
        participants::mark_opted_out(conn, link.participant.id, Utc::now())?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish())
}
