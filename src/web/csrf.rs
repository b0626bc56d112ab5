//! CSRF protection by double submit: a random token in an HttpOnly, SameSite=Strict cookie, repeated
//! in a hidden form field; a POST whose field does not equal its cookie is refused.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

use super::errors::AppError;

const COOKIE: &str = "csrf";

/// The request's CSRF token, and the cookie to set when the request had none.
pub fn token(
    request: &HttpRequest,
    secure: bool,
) -> Result<(String, Option<Cookie<'static>>), AppError> {
    if let Some(existing) = request.cookie(COOKIE).filter(|c| is_token(c.value())) {
        return Ok((existing.value().to_owned(), None));
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let token = hex::encode(bytes);
    let cookie = Cookie::build(COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    Ok((token, Some(cookie)))
}

/// Checks a submitted form's token against the request's cookie.
pub fn verify(request: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let cookie = request.cookie(COOKIE).ok_or(AppError::Forbidden)?;
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
