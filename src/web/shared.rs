//! Helpers every area of the web layer uses: a database call on the blocking pool, HTML responses,
//! cookies, redirects and query encoding.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue, LOCATION};
use actix_web::{HttpResponse, web};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::AppState;
use super::errors::AppError;

/// Runs `f` with a pooled connection on the blocking thread pool (never holding a connection across
/// an `.await`); an exhausted pool or an unreachable database is [`AppError::Unavailable`].
pub async fn with_db<T: Send + 'static>(
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

/// An HTML response from a rendered template (a template error becomes a bare 500).
pub fn html(status: StatusCode, rendered: askama::Result<String>) -> HttpResponse {
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Interner Fehler")
        }
    }
}

/// A response with the CSRF cookie set where the request had none.
pub fn with_cookie(
    mut response: HttpResponse,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, AppError> {
    if let Some(cookie) = cookie {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}

/// A staff page as a response: never cached, with the CSRF cookie where it was new.
pub fn staff_page(
    status: StatusCode,
    rendered: askama::Result<String>,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, AppError> {
    let mut response = html(status, rendered);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    with_cookie(response, cookie)
}

/// 303 See Other to `location` (post/redirect/get).
pub fn see_other(location: impl Into<String>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.into()))
        .finish()
}

/// A CSV file to download as `file_name` (never cached: staff exports hold personal data).
pub fn csv_download(file_name: &str, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(bytes)
}

/// What [`encode`] escapes: everything but unreserved characters and `/` (so paths stay readable).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes text for a query parameter.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn query_values_keep_slashes_and_escape_the_rest() {
        assert_eq!(
            encode("/admin/wellen/x?y=1&z"),
            "/admin/wellen/x%3Fy%3D1%26z"
        );
        assert_eq!(encode("Thüringen"), "Th%C3%BCringen");
    }
}
