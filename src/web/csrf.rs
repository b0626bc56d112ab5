//! CSRF protection by double submit: a token in an HttpOnly, SameSite=Strict cookie, repeated in a
//! hidden form field; a POST whose field does not equal its cookie is refused.
//!
//! Without a staff session the token is random. With one, it is bound to the session: the HMAC of
//! the session token under the installation's key, so it changes at every login, and a pair that
//! someone else chose (a cookie planted in the browser and the same value in a form) is refused.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

use super::errors::AppError;
use crate::tokens::SecretKey;

const COOKIE: &str = "csrf";

/// The request's CSRF token, and the cookie to set when the request had none.
pub fn token(
    request: &HttpRequest,
    secure: bool,
) -> Result<(String, Option<Cookie<'static>>), AppError> {
    let existing = request.cookie(COOKIE).filter(|c| is_token(c.value()));
    if let Some(bound) = session_bound(request) {
        return match existing {
            Some(cookie) if cookie.value() == bound => Ok((bound, None)),
            _ => Ok((bound.clone(), Some(cookie(bound, secure)))),
        };
    }
    if let Some(existing) = existing {
        return Ok((existing.value().to_owned(), None));
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let token = hex::encode(bytes);
    Ok((token.clone(), Some(cookie(token, secure))))
}

/// The CSRF cookie for a new staff session (set with the session cookie at login).
pub fn for_session(key: &SecretKey, session: &str, secure: bool) -> Cookie<'static> {
    cookie(bound_token(key, session), secure)
}

fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

fn bound_token(key: &SecretKey, session: &str) -> String {
    hex::encode(key.sign(b"csrf", &[session.as_bytes()]))
}

/// The token bound to the request's staff session, if it carries one.
fn session_bound(request: &HttpRequest) -> Option<String> {
    let session = request.cookie(super::staff::SESSION_COOKIE)?;
    let state = request.app_data::<actix_web::web::Data<super::AppState>>()?;
    Some(bound_token(&state.key, session.value()))
}

/// Checks a submitted form's token against the request's cookie.
pub fn verify(request: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let cookie = request.cookie(COOKIE).ok_or(AppError::Forbidden)?;
    // With a staff session, only the session's own token counts, whatever the cookie says.
    if session_bound(request).is_some_and(|bound| bound != cookie.value()) {
        return Err(AppError::Forbidden);
    }
    let expected = cookie.value().as_bytes();
    let submitted = submitted.as_bytes();
    // Compare in constant time: no early exit on the first differing byte.
    let same = expected.len() == submitted.len()
        && expected
            .iter()
            .zip(submitted)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same && is_token(cookie.value()) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}
