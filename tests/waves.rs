//! `wave create|open|close|list|set|purge-contacts` through the binary.

use diesel::prelude::*;
use mint_survey::store::schema::{contacts, participants, waves};

use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::open_wave;

#[test]
fn create_pins_the_current_survey_version_and_prints_the_slug() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    let out = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "fruehjahr-2020",
            "--title",
            "Frühjahr 2020",
            "--opens",
            "23.04.2020",
            "--closes",
            "2020-05-05",
        ],
    );
    assert_eq!(out.success(), "fruehjahr-2020\n");
    let again = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "fruehjahr-2020",
            "--title",
            "Frühjahr 2020",
        ],
    );
    assert_eq!(
        again.success(),
        "fruehjahr-2020-2\n",
        "a taken slug gets a number"
    );

    let (version_id, opens, closes): (
        i64,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    ) = waves::table
        .filter(waves::slug.eq("fruehjahr-2020"))
        .select((waves::survey_version_id, waves::opens_at, waves::closes_at))
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(
        opens.unwrap().to_rfc3339(),
        "2020-04-22T22:00:00+00:00",
        "23.04.2020 00:00 in Berlin"
    );
    assert_eq!(
        closes.unwrap().to_rfc3339(),
        "2020-05-05T22:00:00+00:00",
        "the whole 05.05.2020 counts"
    );
    let pinned = mint_survey::store::surveys::find_latest(&mut db.conn(), "fruehjahr-2020")
        .unwrap()
        .unwrap();
    assert_eq!(version_id, pinned.id);
    let list = mint(&db, &["wave", "list"]);
    let line = list
        .success()
        .lines()
        .find(|l| l.starts_with("fruehjahr-2020 "))
        .unwrap()
        .to_owned();
    assert!(
        line.contains("closed") && line.contains("23.04.2020") && line.contains("05.05.2020"),
        "{line}"
    );
}

#[test]
fn a_wave_opens_and_closes_by_hand() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/herbst-2020.toml"]).success();
    mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020",
            "--title",
            "Herbst 2020",
        ],
    )
    .success();
    let state = |db: &TestDb| {
        mint(db, &["wave", "list"])
            .success()
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    };
    assert_eq!(state(&db), "draft");
    mint(&db, &["wave", "open", "herbst-2020"]).success();
    assert_eq!(state(&db), "open");
    mint(&db, &["wave", "close", "herbst-2020"]).success();
    assert_eq!(state(&db), "closed");
    let err = mint(&db, &["wave", "close", "herbst-2020"]);
    assert!(err.failure().contains("already closed"));
}

#[test]
fn copy_from_takes_settings_texts_and_participants_with_new_links() {
    let db = TestDb::new();
    let spring = open_wave(&db, 5);
    let text =
        crate::helpers::cli::scratch_file("text.txt", "{{ greeting }}\n\nbitte: {{ link }}\n");
    mint(
        &db,
        &[
            "wave",
            "set",
            &spring,
            "--reminders",
            "3",
            "--reminder-days",
            "4",
            "--suppress-below",
            "3",
            "--invitation-subject",
            "Bitte um Mitwirkung: {{ wave }}",
            "--invitation-text",
            text.to_str().unwrap(),
        ],
    )
    .success();
    mint(&db, &["survey", "load", "surveys/herbst-2020.toml"]).success();
    let autumn = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020",
            "--title",
            "Herbst 2020",
            "--copy-from",
            &spring,
        ],
    );
    assert!(
        autumn.stderr.contains("5 participants copied"),
        "{autumn:?}"
    );
    let autumn = autumn.success().trim().to_owned();

    let mut conn = db.conn();
    let row = |conn: &mut PgConnection, slug: &str| -> (i64, i32, i32, i32, serde_json::Value) {
        waves::table
            .filter(waves::slug.eq(slug))
            .select((
                waves::id,
                waves::reminders_max,
                waves::reminder_interval_days,
                waves::suppress_below,
                waves::mail_texts,
            ))
            .first(conn)
            .unwrap()
    };
    let (spring_id, ..) = row(&mut conn, &spring);
    let (autumn_id, reminders, days, threshold, texts) = row(&mut conn, &autumn);
    assert_eq!((reminders, days, threshold), (3, 4, 3));
    assert_eq!(
        texts["invitation_subject"],
        "Bitte um Mitwirkung: {{ wave }}"
    );
    let emails = |conn: &mut PgConnection, wave: i64| -> Vec<String> {
        contacts::table
            .filter(contacts::wave_id.eq(wave))
            .order(contacts::email)
            .select(contacts::email)
            .load(conn)
            .unwrap()
    };
    assert_eq!(emails(&mut conn, spring_id), emails(&mut conn, autumn_id));
    let hashes = |conn: &mut PgConnection, wave: i64| -> Vec<Option<Vec<u8>>> {
        participants::table
            .filter(participants::wave_id.eq(wave))
            .select(participants::token_sha256)
            .load(conn)
            .unwrap()
    };
    let spring_hashes = hashes(&mut conn, spring_id);
    assert!(
        hashes(&mut conn, autumn_id)
            .iter()
            .all(|h| h.is_some() && !spring_hashes.contains(h)),
        "every copy gets a new link"
    );
}

#[test]
fn unknown_placeholders_in_mail_texts_are_refused() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let out = mint(
        &db,
        &[
            "wave",
            "set",
            &slug,
            "--invitation-subject",
            "Hallo {{ regon }}",
        ],
    );
    assert!(
        out.failure()
            .contains("unknown placeholder `{{ regon }}` (did you mean `{{ region }}`?)"),
        "{out:?}"
    );
}

#[test]
fn contacts_are_purged_only_after_the_wave_closed_and_participants_stay() {
    let db = TestDb::new();
    let slug = open_wave(&db, 4);
    assert!(
        mint(&db, &["wave", "purge-contacts", &slug])
            .failure()
            .contains("close it first")
    );
    mint(&db, &["wave", "close", &slug]).success();
    let out = mint(&db, &["wave", "purge-contacts", &slug]);
    assert!(out.success().contains("4 participants"), "{out:?}");
    let mut conn = db.conn();
    assert_eq!(
        contacts::table
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap(),
        0
    );
    assert_eq!(
        participants::table
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap(),
        4
    );
}

/// Command-line actions are audited like the pages' ones, in the name of the system user.
#[test]
fn command_line_wave_actions_are_in_the_audit_log_with_the_command_line_actor() {
    use mint_survey::store::schema::audit_log;
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
            "Frühjahr 2020",
        ],
    )
    .success()
    .trim()
    .to_owned();
    mint(&db, &["wave", "set", &slug, "--reminders", "3"]).success();
    mint(&db, &["wave", "open", &slug]).success();
    mint(&db, &["wave", "close", &slug]).success();
    mint(&db, &["wave", "purge-contacts", &slug]).success();
    let log: Vec<(String, String, String)> = audit_log::table
        .select((audit_log::actor, audit_log::action, audit_log::subject))
        .order(audit_log::id)
        .load(&mut db.conn())
        .unwrap();
    let actions: Vec<&str> = log
        .iter()
        .filter(|(actor, _, _)| actor.starts_with("Kommandozeile ("))
        .map(|(_, action, _)| action.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "survey_loaded",
            "wave_created",
            "wave_settings_changed",
            "wave_opened",
            "wave_closed",
            "contacts_purged"
        ],
        "{log:?}"
    );
    assert!(log.iter().skip(1).all(|(_, _, subject)| subject == &slug));
}

/// A refused date on the new-wave page is explained in German, with no command-line flag or
/// English, and the form keeps what was typed.
#[test]
fn a_refused_wave_date_on_the_page_is_worded_in_german_only() {
    use crate::helpers::app::{PASSWORD, TestApp, csrf_of, staff_account};
    use mint_survey::accounts::Role;
    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let form = format!(
        "csrf={}&umfrage=fruehjahr-2020&titel=Herbst&beginn=31.02.2021&ende=&kopie=",
        csrf_of(&auth)
    );
    let (status, _, body) = app.post("/admin/wellen/neu", Some(&auth), &form);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("„31.02.2021“ ist kein gültiges Datum (TT.MM.JJJJ"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"#beginn\">Beginn: „31.02.2021“"),
        "the summary links to the field: {body}"
    );
    for english in ["--opens", "is not a date", "write 2020"] {
        assert!(!body.contains(english), "{english} in {body}");
    }
    assert!(
        body.contains("value=\"31.02.2021\""),
        "the typed date is kept"
    );
    let created: i64 = waves::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(created, 0);
}

/// On the page a second wave with a title that exists is a question, not a silent `-2`; dates come
/// back on the settings form as they were typed.
#[test]
fn the_new_wave_page_asks_before_a_second_wave_of_a_title_and_keeps_dates_as_typed() {
    use crate::helpers::app::{PASSWORD, TestApp, csrf_of, staff_account};
    use mint_survey::accounts::Role;
    let db = TestDb::new();
    let slug = open_wave(&db, 0);
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let form = format!(
        "csrf={}&umfrage=fruehjahr-2020&titel=Fr%C3%BChjahr+2020&beginn=01.12.2099&ende=18.12.2099&kopie=",
        csrf_of(&auth)
    );
    let (status, _, body) = app.post("/admin/wellen/neu", Some(&auth), &form);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(&format!(
            "Es gibt schon eine Welle mit diesem Titel („{slug}“)"
        )),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"#zweite\">") && body.contains("id=\"zweite\""),
        "{body}"
    );
    let (status, location) = app.post_form(
        "/admin/wellen/neu",
        Some(&auth),
        &format!("{form}&zweite=ja"),
    );
    assert_eq!(status, 303);
    let second = format!("{slug}-2");
    assert_eq!(
        location.as_deref(),
        Some(format!("/admin/wellen/{second}").as_str())
    );
    let (_, _, settings, _) = app.get(
        &format!("/admin/wellen/{second}/einstellungen"),
        Some(&auth),
    );
    assert!(settings.contains("value=\"01.12.2099\""), "{settings}");
    assert!(
        settings.contains("value=\"18.12.2099\""),
        "the end date as typed: {settings}"
    );
}
