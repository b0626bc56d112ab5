//! The brakes behind a proxy and across processes: the client's address comes from
//! `X-Forwarded-For` / `Forwarded` only when the peer is in `TRUSTED_PROXIES`; the counts live in
//! PostgreSQL, so two `serve` processes allow no more guesses than one (plus one per further
//! process); and guessing a staff password slows the guesser, not the account's owner.

use mint_survey::accounts::Role;

use crate::helpers::app::{PASSWORD, TestApp, csrf_of, encode, staff_account};
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{link_path, open_wave};

/// GET `path` as the client `from` (sent as `X-Forwarded-For`): status and `Retry-After`.
fn get_from(app: &TestApp, path: &str, from: &str) -> (u16, Option<String>) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .header("X-Forwarded-For", from)
        .call()
        .unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (response.status().as_u16(), retry)
}

fn guess(i: usize) -> String {
    format!("/t/0b1c2d3e-0000-4000-8000-{i:012}")
}

/// Behind a trusted proxy every client has its own brake: a guesser is paused (429 with the real
/// pause in `Retry-After`), another client of the same proxy keeps working.
#[test]
fn behind_a_trusted_proxy_one_guesser_does_not_pause_everyone() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn_with_env(&db, &[("TRUSTED_PROXIES", "127.0.0.1/32".to_owned())]);
    let valid = link_path(&db, &slug, "person0@example.org");
    for i in 0..30 {
        assert_eq!(get_from(&app, &guess(i), "198.51.100.66").0, 404);
    }
    let (status, retry) = get_from(&app, &valid, "198.51.100.66");
    assert_eq!(status, 429, "the guesser is paused, its valid link too");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((590..=600).contains(&retry), "the real pause: {retry} s");
    assert_eq!(
        get_from(&app, &valid, "198.51.100.7").0,
        200,
        "another client of the same proxy is not paused"
    );
    // The rightmost untrusted hop counts, not what the client wrote at the left.
    assert_eq!(get_from(&app, &valid, "203.0.113.1, 198.51.100.66").0, 429);
    assert_eq!(get_from(&app, &valid, "198.51.100.66, 198.51.100.8").0, 200);
}

/// Without `TRUSTED_PROXIES` the header is the client's own claim and is ignored: a guesser cannot
/// escape its pause by writing another address.
#[test]
fn without_trusted_proxies_a_forwarded_header_changes_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let valid = link_path(&db, &slug, "person0@example.org");
    for i in 0..30 {
        assert_eq!(get_from(&app, &guess(i), &format!("198.51.100.{i}")).0, 404);
    }
    assert_eq!(get_from(&app, &valid, "203.0.113.99").0, 429);
}

/// Two processes against one database: the failures of both count together. The one that saw
/// the limit reached pauses the address at once; the other after its first further failure.
#[test]
fn two_processes_share_the_count() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let one = TestApp::spawn(&db);
    let two = TestApp::spawn(&db);
    let valid = link_path(&db, &slug, "person0@example.org");
    for i in 0..15 {
        assert_eq!(one.get(&guess(i), None).0, 404);
        assert_eq!(two.get(&guess(100 + i), None).0, 404);
    }
    assert_eq!(two.get(&valid, None).0, 429, "30 in all: paused");
    assert_eq!(one.get(&guess(200), None).0, 404, "one more guess here");
    assert_eq!(one.get(&valid, None).0, 429);
}

fn login(app: &TestApp, from: &str, email: &str, password: &str) -> u16 {
    let (_, cookie, _, _) = app.get("/login", None);
    let cookie = cookie.unwrap();
    let form = format!(
        "csrf={}&email={}&passwort={}",
        csrf_of(&cookie),
        encode(email),
        encode(password)
    );
    app.client
        .post(format!("{}/login", app.address))
        .header("Cookie", &cookie)
        .header("X-Forwarded-For", from)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .unwrap()
        .status()
        .as_u16()
}

/// Anyone could lock the admins out when five wrong passwords locked the account. Now the guesser's
/// address is slowed (even its right password waits), while the owner, from an address that signed
/// in before, signs in at once, and so does a first-time address while the account had few failures.
#[test]
fn a_password_guesser_is_slowed_and_the_owner_still_signs_in() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    // Time stands still (the delays are seconds; a slow machine must not let them run out).
    let clock = mint_survey::time::Clock::fixed(chrono::Utc::now());
    let (app, _) = TestApp::spawn_with_clock(
        &db,
        &[("TRUSTED_PROXIES", "127.0.0.1".to_owned())],
        clock.clone(),
    );
    let (owner, guesser) = ("192.0.2.10", "203.0.113.66");
    assert_eq!(login(&app, owner, "admin@example.org", PASSWORD), 303);
    for _ in 0..12 {
        assert_eq!(
            login(&app, guesser, "admin@example.org", "rate mal 1234"),
            422
        );
    }
    assert_eq!(
        login(&app, guesser, "admin@example.org", PASSWORD),
        422,
        "the guesser waits, whatever it tries"
    );
    assert_eq!(login(&app, owner, "admin@example.org", PASSWORD), 303);
    assert_eq!(
        login(&app, "192.0.2.99", "admin@example.org", PASSWORD),
        303
    );
    // Nothing is locked for good: once the delay has passed, the right password works again.
    clock.advance(chrono::Duration::minutes(6));
    assert_eq!(login(&app, guesser, "admin@example.org", PASSWORD), 303);
}

/// A CSRF pair chosen by someone else (a cookie planted in the browser, the same value in a form)
/// does not pass with a staff session: the token is bound to the session and changes at login.
#[test]
fn csrf_tokens_are_bound_to_the_staff_session() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let session = auth
        .split("; ")
        .find(|c| c.starts_with("anmeldung="))
        .unwrap();
    let chosen = "ab".repeat(32);
    let planted = format!("csrf={chosen}; {session}");
    let form = format!("csrf={chosen}&email=x%40example.org&rolle=board");
    assert_eq!(app.post_form("/admin/konten", Some(&planted), &form).0, 403);
    assert_eq!(
        app.post_form("/logout", Some(&planted), &format!("csrf={chosen}"))
            .0,
        403
    );
    // The session's own token works, and the next login brings a new one.
    let own = csrf_of(&auth);
    assert_ne!(own, chosen);
    let again = app.login("admin@example.org", PASSWORD);
    assert_ne!(csrf_of(&again), own, "rotated at login");
    assert_eq!(
        app.post_form("/logout", Some(&auth), &format!("csrf={own}"))
            .0,
        303
    );
}

/// A line feed (or any control character) in `weiter` with the right password: a plain 303 to the
/// staff start page, never a 500 and never the text in a header.
#[test]
fn a_line_feed_in_the_login_target_goes_to_the_start_page() {
    let db = TestDb::new();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    for weiter in [
        "/admin\r\nSet-Cookie: x=1",
        "/admin\n",
        "/\u{0}admin",
        "/ad%0Amin",
    ] {
        let (_, cookie, _, _) = app.get("/login", None);
        let cookie = cookie.unwrap();
        let form = format!(
            "csrf={}&email={}&passwort={}&weiter={}",
            csrf_of(&cookie),
            encode("admin@example.org"),
            encode(PASSWORD),
            encode(weiter)
        );
        let (status, location, body) = app.post("/login", Some(&cookie), &form);
        assert_eq!(status, 303, "{weiter:?}: {body}");
        assert_eq!(location.as_deref(), Some("/admin"), "{weiter:?}");
    }
}
