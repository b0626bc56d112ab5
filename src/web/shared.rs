//! Helpers every area of the web layer uses: a database call on the blocking pool, HTML responses,
//! cookies, redirects and query encoding.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue, LOCATION};
use actix_web::{HttpResponse, web};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::AppState;
use super::errors::AppError;

/// A pooled database connection.
pub type Connection =
    diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<diesel::PgConnection>>;

/// Runs `f` with a pooled connection on the blocking thread pool (never holding a connection across
/// an `.await`); an exhausted pool or an unreachable database is [`AppError::Unavailable`].
///
/// A connection that broke while it waited in the pool (the database restarted) fails its first
/// statement. When `f` failed that way before any statement of it succeeded, nothing was changed,
/// so `f` runs once more on a connection that answers; the visitor never sees the broken one.
pub async fn with_db<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl Fn(&mut diesel::PgConnection) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let state = state.clone();
    web::block(move || {
        let mut conn = connection(&state)?;
        let succeeded = count_statements(&mut conn);
        match f(&mut conn) {
            Err(error) if error.is_unavailable() && succeeded.load(Ordering::Relaxed) == 0 => {
                discard(conn);
                tracing::info!(
                    "a pooled connection had broken; the request runs again on a fresh one"
                );
                let mut conn = fresh_connection(&state)?;
                f(&mut conn)
            }
            outcome => outcome,
        }
    })
    .await?
}

/// Counts the statements that succeed on `conn` from now on (diesel's instrumentation, replaced at
/// every checkout: an allocation, no round trip).
fn count_statements(conn: &mut Connection) -> Arc<AtomicUsize> {
    use diesel::connection::{Connection as _, InstrumentationEvent};
    let succeeded = Arc::new(AtomicUsize::new(0));
    let counter = succeeded.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::FinishQuery { error: None, .. } = event {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    succeeded
}

/// Returns a broken connection to the pool marked as such, so that r2d2 closes it instead of
/// handing it out again (diesel alone only notices a broken transaction, not a closed socket).
fn discard(mut conn: Connection) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::transaction_manager_status_mut(&mut *conn).set_in_error();
}

/// A pooled connection that answers: after one broke, the others that waited in the pool through
/// the same restart are broken too, so each is tried (one round trip) and the broken ones discarded.
fn fresh_connection(state: &AppState) -> Result<Connection, AppError> {
    use diesel::connection::SimpleConnection;
    for _ in 0..=state.pool.max_size() {
        let mut conn = connection(state)?;
        if conn.batch_execute("SELECT 1").is_ok() {
            return Ok(conn);
        }
        discard(conn);
    }
    Err(AppError::Unavailable)
}

/// How long a request waits for a pooled connection before it gets 503: fail fast, don't queue.
const POOL_WAIT: Duration = Duration::from_secs(1);

/// How long requests get 503 at once after the database was found unreachable (unless the pool
/// has reconnected meanwhile).
const DOWN_FOR: Duration = Duration::from_secs(2);

/// Whether the database was just found unreachable. While it is, requests get 503 at once instead
/// of each waiting for the pool; after [`DOWN_FOR`], or as soon as the pool (which keeps trying in
/// the background) holds a connection again, requests go through again.
#[derive(Debug, Default)]
pub struct DbHealth {
    down_until: Mutex<Option<Instant>>,
}

impl DbHealth {
    fn is_down(&self, pool: &crate::store::PgPool) -> bool {
        let until = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|until| until > Instant::now()) && pool.state().idle_connections == 0
    }

    fn mark_down(&self) {
        *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + DOWN_FOR);
    }
}

/// A pooled connection, or [`AppError::Unavailable`] at once while the database is known to be
/// away, or after [`POOL_WAIT`]. When the pool has no live connection at all, the database is
/// taken to be away (a pool that is merely busy is not).
pub fn connection(state: &AppState) -> Result<Connection, AppError> {
    if state.db_health.is_down(&state.pool) {
        return Err(AppError::Unavailable);
    }
    state.pool.get_timeout(POOL_WAIT).map_err(|_| {
        if state.pool.state().connections == 0 {
            state.db_health.mark_down();
        }
        AppError::Unavailable
    })
}

/// A connection to where reports read: the report database (`REPORT_DATABASE_URL`, a replica)
/// when one is configured, else the main pool; [`AppError::Unavailable`] when it does not answer.
pub fn report_connection(state: &AppState) -> Result<Connection, AppError> {
    match &state.report_pool {
        Some(pool) => pool
            .get_timeout(POOL_WAIT)
            .map_err(|_| AppError::Unavailable),
        None => connection(state),
    }
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
