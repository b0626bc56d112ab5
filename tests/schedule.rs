//! Waves that run themselves: the scheduler (`app::schedule::tick`, which every `serve` runs once a
//! minute) against real PostgreSQL and a real SMTP receiver, with a clock the tests move instead of
//! sleeping. Each test checks what arrived at the receiver and what the outbox recorded.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use mint_survey::app::schedule::{self, Tick};
use mint_survey::config::Settings;
use mint_survey::store::schema::{audit_log, contacts, mail_outbox, participants};
use mint_survey::time::Clock;

use std::sync::Arc;

use mint_survey::web::background::Wakeup;

use crate::helpers::app::{TestApp, settings_with, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{import_participants, participants_csv};
use crate::helpers::smtp::SmtpServer;

/// A time in Europe/Berlin: "2027-05-04 08:00".
fn berlin(text: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::Berlin
        .from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// A row of the outbox: address, kind, sequence, status, sent at.
type Mail = (String, String, i32, String, Option<DateTime<Utc>>);

/// A wave with a schedule, its participants, an SMTP receiver and a clock that stands still.
struct Scheduled {
    db: TestDb,
    slug: String,
    smtp: SmtpServer,
    settings: Settings,
    clock: Clock,
    /// A running `serve` (the application with its scheduler thread), once started.
    served: Option<(TestApp, Arc<Wakeup>)>,
}

/// A wave of the token survey opening at `opens` and closing at the end of `closes`, with `n`
/// participants, two reminders seven days apart, and the schedule `args` (`wave schedule`'s
/// options).
fn scheduled_wave(n: usize, opens: &str, closes: &str, args: &[&str]) -> Scheduled {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    let slug = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "fruehjahr-2020",
            "--title",
            "Frühjahr 2027",
            "--opens",
            opens,
            "--closes",
            closes,
            "--reminders",
            "2",
            "--reminder-days",
            "7",
        ],
    )
    .success()
    .trim()
    .to_owned();
    import_participants(&db, &slug, participants_csv(n));
    let mut schedule = vec!["wave", "schedule", &slug];
    schedule.extend_from_slice(args);
    mint(&db, &schedule).success();
    let smtp = SmtpServer::start();
    let settings = settings_with(&db, &[("SMTP_URL", smtp.url())]);
    let clock = Clock::fixed(berlin("2027-05-01 12:00"));
    Scheduled {
        db,
        slug,
        smtp,
        settings,
        clock,
        served: None,
    }
}

impl Scheduled {
    /// From now on the rounds are run by the scheduler thread of a running application, as `serve`
    /// runs it, not by the test.
    fn serve(&mut self) {
        let env = [("SMTP_URL", self.smtp.url())];
        let (app, scheduler) = TestApp::spawn_with_clock(&self.db, &env, self.clock.clone());
        // Its first round runs at its start.
        wait_for_round(&scheduler, 0);
        self.served = Some((app, scheduler));
    }

    /// Moves the clock to `when` (Berlin) and runs one scheduler round: in the test, or, once
    /// served, by waking the application's scheduler and waiting for its round (the tick is then
    /// empty; look at the receiver and the outbox).
    fn at(&self, when: &str) -> Tick {
        self.clock.set(berlin(when));
        if let Some((_, scheduler)) = &self.served {
            let before = scheduler.rounds();
            scheduler.wake();
            wait_for_round(scheduler, before);
            return Tick::default();
        }
        schedule::tick(&mut self.db.conn(), &self.settings, &self.clock).unwrap()
    }

    /// How many mails each address got.
    fn mails(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for message in self.smtp.messages() {
            for rcpt in &message.rcpt_to {
                *counts.entry(rcpt.clone()).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The outbox, in order of queueing.
    fn outbox(&self) -> Vec<Mail> {
        mail_outbox::table
            .inner_join(
                contacts::table.on(contacts::participant_id.eq(mail_outbox::participant_id)),
            )
            .order(mail_outbox::id)
            .select((
                contacts::email,
                mail_outbox::kind,
                mail_outbox::sequence,
                mail_outbox::status,
                mail_outbox::sent_at,
            ))
            .load(&mut self.db.conn())
            .unwrap()
    }

    /// Mails of this kind and sequence that went out.
    fn sent(&self, kind: &str, sequence: i32) -> Vec<String> {
        self.outbox()
            .into_iter()
            .filter(|m| m.1 == kind && m.2 == sequence && m.3 == "sent")
            .map(|m| m.0)
            .collect()
    }

    /// Records `email` as having submitted (what the questionnaire does at the end).
    fn submit(&self, email: &str) {
        let id: i64 = contacts::table
            .filter(contacts::email.eq(email))
            .select(contacts::participant_id)
            .first(&mut self.db.conn())
            .unwrap();
        diesel::update(participants::table.find(id))
            .set(participants::submitted_at.eq(self.clock.now()))
            .execute(&mut self.db.conn())
            .unwrap();
    }

    /// The audit entries of the schedule: (action, details).
    fn schedule_audit(&self) -> Vec<(String, String)> {
        audit_log::table
            .filter(audit_log::actor.eq("Zeitplan"))
            .order(audit_log::id)
            .select((audit_log::action, audit_log::details))
            .load(&mut self.db.conn())
            .unwrap()
    }
}

/// Waits until the scheduler has finished more rounds than `before`.
fn wait_for_round(scheduler: &Wakeup, before: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while scheduler.rounds() <= before {
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduler did not run"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn nothing(tick: &Tick) -> bool {
    tick.queued.is_empty() && tick.sent.iter().all(|(_, _, n)| *n == 0)
}

/// The whole cycle with `serve` alone and a moved clock: invitations once at opening (inside the
/// window), reminders only to those who have not answered, seven days apart, at most two, and
/// nothing more after.
#[test]
fn a_scheduled_wave_runs_its_whole_cycle_by_itself() {
    let mut w = scheduled_wave(
        6,
        "04.05.2027 06:00",
        "15.06.2027",
        &["--invitations", "auto", "--reminders", "auto"],
    );
    w.clock.set(berlin("2027-05-03 12:00"));
    w.serve();
    // Before the opening, and after it but before the window opens at 8:00: nothing.
    for when in ["2027-05-03 18:00", "2027-05-04 06:30", "2027-05-04 07:59"] {
        w.at(when);
        assert_eq!(w.smtp.message_count(), 0, "at {when}");
    }
    // 8:00: every participant's invitation, once.
    w.at("2027-05-04 08:00");
    assert_eq!(w.mails().len(), 6);
    assert!(w.mails().values().all(|n| *n == 1), "{:?}", w.mails());
    w.at("2027-05-04 08:01");
    w.at("2027-05-05 09:00");
    assert_eq!(w.smtp.message_count(), 6);
    w.submit("person0@example.org");
    w.submit("person1@example.org");
    // Six days later: not due. Seven days later, before 8: not yet. At 8: the four who have not answered.
    w.at("2027-05-10 12:00");
    w.at("2027-05-11 07:30");
    assert_eq!(w.smtp.message_count(), 6);
    w.at("2027-05-11 08:00");
    let first = w.sent("reminder", 1);
    assert_eq!(first.len(), 4, "{first:?}");
    assert!(!first.contains(&"person0@example.org".to_owned()));
    w.at("2027-05-11 15:00");
    assert_eq!(w.smtp.message_count(), 10);
    w.submit("person2@example.org");
    // A week after the first reminder: the second, to the three left.
    w.at("2027-05-17 17:00");
    assert_eq!(w.smtp.message_count(), 10);
    w.at("2027-05-18 08:00");
    let second = w.sent("reminder", 2);
    assert_eq!(second.len(), 3, "{second:?}");
    // The policy allows two: nothing more, ever.
    w.at("2027-05-25 08:00");
    w.at("2027-06-01 08:00");
    assert_eq!(w.smtp.message_count(), 6 + 4 + 3);
    // Reminders reach only those who had not answered.
    for (address, count) in w.mails() {
        let want = match address.as_str() {
            "person0@example.org" | "person1@example.org" => 1,
            "person2@example.org" => 2,
            _ => 3,
        };
        assert_eq!(count, want, "{address}");
    }
    // Every mail went out inside the window: Monday to Friday, 8 to 18 o'clock.
    for (_, _, _, _, sent_at) in w.outbox() {
        let local = sent_at.unwrap().with_timezone(&chrono_tz::Europe::Berlin);
        use chrono::{Datelike, Timelike};
        assert!(local.weekday().num_days_from_monday() < 5 && (8..18).contains(&local.hour()));
    }
    // Audited as the schedule, with the counts.
    assert_eq!(
        w.schedule_audit(),
        vec![
            (
                "invitations_started".to_owned(),
                "6 in die Warteschlange".to_owned()
            ),
            (
                "reminders_started".to_owned(),
                "4 in die Warteschlange".to_owned()
            ),
            (
                "reminders_started".to_owned(),
                "3 in die Warteschlange".to_owned()
            ),
        ]
    );
}

/// A wave that opens on Friday at 22:00 sends its invitations on Monday at 8:00, not at night and
/// not at the weekend.
#[test]
fn an_opening_at_night_sends_at_eight_on_the_next_working_day() {
    let w = scheduled_wave(
        3,
        "07.05.2027 22:00",
        "15.06.2027",
        &["--invitations", "auto"],
    );
    assert!(nothing(&w.at("2027-05-07 22:00")));
    assert!(nothing(&w.at("2027-05-08 10:00")));
    assert!(nothing(&w.at("2027-05-09 12:00")));
    assert!(nothing(&w.at("2027-05-10 07:59")));
    w.at("2027-05-10 08:00");
    assert_eq!(w.sent("invitation", 0).len(), 3);
    assert_eq!(
        w.outbox()[0].4.unwrap(),
        berlin("2027-05-10 08:00"),
        "sent at the window's start"
    );
}

/// Across the change to summer time (Sunday 28 March 2027) 8:00 stays 8:00 in Berlin: 6:00 UTC
/// instead of 7:00. A reminder a week after an invitation of the last winter Monday comes on the
/// first summer Monday at 8:00.
#[test]
fn the_window_follows_the_change_to_summer_time() {
    let w = scheduled_wave(
        2,
        "22.03.2027 08:00",
        "30.04.2027",
        &["--invitations", "auto", "--reminders", "auto"],
    );
    w.at("2027-03-22 08:00");
    assert_eq!(w.sent("invitation", 0).len(), 2);
    w.clock.set("2027-03-29T05:59:00Z".parse().unwrap());
    let early = schedule::tick(&mut w.db.conn(), &w.settings, &w.clock).unwrap();
    assert!(nothing(&early), "7:59 summer time is before the window");
    w.clock.set("2027-03-29T06:00:00Z".parse().unwrap());
    schedule::tick(&mut w.db.conn(), &w.settings, &w.clock).unwrap();
    assert_eq!(w.sent("reminder", 1).len(), 2);
}

/// Two `serve` processes (two applications, each with its own pool and scheduler thread) against
/// one database send each mail once; so do four scheduler rounds running at the same moment.
#[test]
fn two_serve_processes_send_each_mail_once() {
    let w = scheduled_wave(
        40,
        "04.05.2027 08:00",
        "15.06.2027",
        &["--invitations", "auto", "--reminders", "auto"],
    );
    w.clock.set(berlin("2027-05-04 09:00"));
    let env = [("SMTP_URL", w.smtp.url())];
    let (_one, first) = TestApp::spawn_with_clock(&w.db, &env, w.clock.clone());
    let (_two, second) = TestApp::spawn_with_clock(&w.db, &env, w.clock.clone());
    // Both started with a round of their own (catching up): wait for a round after the wake-up.
    let (a, b) = (first.rounds(), second.rounds());
    first.wake();
    second.wake();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while first.rounds() <= a.max(1) || second.rounds() <= b.max(1) {
        assert!(
            std::time::Instant::now() < deadline,
            "the schedulers did not run"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    w.smtp.wait_for_messages(40);
    assert_eq!(w.mails().len(), 40);
    assert!(w.mails().values().all(|n| *n == 1), "{:?}", w.mails());
    // A week later four rounds at the same moment: each reminder once.
    w.clock.set(berlin("2027-05-11 08:00"));
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| schedule::tick(&mut w.db.conn(), &w.settings, &w.clock).unwrap());
        }
    });
    assert_eq!(w.sent("reminder", 1).len(), 40);
    assert_eq!(w.smtp.message_count(), 80);
    assert!(w.mails().values().all(|n| *n == 2), "{:?}", w.mails());
    assert_eq!(w.schedule_audit().len(), 2, "{:?}", w.schedule_audit());
}

/// A process that was down while something was due catches up once when it comes back: the first
/// reminder, which was due on the 11th, goes out on the 14th, once; the second follows seven days
/// after that, not at once.
#[test]
fn a_process_back_after_a_missed_time_catches_up_once() {
    let w = scheduled_wave(
        5,
        "04.05.2027 08:00",
        "15.06.2027",
        &["--invitations", "auto", "--reminders", "auto"],
    );
    w.at("2027-05-04 08:00");
    // Down from the 5th to the 14th.
    w.at("2027-05-14 10:00");
    assert_eq!(w.sent("reminder", 1).len(), 5);
    assert!(nothing(&w.at("2027-05-14 10:01")));
    assert!(
        nothing(&w.at("2027-05-18 08:00")),
        "not the 2nd on the 1st's old date"
    );
    w.at("2027-05-21 08:00");
    assert_eq!(w.sent("reminder", 2).len(), 5);
    assert!(w.mails().values().all(|n| *n == 3), "{:?}", w.mails());
}

/// A paused schedule sends nothing; resumed, it sends what is due.
#[test]
fn a_paused_schedule_sends_nothing_until_resumed() {
    let w = scheduled_wave(
        3,
        "04.05.2027 08:00",
        "15.06.2027",
        &["--invitations", "auto", "--pause"],
    );
    assert!(nothing(&w.at("2027-05-04 09:00")));
    assert!(nothing(&w.at("2027-05-05 09:00")));
    assert_eq!(w.smtp.message_count(), 0);
    let shown = mint(&w.db, &["wave", "schedule", &w.slug])
        .success()
        .to_owned();
    assert!(
        shown.contains("PAUSED inv auto, rem manual, 8-18 mo-fr"),
        "{shown}"
    );
    mint(&w.db, &["wave", "schedule", &w.slug, "--resume"]).success();
    w.at("2027-05-05 09:01");
    assert_eq!(w.sent("invitation", 0).len(), 3);
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::action.like("schedule_%"))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut w.db.conn())
        .unwrap();
    assert_eq!(
        actions,
        ["schedule_changed", "schedule_paused", "schedule_resumed"]
    );
}

/// A wave closed early sends nothing more: no reminders queued, and mails still queued are skipped.
#[test]
fn a_wave_closed_early_sends_nothing_more() {
    let w = scheduled_wave(
        4,
        "04.05.2027 08:00",
        "15.06.2027",
        &["--invitations", "auto", "--reminders", "auto"],
    );
    w.at("2027-05-04 08:00");
    assert_eq!(w.smtp.message_count(), 4);
    // Queued by hand but not sent yet when the wave is closed.
    diesel::sql_query(
        "INSERT INTO mail_outbox (wave_id, participant_id, kind, sequence, next_attempt_at)
         SELECT wave_id, id, 'reminder', 1, '2027-05-01' FROM participants ORDER BY id LIMIT 1",
    )
    .execute(&mut w.db.conn())
    .unwrap();
    mint(&w.db, &["wave", "close", &w.slug]).success();
    assert!(nothing(&w.at("2027-05-11 08:00")));
    assert!(nothing(&w.at("2027-05-18 08:00")));
    assert_eq!(w.smtp.message_count(), 4);
    let options = mint_survey::app::mailing::SendSettings {
        clock: w.clock.clone(),
        ..Default::default()
    };
    let url = mint_survey::store::database_url(&w.settings).unwrap();
    let wave = mint_survey::app::waves::find(&mut w.db.conn(), &w.slug).unwrap();
    let kind = mint_survey::mail::templates::MailKind::Reminder;
    let sent = mint_survey::app::mailing::send(&w.settings, &url, wave, kind, &options).unwrap();
    assert_eq!((sent.run.sent, sent.run.skipped), (0, 1));
    assert_eq!(w.smtp.message_count(), 4);
}

/// A last reminder three days before the end: the regular rounds keep one of the two reminders
/// for it; it goes out once, inside the window (the 30th is a Sunday: Monday at 8:00).
#[test]
fn the_last_reminder_goes_out_once_before_the_end() {
    let w = scheduled_wave(
        3,
        "04.05.2027 08:00",
        "01.06.2027",
        &[
            "--invitations",
            "auto",
            "--reminders",
            "auto",
            "--last-reminder-days",
            "3",
        ],
    );
    w.at("2027-05-04 08:00");
    w.at("2027-05-11 08:00");
    assert_eq!(w.sent("reminder", 1).len(), 3);
    w.submit("person0@example.org");
    assert!(
        nothing(&w.at("2027-05-18 08:00")),
        "the 2nd is kept for the last"
    );
    assert!(nothing(&w.at("2027-05-30 12:00")), "Sunday");
    w.at("2027-05-31 08:00");
    assert_eq!(w.sent("reminder", 2).len(), 2);
    assert!(nothing(&w.at("2027-05-31 08:01")));
    assert!(nothing(&w.at("2027-06-01 09:00")));
    assert_eq!(w.smtp.message_count(), 3 + 3 + 2);
}

/// With the mail server down during a scheduled round, nothing is lost: the mails stay queued and
/// the next round sends each once.
#[test]
fn an_smtp_outage_leaves_the_rest_queued_for_the_next_round() {
    let w = scheduled_wave(
        5,
        "04.05.2027 08:00",
        "15.06.2027",
        &["--invitations", "auto"],
    );
    w.smtp.stop();
    let tick = w.at("2027-05-04 08:00");
    assert_eq!(tick.queued[0].queued, 5);
    assert!(tick.stopped.is_some(), "{tick:?}");
    assert_eq!(w.sent("invitation", 0).len(), 0);
    w.smtp.restart();
    w.at("2027-05-04 08:01");
    assert_eq!(w.sent("invitation", 0).len(), 5);
    assert!(w.mails().values().all(|n| *n == 1), "{:?}", w.mails());
    assert_eq!(w.schedule_audit().len(), 1);
}

/// Bad input on the command line: refused in English, nothing changed.
#[test]
fn bad_schedules_are_refused_on_the_command_line() {
    let w = scheduled_wave(1, "04.05.2027 08:00", "15.06.2027", &["--window", "9-17"]);
    for (args, expected) in [
        (vec!["--window", "18-8"], "ends before it starts"),
        (vec!["--window", "8"], "not a range of hours"),
        (vec!["--days", "montag"], "are not weekdays"),
        (vec!["--last-reminder-days", "99"], "between 1 and 60"),
    ] {
        let mut command = vec!["wave", "schedule", &w.slug];
        command.extend(args.iter().copied());
        let error = mint(&w.db, &command).failure().to_owned();
        assert!(error.contains(expected), "{args:?}: {error}");
    }
    for (args, expected) in [
        (
            vec!["--reminders", "11"],
            "--reminders must be at most 10, not 11",
        ),
        (
            vec!["--reminder-days", "0"],
            "--reminder-days must be at least 1, not 0",
        ),
        (
            vec!["--reminder-days=-3"],
            "--reminder-days must be at least 1",
        ),
    ] {
        let mut command = vec!["wave", "set", &w.slug];
        command.extend(args.iter().copied());
        let error = mint(&w.db, &command).failure().to_owned();
        assert!(error.contains(expected), "{args:?}: {error}");
    }
    let shown = mint(&w.db, &["wave", "schedule", &w.slug])
        .success()
        .to_owned();
    assert!(shown.contains("manual"), "unchanged: {shown}");
    let list = mint(&w.db, &["wave", "list"]).success().to_owned();
    assert!(
        list.contains("SCHEDULE") && list.contains("manual"),
        "{list}"
    );
    // An open-link wave has nobody to mail.
    mint(
        &w.db,
        &["survey", "load", "surveys/herbst-2020-akteure.toml"],
    )
    .success();
    let open = mint(
        &w.db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020-akteure",
            "--title",
            "Offen",
        ],
    )
    .success()
    .trim()
    .to_owned();
    let error = mint(&w.db, &["wave", "schedule", &open, "--invitations", "auto"])
        .failure()
        .to_owned();
    assert!(error.contains("open link"), "{error}");
}

/// The staff pages: the wave page says in German what the schedule sends when, the settings page
/// saves the schedule and refuses a backwards window with a German message, keeping what was
/// chosen.
#[test]
fn the_wave_page_shows_the_plan_and_the_settings_page_sets_it() {
    let w = scheduled_wave(
        7,
        "04.05.2027 06:00",
        "15.06.2027",
        &["--invitations", "auto", "--reminders", "auto"],
    );
    staff_account(
        &w.db,
        "admin@example.org",
        mint_survey::accounts::Role::Admin,
        None,
    );
    w.clock.set(berlin("2027-05-03 10:00"));
    let env = [("SMTP_URL", w.smtp.url())];
    let (app, _) = TestApp::spawn_with_clock(&w.db, &env, w.clock.clone());
    let auth = app.login("admin@example.org", crate::helpers::app::PASSWORD);
    let page = |path: &str| {
        let (status, _, body, _) = app.get(path, Some(&auth));
        assert_eq!(status, 200, "{body}");
        body
    };
    let wave_page = page(&format!("/admin/wellen/{}", w.slug));
    assert!(
        wave_page.contains("Einladungen: automatisch am 04.05. um 8:00 (7 Personen)"),
        "{wave_page}"
    );
    assert!(
        wave_page.contains("nächste Erinnerung: 11.05. um 8:00, voraussichtlich an 7 Personen"),
        "{wave_page}"
    );
    w.at("2027-05-04 08:00");
    let wave_page = page(&format!("/admin/wellen/{}", w.slug));
    assert!(wave_page.contains("Zeitplan"), "{wave_page}");
    assert!(
        wave_page.contains("<td>Einladungen</td><td>Zeitplan</td><td>7 Mails</td>"),
        "{wave_page}"
    );
    // A backwards window: 422, German, the form as chosen.
    let path = format!("/admin/wellen/{}/zeitplan", w.slug);
    let form = format!(
        "csrf={}&aktion=speichern&einladungen=auto&erinnerungen=hand&letzte=&von=18&bis=8&tag_mo=ja&tag_sa=ja",
        crate::helpers::app::csrf_of(&auth)
    );
    let (status, _, body) = app.post(&path, Some(&auth), &form);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("Versandzeit: 18–8 Uhr endet vor ihrem Beginn"),
        "{body}"
    );
    assert!(
        body.contains("id=\"tag_sa\" name=\"tag_sa\" value=\"ja\" checked"),
        "{body}"
    );
    let shown = mint(&w.db, &["wave", "schedule", &w.slug])
        .success()
        .to_owned();
    assert!(
        shown.contains("inv auto, rem auto, 8-18 mo-fr"),
        "unchanged: {shown}"
    );
    // Saved: reminders by hand, 9 to 17 on Monday to Saturday.
    let form =
        form.replace("von=18&bis=8", "von=9&bis=17") + "&tag_di=ja&tag_mi=ja&tag_do=ja&tag_fr=ja";
    let (status, location) = app.post_form(&path, Some(&auth), &form);
    assert_eq!(status, 303, "{location:?}");
    let shown = mint(&w.db, &["wave", "schedule", &w.slug])
        .success()
        .to_owned();
    assert!(
        shown.contains("inv auto, rem manual, 9-17 mo-sa"),
        "{shown}"
    );
    let settings = page(&format!("/admin/wellen/{}/einstellungen", w.slug));
    assert!(settings.contains("Zeitplan anhalten"), "{settings}");
    // More than ten reminders: refused in German on the settings form.
    let form = format!(
        "csrf={}&aktion=speichern&erinnerungen=11",
        crate::helpers::app::csrf_of(&auth)
    );
    let settings_path = format!("/admin/wellen/{}/einstellungen", w.slug);
    let (status, _, body) = app.post(&settings_path, Some(&auth), &form);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("Erinnerungen: bitte höchstens 10 angeben, nicht 11."),
        "{body}"
    );
}
