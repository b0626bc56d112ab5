//! The pages in a real browser: headless Chromium over WebDriver (see `helpers::browser`).
//!
//! Every page a respondent can reach is checked with axe-core 4.14.1 (vendored in
//! `tests/assets/axe.min.js`, MPL-2.0) against WCAG 2.0/2.1 A and AA, and must have no violation.
//! Screenshots go to `target/tmp/screens/`.

use std::path::PathBuf;

use diesel::prelude::*;
use fantoccini::key::Key;
use mint_survey::store::schema::{contacts, participants};

use crate::helpers::app::TestApp;
use crate::helpers::browser::{Browser, assert_no_violations};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{link_path, open_wave};

fn opted_out(db: &TestDb, email: &str) -> bool {
    participants::table
        .inner_join(contacts::table)
        .filter(contacts::email.eq(email))
        .select(participants::opted_out_at.is_not_null())
        .first(&mut db.conn())
        .unwrap()
}

/// `target/tmp/screens/NAME`.
fn screen(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("screens")
        .join(name)
}

#[test]
fn optout_page_has_no_accessibility_violations() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    let app = TestApp::spawn(&db);
    let link = format!(
        "{}{}",
        app.address,
        link_path(&db, &slug, "person0@example.org")
    );
    let url = format!("{link}/optout");
    let browser = Browser::start();

    browser.goto(&link);
    assert_eq!(
        browser.text("h1"),
        "Corona-Umfrage Frühjahr 2020 – MINT-Regionen"
    );
    assert_no_violations(&browser.axe(), "the personal link's consent page");

    browser.goto(&format!("{link}?alle"));
    assert_eq!(browser.text("h1"), "Alle Fragen auf einer Seite");
    assert_no_violations(&browser.axe(), "the one-form questionnaire");
    browser.click("button[value=alles-absenden]");
    browser.wait_for(".error-summary");
    assert_no_violations(&browser.axe(), "the one-form questionnaire with errors");

    browser.goto(&url);
    assert_eq!(browser.title(), "Erinnerungen abbestellen – MINT-Umfragen");
    assert_eq!(browser.text("h1"), "Erinnerungen abbestellen");
    assert_eq!(browser.text(".context"), "Umfrage: Frühjahr 2020");
    assert_no_violations(&browser.axe(), "the opt-out page");
    browser.screenshot(screen("optout.png"));

    // By keyboard alone: the first Tab reaches the skip link, the second the button; Enter sends.
    browser.press(Key::Tab);
    assert_eq!(browser.focused_text(), "Zum Inhalt springen");
    browser.press(Key::Tab);
    assert_eq!(browser.focused_text(), "Keine Erinnerungen mehr senden");
    browser.press(Key::Enter);

    browser.wait_for(".notice[role=status]");
    assert_eq!(
        browser.current_url(),
        url,
        "post/redirect/get to the same page"
    );
    assert_eq!(
        browser.text(".notice"),
        "Sie erhalten zu dieser Umfrage keine Erinnerungen mehr."
    );
    assert!(!browser.exists("form"), "no second form once done");
    assert!(opted_out(&db, "person0@example.org"));
    assert!(!opted_out(&db, "person1@example.org"));
    assert_no_violations(&browser.axe(), "the opt-out confirmation");
    browser.screenshot(screen("optout-confirmed.png"));
}

#[test]
fn error_pages_have_no_accessibility_violations() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let closed_link = link_path(&db, &slug, "person0@example.org");
    mint(&db, &["wave", "close", &slug]).success();
    let app = TestApp::spawn(&db);
    let browser = Browser::start();

    let pages = [
        (
            "/t/0b1c2d3e-0000-4000-8000-000000000000/optout",
            "Seite nicht gefunden",
            "the 404 page of an unknown link",
        ),
        (
            "/gibt-es-nicht",
            "Seite nicht gefunden",
            "the 404 page of an unknown address",
        ),
        (
            &format!("{closed_link}/optout"),
            "Die Umfrage ist beendet",
            "the 410 page of a closed wave",
        ),
        (
            "/barrierefreiheit",
            "Erklärung zur Barrierefreiheit",
            "/barrierefreiheit",
        ),
        ("/datenschutz", "Datenschutz", "/datenschutz"),
    ];
    for (path, heading, page) in pages {
        browser.goto(&format!("{}{path}", app.address));
        assert_eq!(browser.text("h1"), heading, "{page}");
        assert_eq!(browser.title(), format!("{heading} – MINT-Umfragen"));
        assert_no_violations(&browser.axe(), page);
    }
}

#[test]
fn pages_work_on_a_narrow_phone_without_javascript() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let url = format!(
        "{}{}/optout",
        app.address,
        link_path(&db, &slug, "person0@example.org")
    );
    let browser = Browser::start_without_javascript();

    // Make sure scripts really are off: an inline script would change the title.
    browser.goto("data:text/html,<title>ohne</title><script>document.title='mit'</script>");
    assert_eq!(browser.title(), "ohne", "JavaScript must be switched off");

    browser.set_window_size(360, 740);
    browser.goto(&url);
    let layout = browser.execute(
        "const root = document.documentElement; \
         const button = document.querySelector('button').getBoundingClientRect(); \
         return { width: window.innerWidth, scroll: root.scrollWidth, client: root.clientWidth, \
                  left: button.left, right: button.right };",
        vec![],
    );
    assert_eq!(layout["width"], 360, "the viewport is a phone's: {layout}");
    assert!(
        layout["scroll"].as_f64().unwrap() <= layout["client"].as_f64().unwrap(),
        "no sideways scrolling: {layout}"
    );
    assert!(
        layout["left"].as_f64().unwrap() >= 0.0 && layout["right"].as_f64().unwrap() <= 360.0,
        "the button fits the screen: {layout}"
    );

    browser.click("form button[type=submit]");
    browser.wait_for(".notice[role=status]");
    assert_eq!(
        browser.text(".notice"),
        "Sie erhalten zu dieser Umfrage keine Erinnerungen mehr."
    );
    assert!(opted_out(&db, "person0@example.org"));
    browser.screenshot(screen("optout-phone.png"));
}

/// The harness itself: axe runs and finds faults under the pages' CSP, which blocks page scripts.
#[test]
fn axe_finds_faults_on_a_page_with_the_strict_csp() {
    let db = TestDb::new();
    let app = TestApp::spawn(&db);
    let browser = Browser::start();
    browser.goto(&format!("{}/barrierefreiheit", app.address));

    let inline_ran = browser.execute(
        "const s = document.createElement('script'); \
         s.textContent = 'window.inlineRan = true;'; \
         document.head.appendChild(s); \
         return window.inlineRan === true;",
        vec![],
    );
    assert_eq!(
        inline_ran, false,
        "the CSP blocks the page's own inline scripts"
    );

    // An image without a text alternative and grey text on white (1.9:1).
    browser.execute(
        "const main = document.querySelector('main'); \
         const img = document.createElement('img'); img.src = '/static/style.css'; \
         main.appendChild(img); \
         const p = document.createElement('p'); p.id = 'blass'; p.textContent = 'Kaum lesbar'; \
         p.style.color = '#bbbbbb'; main.appendChild(p);",
        vec![],
    );
    let violations = browser.axe();
    let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    assert!(
        ids.contains(&"image-alt") && ids.contains(&"color-contrast"),
        "{violations:#?}"
    );
    let contrast = violations
        .iter()
        .find(|v| v.id == "color-contrast")
        .unwrap();
    assert_eq!(contrast.nodes[0].target, ["#blass"]);
    assert_eq!(contrast.impact.as_deref(), Some("serious"));
    let report = std::panic::catch_unwind(|| assert_no_violations(&violations, "the test page"))
        .expect_err("assert_no_violations panics on violations");
    let report = report.downcast_ref::<String>().unwrap();
    assert!(
        report.contains("image-alt") && report.contains("at #blass"),
        "{report}"
    );
}

/// The harness itself: filling, choosing, ticking and submitting a form.
#[test]
fn browser_helpers_fill_choose_tick_and_submit() {
    let db = TestDb::new();
    let app = TestApp::spawn(&db);
    let browser = Browser::start();
    let form = format!(
        "<title>Formular</title><form id=f action='{}/echo'>\
         <label>Name <input name=name value=alt></label>\
         <label><input type=radio name=land value=BY> Bayern</label>\
         <label><input type=radio name=land value=HH> Hamburg</label>\
         <label><input type=checkbox name=ok value=ja> Einverstanden</label>\
         <button type=submit>Senden</button></form>",
        app.address
    );
    let form_url = format!("data:text/html;charset=utf-8,{}", form.replace(' ', "%20"));

    browser.goto(&form_url);
    assert!(browser.source().contains("Einverstanden"));
    browser.fill("input[name=name]", "Anna Müller");
    browser.select_radio("land", "HH");
    browser.check("ok", "ja");
    browser.check("ok", "ja");
    assert!(browser.is_checked("land", "HH") && !browser.is_checked("land", "BY"));
    assert!(browser.is_checked("ok", "ja"), "check twice stays checked");
    browser.submit("#f");
    browser.wait_for("h1");
    assert!(
        browser
            .current_url()
            .ends_with("/echo?name=Anna+M%C3%BCller&land=HH&ok=ja"),
        "{}",
        browser.current_url()
    );

    browser.goto(&form_url);
    browser.fill("input[name=name]", "Ben");
    browser.press_enter("input[name=name]");
    browser.wait_for("h1");
    assert!(
        browser.current_url().ends_with("/echo?name=Ben"),
        "{}",
        browser.current_url()
    );
    assert_eq!(browser.text("h1"), "Seite nicht gefunden");
}

#[test]
fn board_report_pages_have_no_accessibility_violations() {
    let db = TestDb::new();
    let slug = crate::reports::wave_with_participants(&db);
    crate::reports::fill(&db, &slug);
    crate::helpers::app::staff_account(
        &db,
        "beirat@example.org",
        mint_survey::accounts::Role::Board,
        None,
    );
    let app = TestApp::spawn(&db);
    let browser = Browser::start();

    browser.goto(&format!("{}/board", app.address));
    assert_eq!(browser.text("h1"), "Anmeldung");
    assert_no_violations(&browser.axe(), "the login page");
    browser.fill("#email", "beirat@example.org");
    browser.fill("#passwort", crate::helpers::app::PASSWORD);
    browser.click("form[action='/login'] button");
    browser.wait_for("form.account");
    assert_eq!(browser.text("h1"), "Auswertungen für den Länderbeirat");
    assert_no_violations(&browser.axe(), "the board's list of waves");

    browser.goto(&format!("{}/board/waves/{slug}/", app.address));
    assert_eq!(browser.text("h1"), "Frühjahr 2020: Auswertung je Land");
    assert!(browser.exists("figure.chart svg[role=img]"));
    assert_no_violations(&browser.axe(), "a wave's report");
    browser.screenshot(screen("report.png"));
    let smallest_text = |browser: &Browser| {
        browser.execute(
            "return Math.min(...[...document.querySelectorAll('figure.chart svg text')] \
                 .filter(t => t.textContent.trim() !== '') \
                 .map(t => t.getBoundingClientRect().height));",
            vec![],
        )
    };
    browser.set_window_size(360, 800);
    // On a phone the chart keeps its natural size and scrolls sideways in its box: its text stays
    // readable (it shrank to about 5 px when the chart was fitted to the screen).
    let smallest = smallest_text(&browser).as_f64().unwrap();
    assert!(smallest >= 11.0, "chart text on a phone: {smallest} px");
    assert_no_violations(&browser.axe(), "a wave's report on a phone");
    browser.execute(
        "document.querySelector('figure.chart').scrollIntoView()",
        vec![],
    );
    browser.screenshot(screen("report-phone.png"));

    // A second wave asking the same questions: the trend over both.
    let autumn = crate::reports::autumn_wave(&db, &slug);
    browser.set_window_size(1280, 900);
    browser.goto(&format!("{}/board/waves/{autumn}/verlauf/", app.address));
    assert_eq!(browser.text("#verlauf"), "Verlauf über alle Wellen");
    assert_no_violations(&browser.axe(), "the trend over both waves");
    browser.execute(
        "document.querySelector('#verlauf').scrollIntoView()",
        vec![],
    );
    browser.screenshot(screen("report-trend.png"));
}

#[test]
fn admin_pages_have_no_accessibility_violations() {
    let db = TestDb::new();
    let slug = open_wave(&db, 20);
    crate::helpers::app::staff_account(
        &db,
        "admin@example.org",
        mint_survey::accounts::Role::Admin,
        None,
    );
    crate::helpers::app::staff_account(
        &db,
        "land@example.org",
        mint_survey::accounts::Role::Coordinator,
        Some("DE-TH"),
    );
    let app = TestApp::spawn(&db);
    let browser = Browser::start();
    browser.goto(&format!("{}/passwort-vergessen", app.address));
    assert_no_violations(&browser.axe(), "the forgotten-password page");
    let out = crate::helpers::cli::mint(
        &db,
        &[
            "user",
            "add",
            "--email",
            "neu@example.org",
            "--role",
            "board",
        ],
    );
    let link = out
        .success()
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.contains("/passwort/")))
        .unwrap()
        .to_owned();
    browser.goto(&format!(
        "{}{}",
        app.address,
        &link[link.find("/passwort/").unwrap()..]
    ));
    assert_eq!(browser.text("h1"), "Passwort festlegen");
    assert_no_violations(&browser.axe(), "the set-password page");
    browser.goto(&format!("{}/login", app.address));
    browser.fill("#email", "admin@example.org");
    browser.fill("#passwort", "falsch");
    browser.click("form[action='/login'] button");
    browser.wait_for(".error-summary");
    assert_no_violations(&browser.axe(), "the login page with its error");
    browser.fill("#passwort", crate::helpers::app::PASSWORD);
    browser.click("form[action='/login'] button");
    browser.wait_for("form.account");
    assert_eq!(browser.text("h1"), "Administration");
    assert_no_violations(&browser.axe(), "the admin overview");
    browser.goto(&format!("{}/admin/protokoll", app.address));
    assert_no_violations(&browser.axe(), "the audit log");
    browser.goto(&format!("{}/admin/wellen/neu", app.address));
    assert_no_violations(&browser.axe(), "the new-wave form");
    browser.goto(&format!(
        "{}/admin/wellen/{slug}/einstellungen",
        app.address
    ));
    browser.click("button[value=vorschau]");
    browser.wait_for("#vorschau");
    assert_no_violations(&browser.axe(), "a wave's settings with the mail preview");
    browser.goto(&format!("{}/admin/wellen/{slug}", app.address));
    assert_no_violations(&browser.axe(), "a wave's participants");
    browser.screenshot(screen("admin-wave.png"));
    browser.click("form[enctype='multipart/form-data'] button");
    browser.wait_for(".error-summary");
    assert_no_violations(&browser.axe(), "a wave's participants with an upload error");
    browser.goto(&format!("{}/admin/umfragen", app.address));
    assert_eq!(browser.text("h1"), "Umfragen");
    assert_no_violations(&browser.axe(), "the surveys page");
    browser.click("button[value=laden]");
    browser.wait_for(".error-summary");
    assert_no_violations(&browser.axe(), "the surveys page without a file");
    browser.goto(&format!("{}/admin/umfragen/fruehjahr-2020/1", app.address));
    assert_no_violations(&browser.axe(), "the preview of a survey version");
    browser.goto(&format!("{}/admin/wellen/{slug}/einladungen", app.address));
    assert_no_violations(&browser.axe(), "the preview of the invitations");
    browser.goto(&format!(
        "{}/admin/wellen/{slug}?stand=nicht-eingeladen&seite=1",
        app.address
    ));
    assert_no_violations(&browser.axe(), "a wave's participants, filtered");
    browser.goto(&format!("{}/board/ruecklauf/{slug}", app.address));
    assert_no_violations(&browser.axe(), "a wave's progress");
    browser.goto(&format!("{}/admin/konten", app.address));
    assert_eq!(browser.text("h1"), "Zugänge");
    assert_no_violations(&browser.axe(), "the accounts page");
    browser.screenshot(screen("admin-accounts.png"));
    browser.goto(&format!("{}/admin/konten#neue-rolle", app.address));
    browser.screenshot(screen("admin-accounts-list.png"));
    browser.fill("#email", "keine-adresse");
    browser.click("form[action='/admin/konten'] button");
    browser.wait_for(".error-summary");
    assert_no_violations(&browser.axe(), "the accounts page with an error");
    // An API key: a name missing is refused at its field, then made and shown once, then revoked.
    browser.goto(&format!("{}/admin/konten", app.address));
    browser.click("form[action='/admin/konten/schluessel'] button");
    browser.wait_for(".error-summary a[href='#schluessel-name']");
    assert_no_violations(&browser.axe(), "the accounts page with a key refused");
    browser.fill("#schluessel-name", "Website");
    browser.click("form[action='/admin/konten/schluessel'] button");
    browser.wait_for("#neuer-schluessel");
    let key = browser
        .execute(
            "return document.getElementById('neuer-schluessel').value",
            vec![],
        )
        .as_str()
        .unwrap()
        .to_owned();
    assert!(key.starts_with("mint_") && key.len() == 69, "{key}");
    assert_no_violations(&browser.axe(), "the accounts page with a new key");
    browser.screenshot(screen("admin-api-key.png"));
    browser.set_window_size(360, 800);
    browser.screenshot(screen("admin-api-key-phone.png"));
    // Nothing makes the page wider than the phone (a visually hidden label inside a scrolling
    // table once did: absolutely positioned, it escaped the table's scroll box).
    let widths = browser.execute(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
        vec![],
    );
    assert!(
        widths[0].as_u64() <= widths[1].as_u64(),
        "wider than a phone: {widths}"
    );
    browser.set_window_size(1280, 900);
    browser.goto(&format!("{}/admin/konten", app.address));
    assert!(
        !browser.source().contains(&key),
        "the key is shown once only"
    );
    browser.click("form[action$='/widerrufen'] button");
    browser.wait_for(".notice");
    assert!(browser.text(".notice").contains("widerrufen"));
    assert_no_violations(&browser.axe(), "the accounts page with a revoked key");
    browser.goto(&format!("{}/board/api", app.address));
    assert_eq!(
        browser.text("h1"),
        "Die Schnittstelle (API) für die Systeme der Stiftung"
    );
    assert!(
        browser.title().starts_with("Schnittstelle (API)"),
        "{}",
        browser.title()
    );
    assert!(
        browser
            .text("main")
            .contains("GET /api/v1/waves/{wave}/results")
    );
    assert_no_violations(&browser.axe(), "the API's documentation");
    browser.screenshot(screen("board-api.png"));
    browser.set_window_size(360, 800);
    assert_no_violations(&browser.axe(), "the API's documentation on a phone");
    browser.screenshot(screen("board-api-phone.png"));
    browser.set_window_size(1280, 900);
    browser.goto(&format!("{}/board/land?land=DE-TH", app.address));
    assert_eq!(
        browser.text("h1"),
        "Welche Regionen in Thüringen haben geantwortet?"
    );
    assert_no_violations(&browser.axe(), "a Land's regions");
    browser.screenshot(screen("admin-land.png"));
    browser.click("form.account button");
    browser.wait_for(".notice");
    assert_eq!(browser.text("h1"), "Anmeldung");
}

/// The staff flow of a wave in a real browser: an admin loads a definition, creates a wave,
/// uploads participants with one bad row (sees it, nothing stored), fixes it, starts the
/// invitations (received by the test's SMTP server); a board member logs in and downloads the ZIP.
/// Asserts that the text of `css` contains `expected`, and shows the text when it does not.
fn assert_text(browser: &Browser, css: &str, expected: &str) {
    let text = browser.text(css);
    assert!(
        text.contains(expected),
        "`{css}` lacks {expected:?}: {text}"
    );
}

#[test]
fn an_admin_runs_a_wave_and_a_board_member_downloads_its_report() {
    use mint_survey::accounts::Role;
    let db = TestDb::new();
    crate::helpers::app::staff_account(&db, "admin@example.org", Role::Admin, None);
    crate::helpers::app::staff_account(&db, "beirat@example.org", Role::Board, None);
    let smtp = crate::helpers::smtp::SmtpServer::start();
    let app = TestApp::spawn_with_env(&db, &[("SMTP_URL", smtp.url())]);
    let browser = Browser::start();
    let login = |email: &str| {
        browser.goto(&format!("{}/login", app.address));
        browser.fill("#email", email);
        browser.fill("#passwort", crate::helpers::app::PASSWORD);
        browser.click("form[action='/login'] button");
        browser.wait_for("form.account");
    };
    login("admin@example.org");

    browser.goto(&format!("{}/admin/umfragen", app.address));
    let definition =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/fruehjahr-2020.toml");
    // First see it as respondents will, storing nothing; then load it.
    browser.choose_file("#datei", &definition);
    browser.click("button[value=vorschau]");
    browser.wait_for("section.form-page");
    assert_text(
        &browser,
        ".notice",
        "Vorschau der Datei fruehjahr-2020.toml (nicht gespeichert)",
    );
    assert_no_violations(&browser.axe(), "the preview of an uploaded definition");
    browser.goto(&format!("{}/admin/umfragen", app.address));
    browser.choose_file("#datei", &definition);
    browser.click("button[value=laden]");
    browser.wait_for_text(".notice", "als Version 1");

    browser.goto(&format!("{}/admin/wellen/neu", app.address));
    browser.fill("#titel", "Frühjahr 2020");
    browser.fill("#ende", "31.12.2099");
    browser.click("#oeffnen");
    browser.click("form[action='/admin/wellen/neu'] button");
    browser.wait_for("form[enctype='multipart/form-data']");
    assert_eq!(browser.text("h1"), "Welle Frühjahr 2020");

    let folder = crate::helpers::db::scratch_dir();
    let bad = folder.join("kontakte-fehler.csv");
    let header = "Region;Bundesland;E-Mail;Landesnetzwerk\n";
    let mut rows = String::from(header);
    for i in 0..6 {
        rows.push_str(&format!("Region {i};Bayern;region{i}@example.org;ja\n"));
    }
    std::fs::write(&bad, format!("{rows}Region X;Atlantis;x@example.org;ja\n")).unwrap();
    browser.choose_file("#datei", &bad);
    browser.click("form[enctype='multipart/form-data'] button");
    browser.wait_for(".error-summary");
    assert!(
        browser
            .text(".error-summary")
            .contains("Zeile 8, Spalte Bundesland")
    );
    assert!(
        browser.text("main").contains("Teilnehmende (0)"),
        "nothing stored"
    );
    assert_no_violations(&browser.axe(), "the wave page with a refused upload");
    // What German Excel saves as "CSV (Trennzeichen-getrennt)": Windows-1252, umlauts as one byte.
    let good = folder.join("kontakte.csv");
    let excel = rows.replacen("Region 0;Bayern", "Region M\u{fc}ller;Th\u{fc}ringen", 1);
    let windows_1252: Vec<u8> = excel
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 only"))
        .collect();
    std::fs::write(&good, windows_1252).unwrap();
    browser.choose_file("#datei", &good);
    browser.click("form[enctype='multipart/form-data'] button[value=vorschau]");
    browser.wait_for("#vorschau");
    assert!(browser.text("main").contains("6 würden neu importiert"));
    assert_text(&browser, "main", "als Windows-1252 gelesen");
    assert!(browser.text("#vorschau ~ div").contains("Region Müller"));
    assert!(
        browser.text("main").contains("Teilnehmende (0)"),
        "a preview stores nothing"
    );
    assert_no_violations(&browser.axe(), "the participants preview");
    browser.click("form:has(input[name=inhalt]) button");
    browser.wait_for_text(".notice", "6 Teilnehmende importiert");

    browser.click("form[action$='/einladungen'] button");
    browser.wait_for("input[name=anzahl]");
    assert!(browser.text("main").contains("6 Einladungen gehen hinaus"));
    assert_no_violations(&browser.axe(), "the confirmation of the invitations");
    browser.click("form[method=post][action$='/einladungen'] button");
    browser.wait_for_text(".notice", "6 Einladungen in die Warteschlange gestellt");
    smtp.wait_for_messages(6);
    assert_eq!(smtp.messages_to("region3@example.org").len(), 1);
    browser.click("a[href^='/board/ruecklauf/']");
    browser.wait_for("img.chart");
    assert_text(&browser, "main", "Einladung: ab ");
    assert_no_violations(&browser.axe(), "a wave's progress after the invitations");
    browser.click("form.account button");
    browser.wait_for("form[action='/login']");

    login("beirat@example.org");
    browser.goto(&format!("{}/board/waves/fruehjahr-2020/", app.address));
    assert_eq!(browser.text("h1"), "Frühjahr 2020: Auswertung je Land");
    // The ZIP link of the page, fetched with the browser's own session.
    assert!(browser.exists("a[href='report.zip']"));
    let (status, _, _, headers) = app.get(
        "/board/waves/fruehjahr-2020/report.zip",
        Some(&browser.cookie_header()),
    );
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
}

/// The consent on a phone: the summary and the tick box come first, the full privacy information
/// is folded ("Vollständige Datenschutzhinweise lesen"); on a wide screen it is shown whole.
#[test]
fn the_consent_folds_its_full_text_on_a_phone() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let url = format!(
        "{}{}",
        app.address,
        link_path(&db, &slug, "person0@example.org")
    );
    let browser = Browser::start();
    let layout = |browser: &Browser| {
        browser.execute(
            "const start = document.querySelector('button[value=beginnen]').getBoundingClientRect(); \
             const rights = [...document.querySelectorAll('details.consent-full p')] \
                 .find(p => p.textContent.includes('Ihre Rechte')); \
             const toggle = document.querySelector('details.consent-full summary'); \
             return { start: start.top + window.scrollY, \
                      rights: rights.checkVisibility(), \
                      toggle: toggle.checkVisibility() };",
            vec![],
        )
    };
    browser.set_window_size(360, 740);
    browser.goto(&url);
    assert!(browser.text(".consent").contains("Das Wichtigste in Kürze"));
    let phone = layout(&browser);
    browser.execute(
        "document.querySelector('.consent').scrollIntoView()",
        vec![],
    );
    browser.screenshot(screen("consent-phone.png"));
    assert_eq!(phone["rights"], false, "folded: {phone}");
    assert_eq!(phone["toggle"], true, "{phone}");
    assert!(
        phone["start"].as_f64().unwrap() < 2000.0,
        "'Umfrage beginnen' within reach on a phone (the whole text put it below 4,000 px): {phone}"
    );
    assert_no_violations(&browser.axe(), "the consent on a phone");
    browser.click("details.consent-full summary");
    assert_eq!(
        layout(&browser)["rights"],
        true,
        "unfolded, the full text is there"
    );

    browser.set_window_size(1280, 900);
    browser.goto(&url);
    let wide = layout(&browser);
    assert_eq!(wide["rights"], true, "open on a wide screen: {wide}");
    assert_eq!(wide["toggle"], false, "{wide}");
    assert_no_violations(&browser.axe(), "the consent on a wide screen");
    browser.execute(
        "document.querySelector('.consent-full-heading').scrollIntoView()",
        vec![],
    );
    browser.screenshot(screen("consent-wide.png"));
}

/// The open link's continue link in Chromium: the button under a page, the page that shows the
/// link once, on a phone, with axe.
#[test]
fn the_open_links_continue_page_has_no_accessibility_violations() {
    let db = TestDb::new();
    let slug = crate::open_link::actors_wave(&db);
    let app = TestApp::spawn(&db);
    let browser = Browser::start();
    browser.set_window_size(360, 740);
    browser.goto(&format!("{}/o/{slug}", app.address));
    browser.check("einwilligung", "ja");
    browser.click("button[value=beginnen]");
    browser.wait_for("form.alternative button");
    assert_no_violations(&browser.axe(), "a page of the open link");
    browser.click("form.alternative button");
    browser.wait_for("#link");
    assert!(browser.text("h1").contains("Link zum Weitermachen"));
    assert_no_violations(&browser.axe(), "the continue link page");
    browser.screenshot(screen("continue-phone.png"));
}
