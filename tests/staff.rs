//! Staff accounts: `user add`, the password link, login and logout, sessions, roles on every
//! route, CSRF on every staff form, and the audit log.

use diesel::prelude::*;
use mint_survey::accounts::Role;
use mint_survey::store::schema::{audit_log, staff_sessions};

use crate::helpers::app::{PASSWORD, TestApp, csrf_of, encode, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::open_wave;

fn actions(db: &TestDb) -> Vec<(String, String)> {
    audit_log::table
        .select((audit_log::actor, audit_log::action))
        .order(audit_log::id)
        .load(&mut db.conn())
        .unwrap()
}

#[test]
fn a_new_account_sets_its_password_through_its_link_and_logs_in() {
    let db = TestDb::new();
    let out = mint(
        &db,
        &[
            "user",
            "add",
            "--email",
            "Leitung@Example.org",
            "--role",
            "admin",
        ],
    )
    .success()
    .to_owned();
    assert!(out.contains("Added leitung@example.org as admin."), "{out}");
    let link = out
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.contains("/passwort/")))
        .expect("a password link")
        .to_owned();
    let path = &link[link.find("/passwort/").unwrap()..];
    let mail = std::fs::read_dir(db.var_dir.join("outbox/staff"))
        .unwrap()
        .count();
    assert_eq!(mail, 1, "the link is mailed too");
    let again = mint(
        &db,
        &[
            "user",
            "add",
            "--email",
            "leitung@example.org",
            "--role",
            "board",
        ],
    );
    assert!(
        again
            .failure()
            .contains("there is already an account for leitung@example.org")
    );
    let wrong = mint(
        &db,
        &[
            "user",
            "add",
            "--email",
            "x@example.org",
            "--role",
            "coordinator",
        ],
    );
    assert!(wrong.failure().contains("a coordinator needs --land"));

    let app = TestApp::spawn(&db);
    let (status, cookie, body, _) = app.get(path, None);
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.unwrap();
    let csrf = csrf_of(&cookie);
    let post = |form: String| app.post_form(path, Some(&cookie), &form);
    let (status, _) = post(format!("csrf={csrf}&passwort=kurz&wiederholung=kurz"));
    assert_eq!(status, 422);
    let (status, _) = post(format!("passwort={0}&wiederholung={0}", encode(PASSWORD)));
    assert_eq!(status, 403, "no CSRF token, no password");
    let (status, location) = post(format!(
        "csrf={csrf}&passwort={0}&wiederholung={0}",
        encode(PASSWORD)
    ));
    assert_eq!((status, location.as_deref()), (303, Some("/login?gesetzt")));
    // The link works once.
    assert_eq!(app.get(path, None).0, 404);
    let auth = app.login("LEITUNG@example.org", PASSWORD);
    let (status, _, body, _) = app.get("/admin", Some(&auth));
    assert_eq!(status, 200);
    assert!(body.contains("Angemeldet als leitung@example.org"));
    // `user add` sent the mail before it returned: the account list says so.
    let (_, _, list, _) = app.get("/admin/konten", Some(&auth));
    assert!(list.contains("aktiv (Mail gesendet)"), "{list}");
    let log = actions(&db);
    assert!(
        log.iter()
            .any(|(actor, action)| actor.starts_with("Kommandozeile (") && action == "user_added"),
        "{log:?}"
    );
    assert!(log.contains(&("leitung@example.org".into(), "password_set".into())));
    assert!(log.contains(&("leitung@example.org".into(), "login".into())));
}

fn login_attempt(app: &TestApp, email: &str, password: &str) -> (u16, String) {
    let (_, cookie, _, _) = app.get("/login", None);
    let cookie = cookie.unwrap();
    let csrf = csrf_of(&cookie);
    let form = format!(
        "csrf={csrf}&email={}&passwort={}",
        encode(email),
        encode(password)
    );
    let (status, _) = app.post_form("/login", Some(&cookie), &form);
    (status, cookie)
}

#[test]
fn failed_logins_get_one_message_and_the_guessing_address_is_slowed() {
    let db = TestDb::new();
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    // Unknown address and wrong password: the same answer.
    assert_eq!(login_attempt(&app, "niemand@example.org", PASSWORD).0, 422);
    for _ in 0..5 {
        assert_eq!(
            login_attempt(&app, "beirat@example.org", "falsches Passwort!").0,
            422
        );
    }
    // Slowed now, from this address even with the right password (see tests/brakes.rs for the owner).
    assert_eq!(login_attempt(&app, "beirat@example.org", PASSWORD).0, 422);
    let (_, cookie) = login_attempt(&app, "beirat@example.org", PASSWORD);
    let form = format!("email=beirat%40example.org&passwort={}", encode(PASSWORD));
    assert_eq!(
        app.post_form("/login", Some(&cookie), &form).0,
        403,
        "no CSRF token"
    );
    let failed = actions(&db)
        .iter()
        .filter(|(_, a)| a == "login_failed")
        .count();
    assert_eq!(failed, 8);
}

#[test]
fn logout_ends_the_session_and_idle_sessions_expire() {
    let db = TestDb::new();
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("beirat@example.org", PASSWORD);
    assert_eq!(app.get("/board", Some(&auth)).0, 200);
    let csrf = csrf_of(&auth);
    assert_eq!(
        app.post_form("/logout", Some(&auth), "").0,
        403,
        "a form without its token"
    );
    assert_eq!(app.post_form("/logout", Some(&auth), "csrf=falsch").0, 403);
    let (status, location) = app.post_form("/logout", Some(&auth), &format!("csrf={csrf}"));
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/login?abgemeldet"))
    );
    assert_eq!(app.get("/board", Some(&auth)).0, 303);

    let auth = app.login("beirat@example.org", PASSWORD);
    diesel::update(staff_sessions::table)
        .set(staff_sessions::last_seen_at.eq(chrono::Utc::now() - chrono::Duration::minutes(31)))
        .execute(&mut db.conn())
        .unwrap();
    assert_eq!(
        app.get("/board", Some(&auth)).0,
        303,
        "30 minutes idle end a session"
    );
}

/// Every staff route × anonymous and each role: the status expected.
#[test]
fn every_route_answers_each_role_as_designed() {
    let db = TestDb::new();
    let slug = open_wave(&db, 4);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    staff_account(&db, "land@example.org", Role::Coordinator, Some("DE-BW"));
    let app = TestApp::spawn(&db);
    let sessions = [
        ("anonymous", None),
        ("admin", Some(app.login("admin@example.org", PASSWORD))),
        ("board", Some(app.login("beirat@example.org", PASSWORD))),
        ("coordinator", Some(app.login("land@example.org", PASSWORD))),
    ];
    let report = format!("/board/waves/{slug}/");
    let zip = format!("/board/waves/{slug}/report.zip");
    let csv = format!("/board/waves/{slug}/per-land.csv");
    let admin_wave = format!("/admin/wellen/{slug}");
    let settings = format!("/admin/wellen/{slug}/einstellungen");
    // anonymous, admin, board, coordinator
    let routes: [(&str, [u16; 4]); 15] = [
        ("/board", [303, 200, 200, 200]),
        (&report, [303, 200, 200, 200]),
        (&zip, [303, 200, 200, 200]),
        (&csv, [303, 200, 200, 200]),
        ("/board/land", [303, 200, 403, 200]),
        ("/admin", [303, 200, 403, 403]),
        ("/admin/protokoll", [303, 200, 403, 403]),
        ("/admin/protokoll.csv", [303, 200, 403, 403]),
        ("/admin/umfragen", [303, 200, 403, 403]),
        ("/admin/konten", [303, 200, 403, 403]),
        ("/admin/wellen/neu", [303, 200, 403, 403]),
        (&admin_wave, [303, 200, 403, 403]),
        (&settings, [303, 200, 403, 403]),
        ("/login", [200, 200, 200, 200]),
        ("/passwort-vergessen", [200, 200, 200, 200]),
    ];
    let mut wrong = Vec::new();
    for (route, expected) in &routes {
        for ((who, cookie), want) in sessions.iter().zip(expected) {
            let (status, _, _, _) = app.get(route, cookie.as_deref());
            if status != *want {
                wrong.push(format!("{route} as {who}: {status}, expected {want}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_coordinator_sees_which_regions_of_their_land_answered_and_nothing_else() {
    let db = TestDb::new();
    open_wave(&db, 32);
    staff_account(&db, "land@example.org", Role::Coordinator, Some("DE-BY"));
    let app = TestApp::spawn(&db);
    let auth = app.login("land@example.org", PASSWORD);
    let (status, _, body, _) = app.get("/board/land?land=DE-TH", Some(&auth));
    assert_eq!(status, 200);
    assert!(
        body.contains("Welche Regionen in Bayern haben geantwortet?"),
        "{body}"
    );
    assert!(body.contains("MINT-Region Nummer 1<") && body.contains("MINT-Region Nummer 17<"));
    assert!(
        !body.contains("MINT-Region Nummer 0<"),
        "a region of another Land"
    );
    assert!(body.contains("0 von 2 Regionen haben geantwortet"));
}

#[test]
fn the_audit_log_filters_and_exports_without_formulas() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let _ = login_attempt(&app, "=cmd|' /C calc'!A0", "x");
    let auth = app.login("admin@example.org", PASSWORD);
    let (status, _, body, _) = app.get("/admin/protokoll?aktion=login_failed", Some(&auth));
    assert_eq!(status, 200);
    assert!(
        body.contains("<td>fehlgeschlagene Anmeldung</td>") && !body.contains("<td>Anmeldung</td>"),
        "the actions in German, filtered: {body}"
    );
    let (status, _, csv, headers) =
        app.get("/admin/protokoll.csv?aktion=login_failed", Some(&auth));
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("protokoll.csv")
    );
    assert!(csv.starts_with("time,actor,action,subject,details"));
    assert!(csv.contains("'=cmd"), "{csv}");
    assert!(actions(&db).contains(&("admin@example.org".into(), "audit_exported".into())));
}

/// A multipart form body with `fields` and one file.
fn multipart(fields: &[(&str, &str)], (name, text): (&str, &str)) -> (String, Vec<u8>) {
    multipart_bytes(fields, (name, text.as_bytes()))
}

/// A multipart form body with `fields` and one file of any bytes.
fn multipart_bytes(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "grenze4711";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        file.0
    ));
    let mut body = body.into_bytes();
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn an_admin_uploads_a_definition_sees_its_problems_then_loads_it() {
    use mint_survey::store::schema::survey_versions;
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&auth);
    let upload = |fields: &[(&str, &str)], file: (&str, &str)| {
        app.post_multipart("/admin/umfragen", &auth, multipart(fields, file))
    };
    let good = std::fs::read_to_string("surveys/fruehjahr-2020.toml").unwrap();
    let broken = good.replacen("required = true", "requird = true", 1);
    let (status, body) = upload(
        &[("csrf", &csrf), ("aktion", "laden")],
        ("neu.toml", &broken),
    );
    assert_eq!(status, 422);
    // The page words the checker's problems in German; the English is the command line's.
    assert!(
        body.contains(
            "neu.toml, Zeile 90, Spalte 1: unbekannter Schlüssel „requird“ in der Frage „lage_gesamt“ (gemeint ist wohl „required“)"
        ),
        "{body}"
    );
    assert!(!body.contains("neu.toml:90:1"), "{body}");
    assert!(!body.contains("unknown key"), "{body}");
    assert!(!body.contains("did you mean"), "{body}");
    let versions = || -> i64 {
        survey_versions::table
            .count()
            .get_result(&mut db.conn())
            .unwrap()
    };
    assert_eq!(versions(), 0, "nothing stored from a broken file");
    let (status, _) = upload(&[("aktion", "laden")], ("neu.toml", &good));
    assert_eq!(status, 403, "no CSRF token");
    let (status, body) = upload(
        &[("csrf", &csrf), ("aktion", "pruefen")],
        ("neu.toml", &good),
    );
    assert_eq!(status, 200);
    assert!(body.contains("keine Probleme gefunden") && versions() == 0);
    let (status, body) = upload(&[("csrf", &csrf), ("aktion", "laden")], ("neu.toml", &good));
    assert_eq!(status, 200);
    assert!(
        body.contains("als Version 1 der Umfrage „fruehjahr-2020“ gespeichert"),
        "{body}"
    );
    assert_eq!(versions(), 1);
    assert!(actions(&db).contains(&("admin@example.org".into(), "survey_loaded".into())));
}

#[test]
fn an_admin_creates_a_wave_imports_participants_after_one_bad_row_and_invites_them() {
    use mint_survey::store::schema::{mail_outbox, participants};
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let smtp = crate::helpers::smtp::SmtpServer::start();
    let app = TestApp::spawn_with_env(&db, &[("SMTP_URL", smtp.url())]);
    let auth = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&auth);

    let form = format!(
        "csrf={csrf}&umfrage=fruehjahr-2020&titel={}&beginn=&ende=31.12.2099&kopie=&oeffnen=ja",
        encode("Herbst Test")
    );
    let (status, location) = app.post_form("/admin/wellen/neu", Some(&auth), &form);
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/admin/wellen/herbst-test"))
    );
    let (status, _) = app.post_form("/admin/wellen/neu", Some(&auth), &form.replace(&csrf, "x"));
    assert_eq!(status, 403);

    let upload = |csv: &str| {
        let form = multipart(&[("csrf", &csrf)], ("kontakte.csv", csv));
        app.post_multipart("/admin/wellen/herbst-test/teilnehmende", &auth, form)
    };
    let header = "Region;Bundesland;E-Mail;Landesnetzwerk\n";
    let bad = format!(
        "{header}Jena;Thüringen;jena@example.org;ja\nErfurt;Atlantis;erfurt@example.org;nein\n"
    );
    // Files that are no contact list: a German explanation each, nothing read or stored.
    let huge = format!(
        "{header}{}",
        "Jena;Thüringen;jena@example.org;ja\n".repeat(90_000)
    );
    for (file, says) in [
        (huge.as_str(), "Die Datei ist größer als 2 MB"),
        (header, "die Datei enthält keine Teilnehmenden"),
        ("PK\u{3}\u{4}\u{0}\u{0}", "keine CSV-Datei"),
        ("Region\u{0};Land", "sie enthält Binärdaten"),
        ("", "Die Datei „kontakte.csv“ ist leer"),
    ] {
        let (status, body) = upload(file);
        assert_eq!(status, 422, "{says}");
        assert!(body.contains(says), "{says}: {body}");
    }
    let form = multipart(&[("csrf", "falsch")], ("kontakte.csv", &bad));
    let (status, _) = app.post_multipart("/admin/wellen/herbst-test/teilnehmende", &auth, form);
    assert_eq!(status, 403, "a wrong CSRF token");
    let (status, body) = upload(&bad);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("Zeile 3, Spalte Bundesland: „Atlantis“ ist kein Land"),
        "{body}"
    );
    let count = || -> i64 {
        participants::table
            .count()
            .get_result(&mut db.conn())
            .unwrap()
    };
    assert_eq!(count(), 0, "all rows or none");
    let good = bad.replace("Atlantis", "Thüringen");
    let (status, body) = upload(&good);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("2 Teilnehmende importiert"), "{body}");

    // First what would be sent; nothing is queued before "Jetzt senden".
    let (status, _, preview, _) = app.get("/admin/wellen/herbst-test/einladungen", Some(&auth));
    assert_eq!(status, 200, "{preview}");
    assert!(preview.contains("2 Einladungen gehen hinaus"), "{preview}");
    assert!(
        preview.contains("<th scope=\"row\">Thüringen</th><td>2</td>"),
        "{preview}"
    );
    assert!(preview.contains("name=\"anzahl\" value=\"2\""));
    let outbox = || -> i64 {
        mail_outbox::table
            .count()
            .get_result(&mut db.conn())
            .unwrap()
    };
    assert_eq!(outbox(), 0, "a preview queues nothing");
    let confirm = format!("csrf={csrf}&anzahl=2");
    let (status, location) = app.post_form(
        "/admin/wellen/herbst-test/einladungen",
        Some(&auth),
        &confirm,
    );
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some("/admin/wellen/herbst-test?versandt=einladungen&anzahl=2")
    );
    // The same confirmation posted again queues nothing more.
    let (again, _) = app.post_form(
        "/admin/wellen/herbst-test/einladungen",
        Some(&auth),
        &confirm,
    );
    assert!(again == 303 || again == 409, "{again}");
    assert_eq!(outbox(), 2, "queued once");
    smtp.wait_for_messages(2);
    assert_eq!(smtp.messages_to("jena@example.org").len(), 1);
    // The sender records each mail right after the server took it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let sent: i64 = mail_outbox::table
            .filter(mail_outbox::status.eq("sent"))
            .count()
            .get_result(&mut db.conn())
            .unwrap();
        if sent == 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "mails not recorded");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (status, _, body, _) = app.get("/admin/wellen/herbst-test", Some(&auth));
    assert_eq!(status, 200);
    assert!(
        body.contains("2 gesendet, 0 in der Warteschlange"),
        "{body}"
    );
    assert!(body.contains("Einladung: gesendet"));
    let log = actions(&db);
    for action in [
        "wave_created",
        "participants_imported",
        "invitations_started",
    ] {
        assert!(
            log.contains(&("admin@example.org".into(), action.into())),
            "{action}"
        );
    }
}

#[test]
fn an_admin_previews_and_imports_a_windows_1252_file_from_german_excel() {
    use mint_survey::store::schema::{participants, regions};
    let db = TestDb::new();
    let slug = open_wave(&db, 0);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&auth);
    let path = format!("/admin/wellen/{slug}/teilnehmende");
    let file: &[u8] = b"Region;Bundesland;E-Mail;Ansprechperson\r\n\
        MINT-Region Jena-S\xFCd;Th\xFCringen;jena@example.org;Erika M\xFCller\r\n\
        Stra\xDFenland;Baden-W\xFCrttemberg;land@example.org;\r\n";
    let note =
        "Die Datei war nicht UTF-8 und wurde als Windows-1252 gelesen (Umlaute sind erhalten).";
    let form = multipart_bytes(
        &[("csrf", &csrf), ("aktion", "vorschau")],
        ("kontakte.csv", file),
    );
    let (status, body) = app.post_multipart(&path, &auth, form);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(note), "{body}");
    assert!(
        body.contains("MINT-Region Jena-Süd") && body.contains("Straßenland"),
        "{body}"
    );
    assert!(body.contains("2 würden neu importiert"), "{body}");
    let count = || -> i64 {
        participants::table
            .count()
            .get_result(&mut db.conn())
            .unwrap()
    };
    assert_eq!(count(), 0, "a preview stores nothing");

    // "Jetzt importieren" sends the previewed file back, base64 in the form.
    let carried = body
        .split("name=\"inhalt\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the preview carries the file");
    let form = multipart(
        &[
            ("csrf", &csrf),
            ("inhalt", carried),
            ("aktion", "importieren"),
        ],
        ("", ""),
    );
    let (status, body) = app.post_multipart(&path, &auth, form);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!(
            "2 Teilnehmende importiert (2 neue Regionen); 0 waren schon da. {note}"
        )),
        "{body}"
    );
    let mut names: Vec<String> = regions::table
        .select(regions::name)
        .load(&mut db.conn())
        .unwrap();
    names.sort();
    assert_eq!(names, ["MINT-Region Jena-Süd", "Straßenland"]);
    assert_eq!(count(), 2);
}

#[test]
fn an_admin_closes_and_reopens_a_wave_from_its_page() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&auth);
    let post = |change: &str| {
        app.post_form(
            &format!("/admin/wellen/{slug}/status/{change}"),
            Some(&auth),
            &format!("csrf={csrf}"),
        )
    };
    assert_eq!(post("schliessen").0, 303);
    let (_, _, body, _) = app.get(&format!("/admin/wellen/{slug}"), Some(&auth));
    assert!(body.contains("<p>geschlossen, "), "{body}");
    assert_eq!(post("schliessen").0, 422, "closing twice says why");
    assert_eq!(post("oeffnen").0, 303);
    assert_eq!(post("verbrennen").0, 404);
    assert_eq!(
        app.post_form(
            &format!("/admin/wellen/{slug}/status/oeffnen"),
            Some(&auth),
            "csrf=x"
        )
        .0,
        403
    );
    let log = actions(&db);
    assert!(log.contains(&("admin@example.org".into(), "wave_closed".into())));
    assert!(log.contains(&("admin@example.org".into(), "wave_opened".into())));
}

#[test]
fn an_admin_previews_and_saves_a_waves_settings_and_mail_texts() {
    use mint_survey::store::schema::waves;
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&auth);
    let path = format!("/admin/wellen/{slug}/einstellungen");
    let (status, _, body, _) = app.get(&path, Some(&auth));
    assert_eq!(status, 200);
    assert!(body.contains("name=\"schwelle\" value=\"5\""), "{body}");
    let post = |fields: &str| {
        let (status, _, body) = app.post(&path, Some(&auth), &format!("csrf={csrf}&{fields}"));
        (status, body)
    };
    let text = encode("Liebe Region {{ region }},\nbitte antworten Sie: {{ link }}");
    let (status, body) = post(&format!("aktion=vorschau&einladung_text={text}&schwelle=5"));
    assert_eq!(status, 200);
    assert!(
        body.contains("Liebe Region MINT-Region Beispielstadt"),
        "{body}"
    );
    let wrong = encode("Hallo {{ regoin }}");
    let (status, body) = post(&format!("aktion=speichern&einladung_text={wrong}"));
    assert_eq!(status, 422);
    assert!(body.contains("regoin"), "{body}");
    let (status, body) = post("aktion=speichern&schwelle=viele");
    assert_eq!(status, 422);
    assert!(body.contains("bitte eine ganze Zahl"), "{body}");
    let (status, _) = post(&format!(
        "aktion=speichern&schwelle=7&erinnerungen=1&einladung_text={text}"
    ));
    assert_eq!(status, 303);
    let (threshold, reminders): (i32, i32) = waves::table
        .select((waves::suppress_below, waves::reminders_max))
        .first(&mut db.conn())
        .unwrap();
    assert_eq!((threshold, reminders), (7, 1));
    assert!(actions(&db).contains(&("admin@example.org".into(), "wave_settings_changed".into())));
}

#[test]
fn an_admin_renews_revokes_and_reopens_from_the_participant_list() {
    use mint_survey::store::schema::{participants, responses};
    let db = TestDb::new();
    let slug = crate::reports::wave_with_participants(&db);
    crate::reports::answer(&db, &slug, "by0@example.org", &[], false);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&auth);
    let id_of = |email: &str| -> i64 {
        use mint_survey::store::schema::contacts;
        contacts::table
            .filter(contacts::email.eq(email))
            .select(contacts::participant_id)
            .first(&mut db.conn())
            .unwrap()
    };
    let change = |email: &str, what: &str| {
        let path = format!("/admin/wellen/{slug}/teilnehmende/{}/{what}", id_of(email));
        let (status, _, body) = app.post(&path, Some(&auth), &format!("csrf={csrf}"));
        (status, body)
    };
    let old = crate::helpers::fixtures::link_path(&db, &slug, "by1@example.org");
    let (status, body) = change("by1@example.org", "erneuern");
    assert_eq!(status, 200);
    let start = body.find("/t/").expect("the new link is shown");
    let new = body[start..].split_whitespace().next().unwrap().to_owned();
    assert_eq!(app.get(&old, None).0, 404, "the old link stops working");
    assert_eq!(app.get(&new, None).0, 200);
    let (status, _) = change("by2@example.org", "sperren");
    assert_eq!(status, 200);
    let revoked: bool = participants::table
        .filter(participants::id.eq(id_of("by2@example.org")))
        .select(participants::revoked_at.is_not_null())
        .first(&mut db.conn())
        .unwrap();
    assert!(revoked);
    let (status, body) = change("by0@example.org", "oeffnen");
    assert_eq!(status, 200, "{body}");
    let reopened: bool = responses::table
        .filter(responses::participant_id.eq(id_of("by0@example.org")))
        .select(responses::reopened_at.is_not_null())
        .first(&mut db.conn())
        .unwrap();
    assert!(reopened);
    assert_eq!(
        change("by3@example.org", "oeffnen").0,
        404,
        "nothing submitted to reopen"
    );
    assert_eq!(change("by3@example.org", "loeschen").0, 404);
    let log = actions(&db);
    for action in ["link_renewed", "link_revoked", "response_reopened"] {
        assert!(
            log.contains(&("admin@example.org".into(), action.into())),
            "{action}"
        );
    }
}

#[test]
fn a_forgotten_password_is_replaced_through_a_mailed_link() {
    let db = TestDb::new();
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let smtp = crate::helpers::smtp::SmtpServer::start();
    let app = TestApp::spawn_with_env(&db, &[("SMTP_URL", smtp.url())]);
    let (status, cookie, _, _) = app.get("/passwort-vergessen", None);
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    let csrf = csrf_of(&cookie);
    let ask = |email: &str| {
        let form = format!("csrf={csrf}&email={}", encode(email));
        app.post("/passwort-vergessen", Some(&cookie), &form).2
    };
    let unknown = ask("niemand@example.org");
    let known = ask("Beirat@example.org");
    assert_eq!(unknown, known, "the same answer, account or not");
    assert!(known.contains("Wenn es für diese Adresse einen Zugang gibt"));
    smtp.wait_for_messages(1);
    let mail = &smtp.messages_to("beirat@example.org")[0];
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/passwort/"))
        .expect("a link");
    let path = &link[link.find("/passwort/").unwrap()..];
    assert_eq!(smtp.message_count(), 1, "no mail for an unknown address");
    let (status, cookie2, _, _) = app.get(path, Some(&cookie));
    assert_eq!(status, 200);
    assert!(cookie2.is_none());
    let new = "ein ganz neues Passwort";
    let (status, _) = app.post_form(
        path,
        Some(&cookie),
        &format!("csrf={csrf}&passwort={0}&wiederholung={0}", encode(new)),
    );
    assert_eq!(status, 303);
    app.login("beirat@example.org", new);
    assert_eq!(
        app.post_form("/passwort-vergessen", Some(&cookie), "email=a%40b.de")
            .0,
        403
    );
    assert!(actions(&db).contains(&(
        "beirat@example.org".into(),
        "password_reset_requested".into()
    )));
}

/// Every POST route of the route table, with its path parameters filled in: a wave, a participant
/// or account id, a change, a token.
fn every_post_route(slug: &str) -> Vec<String> {
    let posts: Vec<String> = mint_survey::web::routes::ROUTES
        .iter()
        .filter(|(method, _)| *method == "post")
        .map(|(_, pattern)| {
            pattern
                .replace("{wave}", slug)
                .replace("{id}", "1")
                .replace("{change}", "sperren")
                .replace("{token}", "0b1c2d3e-0000-4000-8000-000000000000")
        })
        .collect();
    assert!(
        posts.len() >= 18,
        "the route table lists too few forms: {posts:?}"
    );
    posts
}

/// Every form of the route table refuses a wrong CSRF token with 403, before anything runs: a new
/// form that forgets the check (or reads its body without `CsrfForm`/`CsrfUpload`) fails here. Each
/// route gets a urlencoded body first and, where that cannot be read (an upload), a multipart one.
#[test]
fn every_form_in_the_route_table_refuses_a_wrong_csrf_token() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let admin = app.login("admin@example.org", PASSWORD);
    let mut wrong = Vec::new();
    for path in every_post_route(&slug) {
        let mut status = app
            .post_form(&path, Some(&admin), "csrf=falsch&email=a%40b.de&titel=x")
            .0;
        if status == 400 {
            let form = multipart(&[("csrf", "falsch")], ("datei.csv", "a;b\n"));
            status = app.post_multipart(&path, &admin, form).0;
        }
        if status != 403 {
            wrong.push(format!(
                "POST {path} with a wrong token: {status}, expected 403"
            ));
        }
    }
    assert_eq!(
        app.post_form("/logout", Some(&admin), "email=a%40b.de").0,
        403,
        "a form without a token at all"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Every admin form: anonymous → to the login, board and coordinator → 403 before anything runs
/// (for every POST under /admin in the route table); an admin with the right token → the form's
/// own answer.
#[test]
fn every_admin_form_checks_the_role_and_answers_an_admin() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    staff_account(&db, "land@example.org", Role::Coordinator, Some("DE-BW"));
    let app = TestApp::spawn(&db);
    let admin = app.login("admin@example.org", PASSWORD);
    let board = app.login("beirat@example.org", PASSWORD);
    let coordinator = app.login("land@example.org", PASSWORD);
    let mut wrong = Vec::new();
    for path in every_post_route(&slug)
        .into_iter()
        .filter(|p| p.starts_with("/admin"))
    {
        for (who, cookie, want) in [
            ("anonymous", None, 303),
            ("board", Some(&board), 403),
            ("coordinator", Some(&coordinator), 403),
        ] {
            let token = cookie.map_or_else(|| "x".to_owned(), |c| csrf_of(c));
            let form = format!("csrf={token}");
            let (status, _) = app.post_form(&path, cookie.map(String::as_str), &form);
            if status != want {
                wrong.push(format!("POST {path} as {who}: {status}, expected {want}"));
            }
        }
    }
    let w = |rest: &str| format!("/admin/wellen/{slug}{rest}");
    // path, form fields after the token, the admin's answer with a valid token. The two uploads
    // are multipart forms: a urlencoded body is unreadable to them (400).
    let forms: Vec<(String, &str, u16)> = vec![
        ("/admin/wellen/neu".into(), "titel=", 422),
        ("/admin/konten".into(), "email=", 422),
        ("/admin/konten/999999/sperren".into(), "", 404),
        ("/admin/konten/rolle".into(), "konto=999999", 404),
        (w("/einstellungen"), "aktion=vorschau", 200),
        (
            w("/zeitplan"),
            "aktion=speichern&von=18&bis=8&tag_mo=ja",
            422,
        ),
        (w("/status/unbekannt"), "", 404),
        (w("/teilnehmende/999999/sperren"), "", 404),
        (w("/einladungen"), "", 200),
        (w("/erinnerungen"), "", 200),
        ("/admin/umfragen".into(), "", 400),
        (w("/teilnehmende"), "", 400),
    ];
    for (path, fields, want) in &forms {
        let form = format!("csrf={}&{fields}", csrf_of(&admin));
        let (status, _) = app.post_form(path, Some(&admin), &form);
        if status != *want {
            wrong.push(format!("POST {path} as admin: {status}, expected {want}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The participants table searches, filters by Land and state with a count per choice, pages by
/// 50 without JavaScript, and exports the filtered list for German Excel (audited).
#[test]
fn the_participants_table_searches_filters_pages_and_exports() {
    let db = TestDb::new();
    let slug = open_wave(&db, 120);
    mint(
        &db,
        &[
            "participants",
            "revoke",
            "--wave",
            &slug,
            "--email",
            "person15@example.org",
        ],
    )
    .success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let page = |query: &str| {
        let (status, _, body, _) = app.get(&format!("/admin/wellen/{slug}?{query}"), Some(&auth));
        assert_eq!(status, 200, "{body}");
        body
    };
    let all = page("");
    assert!(
        all.contains("120 von 120 Teilnehmenden, Seite 1 von 3"),
        "{all}"
    );
    assert_eq!(all.matches("<tr><th scope=\"row\">").count(), 50);
    assert!(all.contains("Nächste Seite") && !all.contains("Vorherige Seite"));
    let last = page("seite=3");
    assert_eq!(last.matches("<tr><th scope=\"row\">").count(), 20);
    // Thüringen is every 16th participant (15, 31, …, 111): 7 of 120; one of them is revoked.
    let thueringen = page("land=DE-TH");
    assert!(
        thueringen.contains("7 von 120 Teilnehmenden"),
        "{thueringen}"
    );
    assert!(thueringen.contains("Link gesperrt (1)"), "{thueringen}");
    let revoked = page("land=DE-TH&stand=gesperrt");
    assert!(revoked.contains("1 von 120 Teilnehmenden"), "{revoked}");
    assert!(revoked.contains("person15@example.org"));
    let search = page("suche=NUMMER+11");
    // "Nummer 11" and "Nummer 110" to "Nummer 119".
    assert!(search.contains("11 von 120 Teilnehmenden"), "{search}");

    let (status, _, csv, headers) = app.get(
        &format!("/admin/wellen/{slug}/teilnehmende.csv?land=DE-TH&stand=nicht-eingeladen"),
        Some(&auth),
    );
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.starts_with('\u{feff}'), "a byte order mark for Excel");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "Region;Land;E-Mail;Stand;Letzte Mail");
    assert_eq!(lines.len(), 1 + 6, "{csv}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains(";DE-TH;") && l.contains(";nicht eingeladen;"))
    );
    assert!(actions(&db).contains(&("admin@example.org".into(), "participants_exported".into())));
}

/// `/` leads staff to their start page and everyone else to the login.
#[test]
fn the_root_leads_to_the_login_or_the_staff_start_page() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    assert_eq!(app.post_form("/", None, "").0, 404, "no form at /");
    let (status, _, _, headers) = app.get("/", None);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/login");
    let admin = app.login("admin@example.org", PASSWORD);
    let (status, _, _, headers) = app.get("/", Some(&admin));
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/admin");
    let board = app.login("beirat@example.org", PASSWORD);
    let (_, _, _, headers) = app.get("/", Some(&board));
    assert_eq!(headers["location"], "/board");
}

/// Served over https, browsers are told to stay on https (HSTS); over http, not.
#[test]
fn https_installations_send_hsts() {
    let db = TestDb::new();
    let plain = TestApp::spawn(&db);
    let (_, _, _, headers) = plain.get("/login", None);
    assert!(headers.get("strict-transport-security").is_none());
    let secure = TestApp::spawn_with_env(&db, &[("PUBLIC_URL", "https://umfragen.example".into())]);
    let (_, _, _, headers) = secure.get("/login", None);
    assert_eq!(headers["strict-transport-security"], "max-age=31536000");
}

/// Hostile input in the login and reset forms (a NUL byte, a line break) is refused like a wrong
/// password, never a 500.
#[test]
fn hostile_addresses_get_the_usual_answers_not_an_error() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let (status, _) = login_attempt(&app, "admin\u{0}@example.org", PASSWORD);
    assert_eq!(status, 422);
    let (status, _) = login_attempt(&app, "admin@example.org\n", "falsch");
    assert_eq!(status, 422);
    let (_, cookie, _, _) = app.get("/passwort-vergessen", None);
    let cookie = cookie.unwrap();
    let form = format!("csrf={}&email=a%00b%40example.org", csrf_of(&cookie));
    let (status, _, body) = app.post("/passwort-vergessen", Some(&cookie), &form);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Wenn es für diese Adresse einen Zugang gibt"));
}

/// The answer to "Passwort vergessen" does not wait for the work behind it (storing the link,
/// queueing the mail), so its timing cannot tell whether the address has an account: with the
/// tables that work writes to locked, the answer still comes at once, and the mail follows.
#[test]
fn a_password_reset_answers_before_the_work_for_a_known_account() {
    use diesel::connection::SimpleConnection;
    let db = TestDb::new();
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let smtp = crate::helpers::smtp::SmtpServer::start();
    let app = TestApp::spawn_with_env(&db, &[("SMTP_URL", smtp.url())]);
    let (_, cookie, _, _) = app.get("/passwort-vergessen", None);
    let cookie = cookie.unwrap();
    let form = format!("csrf={}&email=beirat%40example.org", csrf_of(&cookie));
    let mut lock = db.conn();
    lock.batch_execute("BEGIN; LOCK TABLE password_tokens, staff_mails IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let impatient = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(5)))
        .build()
        .new_agent();
    let answer = impatient
        .post(format!("{}/passwort-vergessen", app.address))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .expect("an answer while the work waits for the lock");
    assert_eq!(answer.status().as_u16(), 200);
    lock.batch_execute("COMMIT").unwrap();
    smtp.wait_for_messages(1);
    assert_eq!(smtp.messages_to("beirat@example.org").len(), 1);
}
