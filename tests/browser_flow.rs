//! The whole questionnaire in a real headless Chromium: the link from a received mail, consent, every
//! page with a condition branch, an error and its fix, saving and coming back, submitting, changing an
//! answer and submitting again; axe checks every kind of page on the way.

use mint_survey::store::{responses as stored, surveys};
use mint_survey::survey::Survey;
use mint_survey::survey::answers::{Answer, Attributes};

use crate::helpers::app::TestApp;
use crate::helpers::browser::{Browser, assert_no_violations};
use crate::helpers::cli::mint_env;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{answer_page, open_wave};
use crate::helpers::smtp::SmtpServer;
use crate::questionnaire::stored_answers;

fn attributes() -> Attributes {
    [
        ("landesnetzwerk".to_owned(), "ja".to_owned()),
        ("land".to_owned(), "DE-BW".to_owned()),
    ]
    .into_iter()
    .collect()
}

/// The page index of the form on screen.
fn page_on_screen(browser: &Browser) -> usize {
    let source = browser.source();
    let marker = "name=\"page\" value=\"";
    let start = source.find(marker).expect("a questionnaire page") + marker.len();
    source[start..].split('"').next().unwrap().parse().unwrap()
}

/// Fills the page on screen as a person would: radio buttons, check boxes, text fields.
fn fill_page(browser: &Browser, db: &TestDb, survey: &Survey, overrides: &[(&str, &str)]) {
    let page = page_on_screen(browser);
    for (name, value) in answer_page(
        survey,
        page,
        &stored_answers(db, survey),
        &attributes(),
        overrides,
    ) {
        if !browser.exists(&format!("[name='{name}']")) {
            continue; // an override for another page
        }
        if browser.exists(&format!("input[type=radio][name='{name}']")) {
            browser.select_radio(&name, &value);
        } else if browser.exists(&format!("input[type=checkbox][name='{name}']")) {
            if !browser.is_checked(&name, &value) {
                browser.check(&name, &value);
            }
        } else {
            browser.fill(&format!("#{name}"), &value);
        }
    }
}

/// Clicks a submit button and waits until the next page (after the redirect) has loaded: WebDriver's
/// click returns before the navigation it starts has finished.
fn press(browser: &Browser, css: &str) {
    browser.execute(
        "document.documentElement.setAttribute('data-alt', '1')",
        Vec::new(),
    );
    browser.click(css);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let loaded = browser.execute(
            "return document.readyState === 'complete' && !document.documentElement.hasAttribute('data-alt')",
            Vec::new(),
        );
        if loaded == serde_json::Value::Bool(true) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no new page after clicking {css}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Goes on page after page until the confirmation.
fn finish(browser: &Browser, db: &TestDb, survey: &Survey, overrides: &[(&str, &str)]) {
    for _ in 0..12 {
        if browser.source().contains("Vielen Dank!") {
            return;
        }
        fill_page(browser, db, survey, overrides);
        if browser.exists("button[value=absenden]") {
            press(browser, "button[value=absenden]");
        } else {
            press(browser, "button[value=weiter]");
        }
        assert!(
            !browser.exists(".error-summary"),
            "a page was refused: {}",
            browser.source()
        );
    }
    panic!("the questionnaire did not end");
}

#[test]
fn a_respondent_fills_in_the_whole_questionnaire_in_chromium() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    let app = TestApp::spawn(&db);
    let survey = surveys::find_latest(&mut db.conn(), "fruehjahr-2020")
        .unwrap()
        .unwrap()
        .survey;
    let smtp = SmtpServer::start();
    let public = app.address.clone();
    mint_env(
        &db,
        &["invite", "--yes", "--wave", &slug],
        &[("SMTP_URL", &smtp.url()), ("PUBLIC_URL", &public)],
    )
    .success();
    let mail = smtp
        .messages_to("person0@example.org")
        .pop()
        .expect("the invitation arrived");
    let link = mail
        .links()
        .into_iter()
        .find(|l| !l.ends_with("/optout"))
        .unwrap();

    let browser = Browser::start();
    browser.goto(&link);
    assert_no_violations(&browser.axe(), "the consent page");
    // The survey's texts name this wave's dates (opened today, closing 31.12.2099), not 2020's.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%d.%m.%Y");
    assert!(
        browser
            .text("main")
            .contains(&format!("läuft vom {today} bis zum 31.12.2099.")),
        "{}",
        browser.text("main")
    );
    assert!(
        browser.text(".consent").contains(
            "nach dem Ende der Befragung (31.12.2099), die Antworten spätestens am 31.12.2101"
        ),
        "{}",
        browser.text(".consent")
    );
    browser.check("einwilligung", "ja");
    press(&browser, "button[value=beginnen]");

    // Page 1: a gap first, then the fix.
    assert!(browser.text(".progress").starts_with("Seite 1 von"));
    assert_no_violations(&browser.axe(), "a questionnaire page");
    browser.select_radio("q_lage_gesamt", "eher_gut");
    press(&browser, "button[value=weiter]");
    assert!(browser.exists(".error-summary a[href='#q_existenz_bedroht']"));
    assert!(
        browser.is_checked("q_lage_gesamt", "eher_gut"),
        "what was chosen stays chosen"
    );
    assert_no_violations(&browser.axe(), "a page with errors");
    browser.select_radio("q_existenz_bedroht", "ja");
    fill_page(&browser, &db, &survey, &[("q_existenz_bedroht", "ja")]);
    press(&browser, "button[value=weiter]");
    assert!(browser.text(".progress").starts_with("Seite 2 von"));

    // Save, leave, come back later through the same link.
    fill_page(&browser, &db, &survey, &[]);
    press(&browser, "button[value=speichern]");
    assert!(
        browser
            .text(".notice")
            .contains("Ihre Antworten sind gespeichert")
    );
    browser.goto(&format!("{}/datenschutz", app.address));
    browser.goto(&link);
    let resumed = browser.text(".progress");
    assert!(
        resumed.starts_with("Seite 2 von"),
        "resumed where it stopped, not on {resumed}: {}",
        browser.source()
    );

    finish(&browser, &db, &survey, &[("q_existenz_bedroht", "ja")]);
    assert_no_violations(&browser.axe(), "the confirmation");
    assert!(
        stored_answers(&db, &survey).contains_key("existenz_hilfe"),
        "the condition branch was asked"
    );

    // Change an answer and submit again.
    press(&browser, "button[value=aendern]");
    browser.select_radio("q_existenz_bedroht", "nein");
    press(&browser, "button[value=weiter]");
    finish(&browser, &db, &survey, &[("q_existenz_bedroht", "nein")]);
    let answers = stored_answers(&db, &survey);
    assert_eq!(
        answers.get("existenz_bedroht"),
        Some(&Answer::Single {
            code: "nein".into(),
            other: None
        })
    );
    assert!(!answers.contains_key("existenz_hilfe"));
    let mut conn = db.conn();
    let participant = mint_survey::store::participants::find_by_token(
        &mut conn,
        link.rsplit('/').next().unwrap(),
    )
    .unwrap()
    .unwrap();
    let response = stored::find_for_participant(&mut conn, participant.id)
        .unwrap()
        .unwrap();
    assert!(response.submitted_at.is_some() && response.reopened_at.is_none());
}
