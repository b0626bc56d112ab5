//! Secrets never reach the log: a real `serve` process at `RUST_LOG=trace` (every crate, every
//! level) through a staff flow (login, a new account's mailed password link, setting the password)
//! and a respondent flow (a mailed personal link, its pages, an answer). Afterwards not one of the
//! tokens that went over the wire is in its output.

use std::process::Stdio;

use mint_survey::accounts::Role;

use crate::helpers::app::{PASSWORD, Respondent, TestApp, csrf_of, encode, staff_account};
use crate::helpers::cli::{db_command, mint, mint_env};
use crate::helpers::db::{TestDb, scratch_dir};
use crate::helpers::fixtures::open_wave;
use crate::helpers::smtp::SmtpServer;

#[test]
fn a_whole_flow_at_trace_level_logs_no_token() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let smtp = SmtpServer::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let log_path = scratch_dir().join("serve-trace.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let public = format!("http://{address}");
    let smtp_url = smtp.url();
    let env = [
        ("RUST_LOG", "trace"),
        ("SMTP_URL", smtp_url.as_str()),
        ("PUBLIC_URL", public.as_str()),
    ];
    let mut server = db_command(&db, &["serve", "--bind", &address], &env)
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let app = TestApp {
        address: public.clone(),
        client: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent(),
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.client.get(format!("{public}/healthz")).call().is_err() {
        assert!(std::time::Instant::now() < deadline, "serve did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut secrets = Vec::new();
    // Staff: a login, a new account, its mailed password link, a password set through it.
    let auth = app.login("admin@example.org", PASSWORD);
    secrets.extend(
        auth.split("; ")
            .map(|c| c.split('=').nth(1).unwrap().to_owned()),
    );
    let form = format!(
        "csrf={}&email=neu%40example.org&rolle=board",
        csrf_of(&auth)
    );
    assert!(app.post_form("/admin/konten", Some(&auth), &form).0 < 400);
    smtp.wait_for_messages(1);
    let link = smtp.messages_to("neu@example.org")[0]
        .links()
        .into_iter()
        .find(|l| l.contains("/passwort/"))
        .expect("a password link");
    let path = link[link.find("/passwort/").unwrap()..].to_owned();
    secrets.push(path.trim_start_matches("/passwort/").to_owned());
    let (status, cookie, _, _) = app.get(&path, None);
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    secrets.push(csrf_of(&cookie));
    let new = "ein neues langes Passwort";
    let form = format!(
        "csrf={}&passwort={pw}&wiederholung={pw}",
        csrf_of(&cookie),
        pw = encode(new)
    );
    assert_eq!(app.post_form(&path, Some(&cookie), &form).0, 303);
    // A respondent: the invitation's link, its first page, the one form, an answer.
    let smtp_env = [("SMTP_URL", smtp.url()), ("PUBLIC_URL", public.clone())];
    let smtp_env: Vec<(&str, &str)> = smtp_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    mint_env(&db, &["invite", "--yes", "--wave", &slug], &smtp_env).success();
    smtp.wait_for_messages(3);
    let invitation = &smtp.messages_to("person0@example.org")[0];
    let link = invitation
        .links()
        .into_iter()
        .find(|l| l.contains("/t/") && !l.contains("optout"))
        .expect("a personal link");
    let path = link[link.find("/t/").unwrap()..].to_owned();
    secrets.push(path.trim_start_matches("/t/").to_owned());
    let (mut respondent, _) = Respondent::open(&app, &path);
    assert_eq!(respondent.page().0, 200);
    app.get(&format!("{path}?alle"), None);
    respondent.post("weiter", &[]);
    app.get("/t/0b1c2d3e-0000-4000-8000-000000000000", None);
    // An API key: made on the command line, used for a list, a change and a refused call.
    let made = mint(
        &db,
        &[
            "user",
            "api-key",
            "create",
            "--email",
            "admin@example.org",
            "--name",
            "CRM",
        ],
    );
    let key = made
        .success()
        .split_whitespace()
        .find(|w| w.starts_with("mint_"))
        .unwrap()
        .to_owned();
    secrets.push(key.trim_start_matches("mint_").to_owned());
    for (method, path) in [
        ("GET", "/api/v1/waves"),
        ("POST", &format!("/api/v1/waves/{slug}/close")[..]),
        ("GET", "/api/v1/nirgends"),
    ] {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{public}{path}"))
            .header("Authorization", format!("Bearer {key}"))
            .body(Vec::new())
            .unwrap();
        let status = app.client.run(request).unwrap().status().as_u16();
        assert!(status == 200 || status == 404, "{method} {path}: {status}");
    }
    let _ = server.kill();
    let _ = server.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.lines().count() > 100, "a trace-level log: {log}");
    assert!(log.contains("/t/…"), "the access log is there, redacted");
    for secret in secrets.iter().filter(|s| s.len() >= 32) {
        assert!(!log.contains(secret.as_str()), "{secret} is in the log");
        let upper = secret.to_uppercase();
        assert!(!log.contains(upper.as_str()), "{upper} is in the log");
    }
}
