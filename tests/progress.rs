//! A wave's progress page (`/board/ruecklauf/{wave}`): counts per Land from the mails, the first
//! visits, begun and submitted responses; and its chart of submissions per day.

use diesel::prelude::*;
use mint_survey::accounts::Role;
use mint_survey::store::schema::participants;
use mint_survey::store::surveys;
use mint_survey::survey::answers::Attributes;

use crate::helpers::app::{PASSWORD, Respondent, TestApp, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{link_path, open_wave};
use crate::questionnaire::answer_to_the_end;

#[test]
fn the_progress_counts_invited_opened_begun_and_submitted_and_draws_the_days() {
    let db = TestDb::new();
    // person0 (DE-BW), person1 (DE-BY), person2 (DE-BE).
    let slug = open_wave(&db, 3);
    mint(&db, &["invite", "--yes", "--wave", &slug]).success();
    let app = TestApp::spawn(&db);
    let survey = surveys::find_latest(&mut db.conn(), "fruehjahr-2020")
        .unwrap()
        .unwrap()
        .survey;
    // person0 answers to the end, person1 only opens the link twice.
    let (mut respondent, _) = Respondent::open(&app, &link_path(&db, &slug, "person0@example.org"));
    let (status, _, _) = respondent.post("beginnen", &[("einwilligung".into(), "ja".into())]);
    assert_eq!(status, 303);
    let attributes: Attributes = [
        ("landesnetzwerk".to_owned(), "ja".to_owned()),
        ("land".to_owned(), "DE-BW".to_owned()),
    ]
    .into_iter()
    .collect();
    answer_to_the_end(&db, &survey, &mut respondent, &attributes, &[]);
    let visiting = link_path(&db, &slug, "person1@example.org");
    Respondent::open(&app, &visiting);
    // The recorder writes first visits in batches, moments after the page: wait for both.
    let visited = || -> Vec<Option<chrono::DateTime<chrono::Utc>>> {
        participants::table
            .select(participants::first_visit_at)
            .order(participants::id)
            .load(&mut db.conn())
            .unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while visited().iter().flatten().count() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "first visits not recorded"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let first = visited();
    Respondent::open(&app, &visiting);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let again = visited();
    assert_eq!(first, again, "only the first visit is recorded");
    assert_eq!(first.iter().filter(|v| v.is_some()).count(), 2);

    staff_account(&db, "beirat@example.org", Role::Board, None);
    let board = app.login("beirat@example.org", PASSWORD);
    let (status, _, page, _) = app.get(&format!("/board/ruecklauf/{slug}"), Some(&board));
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("@example.org\""), "no addresses");
    // Participants, invited, opened, begun, submitted, rate, opted out, undeliverable.
    assert!(
        page.contains("<th scope=\"row\">Baden-Württemberg</th><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>100 %</td><td>0</td><td>0</td>"),
        "{page}"
    );
    assert!(
        page.contains("<th scope=\"row\">Bayern</th><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0 %</td>"),
        "{page}"
    );
    assert!(
        page.contains("<th scope=\"row\">Deutschland gesamt</th><td>3</td><td>3</td><td>2</td><td>1</td><td>1</td><td>33 %</td>"),
        "{page}"
    );
    assert!(page.contains("Einladung: ab "), "{page}");
    let (status, _, svg, headers) = app.get(
        &format!("/board/ruecklauf/{slug}/verlauf.svg"),
        Some(&board),
    );
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(svg.contains("<title>Frühjahr 2020: abgeschickte Antworten je Tag</title>"));
    assert!(svg.contains("Einladung ("), "the invitation day is marked");
    assert_eq!(app.get("/board/ruecklauf/unbekannt", Some(&board)).0, 404);
}
