//! The real application on a port of its own, for HTTP tests.

use std::net::TcpListener;

use mint_survey::config::{Environment, Settings};
use mint_survey::store;
use mint_survey::web::{AppState, Application};

use super::db::TestDb;

/// A running application backed by a test database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// An HTTP client that reports every status (no redirects followed, no error for 4xx/5xx).
    pub client: ureq::Agent,
}

struct Vars(Vec<(&'static str, String)>);

impl Environment for Vars {
    fn var(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

/// Settings as the binary would read them for this test database.
pub fn settings_for(db: &TestDb) -> Settings {
    Settings::from(&Vars(vec![
        ("DATABASE_URL", db.url.clone()),
        ("VAR_DIR", db.var_dir.display().to_string()),
    ]))
    .unwrap()
}

/// Settings for this test database with these added (e.g. `SMTP_URL`).
pub fn settings_with(db: &TestDb, env: &[(&'static str, String)]) -> Settings {
    let mut vars = vec![
        ("DATABASE_URL", db.url.clone()),
        ("VAR_DIR", db.var_dir.display().to_string()),
    ];
    vars.extend(env.iter().cloned());
    Settings::from(&Vars(vars)).unwrap()
}

impl TestApp {
    /// Builds the application on 127.0.0.1:0 and runs it on a thread of its own.
    pub fn spawn(db: &TestDb) -> TestApp {
        let settings = settings_for(db);
        let key = settings.secret_key().unwrap();
        Self::spawn_with(AppState::new(
            store::pool(&db.url, 4).unwrap(),
            key,
            settings,
        ))
    }

    /// The application with the installation's own privacy notice and accessibility statement read
    /// from files, as `serve` reads them.
    pub fn spawn_with_legal_files(
        db: &TestDb,
        privacy: &std::path::Path,
        accessibility: &std::path::Path,
    ) -> TestApp {
        let settings = Settings::from(&Vars(vec![
            ("DATABASE_URL", db.url.clone()),
            ("VAR_DIR", db.var_dir.display().to_string()),
            ("PRIVACY_NOTICE_FILE", privacy.display().to_string()),
            (
                "ACCESSIBILITY_STATEMENT_FILE",
                accessibility.display().to_string(),
            ),
        ]))
        .unwrap();
        let key = settings.secret_key().unwrap();
        let legal = mint_survey::web::LegalTexts::from_settings(&settings).unwrap();
        let mut state = AppState::new(store::pool(&db.url, 4).unwrap(), key, settings);
        state.legal = legal;
        Self::spawn_with(state)
    }

    /// The application with these settings added (e.g. `SMTP_URL`).
    pub fn spawn_with_env(db: &TestDb, env: &[(&'static str, String)]) -> TestApp {
        let mut vars = vec![
            ("DATABASE_URL", db.url.clone()),
            ("VAR_DIR", db.var_dir.display().to_string()),
        ];
        vars.extend(env.iter().cloned());
        let settings = Settings::from(&Vars(vars)).unwrap();
        let key = settings.secret_key().unwrap();
        Self::spawn_with(AppState::new(
            store::pool(&db.url, 4).unwrap(),
            key,
            settings,
        ))
    }

    /// The application with these settings added and its clock (the scheduler's and the pages')
    /// given: a test moves time instead of sleeping. Returns the state's scheduler handle too.
    pub fn spawn_with_clock(
        db: &TestDb,
        env: &[(&'static str, String)],
        clock: mint_survey::time::Clock,
    ) -> (
        TestApp,
        std::sync::Arc<mint_survey::web::background::Wakeup>,
    ) {
        let settings = settings_with(db, env);
        let key = settings.secret_key().unwrap();
        let mut state = AppState::new(store::pool(&db.url, 4).unwrap(), key, settings);
        state.clock = clock;
        let scheduler = state.scheduler.clone();
        (Self::spawn_with(state), scheduler)
    }

    /// The application with a database that does not answer (for /healthz).
    pub fn spawn_without_database(db: &TestDb) -> TestApp {
        use diesel::r2d2::{ConnectionManager, Pool};
        let settings = settings_for(db);
        let key = settings.secret_key().unwrap();
        let pool = Pool::builder()
            .connection_timeout(std::time::Duration::from_millis(300))
            .build_unchecked(ConnectionManager::new("postgres://nobody@127.0.0.1:1/none"));
        Self::spawn_with(AppState::new(pool, key, settings))
    }

    fn spawn_with(state: AppState) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = Application::build(listener, state).unwrap();
                let _ = app.server.await;
            })
        });
        let client = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client,
        }
    }

    /// Logs in through the login form; returns the `Cookie` header a browser would send next
    /// (the CSRF cookie and the session).
    pub fn login(&self, email: &str, password: &str) -> String {
        let (status, cookie, _, _) = self.get("/login", None);
        assert_eq!(status, 200);
        let csrf = cookie.expect("the login page sets the CSRF cookie");
        let token = csrf_of(&csrf);
        let form = format!(
            "csrf={token}&email={}&passwort={}",
            encode(email),
            encode(password)
        );
        let response = self
            .client
            .post(format!("{}/login", self.address))
            .header("Cookie", &csrf)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form.as_bytes())
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "login of {email} failed");
        let session = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("anmeldung="))
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        // The login sets a CSRF token bound to the new session.
        let csrf = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("csrf="))
            .and_then(|v| v.split(';').next())
            .expect("a new CSRF cookie at login")
            .to_owned();
        format!("{csrf}; {session}")
    }

    /// GET a path; returns status, the `Set-Cookie` value (name=value) if any, and the body.
    pub fn get(
        &self,
        path: &str,
        cookie: Option<&str>,
    ) -> (u16, Option<String>, String, ureq::http::HeaderMap) {
        let mut request = self.client.get(format!("{}{path}", self.address));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let mut response = request.call().unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let set_cookie = headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_owned());
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (status, set_cookie, body, headers)
    }

    /// POST a form; returns status, the `Location` header and the body.
    pub fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &str,
    ) -> (u16, Option<String>, String) {
        let (status, location, body, _) = self.post_with_cookies(path, cookie, form);
        (status, location, body)
    }

    /// POST a multipart form (a file upload) with `cookie`; returns status and body.
    pub fn post_multipart(
        &self,
        path: &str,
        cookie: &str,
        (content_type, body): (String, Vec<u8>),
    ) -> (u16, String) {
        let mut response = self
            .client
            .post(format!("{}{path}", self.address))
            .header("Cookie", cookie)
            .header("Content-Type", &content_type)
            .send(&body[..])
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    /// POST a form; also returns the cookies it sets (`name=value`).
    pub fn post_with_cookies(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &str,
    ) -> (u16, Option<String>, String, Vec<String>) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let mut response = request.send(form.as_bytes()).unwrap();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let status = response.status().as_u16();
        let cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
            .collect();
        (
            status,
            location,
            response.body_mut().read_to_string().unwrap_or_default(),
            cookies,
        )
    }

    /// POST a form; returns status and the `Location` header.
    pub fn post_form(&self, path: &str, cookie: Option<&str>, form: &str) -> (u16, Option<String>) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.send(form.as_bytes()).unwrap();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (response.status().as_u16(), location)
    }
}

/// A respondent with a personal link: keeps the CSRF cookie like a browser does.
pub struct Respondent<'a> {
    app: &'a TestApp,
    /// The link's path, `/t/{token}`.
    pub path: String,
    cookie: String,
    csrf: String,
}

impl<'a> Respondent<'a> {
    /// Opens the link once (to get the cookie) and returns the respondent and the first page's body.
    pub fn open(app: &'a TestApp, path: &str) -> (Respondent<'a>, String) {
        let (status, cookie, body, _) = app.get(path, None);
        assert_eq!(status, 200, "{body}");
        let cookie = cookie.expect("the first visit sets the CSRF cookie");
        let csrf = csrf_of(&cookie);
        (
            Respondent {
                app,
                path: path.to_owned(),
                cookie,
                csrf,
            },
            body,
        )
    }

    /// The current page: status and body.
    pub fn page(&self) -> (u16, String) {
        let (status, _, body, _) = self.app.get(&self.path, Some(&self.cookie));
        (status, body)
    }

    /// The link with `suffix` (a redirect's `?gespeichert`): status and body.
    pub fn page_at(&self, suffix: &str) -> (u16, String) {
        let path = format!("{}{suffix}", self.path);
        let (status, _, body, _) = self.app.get(&path, Some(&self.cookie));
        (status, body)
    }

    /// Posts `fields` (and the CSRF token) to the link with `suffix` (`/weiterlink`); returns status,
    /// redirect target and body.
    pub fn post_at(
        &mut self,
        suffix: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Option<String>, String) {
        let mut form = format!("csrf={}", self.csrf);
        for (name, value) in fields {
            form.push_str(&format!("&{}={}", encode(name), encode(value)));
        }
        let path = format!("{}{suffix}", self.path);
        let (status, location, body, cookies) =
            self.app.post_with_cookies(&path, Some(&self.cookie), &form);
        for cookie in cookies {
            self.cookie = format!("{}; {cookie}", self.cookie);
        }
        (status, location, body)
    }

    /// Posts `fields` with `aktion` (and the CSRF token); returns status, redirect target and body.
    /// Cookies the answer sets (an open link's session) are kept for the next requests.
    pub fn post(
        &mut self,
        aktion: &str,
        fields: &[(String, String)],
    ) -> (u16, Option<String>, String) {
        let mut form = format!("csrf={}&aktion={aktion}", self.csrf);
        for (name, value) in fields {
            form.push_str(&format!("&{}={}", encode(name), encode(value)));
        }
        let (status, location, body, cookies) =
            self.app
                .post_with_cookies(&self.path, Some(&self.cookie), &form);
        for cookie in cookies {
            self.cookie = format!("{}; {cookie}", self.cookie);
        }
        (status, location, body)
    }
}

/// The CSRF token in a cookie header that starts with the `csrf` cookie (as `login` returns it).
pub fn csrf_of(cookie: &str) -> String {
    let first = cookie.split(';').next().unwrap_or_default();
    first.trim_start_matches("csrf=").to_owned()
}

/// Percent-encoding for form values.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The password of the accounts [`staff_account`] makes.
pub const PASSWORD: &str = "ein langes Testpasswort";

/// A staff account with [`PASSWORD`], made directly in the store.
pub fn staff_account(
    db: &TestDb,
    email: &str,
    role: mint_survey::accounts::Role,
    land: Option<&str>,
) {
    let mut conn = db.conn();
    let user = mint_survey::store::users::insert(&mut conn, email, role, land).unwrap();
    let hash = mint_survey::accounts::hash_password(PASSWORD).unwrap();
    mint_survey::store::users::set_password(&mut conn, user.id, &hash).unwrap();
}
