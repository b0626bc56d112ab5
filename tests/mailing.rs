//! `invite` and `remind` through a real SMTP receiver: every participant gets exactly one mail, even
//! when the sender is killed or the server goes away in the middle.

use std::collections::BTreeMap;
use std::process::Stdio;

use diesel::prelude::*;
use mint_survey::store::schema::{contacts, mail_outbox, participants};
use mint_survey::tokens::token_hash;

use crate::helpers::cli::{db_command, mint, mint_env};
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::open_wave;
use crate::helpers::smtp::{Received, SmtpServer};

/// How many mails each address got.
fn per_recipient(messages: &[Received]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for message in messages {
        for rcpt in &message.rcpt_to {
            *counts.entry(rcpt.clone()).or_insert(0) += 1;
        }
    }
    counts
}

fn expect_one_each(server: &SmtpServer, n: usize) {
    let counts = per_recipient(&server.messages());
    assert_eq!(counts.len(), n, "{counts:?}");
    assert!(
        counts.values().all(|&c| c == 1),
        "someone got a mail twice: {counts:?}"
    );
}

/// The address a personal link belongs to, looked up the way the application does (token hash).
fn owner_of(db: &TestDb, link: &str) -> String {
    let token = link.trim_end_matches("/optout").rsplit('/').next().unwrap();
    participants::table
        .inner_join(contacts::table)
        .filter(participants::token_sha256.eq(token_hash(token)))
        .select(contacts::email)
        .first(&mut db.conn())
        .unwrap()
}

/// Waits until every mail the receiver accepted is also recorded as sent. Interrupting a sender
/// between the server's "250 OK" and its commit repeats that one mail (the window that SMTP leaves
/// open, documented in ARCHITECTURE.md); these tests interrupt it outside that window.
fn wait_until_recorded(db: &TestDb, smtp: &SmtpServer) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let sent: i64 = mail_outbox::table
            .filter(mail_outbox::status.eq("sent"))
            .count()
            .get_result(&mut db.conn())
            .unwrap();
        if sent as usize == smtp.message_count() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "accepted mails were never recorded as sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn invitations_arrive_once_with_links_that_identify_their_recipient() {
    let db = TestDb::new();
    let slug = open_wave(&db, 6);
    let smtp = SmtpServer::start();
    let env = [
        ("SMTP_URL", smtp.url()),
        ("PUBLIC_URL", "https://umfrage.example.org".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = mint_env(&db, &["invite", "--yes", "--wave", &slug], &env);
    assert!(
        out.success()
            .contains("invitations: 6 sent, 0 failed, 0 skipped"),
        "{out:?}"
    );
    expect_one_each(&smtp, 6);

    for message in smtp.messages() {
        let recipient = &message.rcpt_to[0];
        assert_eq!(
            message.header("Subject").unwrap(),
            "Ihr persönlicher Link: Corona-Umfrage Frühjahr 2020 – MINT-Regionen (Frühjahr 2020)"
        );
        let links = message.links();
        let personal = links.iter().find(|l| !l.ends_with("/optout")).unwrap();
        assert!(
            personal.starts_with("https://umfrage.example.org/t/"),
            "{personal}"
        );
        assert_eq!(
            &owner_of(&db, personal),
            recipient,
            "the link must open the recipient's own response"
        );
        assert_eq!(
            message.header("List-Unsubscribe").unwrap(),
            format!("<{personal}/optout>")
        );
        assert!(
            message
                .header("Message-ID")
                .unwrap()
                .starts_with(&format!("<{slug}.invitation0."))
        );
        let html = message.html_body().unwrap();
        assert!(html.contains(&format!("href=\"{personal}\"")), "{html}");
        let text = message.text_body();
        assert!(
            text.contains("MINT-Region Nummer") && text.contains("Frühjahr 2020"),
            "{text}"
        );
    }

    let again = mint_env(&db, &["invite", "--yes", "--wave", &slug], &env);
    assert!(
        again.success().contains("Queued 0 new invitations"),
        "{again:?}"
    );
    expect_one_each(&smtp, 6);
}

#[test]
fn a_sender_killed_in_the_middle_resumes_without_losing_or_repeating_a_mail() {
    let db = TestDb::new();
    let slug = open_wave(&db, 12);
    let smtp = SmtpServer::start();
    let url = smtp.url();
    smtp.hold_after(4);
    // One connection: with several, a second mail can be fully transmitted and waiting for the
    // server's answer when the sender dies; the server then delivers it, as a real one would, and
    // the next run sends it again (SMTP's at-least-once window, documented in ARCHITECTURE.md).
    let mut command = db_command(
        &db,
        &["invite", "--yes", "--wave", &slug, "--connections", "1"],
        &[("SMTP_URL", &url)],
    );
    command.stdout(Stdio::null()).stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().unwrap();
    smtp.wait_until_holding();
    wait_until_recorded(&db, &smtp);
    let group = format!("-{}", child.id());
    std::process::Command::new("kill")
        .args(["-KILL", "--", &group])
        .status()
        .unwrap();
    child.wait().unwrap();
    smtp.release();
    assert_eq!(
        smtp.messages().len(),
        4,
        "the held mails were never accepted"
    );

    let out = mint_env(
        &db,
        &["invite", "--yes", "--wave", &slug],
        &[("SMTP_URL", &url)],
    );
    assert!(out.success().contains("8 sent"), "{out:?}");
    expect_one_each(&smtp, 12);
}

#[test]
fn an_smtp_outage_stops_the_run_and_the_next_run_sends_the_rest() {
    let db = TestDb::new();
    let slug = open_wave(&db, 10);
    let smtp = SmtpServer::start();
    let url = smtp.url();
    smtp.hold_after(3);
    let mut command = db_command(
        &db,
        &["invite", "--yes", "--wave", &slug, "--connections", "2"],
        &[("SMTP_URL", &url)],
    );
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    smtp.wait_until_holding();
    wait_until_recorded(&db, &smtp);
    smtp.stop();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("the mail server could not be reached")
            && stderr.contains("7 mails remain queued"),
        "{stderr}"
    );
    let errors: Vec<Option<String>> = mail_outbox::table
        .filter(mail_outbox::status.eq("queued"))
        .select(mail_outbox::last_error)
        .load(&mut db.conn())
        .unwrap();
    assert!(
        errors.iter().any(Option::is_some),
        "the outage is recorded on the mail it hit"
    );

    smtp.release();
    smtp.restart();
    let out = mint_env(
        &db,
        &["invite", "--yes", "--wave", &slug],
        &[("SMTP_URL", &url)],
    );
    assert!(out.success().contains("7 sent"), "{out:?}");
    expect_one_each(&smtp, 10);
}

#[test]
fn deferred_mails_are_retried_with_backoff_and_refused_ones_are_not() {
    let db = TestDb::new();
    let slug = open_wave(&db, 3);
    let smtp = SmtpServer::start();
    smtp.reject_recipient("person0@example.org", "450 4.2.1 mailbox busy", 2);
    smtp.reject_recipient("person1@example.org", "550 5.1.1 no such user", 5);
    let env = [
        ("SMTP_URL", smtp.url()),
        ("MAIL_RETRY_SECONDS", "0.05".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = mint_env(&db, &["invite", "--yes", "--wave", &slug], &env);
    assert!(out.success().contains("2 sent, 1 failed"), "{out:?}");
    assert_eq!(smtp.messages_to("person0@example.org").len(), 1);
    assert!(smtp.messages_to("person1@example.org").is_empty());

    let outcome = |email: &str| -> (String, i32, Option<String>) {
        mail_outbox::table
            .inner_join(
                contacts::table.on(contacts::participant_id.eq(mail_outbox::participant_id)),
            )
            .filter(contacts::email.eq(email))
            .select((
                mail_outbox::status,
                mail_outbox::attempts,
                mail_outbox::last_error,
            ))
            .first(&mut db.conn())
            .unwrap()
    };
    let (status, attempts, _) = outcome("person0@example.org");
    assert_eq!(
        (status.as_str(), attempts),
        ("sent", 3),
        "two deferrals, then delivered"
    );
    let (status, attempts, error) = outcome("person1@example.org");
    assert_eq!(
        (status.as_str(), attempts),
        ("failed", 1),
        "a permanent refusal is not retried"
    );
    assert!(error.unwrap().contains("550"));

    let listing = mint(&db, &["participants", "list", "--wave", &slug]);
    assert!(
        listing
            .success()
            .contains("invitation: failed after 1 attempts"),
        "{listing:?}"
    );
    let out = mint_env(&db, &["invite", "--yes", "--wave", &slug], &env);
    assert!(out.success().contains("0 sent, 0 failed"), "{out:?}");
    assert!(smtp.messages_to("person1@example.org").is_empty());
}

#[test]
fn reminders_go_only_to_those_who_have_not_answered_within_the_policy() {
    let db = TestDb::new();
    let slug = open_wave(&db, 4);
    mint(
        &db,
        &[
            "wave",
            "set",
            &slug,
            "--reminders",
            "1",
            "--reminder-days",
            "3",
        ],
    )
    .success();
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let env = [("SMTP_URL", url.as_str())];
    mint_env(&db, &["invite", "--yes", "--wave", &slug], &env).success();
    let too_early = mint_env(&db, &["remind", "--yes", "--wave", &slug], &env);
    assert!(
        too_early.success().contains("Queued 0 reminders"),
        "{too_early:?}"
    );

    let mut conn = db.conn();
    diesel::sql_query("UPDATE mail_outbox SET sent_at = sent_at - interval '4 days'")
        .execute(&mut conn)
        .unwrap();
    let id_of = |conn: &mut PgConnection, email: &str| -> i64 {
        contacts::table
            .filter(contacts::email.eq(email))
            .select(contacts::participant_id)
            .first(conn)
            .unwrap()
    };
    let submitted = id_of(&mut conn, "person1@example.org");
    let opted_out = id_of(&mut conn, "person2@example.org");
    diesel::update(participants::table.find(submitted))
        .set(participants::submitted_at.eq(diesel::dsl::now))
        .execute(&mut conn)
        .unwrap();
    diesel::update(participants::table.find(opted_out))
        .set(participants::opted_out_at.eq(diesel::dsl::now))
        .execute(&mut conn)
        .unwrap();

    let dry = mint_env(
        &db,
        &["remind", "--yes", "--wave", &slug, "--dry-run"],
        &env,
    );
    assert!(dry.success().contains("Would send 2 reminders"), "{dry:?}");
    assert_eq!(smtp.message_count(), 4, "a dry run sends nothing");

    let out = mint_env(&db, &["remind", "--yes", "--wave", &slug], &env);
    assert!(out.success().contains("reminders: 2 sent"), "{out:?}");
    let reminded: Vec<String> = smtp.messages()[4..]
        .iter()
        .map(|m| m.rcpt_to[0].clone())
        .collect();
    assert_eq!(reminded.len(), 2);
    assert!(
        reminded.contains(&"person0@example.org".to_owned())
            && reminded.contains(&"person3@example.org".to_owned())
    );
    assert!(
        smtp.messages()[4].header("Subject").unwrap().starts_with(
            "Erinnerung: Corona-Umfrage Frühjahr 2020 – MINT-Regionen (Frühjahr 2020)"
        )
    );

    diesel::sql_query("UPDATE mail_outbox SET sent_at = sent_at - interval '10 days'")
        .execute(&mut conn)
        .unwrap();
    let out = mint_env(&db, &["remind", "--yes", "--wave", &slug], &env);
    assert!(
        out.success().contains("Queued 0 reminders"),
        "at most one reminder: {out:?}"
    );
}

#[test]
fn invite_dry_run_lists_the_recipients_and_stores_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 3);
    let out = mint(&db, &["invite", "--yes", "--wave", &slug, "--dry-run"]);
    let stdout = out.success();
    assert!(
        stdout.contains("Would send 3 invitations") && stdout.contains("<person2@example.org>"),
        "{stdout}"
    );
    let queued: i64 = mail_outbox::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(queued, 0);
}

#[test]
fn without_smtp_url_mails_are_written_as_eml_files() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    mint(&db, &["invite", "--yes", "--wave", &slug]).success();
    let folder = db.var_dir.join("outbox").join(&slug);
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        eml.contains("Subject: ") && eml.contains("List-Unsubscribe: <http://127.0.0.1:8080/t/"),
        "{eml}"
    );
    assert!(eml.contains("Content-Type: multipart/alternative"), "{eml}");
    // They hold live links: for the owner's eyes only.
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&folder), 0o700);
}

#[test]
fn smtp_credentials_from_the_url_are_used_and_never_printed() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    let smtp = SmtpServer::start();
    let url = format!("smtp://mailer:geheim-4711@127.0.0.1:{}", smtp.port());
    let out = mint_env(
        &db,
        &["invite", "--yes", "--wave", &slug],
        &[("SMTP_URL", &url)],
    );
    assert!(out.success().contains("2 sent"), "{out:?}");
    expect_one_each(&smtp, 2);
    let users = smtp.authenticated_users();
    assert!(
        !users.is_empty() && users.iter().all(|u| u == "mailer"),
        "{users:?}"
    );
    assert!(!out.stdout.contains("geheim") && !out.stderr.contains("geheim"));
}

/// Without a terminal and without `--yes`, `invite` refuses with exit code 2 and queues nothing;
/// the preview names the Länder and why others are skipped.
#[test]
fn invite_without_a_terminal_needs_yes_and_queues_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 3);
    let mut command = crate::helpers::cli::db_command(&db, &["invite", "--wave", &slug], &[]);
    command.stdin(std::process::Stdio::null());
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Would send 3 invitations"), "{stdout}");
    assert!(stdout.contains("per Land: "), "{stdout}");
    assert!(stderr.contains("give --yes"), "{stderr}");
    let queued: i64 = mail_outbox::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(queued, 0);
    mint(&db, &["invite", "--yes", "--wave", &slug]).success();
    let again = mint(&db, &["invite", "--wave", &slug, "--dry-run"]);
    assert!(
        again.success().contains("skipped: 3 already invited"),
        "{again:?}"
    );
    let remind = mint(&db, &["remind", "--wave", &slug, "--dry-run"]);
    let stdout = remind.success();
    assert!(
        stdout.contains("Would send 0 reminders")
            && stdout.contains("skipped: 3 not due until")
            && stdout.contains("under the reminder policy"),
        "{stdout}"
    );
}

/// A draft wave gets no mails: its links would only say "not yet open".
#[test]
fn a_draft_wave_refuses_to_mail() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    diesel::sql_query("UPDATE waves SET opened_at = NULL, opens_at = now() + interval '1 day'")
        .execute(&mut db.conn())
        .unwrap();
    let out = mint(&db, &["invite", "--yes", "--wave", &slug]);
    assert!(
        out.failure()
            .contains("mails go out only while a wave is open"),
        "{out:?}"
    );
}
