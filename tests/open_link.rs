//! `/o/{wave}`: the actors' open link: a response per browser session, the Land from the answer,
//! the honeypot and the limit on new responses per address.

use diesel::prelude::*;
use mint_survey::store::schema::responses;
use mint_survey::store::surveys;
use mint_survey::survey::answers::Attributes;

use crate::helpers::app::{Respondent, TestApp};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::answer_page;
use crate::helpers::fixtures::open_wave;
use crate::helpers::smtp::SmtpServer;
use crate::questionnaire::{answer_to_the_end, page_index};

/// An open wave of the actors' survey; returns its slug.
pub fn actors_wave(db: &TestDb) -> String {
    mint(db, &["survey", "load", "surveys/herbst-2020-akteure.toml"]).success();
    let slug = mint(
        db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020-akteure",
            "--title",
            "Herbst 2020 Akteure",
        ],
    )
    .success()
    .trim()
    .to_owned();
    mint(db, &["wave", "open", &slug]).success();
    slug
}

fn submitted_lands(db: &TestDb) -> Vec<Option<String>> {
    responses::table
        .filter(responses::submitted_at.is_not_null())
        .order(responses::id)
        .select(responses::land_code)
        .load(&mut db.conn())
        .unwrap()
}

#[test]
fn every_browser_session_gets_its_own_anonymous_response_counted_for_the_chosen_land() {
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let app = TestApp::spawn(&db);
    let survey = surveys::find_latest(&mut db.conn(), "herbst-2020-akteure")
        .unwrap()
        .unwrap()
        .survey;
    for land in ["DE-TH", "DE-BY"] {
        let (mut browser, body) = Respondent::open(&app, &format!("/o/{slug}"));
        assert!(
            body.contains("Datenschutz und Einwilligung") && body.contains("name=\"website\""),
            "{body}"
        );
        let (status, _, _) = browser.post("beginnen", &[("einwilligung".into(), "ja".into())]);
        assert_eq!(status, 303);
        let overrides = [("q_land", land), ("q_neue_digitale_angebote", "nein")];
        answer_to_the_end(&db, &survey, &mut browser, &Attributes::new(), &overrides);
    }
    assert_eq!(
        submitted_lands(&db),
        [Some("DE-TH".to_owned()), Some("DE-BY".to_owned())]
    );
    let participants: Vec<Option<i64>> = responses::table
        .select(responses::participant_id)
        .load(&mut db.conn())
        .unwrap();
    assert!(
        participants.iter().all(Option::is_none),
        "open-link responses are anonymous"
    );
}

#[test]
fn a_filled_honeypot_stores_nothing() {
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let app = TestApp::spawn(&db);
    let (mut robot, _) = Respondent::open(&app, &format!("/o/{slug}"));
    let (status, _, _) = robot.post(
        "beginnen",
        &[
            ("einwilligung".into(), "ja".into()),
            ("website".into(), "http://spam.example".into()),
        ],
    );
    assert_eq!(status, 303, "the robot is not told");
    let count: i64 = responses::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(count, 0);
}

#[test]
fn one_address_starts_at_most_20_responses_an_hour() {
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let app = TestApp::spawn(&db);
    for _ in 0..20 {
        let (mut browser, _) = Respondent::open(&app, &format!("/o/{slug}"));
        assert_eq!(
            browser
                .post("beginnen", &[("einwilligung".into(), "ja".into())])
                .0,
            303
        );
    }
    let (mut flood, _) = Respondent::open(&app, &format!("/o/{slug}"));
    let (status, _, body) = flood.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 429, "{body}");
    let count: i64 = responses::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(count, 20);
}

#[test]
fn only_open_access_surveys_have_an_open_link() {
    let db = TestDb::new();
    let token_wave = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    assert_eq!(
        app.get(&format!("/o/{token_wave}"), None).0,
        404,
        "regions answer with personal links only"
    );
    assert_eq!(app.get("/o/gibt-es-nicht", None).0, 404);
}

/// An open-link wave names its address on the command line and on its page, and offers no
/// invitations, reminders or participants upload: there is no one to mail.
#[test]
fn an_open_link_wave_shows_its_address_and_refuses_mailings_and_contacts() {
    use crate::helpers::app::{PASSWORD, csrf_of, staff_account};
    use mint_survey::accounts::Role;
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/herbst-2020-akteure.toml"]).success();
    let created = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020-akteure",
            "--title",
            "Akteure",
        ],
    );
    let link = "http://127.0.0.1:8080/o/akteure";
    assert!(created.stderr.contains(link), "{created:?}");
    assert!(mint(&db, &["wave", "list"]).success().contains(link));
    mint(&db, &["wave", "open", "akteure"]).success();
    let refused = mint(&db, &["invite", "--yes", "--wave", "akteure"]);
    assert!(
        refused.failure().contains("answered through its open link"),
        "{refused:?}"
    );
    let file = crate::helpers::cli::scratch_file(
        "akteure.csv",
        "Region;Land;E-Mail\nJena;DE-TH;jena@example.org\n",
    );
    let import = mint(
        &db,
        &[
            "participants",
            "import",
            "--wave",
            "akteure",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        import.failure().contains("takes no participants file"),
        "{import:?}"
    );

    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let (status, _, page, _) = app.get("/admin/wellen/akteure", Some(&auth));
    assert_eq!(status, 200);
    assert!(page.contains(&format!("value=\"{link}\"")), "{page}");
    for absent in ["Einladungen senden", "Teilnehmende hochladen"] {
        assert!(
            !page.contains(absent),
            "{absent} on an open-link wave's page"
        );
    }
    let (status, _, confirm, _) = app.get("/admin/wellen/akteure/einladungen", Some(&auth));
    assert_eq!(status, 422);
    assert!(confirm.contains("öffentlichen Link"), "{confirm}");
    let form = format!("csrf={}&anzahl=0", csrf_of(&auth));
    let (status, _) = app.post_form("/admin/wellen/akteure/einladungen", Some(&auth), &form);
    assert_eq!(status, 422);
}

/// The open link's session survives closing the browser: its cookie lasts until the wave closes
/// ("Sie können jederzeit mit Ihrem Link weitermachen").
#[test]
fn an_open_link_session_lasts_until_the_wave_closes() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/herbst-2020-akteure.toml"]).success();
    let slug = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020-akteure",
            "--title",
            "Akteure bis Juni",
            "--closes",
            "2099-06-30",
        ],
    )
    .success()
    .trim()
    .to_owned();
    mint(&db, &["wave", "open", &slug]).success();
    let app = TestApp::spawn(&db);
    let path = format!("/o/{slug}");
    let (_, csrf, _, _) = app.get(&path, None);
    let csrf = csrf.unwrap();
    let response = app
        .client
        .post(format!("{}{path}", app.address))
        .header("Cookie", &csrf)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(
            format!(
                "csrf={}&aktion=beginnen&einwilligung=ja",
                crate::helpers::app::csrf_of(&csrf)
            )
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sitzung="))
        .expect("a session cookie")
        .to_owned();
    assert!(session.contains("Expires=Tue, 30 Jun 2099"), "{session}");
    assert!(session.contains("HttpOnly"), "{session}");
}

/// The value of the page's `<input id="link" … readonly>`: the continue link shown once.
fn shown_link(body: &str) -> String {
    let start = body
        .find("id=\"link\" value=\"")
        .expect("a link on the page")
        + 17;
    body[start..].split('"').next().unwrap().to_owned()
}

#[test]
fn a_continue_link_takes_the_response_to_another_browser_and_is_mailed_without_storing_the_address()
{
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with_env(&db, &[("SMTP_URL", smtp.url())]);
    let survey = surveys::find_latest(&mut db.conn(), "herbst-2020-akteure")
        .unwrap()
        .unwrap()
        .survey;
    let path = format!("/o/{slug}");
    let (mut first, _) = Respondent::open(&app, &path);
    let (status, _, _) = first.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 303);
    let (_, body) = first.page();
    let page = page_index(&body);
    assert!(body.contains("Link zum Weitermachen"), "{body}");
    let fields = answer_page(&survey, page, &Default::default(), &Attributes::new(), &[]);
    let (status, _, _) = first.post(
        "weiter",
        &[&[("page".to_owned(), page.to_string())][..], &fields].concat(),
    );
    assert_eq!(status, 303);
    let (_, body) = first.page();
    let next = page_index(&body);
    assert_ne!(next, page);

    // A wrong address: a German message, no link made.
    let (status, _, body) = first.post_at("/weiterlink", &[("email", "keine adresse")]);
    assert_eq!(status, 422);
    assert!(body.contains("Bitte geben Sie eine gültige E-Mail-Adresse an"));
    assert!(!body.contains("id=\"link\""));
    assert!(
        body.contains("value=\"keine adresse\""),
        "what was typed is kept"
    );

    // Asked for with an address: shown once and mailed there.
    let (status, _, body) = first.post_at("/weiterlink", &[("email", "ich@example.net")]);
    assert_eq!(status, 200, "{body}");
    let link = shown_link(&body);
    let continue_path = &link[link.find("/o/").unwrap()..];
    assert!(
        continue_path.starts_with(&format!("/o/{slug}/weiter/")),
        "{link}"
    );
    assert!(body.contains("Der Link ist an ich@example.net gesendet"));
    smtp.wait_for_messages(1);
    let mail = smtp.messages_to("ich@example.net").pop().unwrap();
    assert!(mail.links().contains(&link), "{:?}", mail.links());

    // Another browser takes over where the first stopped.
    let (status, cookie, _, headers) = app.get(continue_path, None);
    assert_eq!(status, 303);
    assert_eq!(headers.get("location").unwrap().to_str().unwrap(), path);
    let cookie = cookie.expect("the session cookie");
    assert!(cookie.starts_with("sitzung="));
    let (status, _, body, _) = app.get(&path, Some(&cookie));
    assert_eq!(status, 200);
    assert_eq!(page_index(&body), next, "{body}");
    // The first browser's session is no longer the response's; asking again makes a new link and
    // the one shown before stops working.
    let (_, body) = first.page();
    assert!(body.contains("Umfrage beginnen"), "{body}");
    let (status, _, _, _) = app.get(continue_path, None);
    assert_eq!(status, 303, "still the newest link");
    let (status, _, _, _) = app.get(&format!("/o/{slug}/weiter/{}", "0".repeat(64)), None);
    assert_eq!(status, 404);

    // The address is stored nowhere.
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM (
           SELECT r::text AS t FROM responses r UNION ALL SELECT a::text FROM answers a
           UNION ALL SELECT l::text FROM audit_log l UNION ALL SELECT m::text FROM staff_mails m
           UNION ALL SELECT o::text FROM mail_outbox o UNION ALL SELECT c::text FROM contacts c
           UNION ALL SELECT b::text FROM brake_events b) rows
         WHERE t LIKE '%example.net%'",
    )
    .get_result(&mut db.conn())
    .unwrap();
    assert_eq!(found.n, 0);
}
