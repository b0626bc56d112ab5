//! A wave's test link: the real questionnaire before the wave opens, never counted anywhere, and
//! deleted from the wave's page.

use diesel::prelude::*;
use mint_survey::accounts::Role;
use mint_survey::store::schema::responses;
use mint_survey::store::surveys;
use mint_survey::survey::answers::Attributes;

use crate::helpers::app::{PASSWORD, Respondent, TestApp, csrf_of, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{import_participants, participants_csv};
use crate::questionnaire::answer_to_the_end;

#[test]
fn a_test_response_runs_before_opening_counts_nowhere_and_can_be_deleted() {
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
    import_participants(&db, &slug, participants_csv(2));
    let link = mint(&db, &["wave", "test-link", &slug])
        .success()
        .trim()
        .to_owned();
    let path = &link[link.find("/test/").unwrap()..];
    let app = TestApp::spawn(&db);
    assert_eq!(
        app.get(
            &format!("/test/{slug}/0b1c2d3e-0000-4000-8000-000000000000"),
            None
        )
        .0,
        404
    );
    let survey = surveys::find_latest(&mut db.conn(), "fruehjahr-2020")
        .unwrap()
        .unwrap()
        .survey;
    // The wave is a draft: the test link works all the same.
    let (mut respondent, body) = Respondent::open(&app, path);
    assert!(body.contains("Datenschutz und Einwilligung"), "{body}");
    let (status, _, _) = respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 303);
    answer_to_the_end(&db, &survey, &mut respondent, &Attributes::new(), &[]);
    let tests: Vec<(bool, bool)> = responses::table
        .select((responses::is_test, responses::submitted_at.is_not_null()))
        .load(&mut db.conn())
        .unwrap();
    assert_eq!(tests, [(true, true)], "one submitted test response");

    // Counted nowhere: report, raw export, wave list, progress.
    mint(&db, &["wave", "open", &slug]).success();
    // A threshold of 1: a counted test response would show as "1 submitted responses".
    mint(&db, &["wave", "set", &slug, "--suppress-below", "1"]).success();
    let out = db.var_dir.join("bericht");
    let report = mint(
        &db,
        &[
            "report",
            "--wave",
            &slug,
            "--include-raw",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        report.success().contains("too few submitted responses"),
        "{report:?}"
    );
    let raw = std::fs::read_to_string(out.join("responses.csv")).unwrap();
    assert_eq!(raw.lines().count(), 1, "only the header: {raw}");
    let list = mint(&db, &["wave", "list"]);
    let line = list
        .success()
        .lines()
        .find(|l| l.starts_with(&slug))
        .unwrap()
        .to_owned();
    assert!(
        line.contains("  0  manual  "),
        "no submission counted: {line}"
    );
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let admin = app.login("admin@example.org", PASSWORD);
    let (_, _, progress, _) = app.get(&format!("/board/ruecklauf/{slug}"), Some(&admin));
    assert!(
        progress.contains("Noch keine."),
        "no submission per day: {progress}"
    );

    let (_, _, page, _) = app.get(&format!("/admin/wellen/{slug}"), Some(&admin));
    assert!(page.contains(&format!("value=\"{link}\"")), "{page}");
    assert!(
        page.contains("Testantworten: 1 begonnen, davon 1 abgeschickt."),
        "{page}"
    );
    let form = format!("csrf={}", csrf_of(&admin));
    let (status, _, page) = app.post(
        &format!("/admin/wellen/{slug}/testantworten"),
        Some(&admin),
        &form,
    );
    assert_eq!(status, 200);
    assert!(page.contains("1 Testantworten gelöscht"), "{page}");
    let left: i64 = responses::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(left, 0);
}
