//! The web application (actix-web): one route table (`routes.rs`), a folder per area
//! (`respondent/`, `staff/`, `admin/`, `board/`), extractors that check the session and the CSRF
//! token (`extract.rs`), errors as pages (`errors.rs`).
//!
//! Handlers extract typed input, call an operation of `app::` (or, for the respondent's pages and
//! the board's reads, the store) on the blocking pool, never holding a connection across an
//! `.await`, and render German pages or redirect.

pub mod admin;
pub mod api;
pub mod background;
pub mod board;
pub mod client;
pub mod csrf;
pub mod errors;
pub mod extract;
pub mod pages;
pub mod rate_limit;
pub mod respondent;
pub mod routes;
pub mod shared;
pub mod staff;
pub mod upload;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{App, HttpServer, web};
use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::store::PgPool;
use crate::survey::Survey;
use crate::survey::texts::WaveTexts;
use crate::tokens::SecretKey;

/// Largest form body accepted (the longest questionnaire page is a few KiB).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Connections to the report database (`REPORT_DATABASE_URL`) of one process: reports are built
/// once per change and cached, so few are needed.
const REPORT_POOL_SIZE: u32 = 4;

/// What every handler may use.
pub struct AppState {
    /// Database connections.
    pub pool: PgPool,
    /// Connections to where the board's reports read (`REPORT_DATABASE_URL`, a replica); `None`:
    /// they read through `pool`.
    pub report_pool: Option<PgPool>,
    /// Derives and checks links.
    pub key: SecretKey,
    /// The installation's settings.
    pub settings: Settings,
    /// Pauses addresses that try too many unknown links.
    pub lookups: rate_limit::Brake,
    /// Limits how many open-link responses one address starts.
    pub starts: rate_limit::Brake,
    /// Continue links mailed from the open link, per address: at most 10 an hour.
    pub continue_mails: rate_limit::Brake,
    /// Pauses addresses with many failed staff logins or password-reset requests.
    pub logins: rate_limit::Brake,
    /// Parsed survey versions (a stored version never changes).
    pub surveys: std::sync::Arc<SurveyCache>,
    /// The installation's own privacy notice and accessibility statement (paragraphs), if configured.
    pub legal: LegalTexts,
    /// Rendered reports of the board pages.
    pub reports: std::sync::Arc<board::ReportCache>,
    /// Rendered blank one-form questionnaires.
    pub blank_forms: respondent::one_form::BlankForms,
    /// Personal links being answered, as their last request left them.
    pub recent_links: respondent::recent::RecentLinks,
    /// Wakes the staff-mail worker after a staff mail was queued.
    pub staff_mailer: std::sync::Arc<background::Wakeup>,
    /// Wakes the scheduler (a changed schedule is looked at at once).
    pub scheduler: std::sync::Arc<background::Wakeup>,
    /// First visits of personal links waiting to be recorded.
    pub visits: std::sync::Arc<background::FirstVisits>,
    /// Wakes the visit recorder (a first page noted a visit).
    pub visit_recorder: std::sync::Arc<background::Wakeup>,
    /// Where the scheduler and the pages that show it read the time (tests move it).
    pub clock: crate::time::Clock,
    /// Whether the database was just found unreachable (requests then get 503 at once).
    pub db_health: shared::DbHealth,
    /// The API's rate windows and built results.
    pub api: std::sync::Arc<api::ApiState>,
}

/// The texts of /datenschutz and /barrierefreiheit when an installation has its own.
#[derive(Debug, Clone, Default)]
pub struct LegalTexts {
    /// Paragraphs of the privacy notice.
    pub privacy: Option<Vec<String>>,
    /// Paragraphs of the accessibility statement.
    pub accessibility: Option<Vec<String>>,
}

impl LegalTexts {
    /// Reads the files named by `PRIVACY_NOTICE_FILE` and `ACCESSIBILITY_STATEMENT_FILE` (plain text,
    /// a blank line between paragraphs).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<LegalTexts> {
        let read = |path: &Option<std::path::PathBuf>,
                    name: &str|
         -> anyhow::Result<Option<Vec<String>>> {
            let Some(path) = path else { return Ok(None) };
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{name} {} cannot be read: {e}", path.display()))?;
            let paragraphs = respondent::view::paragraphs(&text);
            anyhow::ensure!(!paragraphs.is_empty(), "{name} {} is empty", path.display());
            Ok(Some(paragraphs))
        };
        Ok(LegalTexts {
            privacy: read(&settings.privacy_notice_file, "PRIVACY_NOTICE_FILE")?,
            accessibility: read(
                &settings.accessibility_statement_file,
                "ACCESSIBILITY_STATEMENT_FILE",
            )?,
        })
    }
}

/// Survey versions parsed once per process: every questionnaire request needs its survey, and a
/// version, once stored, never changes. A survey whose texts name the wave's dates
/// (`{{ ende }}`, see [`crate::survey::texts`]) is also kept as each wave presents it, keyed by the
/// values filled in, so that a changed end date shows at once (also in other processes).
#[derive(Debug, Default)]
pub struct SurveyCache {
    versions: std::sync::Mutex<std::collections::HashMap<i64, Version>>,
    presented: std::sync::Mutex<std::collections::HashMap<PresentedKey, Presented>>,
    /// Numbers the filled-in surveys (see [`Presented::key`]).
    filled: std::sync::atomic::AtomicU64,
    /// `SURVEY_CONTACT`, for `{{ kontakt }}`.
    contact: String,
}

/// What a survey's presentation depends on: its version and the wave's dates that fill
/// [`WaveTexts`] (the contact is the process's own). Plain values, so a look-up neither formats nor
/// allocates.
type PresentedKey = (
    i64,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<chrono::NaiveDate>,
);

#[derive(Debug, Clone)]
struct Version {
    survey: std::sync::Arc<Survey>,
    /// Whether its texts name placeholders.
    placeholders: bool,
}

/// A survey as a wave presents it to respondents.
#[derive(Debug, Clone)]
pub struct Presented {
    /// The survey, its placeholders filled in.
    pub survey: std::sync::Arc<Survey>,
    /// Tells presentations apart for caches of rendered forms: the version id where the survey
    /// has no placeholders (every wave presents it alike), else a number of its own (top bit set).
    pub key: u64,
}

impl SurveyCache {
    /// An empty cache; `contact` fills `{{ kontakt }}`.
    pub fn new(contact: &str) -> SurveyCache {
        SurveyCache {
            contact: contact.to_owned(),
            ..SurveyCache::default()
        }
    }

    /// The survey of version `id`, from memory or the database, as written.
    pub fn get(
        &self,
        conn: &mut diesel::PgConnection,
        id: i64,
    ) -> Result<std::sync::Arc<Survey>, errors::AppError> {
        self.version(conn, id).map(|v| v.survey)
    }

    fn version(
        &self,
        conn: &mut diesel::PgConnection,
        id: i64,
    ) -> Result<Version, errors::AppError> {
        let lock = || self.versions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(version) = lock().get(&id) {
            return Ok(version.clone());
        }
        let survey = crate::store::surveys::find_by_id(conn, id)?.survey;
        let version = Version {
            placeholders: crate::survey::texts::uses_placeholders(&survey),
            survey: std::sync::Arc::new(survey),
        };
        lock().insert(id, version.clone());
        Ok(version)
    }

    /// The survey of `wave` as its respondents see it: placeholders filled with the wave's dates
    /// and the team's contact.
    pub fn for_wave(
        &self,
        conn: &mut diesel::PgConnection,
        wave: &crate::store::waves::Wave,
    ) -> Result<Presented, errors::AppError> {
        let version = self.version(conn, wave.survey_version_id)?;
        if !version.placeholders {
            return Ok(Presented {
                survey: version.survey,
                key: wave.survey_version_id.unsigned_abs(),
            });
        }
        let key = (
            wave.survey_version_id,
            wave.opens_at,
            wave.opened_at,
            wave.closes_at,
            wave.keep_answers_until,
        );
        let lock = || self.presented.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(presented) = lock().get(&key) {
            return Ok(presented.clone());
        }
        let texts: WaveTexts = crate::app::waves::texts_of(wave, &self.contact);
        let survey = (texts.apply(&version.survey)).unwrap_or_else(|| (*version.survey).clone());
        let number = self
            .filled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let presented = Presented {
            survey: std::sync::Arc::new(survey),
            key: number | (1 << 63),
        };
        let mut cached = lock();
        // Every change of a wave's dates makes a new entry; a few hundred are more than any
        // installation has waves at a time, so the old ones are simply dropped now and then.
        if cached.len() >= 256 {
            cached.clear();
        }
        cached.insert(key, presented.clone());
        Ok(presented)
    }
}

impl AppState {
    /// Whether cookies are marked Secure: when the installation is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.settings.public_url.starts_with("https://")
    }

    /// The client's address: the peer, or behind a trusted proxy the address it names.
    pub fn client_address(&self, request: &actix_web::HttpRequest) -> std::net::IpAddr {
        let peer = request
            .peer_addr()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |a| a.ip());
        client::address(peer, request.headers(), &self.settings.trusted_proxies)
    }

    /// Counts an event against a brake in the background of the request (a database round trip
    /// on the blocking pool); a database that fails is logged, the request goes on.
    pub async fn record(
        state: &web::Data<AppState>,
        brake: fn(&AppState) -> &rate_limit::Brake,
        ip: std::net::IpAddr,
    ) {
        let state = state.clone();
        let recorded = web::block(move || -> anyhow::Result<()> {
            let mut conn = shared::connection(&state)?;
            brake(&state).record(&mut conn, ip)?;
            Ok(())
        })
        .await;
        if let Ok(Err(error)) | Err(error) = recorded.map_err(anyhow::Error::from) {
            tracing::warn!(error = %format!("{error:#}"), "a brake event was not recorded");
        }
    }

    /// The state for a server: per address, at most 30 failed link look-ups in 10 minutes and 20
    /// open-link responses started in an hour.
    pub fn new(pool: PgPool, key: SecretKey, settings: Settings) -> AppState {
        let surveys = std::sync::Arc::new(SurveyCache::new(&settings.survey_contact));
        let report_pool = settings
            .report_database_url
            .as_deref()
            .map(|url| crate::store::lazy_pool(url, REPORT_POOL_SIZE));
        AppState {
            pool,
            report_pool,
            key,
            settings,
            lookups: rate_limit::Brake::new("link_lookup", 30, std::time::Duration::from_secs(600)),
            starts: rate_limit::Brake::new("open_start", 20, std::time::Duration::from_secs(3600)),
            continue_mails: rate_limit::Brake::new(
                "continue_mail",
                10,
                std::time::Duration::from_secs(3600),
            ),
            logins: rate_limit::Brake::new(
                crate::app::accounts::LOGIN_ADDRESS,
                20,
                std::time::Duration::from_secs(900),
            ),
            surveys,
            legal: LegalTexts::default(),
            reports: std::sync::Arc::default(),
            blank_forms: respondent::one_form::BlankForms::default(),
            recent_links: respondent::recent::RecentLinks::default(),
            staff_mailer: std::sync::Arc::new(background::Wakeup::staff_mails()),
            scheduler: std::sync::Arc::new(background::Wakeup::scheduler()),
            visits: std::sync::Arc::default(),
            visit_recorder: std::sync::Arc::new(background::Wakeup::visits()),
            clock: crate::time::Clock::system(),
            db_health: shared::DbHealth::default(),
            api: std::sync::Arc::default(),
        }
    }
}

/// A running application: the server and the port it got.
pub struct Application {
    /// The port it listens on (useful when bound to port 0).
    pub port: u16,
    /// The server; await it to run it.
    pub server: Server,
}

impl Application {
    /// Binds `listener` and builds the server (it runs when awaited).
    pub fn build(listener: TcpListener, state: AppState) -> std::io::Result<Application> {
        let port = listener.local_addr()?.port();
        background::start_staff_mailer(
            &state.staff_mailer,
            state.pool.clone(),
            state.settings.clone(),
        )?;
        background::start_visit_recorder(
            &state.visit_recorder,
            state.visits.clone(),
            state.pool.clone(),
        )?;
        background::start_scheduler(
            &state.scheduler,
            state.pool.clone(),
            state.settings.clone(),
            state.clock.clone(),
        )?;
        let secure = state.secure_cookies();
        let (workers, blocking) = worker_threads(state.pool.max_size());
        let state = web::Data::new(state);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(MAX_FORM_BYTES)
                        .error_handler(form_error),
                )
                .app_data(web::PayloadConfig::default().limit(MAX_FORM_BYTES))
                .wrap(
                    actix_web::middleware::ErrorHandlers::new()
                        .handler(actix_web::http::StatusCode::NOT_FOUND, not_found_page),
                )
                .wrap(security_headers(secure))
                .wrap(access_log())
                .configure(routes::routes)
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)?
        .run();
        Ok(Application { port, server })
    }
}

/// The server's workers (one per core, as actix's default) and the blocking threads of each: the
/// database connections shared out over the workers. Nearly every blocking job holds a connection
/// (`shared::with_db`), so more threads would only sleep in the pool's queue and be woken in turn;
/// with as many threads as connections a job that finds them busy waits in tokio's queue, and a
/// thread that finishes takes the next one without sleeping. bench/submit.sh, page by page, on
/// 2 cores with 6 connections: 3 threads per worker instead of up to 256 took about a tenth less
/// server CPU per response and answered 6–12 % more responses per second. A slow job that holds no
/// connection (a password's hash, a continue link's mail) takes one of the threads for its time.
fn worker_threads(connections: u32) -> (usize, usize) {
    let workers = crate::config::processor_cores();
    let connections = usize::try_from(connections).unwrap_or(usize::MAX);
    (workers, connections.div_ceil(workers).max(1))
}

/// A form that cannot be read gets the common error page (too large: 413, malformed: 400).
fn form_error(
    error: actix_web::error::UrlencodedError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::UrlencodedError;
    match error {
        UrlencodedError::Overflow { .. } => errors::AppError::TooLarge.into(),
        _ => errors::AppError::BadRequest.into(),
    }
}

/// The look-up brake on every personal-link route: a paused address gets 429, and every 404 (an
/// unknown or revoked token) counts against its address.
pub(crate) async fn brake_link_guessing(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let client = state.as_ref().map(|s| s.client_address(request.request()));
    if let (Some(state), Some(ip)) = (&state, client) {
        state.lookups.check(ip)?;
    }
    let response = next.call(request).await?;
    if let (Some(state), Some(ip)) = (&state, client)
        && response.status() == actix_web::http::StatusCode::NOT_FOUND
    {
        AppState::record(state, |s| &s.lookups, ip).await;
    }
    Ok(response)
}

/// Every 404 (an unknown, shortened or revoked link above all) as the page that says whom to ask:
/// the installation's `SURVEY_CONTACT`. [`errors::AppError`] renders without the settings, so the
/// page is finished here, where the application's state is at hand.
fn not_found_page<B>(
    response: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    let problem = response
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes() == api::problem::PROBLEM_JSON.as_bytes());
    if problem {
        // The API's own 404s are problem documents, not pages.
        return Ok(actix_web::middleware::ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let contact = response
        .request()
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.survey_contact.clone())
        .unwrap_or_default();
    let ask = if contact.is_empty() {
        "Bitte wenden Sie sich an das Team der Umfrage, wenn Sie einen neuen Link brauchen."
            .to_owned()
    } else {
        format!(
            "Wenn Sie einen neuen Link brauchen, schreiben Sie bitte an das Team der Umfrage: {contact}."
        )
    };
    let paragraphs = [
        "Diese Adresse ist uns nicht bekannt. Wenn Sie einem Link aus einer E-Mail gefolgt sind, ist er vielleicht nicht mehr gültig oder wurde beim Kopieren gekürzt.",
        ask.as_str(),
    ];
    let page = pages::MessagePage::new("Seite nicht gefunden", &paragraphs)
        .respond(actix_web::http::StatusCode::NOT_FOUND);
    let (request, _) = response.into_parts();
    Ok(actix_web::middleware::ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(request, page).map_into_right_body(),
    ))
}

/// A strict Content-Security-Policy (no inline script, no framing) and no referrer: links carry
/// tokens. Served over https (`secure`), browsers are told to keep to https (HSTS, one year).
/// Nothing is kept in a cache (a questionnaire's summary shows answers, a staff page contacts)
/// unless a response says otherwise (the style sheet).
fn security_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new();
    let headers = if secure {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    };
    headers
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cache-Control", "no-store"))
}

/// The access log, with tokens cut out of paths: `/t/…/optout`.
fn access_log() -> Logger {
    Logger::new("%{path}xi %s %b %Dms").custom_request_replace("path", |request| {
        format!("{} {}", request.method(), redact_path(request.path()))
    })
}

/// A path as it may be logged: the token of `/t/{token}`, `/test/{wave}/{token}` and
/// `/passwort/{token}` (and the link of `/o/{link}`) replaced by `…`.
pub fn redact_path(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 2 && ["t", "o", "passwort"].contains(&parts[1]) {
        parts[2] = "…";
    }
    if parts.len() > 3 && parts[1] == "test" {
        parts[3] = "…";
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{redact_path, worker_threads};

    #[test]
    fn the_blocking_threads_are_the_connections_shared_out() {
        for connections in [1, 4, 6, 7, 32] {
            let (workers, blocking) = worker_threads(connections);
            let connections = usize::try_from(connections).unwrap();
            assert!(workers >= 1 && blocking >= 1);
            // Every connection has a thread, and no worker has a thread more than it needs.
            assert!(workers * blocking >= connections, "{connections}");
            assert!(
                blocking == 1 || workers * (blocking - 1) < connections,
                "{connections}"
            );
        }
    }

    #[test]
    fn tokens_never_reach_the_access_log() {
        assert_eq!(
            redact_path("/t/0b1c2d3e-0000-4000-8000-000000000000/optout"),
            "/t/…/optout"
        );
        assert_eq!(redact_path("/t/abc"), "/t/…");
        assert_eq!(redact_path("/healthz"), "/healthz");
        assert_eq!(
            redact_path("/test/herbst/0b1c2d3e-0000-4000-8000-000000000000"),
            "/test/herbst/…"
        );
        assert_eq!(redact_path("/passwort/abc123"), "/passwort/…");
    }
}
