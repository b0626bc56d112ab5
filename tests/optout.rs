//! `/t/{token}/optout` over real HTTP: confirm, CSRF, what unknown and closed links get.

use diesel::prelude::*;
use mint_survey::store::schema::{contacts, participants};

use crate::helpers::app::TestApp;
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

#[test]
fn opting_out_takes_a_confirmed_form_with_its_csrf_token() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    let app = TestApp::spawn(&db);
    let path = format!("{}/optout", link_path(&db, &slug, "person0@example.org"));

    let (status, cookie, body, headers) = app.get(&path, None);
    assert_eq!(status, 200);
    assert!(
        body.contains("<h1>Erinnerungen abbestellen</h1>") && body.contains("Frühjahr 2020"),
        "{body}"
    );
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(headers.get("referrer-policy").unwrap(), "no-referrer");
    let cookie = cookie.expect("a CSRF cookie");
    let token = cookie.trim_start_matches("csrf=");
    assert!(body.contains(&format!("name=\"csrf\" value=\"{token}\"")));

    assert_eq!(
        app.post_form(&path, None, &format!("csrf={token}")).0,
        403,
        "no cookie"
    );
    assert_eq!(
        app.post_form(&path, Some(&cookie), "csrf=0000").0,
        403,
        "wrong token"
    );
    assert!(
        !opted_out(&db, "person0@example.org"),
        "a refused form changes nothing"
    );

    let (status, location) = app.post_form(&path, Some(&cookie), &format!("csrf={token}"));
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(path.as_str())),
        "post/redirect/get"
    );
    assert!(opted_out(&db, "person0@example.org"));
    assert!(!opted_out(&db, "person1@example.org"));
    let (status, _, body, _) = app.get(&path, Some(&cookie));
    assert_eq!(status, 200);
    assert!(
        body.contains("Sie erhalten zu dieser Umfrage keine Erinnerungen mehr."),
        "{body}"
    );
    assert_eq!(
        app.post_form(&path, Some(&cookie), &format!("csrf={token}"))
            .0,
        303,
        "twice is harmless"
    );
}

#[test]
fn unknown_revoked_and_closed_links_get_the_same_kind_of_page() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    let app = TestApp::spawn(&db);
    let valid = link_path(&db, &slug, "person0@example.org");
    let revoked = link_path(&db, &slug, "person1@example.org");
    mint(
        &db,
        &[
            "participants",
            "revoke",
            "--wave",
            &slug,
            "--email",
            "person1@example.org",
        ],
    )
    .success();

    let (unknown_status, _, unknown_body, _) =
        app.get("/t/0b1c2d3e-0000-4000-8000-000000000000/optout", None);
    let (revoked_status, _, revoked_body, _) = app.get(&format!("{revoked}/optout"), None);
    let (garbage_status, _, _, _) = app.get("/t/not-a-token", None);
    assert_eq!(
        (unknown_status, revoked_status, garbage_status),
        (404, 404, 404)
    );
    assert_eq!(unknown_body, revoked_body, "no hint whether a token exists");
    assert!(unknown_body.contains("Seite nicht gefunden"));
    // Whom to ask for a new link: the installation's contact (SURVEY_CONTACT, by default the
    // sender's address).
    assert!(
        unknown_body.contains("schreiben Sie bitte an das Team der Umfrage: umfragen@localhost."),
        "{unknown_body}"
    );

    // Pages of a personal link (the summary shows answers) are never kept in a cache.
    let (status, _, _, headers) = app.get(&valid, None);
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let open = app.get("/o/irgendeine-welle", None);
    assert_eq!(
        open.3.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{}",
        open.0
    );
    let style = app.get("/static/style.css", None).3;
    assert_eq!(
        style.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("public, max-age=3600")
    );
    mint(&db, &["wave", "close", &slug]).success();
    let (status, _, body, _) = app.get(&format!("{valid}/optout"), None);
    assert_eq!(status, 410);
    assert!(body.contains("Die Umfrage ist beendet"), "{body}");
}

#[test]
fn health_legal_pages_and_oversized_bodies() {
    let db = TestDb::new();
    let app = TestApp::spawn(&db);
    assert_eq!(app.get("/healthz", None).0, 200);
    let (status, _, body, _) = app.get("/barrierefreiheit", None);
    assert!(
        status == 200
            && body.contains("Erklärung zur Barrierefreiheit")
            && body.contains("umfragen@localhost"),
        "{body}"
    );
    assert_eq!(app.get("/datenschutz", None).0, 200);
    let big = "csrf=".to_owned() + &"a".repeat(200_000);
    let (status, _, body) = app.post("/t/0b1c2d3e-0000-4000-8000-000000000000/optout", None, &big);
    assert_eq!(status, 413);
    assert!(
        body.contains("Zu viele Daten") && body.contains("lang=\"de\""),
        "the common German page: {body}"
    );
}

#[test]
fn health_says_503_when_the_database_does_not_answer() {
    let db = TestDb::new();
    let app = TestApp::spawn_without_database(&db);
    let (status, _, body, _) = app.get("/healthz", None);
    assert_eq!((status, body.as_str()), (503, "database unavailable\n"));
}

#[test]
fn an_address_guessing_links_is_paused_even_for_valid_ones() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let valid = link_path(&db, &slug, "person0@example.org");
    assert_eq!(app.get(&valid, None).0, 200);
    for i in 0..30 {
        let guess = format!("/t/0b1c2d3e-0000-4000-8000-{i:012}");
        assert_eq!(app.get(&guess, None).0, 404);
    }
    let (status, _, body, _) = app.get("/t/0b1c2d3e-0000-4000-8000-999999999999", None);
    assert_eq!(status, 429);
    assert!(body.contains("Bitte einen Moment Geduld"), "{body}");
    assert_eq!(app.get(&valid, None).0, 429, "the whole address is paused");
    assert_eq!(
        app.get("/healthz", None).0,
        200,
        "other pages are not affected"
    );
}

#[test]
fn an_installation_shows_its_own_privacy_notice_and_accessibility_statement() {
    let db = TestDb::new();
    let privacy = crate::helpers::cli::scratch_file(
        "datenschutz.txt",
        "Verantwortlich ist die Musterstiftung.\n\nKontakt: datenschutz@muster.example",
    );
    let statement = crate::helpers::cli::scratch_file(
        "barrierefreiheit.txt",
        "Diese Seiten sind barrierefrei.\n\nRückmeldungen an a11y@muster.example",
    );
    let app = TestApp::spawn_with_legal_files(&db, &privacy, &statement);
    let (_, _, body, _) = app.get("/datenschutz", None);
    assert!(
        body.contains("<p>Verantwortlich ist die Musterstiftung.</p>")
            && body.contains("datenschutz@muster.example"),
        "{body}"
    );
    let (_, _, body, _) = app.get("/barrierefreiheit", None);
    assert!(
        body.contains("Rückmeldungen an a11y@muster.example"),
        "{body}"
    );
}

/// While the database is away, pages answer 503 "vorübergehend nicht erreichbar" with
/// `Retry-After`, never 500; once it was found away, the next requests do not wait for the pool.
#[test]
fn pages_answer_503_with_retry_after_while_the_database_is_away() {
    let db = TestDb::new();
    let app = TestApp::spawn_without_database(&db);
    for path in [
        "/t/0b1c2d3e-0000-4000-8000-000000000000",
        "/o/irgendeine-welle",
        "/t/0b1c2d3e-0000-4000-8000-000000000001",
    ] {
        let (status, _, body, headers) = app.get(path, None);
        assert_eq!(status, 503, "{path}: {body}");
        assert!(body.contains("vorübergehend nicht erreichbar"), "{body}");
        assert_eq!(
            headers.get("retry-after").and_then(|v| v.to_str().ok()),
            Some("5")
        );
    }
    assert_eq!(app.get("/healthz", None).0, 503);
}
