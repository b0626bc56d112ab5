//! "Alle Fragen auf einer Seite": the whole questionnaire as one form, consent and submit in one POST.

use diesel::prelude::*;
use mint_survey::store::schema::{answers, participants, responses};
use mint_survey::survey::answers::{Answers, Attributes};
use mint_survey::survey::{Format, Survey, parse_definition};

use crate::helpers::app::{Respondent, TestApp};
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{self, answer_page, link_path, open_wave};

fn survey() -> Survey {
    let text = std::fs::read("surveys/fruehjahr-2020.toml").unwrap();
    parse_definition("fruehjahr-2020.toml", &text, Format::Toml).unwrap()
}

/// person0 of `open_wave`: Baden-Württemberg, in a Land network.
fn attributes() -> Attributes {
    [("landesnetzwerk", "ja"), ("land", "DE-BW")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Valid fields for every page person0 is shown, with `overrides`, as one form.
fn whole_form(survey: &Survey, overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    fixtures::whole_form(survey, &attributes(), overrides)
}

fn count(db: &TestDb) -> (i64, i64) {
    let mut conn = db.conn();
    let r = responses::table.count().get_result(&mut conn).unwrap();
    let a = answers::table.count().get_result(&mut conn).unwrap();
    (r, a)
}

#[test]
fn the_whole_questionnaire_is_consented_answered_and_submitted_in_one_form() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &path);
    respondent.path = format!("{path}?alle");
    let (status, body) = respondent.page();
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Alle Fragen auf einer Seite</h1>"));
    assert!(body.contains("name=\"einwilligung\""));
    // The follow-up question says when it applies; the Land-network page is shown (attribute ja).
    assert!(body.contains("Nur beantworten, wenn Sie bei „Ist die Existenz Ihres Netzwerks"));
    assert!(
        body.contains("Unterstützung durch das Landesnetzwerk") || body.contains("Landesnetzwerk")
    );

    let survey = survey();
    let mut fields = whole_form(&survey, &[("q_existenz_bedroht", "nein")]);
    // Typed into the follow-up although its condition does not hold: not kept.
    fields.push(("q_existenz_hilfe".to_owned(), "Bitte helfen".to_owned()));
    fields.push(("einwilligung".to_owned(), "ja".to_owned()));
    respondent.path = path.clone();
    let (status, location, body) = respondent.post("alles-absenden", &fields);
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some(path.as_str()));
    let (_, body) = respondent.page();
    assert!(body.contains("Vielen Dank!"), "{body}");

    let mut conn = db.conn();
    let submitted: bool = participants::table
        .select(participants::submitted_at.is_not_null())
        .first(&mut conn)
        .unwrap();
    assert!(submitted);
    let ids: Vec<String> = answers::table
        .select(answers::question_id)
        .load(&mut conn)
        .unwrap();
    assert!(ids.iter().any(|id| id == "lage_gesamt"));
    assert!(ids.iter().any(|id| id == "landesnetzwerk_angebote"));
    assert!(
        !ids.iter().any(|id| id == "existenz_hilfe"),
        "hidden follow-up kept"
    );
}

#[test]
fn a_one_form_with_problems_comes_back_as_typed_and_stores_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &format!("{path}?alle"));
    respondent.path = path.clone();
    let survey = survey();
    let fields: Vec<(String, String)> = whole_form(&survey, &[])
        .into_iter()
        .filter(|(name, _)| name != "q_lage_gesamt" && name != "q_anmerkungen")
        .chain([(
            "q_anmerkungen".to_owned(),
            "Mein Text <b>bleibt</b>".to_owned(),
        )])
        .collect();
    // No consent, one required question missing.
    let (status, _, body) = respondent.post("alles-absenden", &fields);
    assert_eq!(status, 422);
    assert!(body.contains("href=\"#einwilligung\""), "{body}");
    assert!(body.contains("href=\"#q_lage_gesamt\""), "{body}");
    assert!(
        body.contains("Mein Text &lt;b&gt;bleibt&lt;/b&gt;")
            || body.contains("Mein Text &#60;b&#62;bleibt")
    );
    assert_eq!(count(&db), (0, 0), "nothing may be stored");

    // Fixed: consent given, the question answered.
    let mut fields = whole_form(&survey, &[]);
    fields.push(("einwilligung".to_owned(), "ja".to_owned()));
    let (status, _, body) = respondent.post("alles-absenden", &fields);
    assert_eq!(status, 303, "{body}");
    // Submitting the same form again changes nothing: the response is submitted already.
    let before = count(&db);
    let (status, _, _) = respondent.post("alles-absenden", &fields);
    assert_eq!(status, 303);
    assert_eq!(count(&db), before);
    assert_eq!(before.0, 1);
}

#[test]
fn a_response_begun_page_by_page_is_finished_in_one_form() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &path);
    let consent = [("einwilligung".to_owned(), "ja".to_owned())];
    let (status, _, body) = respondent.post("beginnen", &consent);
    assert_eq!(status, 303, "{body}");
    assert_eq!(count(&db), (1, 0), "consent starts the response");

    // The response exists, so the one form asks no consent and takes the general way.
    let fields = whole_form(&survey(), &[]);
    let (status, _, body) = respondent.post("alles-absenden", &fields);
    assert_eq!(status, 303, "{body}");
    let (_, body) = respondent.page();
    assert!(body.contains("Vielen Dank!"), "{body}");
    let (responses_stored, answers_stored) = count(&db);
    assert_eq!(responses_stored, 1, "still one response");
    assert!(answers_stored > 20, "{answers_stored} answers");
    let mut conn = db.conn();
    let submitted: bool = responses::table
        .select(responses::submitted_at.is_not_null())
        .first(&mut conn)
        .unwrap();
    assert!(submitted);
}

#[test]
fn storing_a_whole_response_in_one_statement_never_makes_a_second_response() {
    use mint_survey::store::participants::Participant;
    use mint_survey::store::responses as stored;
    let db = TestDb::new();
    open_wave(&db, 1);
    let mut conn = db.conn();
    let participant: Participant = participants::table
        .select(Participant::as_select())
        .first(&mut conn)
        .unwrap();
    let mut answers = Answers::new();
    answers.insert(
        "lage_gesamt".to_owned(),
        mint_survey::survey::answers::Answer::Single {
            code: "gut".to_owned(),
            other: None,
        },
    );
    let now = chrono::Utc::now();
    // Another tab started the response after this request read the link: nothing is stored, and
    // the caller goes the general way.
    stored::insert_for_participant(&mut conn, &participant, 0, now).unwrap();
    assert!(!stored::insert_submitted(&mut conn, &participant, &answers, now).unwrap());
    assert_eq!(count(&db), (1, 0));
    let submitted: Option<chrono::DateTime<chrono::Utc>> = participants::table
        .select(participants::submitted_at)
        .first(&mut conn)
        .unwrap();
    assert_eq!(submitted, None, "the participant is not marked submitted");
}

#[test]
fn blank_forms_are_kept_per_kind_of_respondent_and_stored_answers_are_shown() {
    let db = TestDb::new();
    let slug = open_wave(&db, 4);
    let app = TestApp::spawn(&db);
    let blank = |email: &str| {
        let path = format!("{}?alle", link_path(&db, &slug, email));
        let (_, body) = Respondent::open(&app, &path);
        // The per-request parts (CSRF token, link, region) differ; the questions do not.
        let start = body.find("<section class=\"form-page\"").unwrap();
        let end = body.find("<div class=\"buttons\">").unwrap();
        (body[start..end].to_owned(), body)
    };
    // person0 and person3 are in a Land network, person1 is not: the cache keeps one form each.
    let (network, first) = blank("person0@example.org");
    let (network_again, other) = blank("person3@example.org");
    let (no_network, _) = blank("person1@example.org");
    assert_eq!(network, network_again);
    assert!(first.contains("MINT-Region Nummer 0") && other.contains("MINT-Region Nummer 3"));
    assert_ne!(network, no_network);
    assert!(network.contains("Landesnetzwerk") && !no_network.contains("id=\"q_landesnetzwerk"));

    // A response with stored answers is not blank: its answers are filled in.
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &path);
    let consent = [("einwilligung".to_owned(), "ja".to_owned())];
    respondent.post("beginnen", &consent);
    let page = answer_page(&survey(), 0, &Answers::new(), &attributes(), &[]);
    let chosen = page
        .iter()
        .find(|(name, _)| name == "q_lage_gesamt")
        .unwrap()
        .1
        .clone();
    let form = [page, vec![("page".into(), "0".into())]].concat();
    let (status, _, body) = respondent.post("weiter", &form);
    assert_eq!(status, 303, "{body}");
    respondent.path = format!("{path}?alle");
    let (_, body) = respondent.page();
    let stored = format!("name=\"q_lage_gesamt\" value=\"{chosen}\" checked");
    assert!(body.contains(&stored), "{body}");
}
