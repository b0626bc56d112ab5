//! The questionnaire over real HTTP: consent, pages, validation, save and resume, conditions,
//! submitting, changing answers, and what closed and unopened waves show.

use diesel::prelude::*;
use mint_survey::store::schema::{answers, participants, responses};
use mint_survey::store::{responses as stored, surveys};
use mint_survey::survey::Survey;
use mint_survey::survey::answers::{Answer, Answers, Attributes};

use crate::helpers::app::{Respondent, TestApp};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{answer_page, link_path, open_wave, whole_form};

fn response_count(db: &TestDb) -> i64 {
    responses::table.count().get_result(&mut db.conn()).unwrap()
}

/// The page index in the form (`<input type="hidden" name="page" value="3">`).
pub fn page_index(body: &str) -> usize {
    let marker = "name=\"page\" value=\"";
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no page in {body}"))
        + marker.len();
    body[start..].split('"').next().unwrap().parse().unwrap()
}

/// The answers of the response saved last (tests answer one response at a time).
pub fn stored_answers(db: &TestDb, survey: &Survey) -> Answers {
    let mut conn = db.conn();
    let id: i64 = responses::table
        .order(responses::updated_at.desc())
        .select(responses::id)
        .first(&mut conn)
        .unwrap();
    stored::find_answers(&mut conn, id, survey).unwrap()
}

/// person0 of `open_wave` is in a Land network (landesnetzwerk = ja) and in Baden-Württemberg.
/// The shipped survey the fixtures' waves ask.
fn fruehjahr(db: &TestDb) -> Survey {
    surveys::find_latest(&mut db.conn(), "fruehjahr-2020")
        .unwrap()
        .unwrap()
        .survey
}

/// Opens `email`'s link and gives consent: the respondent is at the first page.
fn consented<'a>(app: &'a TestApp, db: &TestDb, slug: &str, email: &str) -> Respondent<'a> {
    let (mut respondent, _) = Respondent::open(app, &link_path(db, slug, email));
    let (status, _, _) = respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 303);
    respondent
}

fn attributes() -> Attributes {
    [
        ("landesnetzwerk".to_owned(), "ja".to_owned()),
        ("land".to_owned(), "DE-BW".to_owned()),
    ]
    .into_iter()
    .collect()
}

/// Answers page after page (with `overrides` where given) until the confirmation; returns the pages seen.
pub fn answer_to_the_end(
    db: &TestDb,
    survey: &Survey,
    respondent: &mut Respondent<'_>,
    attributes: &Attributes,
    overrides: &[(&str, &str)],
) -> Vec<usize> {
    let mut seen = Vec::new();
    loop {
        let (status, body) = respondent.page();
        assert_eq!(status, 200);
        if body.contains("Vielen Dank!") {
            return seen;
        }
        let page = page_index(&body);
        seen.push(page);
        let fields = answer_page(
            survey,
            page,
            &stored_answers(db, survey),
            attributes,
            overrides,
        );
        let action = if body.contains("value=\"absenden\"") {
            "absenden"
        } else {
            "weiter"
        };
        let (status, _, body) = respondent.post(
            action,
            &[&[("page".to_owned(), page.to_string())][..], &fields].concat(),
        );
        assert_eq!(status, 303, "page {page} was refused: {body}");
        assert!(seen.len() < 20, "no end in sight: {seen:?}");
    }
}

#[test]
fn a_respondent_consents_answers_saves_resumes_submits_and_changes_an_answer() {
    let db = TestDb::new();
    let slug = open_wave(&db, 2);
    let app = TestApp::spawn(&db);
    let survey = fruehjahr(&db);
    let (mut respondent, body) =
        Respondent::open(&app, &link_path(&db, &slug, "person0@example.org"));
    assert!(body.contains("Datenschutz und Einwilligung"), "{body}");

    let (status, _, body) = respondent.post("beginnen", &[]);
    assert_eq!(status, 422);
    assert!(
        body.contains("Bitte bestätigen Sie die Einwilligung"),
        "{body}"
    );
    assert_eq!(response_count(&db), 0, "nothing is stored before consent");
    let (status, _, _) = respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 303);
    assert_eq!(response_count(&db), 1);

    // A page with a gap is shown again with what was typed, the error beside the field and in the summary.
    let (_, body) = respondent.page();
    assert!(body.contains("Seite 1 von "), "{body}");
    let page = page_index(&body);
    let (status, _, body) = respondent.post(
        "weiter",
        &[
            ("page".into(), page.to_string()),
            ("q_lage_gesamt".into(), "eher_gut".into()),
        ],
    );
    assert_eq!(status, 422);
    assert!(
        body.contains("class=\"error-summary\"") && body.contains("href=\"#q_existenz_bedroht\""),
        "{body}"
    );
    assert!(body.contains("id=\"fehler-existenz_bedroht\""), "{body}");
    assert!(
        body.contains("value=\"eher_gut\" checked"),
        "what was typed stays: {body}"
    );

    // Save, come back later: the page is shown again with the saved answers.
    let mut fields = answer_page(
        &survey,
        page,
        &Answers::new(),
        &attributes(),
        &[("q_existenz_bedroht", "ja")],
    );
    fields.push(("page".into(), page.to_string()));
    let (status, location, _) = respondent.post("speichern", &fields);
    assert_eq!(
        (status, location.unwrap().ends_with("?gespeichert")),
        (303, true)
    );
    let (_, body) = Respondent::open(&app, &respondent.path).0.page();
    assert!(
        body.contains("Seite 1 von") && body.contains("value=\"ja\" checked"),
        "resumed: {body}"
    );

    // "ja" opens the follow-up question about what would help.
    let pages = answer_to_the_end(
        &db,
        &survey,
        &mut respondent,
        &attributes(),
        &[("q_existenz_bedroht", "ja")],
    );
    assert!(
        stored_answers(&db, &survey).contains_key("existenz_hilfe"),
        "condition branch answered"
    );
    let (_, body) = respondent.page();
    assert!(
        body.contains("Vielen Dank!") && body.contains("Ihre Antworten"),
        "{body}"
    );
    assert!(
        body.contains("Ist die Existenz Ihres Netzwerks"),
        "the summary lists the answers: {body}"
    );
    // Item ids sort "ausserschulische_lernorte" < "schulen"; the questionnaire asks about schools first.
    let schulen = body
        .find("Angebote in Schulen:")
        .expect("the matrix in the summary");
    let lernorte = body
        .find("außerschulische Lernorte und Schülerlabore:")
        .expect("the matrix in the summary");
    assert!(
        schulen < lernorte,
        "matrix rows appear in the questionnaire's order"
    );
    let submitted: Option<chrono::DateTime<chrono::Utc>> = participants::table
        .filter(
            participants::id
                .eq_any(responses::table.select(responses::participant_id.assume_not_null())),
        )
        .select(participants::submitted_at)
        .first(&mut db.conn())
        .unwrap();
    assert!(
        submitted.is_some(),
        "reminders stop for those who submitted"
    );

    // A second "Absenden" of the same form changes nothing.
    let last = *pages.last().unwrap();
    let (status, _, _) = respondent.post("absenden", &[("page".into(), last.to_string())]);
    assert_eq!(status, 303);
    assert_eq!(response_count(&db), 1);

    // Change an answer: "nein" hides the follow-up, its answer is dropped, the response is replaced.
    let (status, _, _) = respondent.post("aendern", &[]);
    assert_eq!(status, 303);
    answer_to_the_end(
        &db,
        &survey,
        &mut respondent,
        &attributes(),
        &[("q_existenz_bedroht", "nein")],
    );
    let after = stored_answers(&db, &survey);
    assert_eq!(
        after.get("existenz_bedroht"),
        Some(&Answer::Single {
            code: "nein".into(),
            other: None
        })
    );
    assert!(
        !after.contains_key("existenz_hilfe"),
        "the hidden question's answer is gone"
    );
    assert_eq!(
        response_count(&db),
        1,
        "one response, replaced, never duplicated"
    );
    let hidden_rows: i64 = answers::table
        .filter(answers::question_id.eq("existenz_hilfe"))
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(hidden_rows, 0);
}

#[test]
fn a_questionnaire_form_without_its_csrf_token_is_refused() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (_, cookie, _, _) = app.get(&path, None);
    let (status, _) = app.post_form(&path, cookie.as_deref(), "aktion=beginnen&einwilligung=ja");
    assert_eq!(status, 403);
    assert_eq!(response_count(&db), 0);
}

#[test]
fn closed_and_not_yet_open_waves_say_so() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    mint(&db, &["wave", "close", &slug]).success();
    let (status, _, body, _) = app.get(&path, None);
    assert_eq!(status, 410);
    assert!(body.contains("Die Umfrage ist beendet"));

    mint(&db, &["survey", "load", "surveys/herbst-2020.toml"]).success();
    let draft = mint(
        &db,
        &[
            "wave",
            "create",
            "--survey",
            "herbst-2020",
            "--title",
            "Herbst",
            "--opens",
            "2099-01-01",
            "--copy-from",
            &slug,
        ],
    )
    .success()
    .trim()
    .to_owned();
    let (status, _, body, _) = app.get(&link_path(&db, &draft, "person0@example.org"), None);
    assert_eq!(status, 200);
    assert!(
        body.contains("Die Umfrage hat noch nicht begonnen") && body.contains("01.01.2099"),
        "{body}"
    );
}

/// "Zwischenspeichern" is for stopping now: it demands no required answer and says only that the
/// answers are saved; a wrong entry is shown (and not stored) with the rest saved.
#[test]
fn saving_for_later_demands_no_required_answer_and_shows_only_wrong_entries() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &path);
    respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    let (_, body) = respondent.page();
    let page = page_index(&body);
    let survey = fruehjahr(&db);

    // The required "existenz_bedroht" left open: saved all the same, one message.
    let (status, location, body) = respondent.post(
        "speichern",
        &[
            ("page".into(), page.to_string()),
            ("q_lage_gesamt".into(), "eher_gut".into()),
        ],
    );
    assert_eq!(status, 303, "{body}");
    respondent.path = location.unwrap();
    let (_, body) = respondent.page();
    assert!(body.contains("Ihre Antworten sind gespeichert"), "{body}");
    assert!(!body.contains("Bitte prüfen Sie Ihre Angaben"), "{body}");
    assert!(!body.contains("error-summary"), "{body}");
    assert!(stored_answers(&db, &survey).contains_key("lage_gesamt"));

    // A wrong entry is named, not stored; the other answer on the page is.
    respondent.path = path.clone();
    let (status, _, body) = respondent.post(
        "speichern",
        &[
            ("page".into(), page.to_string()),
            ("q_lage_gesamt".into(), "sehr_gut".into()),
            ("q_existenz_bedroht".into(), "vielleicht-ja".into()),
        ],
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("Gespeichert – bis auf diese Angaben"),
        "{body}"
    );
    assert!(body.contains("Diese Antwort gibt es nicht."), "{body}");
    assert!(!body.contains("Bitte prüfen Sie Ihre Angaben"), "{body}");
    let stored = stored_answers(&db, &survey);
    assert_eq!(
        stored.get("lage_gesamt"),
        Some(&Answer::Single {
            code: "sehr_gut".into(),
            other: None
        })
    );
    assert!(!stored.contains_key("existenz_bedroht"));

    // "Weiter" still demands the required answer.
    let (status, _, body) = respondent.post(
        "weiter",
        &[
            ("page".into(), page.to_string()),
            ("q_lage_gesamt".into(), "sehr_gut".into()),
        ],
    );
    assert_eq!(status, 422);
    assert!(body.contains("Bitte prüfen Sie Ihre Angaben"), "{body}");
}

/// After submitting, "ändern" beside a page of the summary opens that very page.
#[test]
fn the_summary_changes_one_page_directly() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &path);
    let survey = fruehjahr(&db);
    let mut fields = whole_form(&survey, &attributes(), &[]);
    fields.push(("einwilligung".into(), "ja".into()));
    let (status, _, body) = respondent.post("alles-absenden", &fields);
    assert_eq!(status, 303, "{body}");
    let (_, summary) = respondent.page();
    assert!(summary.contains("Vielen Dank!"), "{summary}");
    let pages: Vec<usize> = summary
        .match_indices("name=\"page\" value=\"")
        .map(|(i, m)| {
            summary[i + m.len()..]
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(pages.len() >= 3, "one ändern per page: {pages:?}");
    assert!(summary.contains(&format!(
        "ändern<span class=\"visually-hidden\">: {}</span>",
        survey.pages[pages[2]].title
    )));

    let (status, _, _) = respondent.post("aendern", &[("page".into(), pages[2].to_string())]);
    assert_eq!(status, 303);
    let (_, body) = respondent.page();
    assert_eq!(page_index(&body), pages[2], "{body}");
    assert!(body.contains(&format!("<h1>{}</h1>", survey.pages[pages[2]].title)));
}

/// A page posted from a second, stale tab after the response was submitted stores nothing: the
/// page save's one call (`save_page`) refuses a submitted response, also when called directly.
#[test]
fn a_page_from_a_stale_tab_after_submitting_changes_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    let path = link_path(&db, &slug, "person0@example.org");
    let (mut respondent, _) = Respondent::open(&app, &path);
    let survey = fruehjahr(&db);
    let (status, _, _) = respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 303);
    answer_to_the_end(&db, &survey, &mut respondent, &attributes(), &[]);
    let before = stored_answers(&db, &survey);
    let first = before.keys().next().unwrap().clone();

    // The stale tab posts the first page with other answers.
    let page = survey
        .pages
        .iter()
        .position(|p| p.questions.iter().any(|q| q.id == first))
        .unwrap();
    let other = answer_page(&survey, page, &Answers::new(), &attributes(), &[]);
    for action in ["weiter", "speichern", "zurueck"] {
        let (status, _, _) = respondent.post(
            action,
            &[&[("page".to_owned(), page.to_string())][..], &other].concat(),
        );
        assert_eq!(status, 303, "{action}");
    }
    assert_eq!(stored_answers(&db, &survey), before);

    let mut conn = db.conn();
    let id: i64 = responses::table
        .select(responses::id)
        .first(&mut conn)
        .unwrap();
    let saved = stored::save_page(
        &mut conn,
        id,
        std::slice::from_ref(&first),
        &Answers::new(),
        &stored::PagePosition {
            current_page: Some(0),
            land_code: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(saved.is_none(), "a submitted response is not changed");
    assert_eq!(stored_answers(&db, &survey), before);
}

/// A page save outside a transaction (`save_page` with `seen`) saves only the response as the
/// caller read it; one changed since (another tab's page) is not touched, and the request takes the
/// general way. The last page's "Absenden" submits with the save, never a reopened response. A quick
/// move ("Weiter") turns off the wait for the disk for its own call only.
#[test]
fn a_page_save_outside_a_transaction_saves_only_the_response_as_it_was_read() {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    consented(&app, &db, &slug, "person0@example.org");
    let survey = fruehjahr(&db);
    let read = || {
        responses::table
            .select(stored::Response::as_select())
            .first(&mut db.conn())
            .unwrap()
    };
    let seen = |response: &stored::Response, answered: &[&str]| {
        Some(stored::Seen {
            updated_at: response.updated_at,
            answered: answered.iter().map(|id| id.to_string()).collect(),
        })
    };
    let single = |id: &str, code: &str| -> (String, Answers) {
        let answers: Answers = [(
            id.to_owned(),
            Answer::Single {
                code: code.to_owned(),
                other: None,
            },
        )]
        .into_iter()
        .collect();
        (id.to_owned(), answers)
    };
    let question = survey.pages[0].questions[0].id.clone();
    let (id, first) = single(&question, "a");
    let mut conn = db.conn();

    // A quick move, as read: saved; the session waits for the disk again afterwards (the test
    // cluster never does, so the session asks for it here).
    diesel::sql_query("SET synchronous_commit = on")
        .execute(&mut conn)
        .unwrap();
    let start = read();
    let quick = stored::PagePosition {
        current_page: Some(1),
        seen: seen(&start, &[]),
        quick: true,
        ..Default::default()
    };
    let saved = stored::save_page(
        &mut conn,
        start.id,
        std::slice::from_ref(&id),
        &first,
        &quick,
    )
    .unwrap();
    let after = read();
    assert_eq!(saved, Some(after.updated_at));
    assert!(after.updated_at > start.updated_at);
    assert_eq!(after.current_page, 1);
    let synchronous: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "current_setting('synchronous_commit')",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(synchronous, "on", "the quick commit ended with its call");

    // Read before that save: nothing saved, nothing submitted.
    let (_, second) = single(&question, "b");
    let stale = stored::PagePosition {
        current_page: Some(2),
        seen: seen(&start, &[]),
        submit: true,
        ..Default::default()
    };
    assert_eq!(
        stored::save_page(
            &mut conn,
            start.id,
            std::slice::from_ref(&id),
            &second,
            &stale
        )
        .unwrap(),
        None
    );
    let now = read();
    assert_eq!((now.current_page, now.submitted_at), (1, None));
    let stored_first = stored::find_answers(&mut conn, now.id, &survey).unwrap();
    assert_eq!(stored_first.get(&id), first.get(&id));
    let submitted = |db: &TestDb| -> Option<chrono::DateTime<chrono::Utc>> {
        participants::table
            .select(participants::submitted_at)
            .first(&mut db.conn())
            .unwrap()
    };
    assert_eq!(submitted(&db), None);

    // Read as it is (the answer stored then is replaced): saved and submitted, the participant too.
    let fresh = stored::PagePosition {
        seen: seen(&now, &[&id]),
        submit: true,
        ..Default::default()
    };
    assert!(
        stored::save_page(
            &mut conn,
            now.id,
            std::slice::from_ref(&id),
            &second,
            &fresh
        )
        .unwrap()
        .is_some()
    );
    let done = read();
    assert!(done.submitted_at.is_some());
    assert_eq!(submitted(&db), done.submitted_at);
    let stored_second = stored::find_answers(&mut conn, done.id, &survey).unwrap();
    assert_eq!(stored_second.get(&id), second.get(&id));
    let again = stored::PagePosition {
        seen: seen(&done, &[&id]),
        ..Default::default()
    };
    assert_eq!(
        stored::save_page(&mut conn, done.id, &[], &Answers::new(), &again).unwrap(),
        None,
        "a submitted response is not changed"
    );

    // A reopened response's change is saved as read, but submitted the general way only.
    stored::mark_reopened(&mut conn, done.id, 0, chrono::Utc::now()).unwrap();
    let reopened = read();
    let change = stored::PagePosition {
        seen: seen(&reopened, &[&id]),
        submit: true,
        ..Default::default()
    };
    assert_eq!(
        stored::save_page(
            &mut conn,
            done.id,
            std::slice::from_ref(&id),
            &first,
            &change
        )
        .unwrap(),
        None
    );
    assert_eq!(read().updated_at, reopened.updated_at);
}

/// A page's save (and the consent after the first look) may start from what the link's last
/// request left in memory (no read first), but never outlives the link: after a revocation, a
/// renewal or the wave's closing the next page is refused with the page a fresh link would get,
/// and nothing of it is stored.
#[test]
fn a_remembered_page_is_refused_once_its_link_is_revoked_renewed_or_closed() {
    let db = TestDb::new();
    let slug = open_wave(&db, 4);
    let app = TestApp::spawn(&db);
    let survey = fruehjahr(&db);
    let answer_rows =
        |db: &TestDb| -> i64 { answers::table.count().get_result(&mut db.conn()).unwrap() };
    // Each respondent consents and moves past the first page: their context is remembered.
    let mut respondents = Vec::new();
    for i in 0..3 {
        let mut respondent = consented(&app, &db, &slug, &format!("person{i}@example.org"));
        for _ in 0..2 {
            let (_, body) = respondent.page();
            let page = page_index(&body);
            let fields = answer_page(&survey, page, &Answers::new(), &attributes(), &[]);
            let (status, _, body) = respondent.post(
                "weiter",
                &[&[("page".to_owned(), page.to_string())][..], &fields].concat(),
            );
            assert_eq!(status, 303, "{body}");
        }
        respondents.push(respondent);
    }
    let next_page = |respondent: &mut Respondent<'_>| {
        let (_, body) = respondent.page();
        let page = page_index(&body);
        let fields = answer_page(&survey, page, &Answers::new(), &attributes(), &[]);
        [&[("page".to_owned(), page.to_string())][..], &fields].concat()
    };
    let forms: Vec<_> = respondents.iter_mut().map(next_page).collect();
    let before = answer_rows(&db);
    assert!(before > 0);

    // One more has only seen the consent page: that is remembered too.
    let path = link_path(&db, &slug, "person3@example.org");
    let (mut undecided, _) = Respondent::open(&app, &path);
    let responses_before = response_count(&db);

    let retire = |command: &str, email: &str| {
        mint(
            &db,
            &["participants", command, "--wave", &slug, "--email", email],
        )
        .success();
    };
    retire("revoke", "person0@example.org");
    let (status, _, body) = respondents[0].post("weiter", &forms[0]);
    assert_eq!(status, 404, "revoked: {body}");
    retire("revoke", "person3@example.org");
    let (status, _, body) = undecided.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 404, "revoked before consenting: {body}");
    assert_eq!(response_count(&db), responses_before, "no response started");
    retire("renew", "person1@example.org");
    let (status, _, body) = respondents[1].post("weiter", &forms[1]);
    assert_eq!(status, 404, "renewed: {body}");
    mint(&db, &["wave", "close", &slug]).success();
    let (status, _, body) = respondents[2].post("weiter", &forms[2]);
    assert_eq!(status, 410, "closed: {body}");
    assert!(body.contains("Die Umfrage ist beendet"), "{body}");
    assert_eq!(answer_rows(&db), before, "nothing of those pages is stored");
}

/// What a request leaves for the link's next one (`as_stored`) is what a fresh read of the saved
/// answers gives: every kind of question of the shipped survey, the whole questionnaire.
#[test]
fn answers_kept_in_memory_are_those_a_fresh_read_gives() {
    use mint_survey::survey::answers::{FormFields, read_page, visible_pages};
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn(&db);
    consented(&app, &db, &slug, "person0@example.org");
    let survey = fruehjahr(&db);
    let mut conn = db.conn();
    let id: i64 = responses::table
        .select(responses::id)
        .first(&mut conn)
        .unwrap();
    let mut answers = Answers::new();
    let mut page = visible_pages(&survey, &answers, &attributes())
        .first()
        .copied();
    while let Some(current) = page {
        let mut fields = FormFields::new();
        for (name, value) in answer_page(&survey, current, &answers, &attributes(), &[]) {
            fields.entry(name).or_default().push(value);
        }
        let input = read_page(&survey, current, &fields, &answers, &attributes());
        assert!(input.errors.is_empty(), "{:?}", input.errors);
        let replaced =
            stored::apply_page(&survey, &attributes(), &mut answers, current, input.answers);
        stored::save_page(&mut conn, id, &replaced, &answers, &Default::default()).unwrap();
        assert_eq!(
            stored::as_stored(&survey, &answers),
            stored::find_answers(&mut conn, id, &survey).unwrap(),
            "after page {current}"
        );
        page = (visible_pages(&survey, &answers, &attributes()).into_iter()).find(|&p| p > current);
    }
    assert!(
        answers.len() > 10,
        "the whole questionnaire: {}",
        answers.len()
    );
}
