//! The JSON API under `/api/v1/`, for the foundation's own systems (its CRM, scripts, website): a
//! third caller of the operations in `app/`, next to the command line and the staff pages, so every
//! call is checked, worded and audited as they are.
//!
//! - [`ApiCaller`]: `Authorization: Bearer mint_…`, an API key of a staff account
//!   (`app::api_keys`), acting with the account's role; per key at most `API_RATE_LIMIT` calls a
//!   minute.
//! - [`body::ApiJson`]: a JSON body, size-limited, unknown fields refused, errors with their
//!   position and JSON pointer.
//! - [`problem::Problem`]: every error as `application/problem+json`.
//! - [`openapi`]: the OpenAPI 3.1 description, generated from the handlers and types (utoipa), and
//!   the German documentation page.
//!
//! Handlers: `surveys`, `waves`, `participants`, `mailings`, `results`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::AppState;
use super::errors::AppError;
use crate::accounts::Role;
use crate::app::Actor;
use crate::app::api_keys::{self, Caller};
use crate::text::Bilingual;

pub mod body;
pub mod mailings;
pub mod openapi;
pub mod participants;
pub mod problem;
pub mod results;
pub mod surveys;
pub mod waves;

use problem::{Kind, Problem};

/// Registers `/api/v1/…`; anything else under it is a problem document, never an HTML page.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi::show_openapi))
            .route("/surveys", web::get().to(surveys::list_surveys))
            .route("/surveys", web::post().to(surveys::load_survey))
            .route("/surveys/check", web::post().to(surveys::check_survey))
            .route("/surveys/{survey}", web::get().to(surveys::show_survey))
            .route("/waves", web::get().to(waves::list_waves))
            .route("/waves", web::post().to(waves::create_wave))
            .route("/waves/{wave}", web::get().to(waves::show_wave))
            .route("/waves/{wave}", web::patch().to(waves::change_wave))
            .route("/waves/{wave}/open", web::post().to(waves::open_wave))
            .route("/waves/{wave}/close", web::post().to(waves::close_wave))
            .route("/waves/{wave}/schedule", web::put().to(waves::set_schedule))
            .route(
                "/waves/{wave}/participants/{id}/{change}",
                web::post().to(participants::change_participant),
            )
            .route("/waves/{wave}/trend", web::get().to(results::show_trend))
            .route(
                "/waves/{wave}/participants",
                web::get().to(participants::list_participants),
            )
            .route(
                "/waves/{wave}/participants",
                web::post().to(participants::import_participants),
            )
            .route(
                "/waves/{wave}/mailings/{kind}",
                web::get().to(mailings::preview_mailing),
            )
            .route(
                "/waves/{wave}/mailings/{kind}",
                web::post().to(mailings::start_mailing),
            )
            .route(
                "/waves/{wave}/results",
                web::get().to(results::show_results),
            )
            .route(
                "/waves/{wave}/files/{file}",
                web::get().to(results::download_file),
            )
            .default_service(web::to(not_found)),
    );
}

/// An unknown path (or method) under `/api/v1/`.
async fn not_found(request: HttpRequest) -> Problem {
    let path = request.path().to_owned();
    Problem::new(
        Kind::NotFound,
        format!(
            "Die Adresse {} {path} gibt es in der API nicht; die Beschreibung steht unter /api/v1/openapi.json.",
            request.method()
        ),
    )
}

impl actix_web::Responder for Problem {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &HttpRequest) -> actix_web::HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

/// What the API remembers between calls in this process: the calls per key in the current
/// minute, when each key's use was last written, and the results already built.
#[derive(Debug, Default)]
pub struct ApiState {
    windows: Mutex<HashMap<i64, (Instant, u32)>>,
    noted: Mutex<HashMap<i64, Instant>>,
    /// Results by wave and Land, with what they were built from.
    pub results: results::ResultsCache,
}

/// How often a key's last use is written: the admins' list says "zuletzt benutzt" to the minute.
const NOTE_USE_EVERY: Duration = Duration::from_secs(60);

impl ApiState {
    /// Counts a call of `key` against `limit` a minute; the wait until the next minute when over.
    fn admit(&self, key: i64, limit: u32, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = windows.entry(key).or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(60) {
            *start = now;
            *count = 0;
        }
        if *count >= limit {
            return Err(Duration::from_secs(60).saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }

    /// Whether this call should write the key's last use (at most once a minute per process).
    fn note_use_due(&self, key: i64, now: Instant) -> bool {
        let mut noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
        match noted.get(&key) {
            Some(at) if now.duration_since(*at) < NOTE_USE_EVERY => false,
            _ => {
                noted.insert(key, now);
                true
            }
        }
    }
}

/// The caller of an API request: a live key of an enabled account, within its rate limit.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Caller);

impl ApiCaller {
    /// The caller as the actor of an operation (audited in the key's name).
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }

    /// The account's role.
    pub fn role(&self) -> Role {
        self.0.user.role()
    }

    /// Refused unless the key's account administers (changes things, sees contacts).
    pub fn require_admin(&self) -> Result<(), Problem> {
        if self.role().administers() {
            return Ok(());
        }
        Err(Problem::new(
            Kind::Forbidden,
            format!(
                "Der Schlüssel „{}“ gehört zu einem Zugang mit der Rolle {}; er darf nur Ergebnisse lesen.",
                self.0.key.name,
                self.role().german()
            ),
        ))
    }
}

impl FromRequest for ApiCaller {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<ApiCaller, Problem>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = request.app_data::<web::Data<AppState>>().cloned();
        let secret = bearer(request);
        Box::pin(async move {
            let state = state.ok_or_else(|| Problem::from(AppError::Unavailable))?;
            let secret = secret?;
            let api = state.api.clone();
            let caller = super::shared::with_db(&state, move |conn| {
                let caller = api_keys::authenticate(conn, &secret)?;
                if let Some(caller) = &caller
                    && api.note_use_due(caller.key.id, Instant::now())
                {
                    api_keys::note_use(conn, caller.key.id, chrono::Utc::now())?;
                }
                Ok(caller)
            })
            .await?;
            let caller = caller.ok_or_else(problem::bad_key)?;
            state
                .api
                .admit(caller.key.id, state.settings.api_rate_limit, Instant::now())
                .map_err(|wait| Problem::from(AppError::TooManyRequests(wait)))?;
            Ok(ApiCaller(caller))
        })
    }
}

/// The key of `Authorization: Bearer …`, or the problem of a missing or malformed header.
fn bearer(request: &HttpRequest) -> Result<String, Problem> {
    let missing = || {
        Problem::new(
            Kind::Unauthorized,
            "Bitte senden Sie Ihren API-Schlüssel im Kopf „Authorization: Bearer …“. Schlüssel vergibt die Administration unter /admin/konten.",
        )
    };
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| problem::bad_key())?;
    let (scheme, key) = value.trim().split_once(' ').ok_or_else(problem::bad_key)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(missing());
    }
    Ok(key.trim().to_owned())
}

/// Runs `f` with a database connection on the blocking pool (as [`with_db`](super::shared::with_db)),
/// its refusals as problem documents.
pub async fn run<T: Send + 'static>(
    state: &web::Data<AppState>,
    f: impl Fn(&mut diesel::PgConnection) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    super::shared::with_db(state, move |conn| Ok(f(conn))).await?
}
