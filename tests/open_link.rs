//! `/o/{wave}`: the actors' open link: a response per browser session, the Land from the answer,
//! the honeypot and the limit on new responses per address.

use diesel::prelude::*;
use mint_survey::store::schema::responses;
use mint_survey::store::surveys;
use mint_survey::survey::answers::Attributes;

use crate::helpers::app::{Respondent, TestApp};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::open_wave;
use crate::questionnaire::answer_to_the_end;

/// An open wave of the actors' survey; returns its slug.
fn actors_wave(db: &TestDb) -> String {
    mint(db, &["survey", "load", "surveys/herbst-2020-akteure.toml"]).success();
    let slug = mint(
        db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020-akteure",
            "--title",
            "Herbst 2020 Akteure",
        ],
    )
    .success()
    .trim()
    .to_owned();
    mint(db, &["wave", "open", &slug]).success();
    slug
}

fn submitted_lands(db: &TestDb) -> Vec<Option<String>> {
    responses::table
        .filter(responses::submitted_at.is_not_null())
        .order(responses::id)
        .select(responses::land_code)
        .load(&mut db.conn())
        .unwrap()
}

#[test]
fn every_browser_session_gets_its_own_anonymous_response_counted_for_the_chosen_land() {
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let app = TestApp::spawn(&db);
    let survey = surveys::find_latest(&mut db.conn(), "herbst-2020-akteure")
        .unwrap()
        .unwrap()
        .survey;
    for land in ["DE-TH", "DE-BY"] {
        let (mut browser, body) = Respondent::open(&app, &format!("/o/{slug}"));
        assert!(
            body.contains("Datenschutz und Einwilligung") && body.contains("name=\"website\""),
            "{body}"
        );
        let (status, _, _) = browser.post("beginnen", &[("einwilligung".into(), "ja".into())]);
        assert_eq!(status, 303);
        let overrides = [("q_land", land), ("q_neue_digitale_angebote", "nein")];
        answer_to_the_end(&db, &survey, &mut browser, &Attributes::new(), &overrides);
    }
    assert_eq!(
        submitted_lands(&db),
        [Some("DE-TH".to_owned()), Some("DE-BY".to_owned())]
    );
    let participants: Vec<Option<i64>> = responses::table
        .select(responses::participant_id)
        .load(&mut db.conn())
        .unwrap();
    assert!(
        participants.iter().all(Option::is_none),
        "open-link responses are anonymous"
    );
}

#[test]
fn a_filled_honeypot_stores_nothing() {
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let app = TestApp::spawn(&db);
    let (mut robot, _) = Respondent::open(&app, &format!("/o/{slug}"));
    let (status, _, _) = robot.post(
        "beginnen",
        &[
            ("einwilligung".into(), "ja".into()),
            ("website".into(), "http://spam.example".into()),
        ],
    );
    assert_eq!(status, 303, "the robot is not told");
    let count: i64 = responses::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(count, 0);
}

#[test]
fn one_address_starts_at_most_20_responses_an_hour() {
    let db = TestDb::new();
    let slug = actors_wave(&db);
    let app = TestApp::spawn(&db);
    for _ in 0..20 {
        let (mut browser, _) = Respondent::open(&app, &format!("/o/{slug}"));
        assert_eq!(
            browser
                .post("beginnen", &[("einwilligung".into(), "ja".into())])
                .0,
            303
        );
    }
    let (mut flood, _) = Respondent::open(&app, &format!("/o/{slug}"));
    let (status, _, body) = flood.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 429, "{body}");
    let count: i64 = responses::table.count().get_result(&mut db.conn()).unwrap();
    assert_eq!(count, 20);
}

#[test]
fn only_open_access_surveys_have_an_open_link() {
    let db = TestDb::new();
    let token_wave = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    assert_eq!(
        app.get(&format!("/o/{token_wave}"), None).0,
        404,
        "regions answer with personal links only"
    );
    assert_eq!(app.get("/o/gibt-es-nicht", None).0, 404);
}
