//! Changing answers after submitting: the changed answers are a draft of the change (they survive
//! closing the browser) and count only once submitted; until then reports, rates and the raw
//! export see the submitted version; a change left unsent when the wave closes is never applied;
//! "Änderungen verwerfen" drops it.

use diesel::prelude::*;
use mint_survey::store::schema::{answer_changes, answers, participants, responses};
use mint_survey::store::surveys;
use mint_survey::survey::Survey;
use mint_survey::survey::answers::{Answers, Attributes, field_name};

use crate::helpers::app::{Respondent, TestApp};
use crate::helpers::cli::{mint, scratch_file};
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{answer_page, link_path, open_wave};
use crate::questionnaire::{answer_to_the_end, page_index};

const BANNER: &str =
    "Sie ändern Ihre abgeschickten Antworten; die Änderungen sind noch nicht abgeschickt.";

/// person0 of `open_wave`.
fn attributes() -> Attributes {
    [
        ("landesnetzwerk".to_owned(), "ja".to_owned()),
        ("land".to_owned(), "DE-BW".to_owned()),
    ]
    .into_iter()
    .collect()
}

/// The submitted answer to `lage_gesamt`, as reports read it (the `answers` table).
fn submitted(db: &TestDb) -> Option<String> {
    answers::table
        .filter(answers::question_id.eq("lage_gesamt"))
        .select(answers::option_code)
        .first(&mut db.conn())
        .optional()
        .unwrap()
}

fn draft_rows(db: &TestDb) -> i64 {
    answer_changes::table
        .count()
        .get_result(&mut db.conn())
        .unwrap()
}

/// The `lage_gesamt` cell of the raw export's only row.
fn exported(db: &TestDb, slug: &str) -> String {
    let out = scratch_file("raw", "").with_extension("d");
    mint(
        db,
        &[
            "report",
            "--wave",
            slug,
            "--include-raw",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success();
    let mut reader = csv::Reader::from_path(out.join("responses.csv")).unwrap();
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "lage_gesamt")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "one submitted response");
    rows[0][column].to_owned()
}

/// A wave whose person0 has answered every page and submitted: the database, the server, the
/// survey, the wave's slug and person0's link.
fn submitted_wave() -> (TestDb, TestApp, Survey, String, String) {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let survey = surveys::find_latest(&mut db.conn(), "fruehjahr-2020")
        .unwrap()
        .unwrap()
        .survey;
    let path = link_path(&db, &slug, "person0@example.org");
    {
        let (mut respondent, _) = Respondent::open(&app, &path);
        let (status, _, _) = respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
        assert_eq!(status, 303);
        answer_to_the_end(&db, &survey, &mut respondent, &attributes(), &[]);
    }
    (db, app, survey, slug, path)
}

#[test]
fn a_change_after_submitting_counts_only_once_it_is_submitted() {
    let (db, app, survey, slug, path) = submitted_wave();
    let (mut respondent, _) = Respondent::open(&app, &path);
    assert_eq!(submitted(&db).as_deref(), Some("sehr_gut"));
    let before = exported(&db, &slug);

    // "ändern" on the page of lage_gesamt; clear that required answer and save for later.
    let page = survey
        .pages
        .iter()
        .position(|p| p.questions.iter().any(|q| q.id == "lage_gesamt"))
        .unwrap();
    let (status, _, _) = respondent.post("aendern", &[("page".into(), page.to_string())]);
    assert_eq!(status, 303);
    let (_, body) = respondent.page();
    assert!(body.contains(BANNER), "{body}");
    let field = field_name("lage_gesamt");
    let cleared = answer_page(
        &survey,
        page,
        &Answers::new(),
        &attributes(),
        &[(&field, "")],
    );
    let (status, _, body) = respondent.post(
        "speichern",
        &[&[("page".to_owned(), page.to_string())][..], &cleared].concat(),
    );
    assert_eq!(status, 303, "{body}");
    assert!(draft_rows(&db) > 0, "the change is stored");

    // Reports, rates and the raw export still see the submitted answer.
    assert_eq!(submitted(&db).as_deref(), Some("sehr_gut"));
    assert_eq!(exported(&db, &slug), before);
    let (response_submitted, participant_submitted): (bool, bool) = responses::table
        .inner_join(participants::table)
        .select((
            responses::submitted_at.is_not_null(),
            participants::submitted_at.is_not_null(),
        ))
        .first(&mut db.conn())
        .unwrap();
    assert!(response_submitted && participant_submitted);

    // A new browser (the old one closed): the draft of the change is there, with the banner.
    let (mut again, body) = Respondent::open(&app, &path);
    assert!(body.contains(BANNER), "{body}");
    assert_eq!(page_index(&body), page);
    assert!(
        !body.contains(&format!("name=\"{field}\" value=\"sehr_gut\" checked")),
        "the cleared answer stays cleared: {body}"
    );
    // Submitting it checks everything like the first time, then replaces the submitted answers.
    answer_to_the_end(
        &db,
        &survey,
        &mut again,
        &attributes(),
        &[(&field, "sehr_schlecht")],
    );
    assert_eq!(submitted(&db).as_deref(), Some("sehr_schlecht"));
    assert_eq!(draft_rows(&db), 0);
    assert_ne!(exported(&db, &slug), before);

    // Changed again but discarded: the submitted answers stand, the summary shows them.
    let (status, _, _) = again.post("aendern", &[("page".into(), page.to_string())]);
    assert_eq!(status, 303);
    let good = answer_page(
        &survey,
        page,
        &Answers::new(),
        &attributes(),
        &[(&field, "sehr_gut")],
    );
    let (status, _, _) = again.post(
        "weiter",
        &[&[("page".to_owned(), page.to_string())][..], &good].concat(),
    );
    assert_eq!(status, 303);
    assert_eq!(submitted(&db).as_deref(), Some("sehr_schlecht"));
    let (status, _, _) = again.post("verwerfen", &[]);
    assert_eq!(status, 303);
    let (_, summary) = again.page();
    assert!(summary.contains("Vielen Dank!") && !summary.contains(BANNER));
    assert!(summary.contains("sehr schlecht"), "{summary}");
    assert_eq!(draft_rows(&db), 0);

    // Changed once more and left unsent when the wave closes: never applied.
    let (status, _, _) = again.post("aendern", &[("page".into(), page.to_string())]);
    assert_eq!(status, 303);
    let (status, _, _) = again.post(
        "weiter",
        &[&[("page".to_owned(), page.to_string())][..], &good].concat(),
    );
    assert_eq!(status, 303);
    mint(&db, &["wave", "close", &slug]).success();
    assert_eq!(submitted(&db).as_deref(), Some("sehr_schlecht"));
    assert_eq!(exported(&db, &slug).as_str(), "sehr_schlecht");
}

#[test]
fn a_second_window_after_the_change_was_submitted_is_told_and_changes_nothing() {
    let (db, app, survey, _, path) = submitted_wave();
    let (mut first, _) = Respondent::open(&app, &path);
    let page = page_index(&{
        let (status, _, _) = first.post("aendern", &[]);
        assert_eq!(status, 303);
        first.page().1
    });
    // A second window opens the change, then the first submits it.
    let (mut second, body) = Respondent::open(&app, &path);
    assert!(body.contains(BANNER));
    answer_to_the_end(&db, &survey, &mut first, &attributes(), &[]);
    let field = field_name("lage_gesamt");
    let fields = answer_page(
        &survey,
        page,
        &Answers::new(),
        &attributes(),
        &[(&field, "teils")],
    );
    let (status, location, _) = second.post(
        "weiter",
        &[&[("page".to_owned(), page.to_string())][..], &fields].concat(),
    );
    assert_eq!(status, 303);
    assert!(
        location
            .as_deref()
            .is_some_and(|l| l.ends_with("?anderswo")),
        "{location:?}"
    );
    let (_, summary) = second.page_at("?anderswo");
    assert!(
        summary.contains("Ihre Antworten waren schon abgeschickt"),
        "{summary}"
    );
    assert_eq!(submitted(&db).as_deref(), Some("sehr_gut"));
    assert_eq!(draft_rows(&db), 0);
}
