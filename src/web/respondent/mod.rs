//! `/t/{token}…`: what a respondent reaches through the personal link.
//!
//! Unknown and revoked tokens get the same 404 page, a closed wave's tokens a 410 page: nothing tells
//! whether a token exists. The questionnaire itself is in `questionnaire.rs` (page by page) and
//! `one_form.rs` (all questions in one form), both rendered through `view.rs`; the opt-out is here.

pub mod one_form;
pub mod open_link;
pub mod questionnaire;
pub mod recent;
pub mod test_link;
pub mod view;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::errors::AppError;
use super::extract::{CsrfForm, PersonalToken};
use super::shared::{html, see_other, with_cookie, with_db};
use super::{AppState, csrf};
use crate::store::participants;
use crate::store::waves::WaveState;

/// What a link leads to (participant, wave, region, response), or the page to show instead.
pub(crate) fn find_by_token(
    conn: &mut diesel::PgConnection,
    token: &PersonalToken,
) -> Result<participants::Link, AppError> {
    let link = participants::find_link_by_token(conn, token.as_str())?.ok_or(AppError::NotFound)?;
    if link.participant.revoked_at.is_some() {
        return Err(AppError::NotFound);
    }
    if link.wave.state(Utc::now()) == WaveState::Closed {
        return Err(AppError::Gone);
    }
    Ok(link)
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
    token: PersonalToken,
) -> Result<HttpResponse, AppError> {
    let link = with_db(&state, move |conn| find_by_token(conn, &token)).await?;
    let secure = state.secure_cookies();
    let (token, new_cookie) = csrf::token(&request, secure)?;
    let page = OptOutPage {
        wave_title: &link.wave.title,
        opted_out: link.participant.opted_out_at.is_some(),
        action: request.path(),
        csrf: &token,
    };
    with_cookie(html(StatusCode::OK, page.render()), new_cookie)
}

/// `POST /t/{token}/optout`: records the opt-out, then shows the confirmation (post/redirect/get).
pub async fn record_optout(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: PersonalToken,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let location = request.path().to_owned();
    with_db(&state, move |conn| {
        let link = find_by_token(conn, &token)?;
        participants::mark_opted_out(conn, link.participant.id, Utc::now())?;
        Ok(())
    })
    .await?;
    Ok(see_other(location))
}
