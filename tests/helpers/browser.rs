//! Real headless Chromium, driven over WebDriver, and an accessibility check with axe-core.
//!
//! [`Browser::start`] runs a ChromeDriver of its own on a free port (so tests run in parallel), opens
//! a session in headless Chromium with a fresh profile folder, and ends both when dropped. The tests
//! are synchronous: the browser owns a single-threaded tokio runtime and every method blocks on one
//! WebDriver command, with a deadline, and panics with a readable message when it fails.
//!
//! [`Browser::axe`] runs axe-core 4.14.1 (vendored from the npm package `axe-core`, MPL-2.0, see
//! `tests/assets/axe-LICENSE.txt`) against the current page for WCAG 2.0/2.1 A and AA. The pages'
//! Content-Security-Policy forbids inline scripts, but WebDriver's "execute script" runs through
//! the DevTools protocol, which the CSP does not govern, so axe is injected unchanged.
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). `CHROME_BIN` and `CHROMEDRIVER` override the
//! binaries.

use std::fmt;
use std::fs::File;
use std::future::Future;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

/// axe-core 4.14.1, `axe.min.js` from the npm package (MPL-2.0).
const AXE_SOURCE: &str = include_str!("../assets/axe.min.js");

/// The axe rule tags checked: WCAG 2.0 and 2.1, levels A and AA.
const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// How long ChromeDriver may take to answer `/status` after it was started.
const DRIVER_START: Duration = Duration::from_secs(20);

/// How long opening a session (starting Chromium) may take.
const SESSION_START: Duration = Duration::from_secs(30);

/// How long one WebDriver command (a page load, an axe run) may take: generous, because axe-core
/// on the board's report (hundreds of SVG nodes) took over 30 s once on a loaded two-core machine.
/// A deadline against hanging, not a speed test.
const COMMAND: Duration = Duration::from_secs(90);

/// The page load and script timeouts given to WebDriver: shorter than [`COMMAND`], so that
/// ChromeDriver's own error arrives first.
const PAGE: Duration = Duration::from_secs(75);

/// How long [`Browser::wait_for`] polls for an element.
const WAIT: Duration = Duration::from_secs(10);

/// How long closing the session may take when the browser is dropped.
const CLOSE: Duration = Duration::from_secs(5);

/// Chromium's command line: headless, no sandbox (tests run as root), no network of its own.
const CHROMIUM_ARGS: [&str; 11] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=de-DE",
    "--window-size=1280,1024",
];

/// What [`Browser::axe`] found wrong with a page: one axe rule and the elements that break it.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    /// The rule, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule asks for, in one line.
    pub help: String,
    /// Deque's page on the rule.
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    /// The offending elements.
    pub nodes: Vec<ViolationNode>,
}

/// One element that breaks an axe rule.
#[derive(Debug, Clone, Deserialize)]
pub struct ViolationNode {
    /// CSS selectors that find the element (one per frame or shadow root level).
    pub target: Vec<String>,
    /// The element's HTML (shortened by axe).
    pub html: String,
    /// axe's explanation of what to fix.
    pub summary: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "[{}] {}: {} ({})",
            self.impact.as_deref().unwrap_or("?"),
            self.id,
            self.help,
            self.help_url
        )?;
        for node in &self.nodes {
            writeln!(f, "    at {}: {}", node.target.join(" "), node.html)?;
            for line in node.summary.lines() {
                writeln!(f, "        {line}")?;
            }
        }
        Ok(())
    }
}

/// Panics with a readable list when axe found anything on `page`.
#[track_caller]
pub fn assert_no_violations(violations: &[Violation], page: &str) {
    if violations.is_empty() {
        return;
    }
    let list: String = violations.iter().map(ToString::to_string).collect();
    panic!(
        "axe-core found {} accessibility violation(s) on {page}:\n{list}",
        violations.len()
    );
}

/// A ChromeDriver process with its own process group, and the folder of its log and profile.
///
/// Dropping it kills the whole group (ChromeDriver and any Chromium it started) and removes the
/// profile; the log is kept when the test is failing.
struct Driver {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Driver {
    fn start(binary: &Path, dir: PathBuf) -> Driver {
        let log_path = dir.join("chromedriver.log");
        let mut last_failure = String::new();
        // Another process may take the free port between our probe and ChromeDriver's bind: retry.
        for _ in 0..3 {
            let port = free_port();
            let log = File::create(&log_path).expect("create the ChromeDriver log");
            let child = Command::new(binary)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("share the ChromeDriver log"))
                .stderr(log)
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            let mut driver = Driver {
                child,
                port,
                dir: dir.clone(),
            };
            match driver.wait_until_ready() {
                Ok(()) => return driver,
                Err(failure) => last_failure = failure,
            }
            // Dropping `driver` kills it; the log of the last attempt stays for the message.
            driver.dir = PathBuf::new();
        }
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        panic!("ChromeDriver did not start: {last_failure}\n--- its output:\n{log}");
    }

    /// Polls `/status` until ChromeDriver says it is ready, it exits, or the deadline passes.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(2)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let url = format!("http://127.0.0.1:{}/status", self.port);
        let deadline = Instant::now() + DRIVER_START;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited with {status}"));
            }
            let ready = agent
                .get(&url)
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|body| serde_json::from_str::<Value>(&body).ok())
                .is_some_and(|body| body["value"]["ready"] == json!(true));
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{url} was not ready within {DRIVER_START:?}"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group's id is ChromeDriver's pid (`process_group(0)`); Chromium inherits the group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if self.dir.as_os_str().is_empty() {
            return;
        }
        if std::thread::panicking() {
            let _ = std::fs::remove_dir_all(self.dir.join("profile"));
            eprintln!(
                "browser: ChromeDriver's log is kept at {}",
                self.dir.join("chromedriver.log").display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port()
}

/// The first of `names` that is an executable file on the PATH (or a path itself).
fn find_binary(names: &[&str]) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &Path| {
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        if name.contains('/') {
            if executable(Path::new(name)) {
                return Some(PathBuf::from(name));
            }
            continue;
        }
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if executable(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// `CHROME_BIN` / `CHROMEDRIVER`, else the usual names; panics with how to install them.
fn binaries() -> (PathBuf, PathBuf) {
    let hint = "the browser tests need Chromium and ChromeDriver: `.ci/run` installs them \
                (`apt-get install chromium chromium-driver` on Debian); or point CHROME_BIN and \
                CHROMEDRIVER at them";
    let chrome_env = std::env::var("CHROME_BIN").ok().filter(|v| !v.is_empty());
    let chrome = match &chrome_env {
        Some(name) => find_binary(&[name]),
        None => find_binary(&["chromium", "chromium-browser", "google-chrome"]),
    };
    let driver_env = std::env::var("CHROMEDRIVER").ok().filter(|v| !v.is_empty());
    let driver = match &driver_env {
        Some(name) => find_binary(&[name]),
        None => find_binary(&["chromedriver"]),
    };
    match (chrome, driver) {
        (Some(chrome), Some(driver)) => (chrome, driver),
        (None, _) => panic!("Chromium not found: {hint}"),
        (_, None) => panic!("ChromeDriver not found: {hint}"),
    }
}

/// Headless Chromium with a WebDriver session: one per test, ended on drop.
pub struct Browser {
    // Field order matters for drop: the session closes in `drop`, then the runtime, then the driver.
    client: Option<Client>,
    runtime: Runtime,
    _driver: Driver,
    javascript: bool,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with JavaScript enabled.
    pub fn start() -> Browser {
        Self::launch(true)
    }

    /// Like [`Browser::start`], with JavaScript switched off in pages.
    ///
    /// WebDriver commands and [`Browser::execute`] still work; [`Browser::axe`] does not (its
    /// promises and timers never run).
    pub fn start_without_javascript() -> Browser {
        Self::launch(false)
    }

    fn launch(javascript: bool) -> Browser {
        let (chrome, driver_binary) = binaries();
        let dir = std::env::temp_dir().join(super::db::unique("mint-browser"));
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile).expect("create a Chromium profile folder");
        let driver = Driver::start(&driver_binary, dir);

        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("pageLoadStrategy".into(), json!("normal"));
        capabilities.insert(
            "timeouts".into(),
            json!({ "implicit": 0, "pageLoad": PAGE.as_millis(), "script": PAGE.as_millis() }),
        );
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chrome.display().to_string(), "args": args }),
        );

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("build a tokio runtime for the browser");
        let webdriver = format!("http://127.0.0.1:{}", driver.port);
        let connected = runtime.block_on(async {
            tokio::time::timeout(
                SESSION_START,
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&webdriver),
            )
            .await
        });
        let client = match connected {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => panic!("Chromium did not start ({}): {error}", chrome.display()),
            Err(_) => panic!(
                "Chromium did not start within {SESSION_START:?} ({})",
                chrome.display()
            ),
        };
        Browser {
            client: Some(client),
            runtime,
            _driver: driver,
            javascript,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// Runs one WebDriver command to its end, with a deadline; panics with `what` when it fails.
    #[track_caller]
    fn run<T>(&self, what: &str, command: impl Future<Output = Result<T, CmdError>>) -> T {
        match self
            .runtime
            .block_on(async { tokio::time::timeout(COMMAND, command).await })
        {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => panic!("browser: {what} failed on {}: {error}", self.where_now()),
            Err(_) => panic!("browser: {what} got no answer within {COMMAND:?}"),
        }
    }

    /// The current URL for an error message, or why it is unknown.
    fn where_now(&self) -> String {
        let client = self.client();
        let url = self.runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(2), client.current_url()).await
        });
        match url {
            Ok(Ok(url)) => url.to_string(),
            _ => "(unknown page)".to_owned(),
        }
    }

    /// Loads `url` and waits until the page has loaded.
    #[track_caller]
    pub fn goto(&self, url: &str) {
        self.run(&format!("goto {url}"), self.client().goto(url));
    }

    /// The address of the current page.
    #[track_caller]
    pub fn current_url(&self) -> String {
        self.run("current_url", self.client().current_url())
            .to_string()
    }

    /// The current page's `<title>`.
    #[track_caller]
    pub fn title(&self) -> String {
        self.run("title", self.client().title())
    }

    /// The page's HTML as the browser sees it now.
    #[track_caller]
    pub fn source(&self) -> String {
        self.run("source", self.client().source())
    }

    /// The rendered text of the first element matching `css`.
    #[track_caller]
    pub fn text(&self, css: &str) -> String {
        let client = self.client();
        self.run(&format!("text of `{css}`"), async {
            client.find(Locator::Css(css)).await?.text().await
        })
    }

    /// Waits (polling, up to the page deadline) until the first element matching `css` says
    /// `expected`; returns its text. Tolerates the page changing underneath (a form's answer still
    /// loading), where `wait_for` then `text` can find the old page's element and lose it.
    #[track_caller]
    pub fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let client = self.client();
        let deadline = std::time::Instant::now() + WAIT;
        let mut last = String::new();
        while std::time::Instant::now() < deadline {
            let text = self.runtime.block_on(async {
                let element = client.find(Locator::Css(css)).await?;
                element.text().await
            });
            if let Ok(text) = text {
                if text.contains(expected) {
                    return text;
                }
                last = text;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "browser: `{css}` did not say {expected:?} within {WAIT:?} on {} (last: {last:?})",
            self.where_now()
        );
    }

    /// Whether any element matches `css`.
    #[track_caller]
    pub fn exists(&self, css: &str) -> bool {
        let found = self.run(
            &format!("find `{css}`"),
            self.client().find_all(Locator::Css(css)),
        );
        !found.is_empty()
    }

    /// Waits (polling, up to 10 s) until an element matches `css`.
    #[track_caller]
    pub fn wait_for(&self, css: &str) {
        let client = self.client();
        self.run(&format!("wait for `{css}`"), async {
            client
                .wait()
                .at_most(WAIT)
                .every(Duration::from_millis(50))
                .for_element(Locator::Css(css))
                .await
                .map(drop)
        });
    }

    /// Clicks the first element matching `css` (as a pointer would: it must be visible).
    #[track_caller]
    pub fn click(&self, css: &str) {
        let client = self.client();
        self.run(&format!("click `{css}`"), async {
            client.find(Locator::Css(css)).await?.click().await
        });
    }

    /// Replaces the value of the field matching `css` by typing `value`.
    #[track_caller]
    pub fn fill(&self, css: &str, value: &str) {
        let client = self.client();
        self.run(&format!("fill `{css}`"), async {
            let field = client.find(Locator::Css(css)).await?;
            field.clear().await?;
            field.send_keys(value).await
        });
    }

    /// Chooses `path` in the file input matching `css` (as a person picking a file would).
    #[track_caller]
    pub fn choose_file(&self, css: &str, path: &Path) {
        let client = self.client();
        let path = path.display().to_string();
        self.run(&format!("choose a file in `{css}`"), async {
            client.find(Locator::Css(css)).await?.send_keys(&path).await
        });
    }

    /// The browser's cookies for the current site as a `Cookie` header (to fetch a download
    /// with the same session: the pages' CSP rightly forbids scripts to fetch anything).
    #[track_caller]
    pub fn cookie_header(&self) -> String {
        let cookies = self.run("read the cookies", self.client().get_all_cookies());
        cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Chooses the radio button `name`=`value` (by clicking it).
    #[track_caller]
    pub fn select_radio(&self, name: &str, value: &str) {
        self.click(&input_selector("radio", name, value));
    }

    /// Ticks the checkbox `name`=`value` (clicks it unless it is ticked already).
    #[track_caller]
    pub fn check(&self, name: &str, value: &str) {
        let css = input_selector("checkbox", name, value);
        if !self.is_checked(name, value) {
            self.click(&css);
        }
    }

    /// Whether the radio button or checkbox `name`=`value` is selected.
    #[track_caller]
    pub fn is_checked(&self, name: &str, value: &str) -> bool {
        let css = format!(
            "input[name=\"{}\"][value=\"{}\"]",
            css_string(name),
            css_string(value)
        );
        let client = self.client();
        self.run(&format!("state of `{css}`"), async {
            client.find(Locator::Css(&css)).await?.is_selected().await
        })
    }

    /// Submits the form matching `css` with its submit button (a click on it).
    #[track_caller]
    pub fn submit(&self, form_css: &str) {
        let client = self.client();
        self.run(&format!("submit `{form_css}`"), async {
            client.form(Locator::Css(form_css)).await?.submit().await
        });
    }

    /// Focuses the element matching `css` and presses Enter on it (keyboard activation).
    #[track_caller]
    pub fn press_enter(&self, css: &str) {
        let client = self.client();
        self.run(&format!("press Enter on `{css}`"), async {
            client
                .find(Locator::Css(css))
                .await?
                .send_keys(&Key::Enter.to_string())
                .await
        });
    }

    /// Presses `key` on the keyboard, wherever the focus is.
    #[track_caller]
    pub fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.run(
            &format!("press {key:?}"),
            self.client().perform_actions(keys),
        );
    }

    /// The text of the element that has the keyboard focus (its value for a field).
    #[track_caller]
    pub fn focused_text(&self) -> String {
        let value = self.execute(
            "const e = document.activeElement; \
             return e ? (e.value !== undefined && e.tagName !== 'BUTTON' ? e.value : e.innerText) : '';",
            vec![],
        );
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its result.
    ///
    /// This works with JavaScript switched off and despite the page's CSP (it runs through DevTools).
    #[track_caller]
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.run("execute a script", self.client().execute(script, args))
    }

    /// Resizes the window to `width`×`height` CSS pixels.
    #[track_caller]
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.run(
            &format!("resize to {width}x{height}"),
            self.client().set_window_size(width, height),
        );
    }

    /// Saves a PNG of the visible part of the page at `path` (creating its folder).
    #[track_caller]
    pub fn screenshot(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let png = self.run("screenshot", self.client().screenshot());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the screenshot folder");
        }
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("write the screenshot {}: {e}", path.display()));
    }

    /// Runs axe-core on the current page (WCAG 2.0/2.1 A and AA rules) and returns what it found.
    #[track_caller]
    pub fn axe(&self) -> Vec<Violation> {
        assert!(
            self.javascript,
            "axe-core needs JavaScript: check pages in a browser from Browser::start"
        );
        let loaded = self.execute("return typeof window.axe === 'object';", vec![]);
        if loaded != json!(true) {
            self.execute(AXE_SOURCE, vec![]);
            let loaded = self.execute("return typeof window.axe === 'object';", vec![]);
            assert_eq!(loaded, json!(true), "axe-core could not be injected");
        }
        let script = r#"
            const [tags, done] = arguments;
            window.axe
                .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
                .then(
                    (results) => done({
                        passes: results.passes.length,
                        violations: results.violations.map((v) => ({
                            id: v.id,
                            impact: v.impact || null,
                            help: v.help,
                            helpUrl: v.helpUrl,
                            nodes: v.nodes.map((n) => ({
                                target: n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : String(t)),
                                html: n.html,
                                summary: n.failureSummary || '',
                            })),
                        })),
                    }),
                    (error) => done({ error: String((error && error.stack) || error) }),
                );
        "#;
        let result = self.run(
            "run axe-core",
            self.client().execute_async(script, vec![json!(AXE_TAGS)]),
        );
        if let Some(error) = result.get("error") {
            panic!("axe-core failed on {}: {error}", self.where_now());
        }
        // A blank or half-loaded page passes every rule by having nothing to check.
        let passes = result["passes"].as_u64().unwrap_or(0);
        assert!(
            passes > 0,
            "axe-core checked nothing on {}: {result}",
            self.where_now()
        );
        serde_json::from_value(result["violations"].clone())
            .unwrap_or_else(|e| panic!("unexpected axe-core result ({e}): {result}"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ask ChromeDriver to quit Chromium cleanly; the driver's drop kills whatever is left.
        if let Some(client) = self.client.take() {
            let _ = self
                .runtime
                .block_on(async { tokio::time::timeout(CLOSE, client.close()).await });
        }
    }
}

/// `input[type=…][name="…"][value="…"]`.
fn input_selector(kind: &str, name: &str, value: &str) -> String {
    format!(
        "input[type={kind}][name=\"{}\"][value=\"{}\"]",
        css_string(name),
        css_string(value)
    )
}

/// Escapes text for a double-quoted CSS string.
fn css_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
