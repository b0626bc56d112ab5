//! Survey texts that name the wave's dates (`{{ beginn }}`, `{{ ende }}`, `{{ loeschung }}`,
//! `{{ kontakt }}`): the shipped surveys use them, respondents read the wave's own dates, a changed
//! date shows at once, and a keep date before the end is refused on both edges.

use diesel::prelude::*;
use mint_survey::accounts::Role;
use mint_survey::store::schema::waves;

use crate::helpers::app::{PASSWORD, Respondent, TestApp, csrf_of, staff_account};
use crate::helpers::cli::{mint, mint_env};
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::{link_path, open_wave};

fn today_in_berlin() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%d.%m.%Y")
        .to_string()
}

#[test]
fn the_consent_and_intro_name_the_waves_own_dates() {
    let db = TestDb::new();
    // Opened by hand today, closing at the end of 31.12.2099.
    let slug = open_wave(&db, 1);
    let app = TestApp::spawn_with_env(&db, &[("SURVEY_CONTACT", "team@mint.example".to_owned())]);
    let path = link_path(&db, &slug, "person0@example.org");
    let (_, page) = Respondent::open(&app, &path);
    let today = today_in_berlin();
    assert!(
        page.contains(&format!("läuft vom {today} bis zum 31.12.2099.")),
        "{page}"
    );
    assert!(page.contains("nach dem Ende der Befragung (31.12.2099) gelöscht"));
    // No date set: 24 months after the last day.
    assert!(page.contains("längstens bis zum 31.12.2101."), "{page}");
    assert!(page.contains("Schreiben Sie uns dazu an team@mint.example."));
    assert!(
        !page.contains("{{") && !page.contains("05.05.2020"),
        "{page}"
    );

    // A new end and a keep date of its own show at once; the one-form view says the same.
    mint(
        &db,
        &[
            "wave",
            "set",
            &slug,
            "--closes",
            "30.06.2099",
            "--keep-answers-until",
            "15.01.2100",
        ],
    )
    .success();
    let (_, page) = Respondent::open(&app, &path);
    assert!(page.contains("bis zum 30.06.2099."), "{page}");
    assert!(page.contains("längstens bis zum 15.01.2100."), "{page}");
    let (status, _, all, _) = app.get(&format!("{path}?alle"), None);
    assert_eq!(status, 200);
    assert!(all.contains("Befragung (30.06.2099) gelöscht"), "{all}");
    // Back to the default.
    mint(&db, &["wave", "set", &slug, "--keep-answers-until", ""]).success();
    let kept: Option<chrono::NaiveDate> = waves::table
        .select(waves::keep_answers_until)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(kept, None);
    let (_, page) = Respondent::open(&app, &path);
    assert!(page.contains("längstens bis zum 30.06.2101."), "{page}");
}

#[test]
fn a_keep_date_before_the_end_is_refused_on_both_edges_and_changes_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 0);
    let out = mint(
        &db,
        &["wave", "set", &slug, "--keep-answers-until", "01.01.2099"],
    );
    assert_eq!(
        out.failure().trim(),
        "error: --keep-answers-until 01.01.2099 is before the wave's last day (31.12.2099)"
    );
    let out = mint_env(
        &db,
        &["wave", "set", &slug, "--keep-answers-until", "31.02.2100"],
        &[],
    );
    assert!(
        out.failure()
            .contains("--keep-answers-until `31.02.2100` is not a date"),
        "{out:?}"
    );
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let form = format!(
        "csrf={}&aktion=speichern&beginn=&ende=31.12.2099&schwelle=5&aufbewahren=01.01.2099\
         &erinnerungen=2&abstand=7",
        csrf_of(&auth)
    );
    let (status, _, body) = app.post(
        &format!("/admin/wellen/{slug}/einstellungen"),
        Some(&auth),
        &form,
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(
            "<a href=\"#aufbewahren\">Antworten aufbewahren bis: Der 01.01.2099 liegt vor dem letzten Tag der Welle (31.12.2099)"
        ),
        "{body}"
    );
    assert!(
        body.contains("value=\"01.01.2099\""),
        "the typed date is kept"
    );
    assert!(!body.contains("--keep"), "{body}");
    let kept: Option<chrono::NaiveDate> = waves::table
        .select(waves::keep_answers_until)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(kept, None, "nothing stored");
}
