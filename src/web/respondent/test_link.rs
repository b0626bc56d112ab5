//! `/test/{wave}/{token}`: a wave's test link. It runs the real questionnaire (also before the wave
//! opens), as one anonymous response per link; that response is marked as a test and never counted
//! in reports, rates, progress or exports, and staff delete it from the wave's page to start over.
//! The token is derived from the key and the wave (`tokens::test_token`), so only staff can hand
//! the link out; a wrong one is the same 404 as an unknown personal link.

use actix_web::{HttpRequest, HttpResponse, web};

use super::open_link::load_for_session;
use super::questionnaire::{Note, handle_post, render_current};
use crate::store::waves;
use crate::tokens::{canonical_token, test_token, token_hash};
use crate::web::errors::AppError;
use crate::web::extract::CsrfForm;
use crate::web::shared::{with_cookie, with_db};
use crate::web::{AppState, csrf};

/// The session hash of a test link (one response per link), if `token` is the wave's.
fn session(
    conn: &mut diesel::PgConnection,
    state: &AppState,
    slug: &str,
    token: &str,
) -> Result<Vec<u8>, AppError> {
    let wave = waves::find_by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
    let expected = test_token(&state.key, wave.id);
    let given = canonical_token(token).ok_or(AppError::NotFound)?;
    // Compare the hashes: equal length, no early exit on the token's own bytes.
    if token_hash(&given) != token_hash(&expected) {
        return Err(AppError::NotFound);
    }
    Ok(token_hash(&format!("test:{given}")))
}

/// `GET /test/{wave}/{token}`.
pub async fn show_test(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, token) = path.into_inner();
    let app = state.clone();
    let ctx = with_db(&state, move |conn| {
        let hash = session(conn, &app, &slug, &token)?;
        load_for_session(conn, &app.surveys, &slug, Some(hash), true)
    })
    .await?;
    let (csrf_token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let note = Note::of(request.query_string());
    let page = render_current(&ctx, request.path(), &csrf_token, note)?;
    let mut response = with_cookie(page.into_response(), cookie)?;
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `POST /test/{wave}/{token}`: as for a personal link.
pub async fn submit_test(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (slug, token) = path.into_inner();
    let app = state.clone();
    let check = (slug.clone(), token.clone());
    let hash = with_db(&state, move |conn| session(conn, &app, &check.0, &check.1)).await?;
    let cache = state.surveys.clone();
    let reply = handle_post(&state, &request, form.into_inner(), None, move |conn| {
        load_for_session(conn, &cache, &slug, Some(hash.clone()), true)
    })
    .await?;
    Ok(reply.into_response())
}
