//! Managing staff accounts: `/admin/konten` (add with a mailed link, disable, enable, change a role)
//! and `user list`, `user disable`, `user enable`.

use diesel::prelude::*;
use mint_survey::accounts::Role;
use mint_survey::store::schema::{audit_log, users};

use crate::helpers::app::{PASSWORD, TestApp, csrf_of, encode, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::smtp::SmtpServer;

fn id_of(db: &TestDb, email: &str) -> i64 {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut db.conn())
        .unwrap()
}

fn audited(db: &TestDb, action: &str) -> Vec<(String, String, String)> {
    audit_log::table
        .filter(audit_log::action.eq(action))
        .select((audit_log::actor, audit_log::subject, audit_log::details))
        .order(audit_log::id)
        .load(&mut db.conn())
        .unwrap()
}

#[test]
fn an_admin_adds_an_account_which_sets_its_password_through_the_mailed_link() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with_env(&db, &[("SMTP_URL", smtp.url())]);
    let admin = app.login("admin@example.org", PASSWORD);
    let csrf = csrf_of(&admin);
    let add = |fields: &str| {
        app.post(
            "/admin/konten",
            Some(&admin),
            &format!("csrf={csrf}&{fields}"),
        )
    };

    // Refused forms come back with what was typed and a message linked to the field.
    let (status, _, body) = add("email=keine-adresse&rolle=board&land=");
    assert_eq!(status, 422);
    assert!(
        body.contains("„keine-adresse“ ist keine E-Mail-Adresse."),
        "{body}"
    );
    assert!(body.contains("href=\"#email\"") && body.contains("value=\"keine-adresse\""));
    let (status, _, body) = add("email=land%40example.org&rolle=coordinator&land=");
    assert_eq!(status, 422);
    assert!(body.contains("braucht ein Land") && body.contains("href=\"#land\""));
    assert!(
        body.contains("<option value=\"coordinator\" selected>"),
        "{body}"
    );
    let (status, _, body) = add("email=beirat%40example.org&rolle=board&land=DE-BW");
    assert_eq!(status, 422);
    assert!(body.contains("Nur eine Landeskoordination hat ein Land"));
    let (status, _, body) = add("email=Admin%40Example.org&rolle=board&land=");
    assert_eq!(status, 422);
    assert!(body.contains("Für admin@example.org gibt es schon einen Zugang."));
    assert_eq!(smtp.message_count(), 0);

    let (status, _, body) = add("email=Land%40Example.org&rolle=coordinator&land=DE-TH");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Zugang für land@example.org angelegt (Landeskoordination)."));
    assert!(body.contains("geht per Mail an land@example.org"), "{body}");
    assert!(
        body.contains("Landeskoordination (DE-TH)"),
        "listed with its Land"
    );
    smtp.wait_for_messages(1);
    let mail = &smtp.messages_to("land@example.org")[0];
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/passwort/"))
        .expect("a link");
    let path = &link[link.find("/passwort/").unwrap()..];
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Ihr Zugang zu den MINT-Umfragen")
    );
    assert!(
        mail.html_body().is_some_and(|html| html.contains(path)),
        "the HTML part carries the link too"
    );
    // The list shows where the mail stands (sent, or recorded as sent a moment later).
    let (_, _, list, _) = app.get("/admin/konten", Some(&admin));
    assert!(
        list.contains("eingeladen (Mail gesendet)")
            || list.contains("eingeladen (Mail in der Warteschlange)"),
        "{list}"
    );
    let (status, cookie, _, _) = app.get(path, None);
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    let form = format!(
        "csrf={}&passwort={1}&wiederholung={1}",
        csrf_of(&cookie),
        encode("ein sicheres Passwort")
    );
    let (status, _) = app.post_form(path, Some(&cookie), &form);
    assert_eq!(status, 303);
    let coordinator = app.login("land@example.org", "ein sicheres Passwort");
    assert_eq!(app.get("/board/land", Some(&coordinator)).0, 200);
    assert_eq!(
        audited(&db, "user_added"),
        [(
            "admin@example.org".to_owned(),
            "land@example.org".to_owned(),
            "coordinator (DE-TH)".to_owned()
        )]
    );
}

#[test]
fn a_disabled_account_is_logged_out_at_once_and_a_new_role_applies_on_the_next_page() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    let admin = app.login("admin@example.org", PASSWORD);
    let board = app.login("beirat@example.org", PASSWORD);
    let csrf = csrf_of(&admin);
    let id = id_of(&db, "beirat@example.org");
    let change = |what: &str, fields: &str| {
        let (path, fields) = match what {
            "rolle" => (
                "/admin/konten/rolle".to_owned(),
                format!("konto={id}&{fields}"),
            ),
            _ => (format!("/admin/konten/{id}/{what}"), fields.to_owned()),
        };
        app.post(&path, Some(&admin), &format!("csrf={csrf}&{fields}"))
    };

    // A new role: the open session sees it on its next page.
    assert_eq!(app.get("/board/land", Some(&board)).0, 403);
    let (status, _, body) = change("rolle", "rolle=coordinator&land=");
    assert_eq!(status, 422);
    assert!(body.contains("braucht ein Land"), "{body}");
    assert!(body.contains("href=\"#neues-land\""), "{body}");
    let (status, location, _) = change("rolle", "rolle=coordinator&land=DE-SN");
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/admin/konten?hinweis=rolle"))
    );
    assert_eq!(app.get("/board/land", Some(&board)).0, 200);
    let (_, _, page, _) = app.get("/admin/konten?hinweis=rolle", Some(&admin));
    assert!(page.contains("Die Rolle ist geändert"));
    assert!(page.contains("Landeskoordination (DE-SN)"));

    // Disabled: the session ends at once and the password no longer works.
    let (status, location, _) = change("sperren", "");
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/admin/konten?hinweis=gesperrt"))
    );
    let (status, _, _, headers) = app.get("/board", Some(&board));
    assert_eq!(status, 303);
    let location = headers.get("location").unwrap().to_str().unwrap();
    assert!(location.starts_with("/login"), "{location}");
    let (_, cookie, _, _) = app.get("/login", None);
    let cookie = cookie.unwrap();
    let form = format!(
        "csrf={}&email=beirat%40example.org&passwort={}",
        csrf_of(&cookie),
        encode(PASSWORD)
    );
    let (status, _, body) = app.post("/login", Some(&cookie), &form);
    assert_eq!(status, 422, "{body}");
    let (_, _, page, _) = app.get("/admin/konten", Some(&admin));
    assert!(page.contains("gesperrt") && page.contains("Entsperren"));

    // Enabled again: the password works.
    let (status, _, _) = change("entsperren", "");
    assert_eq!(status, 303);
    app.login("beirat@example.org", PASSWORD);

    // Their own account is not for this page; unknown accounts and changes are 404.
    let own = id_of(&db, "admin@example.org");
    let (status, _, body) = app.post(
        &format!("/admin/konten/{own}/sperren"),
        Some(&admin),
        &format!("csrf={csrf}"),
    );
    assert_eq!(status, 422);
    assert!(body.contains("Ihren eigenen Zugang"));
    let (status, _, _) = change("loeschen", "");
    assert_eq!(status, 404);

    let actions: Vec<String> = audit_log::table
        .filter(
            audit_log::action
                .like("user_%abled")
                .or(audit_log::action.eq("role_changed")),
        )
        .select(audit_log::action)
        .order(audit_log::id)
        .load(&mut db.conn())
        .unwrap();
    assert_eq!(actions, ["role_changed", "user_disabled", "user_enabled"]);
    assert_eq!(
        audited(&db, "role_changed")[0].2,
        "board → coordinator (DE-SN)"
    );
}

#[test]
fn the_command_line_lists_disables_and_enables_accounts_but_keeps_the_last_admin() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    staff_account(&db, "land@example.org", Role::Coordinator, Some("DE-BW"));
    let out = mint(&db, &["user", "disable", "--email", "Land@example.org"]);
    let out = out.success();
    assert!(out.contains("Disabled land@example.org."), "{out}");
    let list = mint(&db, &["user", "list"]);
    let list = list.success();
    assert!(
        list.contains("land@example.org\tcoordinator\tDE-BW\tdisabled\t-"),
        "{list}"
    );
    assert!(
        list.contains("admin@example.org\tadmin\t-\tactive\t-"),
        "{list}"
    );
    let refused = mint(&db, &["user", "disable", "--email", "admin@example.org"]);
    let refused = refused.failure();
    assert!(refused.contains("last active admin account"), "{refused}");
    mint(&db, &["user", "enable", "--email", "land@example.org"]).success();
    let list = mint(&db, &["user", "list"]);
    let list = list.success();
    assert!(
        list.contains("land@example.org\tcoordinator\tDE-BW\tactive"),
        "{list}"
    );
    let unknown = mint(&db, &["user", "disable", "--email", "x@example.org"]);
    let unknown = unknown.failure();
    assert!(
        unknown.contains("there is no account for x@example.org"),
        "{unknown}"
    );
    assert_eq!(audited(&db, "user_disabled").len(), 1);
}
