//! `demo --no-serve`: the whole demo against a test database, twice.

use diesel::prelude::*;
use mint_survey::store::schema::{mail_outbox, participants, responses};

use crate::helpers::cli::mint;
use crate::helpers::db::TestDb;

#[test]
fn demo_prepares_waves_invitations_and_answers_and_a_second_run_adds_nothing() {
    let db = TestDb::new();
    let out = mint(&db, &["demo", "--no-serve"]);
    let stdout = out.success();
    assert!(
        stdout.contains("imported 130 demo participants"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Personal links to try") && stdout.contains("/t/"),
        "{stdout}"
    );
    let count = |db: &TestDb| -> (i64, i64, i64) {
        let mut conn = db.conn();
        (
            participants::table.count().get_result(&mut conn).unwrap(),
            mail_outbox::table
                .filter(mail_outbox::status.eq("sent"))
                .count()
                .get_result(&mut conn)
                .unwrap(),
            responses::table
                .filter(responses::submitted_at.is_not_null())
                .count()
                .get_result(&mut conn)
                .unwrap(),
        )
    };
    let (participants, mails, submitted) = count(&db);
    assert_eq!((participants, mails), (260, 260));
    assert!(
        (110..=180).contains(&submitted),
        "about 70 % and 45 % of 130 answer: {submitted}"
    );
    let eml = std::fs::read_dir(db.var_dir.join("outbox").join("fruehjahr-2020"))
        .unwrap()
        .count();
    assert_eq!(eml, 130);

    mint(&db, &["demo", "--no-serve"]).success();
    assert_eq!(
        count(&db),
        (participants, mails, submitted),
        "a second demo adds nothing"
    );
}
