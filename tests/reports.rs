//! `mint-survey report` and the board downloads, on real data written through the questionnaire's
//! own steps.

use std::collections::HashMap;

use chrono::Utc;
use diesel::Connection;
use mint_survey::store::{participants, responses, surveys, waves};
use mint_survey::survey::answers::{self, Answers, FormFields, field_name};

use crate::helpers::app::{PASSWORD, TestApp, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::{TestDb, scratch_dir};
use crate::helpers::fixtures::{answer_page, import_participants};
use mint_survey::accounts::Role;

/// Bayern 9 (7 submit, 2 leave drafts), Nordrhein-Westfalen 6, Bremen 2, Saarland 1. Bayern and
/// Bremen are in a Landesnetzwerk.
pub(crate) fn wave_with_participants(db: &TestDb) -> String {
    let slug = crate::helpers::fixtures::open_wave(db, 0);
    let mut csv = String::from("Region;Bundesland;E-Mail;Landesnetzwerk\n");
    for (land, short, n, network) in [
        ("Bayern", "by", 9, "ja"),
        ("Nordrhein-Westfalen", "nw", 6, "nein"),
        ("Bremen", "hb", 2, "ja"),
        ("Saarland", "sl", 1, "nein"),
    ] {
        for i in 0..n {
            csv.push_str(&format!(
                "{land} Region {i};{land};{short}{i}@example.org;{network}\n"
            ));
        }
    }
    import_participants(db, &slug, csv);
    slug
}

/// Answers every page of `email`'s questionnaire with valid answers plus `overrides` (question id →
/// option code or text), through read_page and save_page; submits unless `draft`.
pub(crate) fn answer(
    db: &TestDb,
    slug: &str,
    email: &str,
    overrides: &[(&str, &str)],
    draft: bool,
) {
    let mut conn = db.conn();
    let wave = waves::find_by_slug(&mut conn, slug).unwrap().unwrap();
    let survey = surveys::find_by_id(&mut conn, wave.survey_version_id)
        .unwrap()
        .survey;
    let listing = participants::find_by_wave(&mut conn, wave.id)
        .unwrap()
        .into_iter()
        .find(|l| l.email.as_deref() == Some(email))
        .unwrap_or_else(|| panic!("no participant {email}"));
    let participant = listing.participant;
    let attributes = participant.condition_attributes();
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(q, v)| (field_name(q), (*v).to_owned()))
        .collect();
    let overrides: Vec<(&str, &str)> = overrides
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    conn.transaction(|conn| {
        let response = responses::insert_for_participant(conn, &participant, 0, Utc::now())?;
        let mut answers = Answers::new();
        let mut page = answers::visible_pages(&survey, &answers, &attributes)
            .first()
            .copied();
        while let Some(current) = page {
            let pairs = answer_page(&survey, current, &answers, &attributes, &overrides);
            let mut fields = FormFields::new();
            for (k, v) in pairs {
                fields.entry(k).or_default().push(v);
            }
            let input = answers::read_page(&survey, current, &fields, &answers, &attributes);
            assert!(input.errors.is_empty(), "{:?}", input.errors);
            let replaced =
                responses::apply_page(&survey, &attributes, &mut answers, current, input.answers);
            let position = responses::PagePosition::default();
            responses::save_page(conn, response.id, &replaced, &answers, &position)?;
            if draft {
                return Ok::<_, diesel::result::Error>(());
            }
            page = answers::visible_pages(&survey, &answers, &attributes)
                .into_iter()
                .find(|&p| p > current);
        }
        responses::mark_submitted(conn, &response, Utc::now())
    })
    .unwrap();
}

/// A second wave, "Herbst 2020", copied from `spring` and open; Bayern's 7 answer "sehr gut".
pub(crate) fn autumn_wave(db: &TestDb, spring: &str) -> String {
    let args = [
        "wave",
        "create",
        "--survey",
        "fruehjahr-2020",
        "--title",
        "Herbst 2020",
        "--copy-from",
        spring,
        "--closes",
        "2099-12-31",
    ];
    let autumn = mint(db, &args).success().trim().to_owned();
    mint(db, &["wave", "open", &autumn]).success();
    for i in 0..7 {
        let email = format!("by{i}@example.org");
        answer(db, &autumn, &email, &[("lage_gesamt", "sehr_gut")], false);
    }
    autumn
}

pub(crate) fn fill(db: &TestDb, slug: &str) {
    for i in 0..7 {
        let lage = if i < 3 { "sehr_gut" } else { "eher_gut" };
        let note = if i == 0 { "=SUMME(A1:A9)" } else { "Alles gut" };
        answer(
            db,
            slug,
            &format!("by{i}@example.org"),
            &[("lage_gesamt", lage), ("anmerkungen", note)],
            false,
        );
    }
    for i in 7..9 {
        answer(
            db,
            slug,
            &format!("by{i}@example.org"),
            &[("lage_gesamt", "sehr_schlecht")],
            true,
        );
    }
    for i in 0..6 {
        answer(
            db,
            slug,
            &format!("nw{i}@example.org"),
            &[("lage_gesamt", "teils")],
            false,
        );
    }
    for i in 0..2 {
        answer(
            db,
            slug,
            &format!("hb{i}@example.org"),
            &[("lage_gesamt", "sehr_gut")],
            false,
        );
    }
    answer(
        db,
        slug,
        "sl0@example.org",
        &[("lage_gesamt", "sehr_gut")],
        false,
    );
}

/// The CSV file as maps from column name to cell.
fn read_csv(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn row<'a>(
    rows: &'a [HashMap<String, String>],
    question: &str,
    option: &str,
    land: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| {
            r["question_id"] == question && r["option_code"] == option && r["land_code"] == land
        })
        .unwrap_or_else(|| panic!("no row {question} {option} {land}"))
}

#[test]
fn report_counts_submitted_answers_per_land_and_never_drafts() {
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    fill(&db, &slug);
    let out = scratch_dir().join("report-out");
    let printed = mint(
        &db,
        &[
            "report",
            "--wave",
            &slug,
            "--out",
            out.to_str().unwrap(),
            "--include-raw",
        ],
    )
    .success()
    .to_owned();
    assert!(printed.contains("16 submitted responses"), "{printed}");
    let rows = read_csv(&out.join("per-land.csv"));
    let figures = |r: &HashMap<String, String>| {
        (
            r["n"].clone(),
            r["count"].clone(),
            r["percent"].clone(),
            r["suppressed"].clone(),
        )
    };
    // Bayern: 7 submitted (the 2 drafts never count), 3 "sehr gut".
    assert_eq!(
        figures(row(&rows, "lage_gesamt", "sehr_gut", "DE-BY")),
        ("7".into(), "3".into(), "42.9".into(), String::new())
    );
    // Bremen 2 and Saarland 1 are too small; alone they would be total − BY − NW, so nobody could
    // be hidden: NRW (6, the smallest) joins the pool of 2 + 1 + 6 = 9, sehr gut 2 + 1 = 3.
    assert_eq!(
        figures(row(&rows, "lage_gesamt", "sehr_gut", "DE-HB")).3,
        "zu wenige Antworten"
    );
    assert_eq!(
        figures(row(&rows, "lage_gesamt", "sehr_gut", "DE-HB")).0,
        "."
    );
    let nw = figures(row(&rows, "lage_gesamt", "teils", "DE-NW"));
    assert_eq!(
        (nw.0.as_str(), nw.3.as_str()),
        (".", "ausgeblendet, damit kleine Gruppen geschützt bleiben")
    );
    assert_eq!(
        figures(row(&rows, "lage_gesamt", "sehr_gut", "weitere")),
        ("9".into(), "3".into(), "33.3".into(), String::new())
    );
    assert_eq!(
        figures(row(&rows, "lage_gesamt", "sehr_gut", "DE")),
        ("16".into(), "6".into(), "37.5".into(), String::new())
    );
    // The Landesnetzwerk page is shown only to Bayern (7) and Bremen (2): n counts those shown.
    let shown: Vec<_> = rows
        .iter()
        .filter(|r| r["question_id"] == "landesnetzwerk_angebote" && r["land_code"] == "DE")
        .collect();
    assert!(shown.iter().all(|r| r["n"] == "9"), "{shown:?}");
    // Raw export: 16 submitted responses, no addresses, formulas neutralised.
    let raw = std::fs::read_to_string(out.join("responses.csv")).unwrap();
    assert_eq!(raw.lines().count(), 1 + 16);
    assert!(!raw.contains("example.org") && !raw.contains("Region"));
    assert!(raw.contains(",'=SUMME(A1:A9)"), "formula not neutralised");
    // Response rates: Bayern 7 of 9 invited; NRW, Bremen and Saarland only as the pool (9 of 9).
    let rates: Vec<Vec<String>> = read_csv(&out.join("response-rates.csv"))
        .iter()
        .map(|r| {
            [
                "land_code",
                "invited",
                "submitted",
                "rate_percent",
                "suppressed",
            ]
            .iter()
            .map(|c| r[*c].clone())
            .collect()
        })
        .collect();
    let expected = [
        ["DE-BY", "9", "7", "77.8", ""],
        ["DE-HB", ".", ".", ".", "zu wenige Antworten"],
        [
            "DE-NW",
            ".",
            ".",
            ".",
            "ausgeblendet, damit kleine Gruppen geschützt bleiben",
        ],
        ["DE-SL", ".", ".", ".", "zu wenige Antworten"],
        ["weitere", "9", "9", "100.0", ""],
        ["DE", "18", "16", "88.9", ""],
    ];
    assert_eq!(rates, expected.map(|r| r.map(str::to_owned).to_vec()));
    let excel = std::fs::read(out.join("response-rates-excel.csv")).unwrap();
    assert!(
        String::from_utf8(excel)
            .unwrap()
            .contains(";DE-BY;Bayern;9;7;77,8;\r\n")
    );
    // SPSS and R syntax beside the raw export; R reads it (R is installed by .ci/run).
    assert!(
        std::fs::read_to_string(out.join("responses.sps"))
            .unwrap()
            .contains("MISSING VALUES lage_gesamt ('99').")
    );
    let checks = r#"
        source("responses.R")
        stopifnot(nrow(responses) == 16)
        stopifnot(identical(levels(responses$lage_gesamt)[1], "sehr gut"))
        stopifnot(sum(responses$lage_gesamt == "sehr gut") == 6)
        stopifnot(identical(attr(responses$lage_gesamt, "label"),
                            "Wie schätzen Sie die derzeitige Situation Ihres Netzwerks insgesamt ein?"))
        stopifnot(identical(attr(responses$lage_gesamt, "missing_codes"), "99"))
        stopifnot(mean(responses$lage_gesamt_wert, na.rm = TRUE) == 2)
        stopifnot(all(c("'=SUMME(A1:A9)", "Testantwort mit Umlauten: äöü") %in% responses$anmerkungen))
        stopifnot(identical(as.character(responses$land_code[1]), "Bayern"))
        cat("R ok
")
    "#;
    let r = std::process::Command::new("Rscript")
        .args(["-e", checks])
        .current_dir(&out)
        .output()
        .expect("Rscript (r-base-core; .ci/run installs it) must be installed");
    assert!(
        r.status.success() && String::from_utf8_lossy(&r.stdout).contains("R ok"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("Abgeschlossene Fragebögen: 16 von 18 Eingeladenen (88,9 %)."));
    assert!(index.contains("<td>77,8 %</td>"), "Bayern's rate");
    assert!(index.contains("Bayern (n = 7)") && !index.contains("Bremen (n ="));
    assert!(index.contains("<li>Alles gut</li>"));
    for file in [
        "numeric.csv",
        "codebook.csv",
        "per-attribute.csv",
        "charts/lage_gesamt.svg",
        "charts/lage_gesamt.png",
        "charts/angebote_ausfall--kita.svg",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert!(
        std::fs::read(out.join("report.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    // The PDF: every question the page reports, and no figure of a hidden Land anywhere (charts
    // and tables alike; a line naming one carries only its note).
    let pdf = pdf_text(&out.join("report.pdf"), false);
    let flat = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    let headings = regex::Regex::new(r#"<h2 id="frage-[^"]+">([^<]+)</h2>"#).unwrap();
    let questions: Vec<String> = headings
        .captures_iter(&index)
        .map(|c| c[1].replace("&quot;", "\"").replace("&#39;", "'"))
        .collect();
    assert!(questions.len() > 5, "{questions:?}");
    for question in &questions {
        let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&question), "{question} not in the PDF");
    }
    assert!(flat.contains("Abgeschlossene Fragebögen: 16 von 18 Eingeladenen (88,9 %)"));
    assert!(flat.contains("Seite 3 von"));
    let layout = pdf_text(&out.join("report.pdf"), true);
    let hidden: Vec<&str> = layout
        .lines()
        .filter(|l| {
            ["Bremen", "Saarland", "Nordrhein-Westfalen"]
                .iter()
                .any(|land| l.contains(land))
        })
        .collect();
    assert!(hidden.len() > 10, "{hidden:?}");
    for line in hidden {
        assert!(
            !line.contains("n =") && !line.chars().any(|c| c.is_ascii_digit()),
            "a hidden Land's figure in the PDF: {line}"
        );
    }
}

/// The text of a PDF as `pdftotext` (poppler-utils) extracts it, optionally keeping the layout.
pub(crate) fn pdf_text(path: &std::path::Path, layout: bool) -> String {
    let mut command = std::process::Command::new("pdftotext");
    if layout {
        command.arg("-layout");
    }
    let output = command
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; .ci/run installs it) must be installed");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `REPORT_DATABASE_URL`: `report` and the board read there (a read-only copy taken before one
/// more submission stands in for a replica that lags), the audit log is written to the main one.
#[test]
fn reports_read_from_the_report_database() {
    use diesel::prelude::*;
    use mint_survey::store::schema::audit_log;
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    fill(&db, &slug);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let replica = db.read_only_copy();
    // After the copy: Bayern's draft is submitted in the main database only (7 → 8, 16 → 17).
    answer(&db, &slug, "by7@example.org", &[], false);
    let report = |env: &[(&str, &str)]| {
        let out = scratch_dir().join(crate::helpers::db::unique("replica-report"));
        let args = ["report", "--wave", &slug, "--out", out.to_str().unwrap()];
        crate::helpers::cli::mint_env(&db, &args, env)
            .success()
            .to_owned()
    };
    let printed = report(&[("REPORT_DATABASE_URL", &replica.url)]);
    assert!(printed.contains("16 submitted responses"), "{printed}");
    assert!(report(&[]).contains("17 submitted responses"));
    let written: i64 = audit_log::table
        .filter(audit_log::action.eq("report_written"))
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(written, 2, "both runs are audited in the main database");
    let unreachable = crate::helpers::cli::mint_env(
        &db,
        &["report", "--wave", &slug],
        &[("REPORT_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
    );
    assert!(
        unreachable.failure().contains(
            "cannot connect to the report database at postgres://nobody@127.0.0.1:1/none"
        ),
        "{}",
        unreachable.stderr
    );
    for (env, bayern) in [
        (
            vec![("REPORT_DATABASE_URL", replica.url.clone())],
            "Bayern (n = 7)",
        ),
        (vec![], "Bayern (n = 8)"),
    ] {
        let app = TestApp::spawn_with_env(&db, &env);
        let auth = app.login("beirat@example.org", PASSWORD);
        let (status, _, page, _) = app.get(&format!("/board/waves/{slug}/"), Some(&auth));
        assert_eq!(status, 200);
        assert!(page.contains(bayern), "{env:?}: {bayern} not in the report");
    }
}

#[test]
fn a_failed_report_run_keeps_the_previous_report() {
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    let out = scratch_dir().join("kept-report");
    mint(
        &db,
        &["report", "--wave", &slug, "--out", out.to_str().unwrap()],
    )
    .success();
    let before = std::fs::read(out.join("per-land.csv")).unwrap();
    // Nothing submitted yet: a report (PDF included) that says so.
    let pdf = pdf_text(&out.join("report.pdf"), false);
    let flat = pdf.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("für diese Welle liegen noch keine abgeschlossenen Fragebögen vor"),
        "{flat}"
    );
    let error = mint(
        &db,
        &[
            "report",
            "--wave",
            "winter-2020",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .to_owned();
    assert!(error.contains("there is no wave `winter-2020`"), "{error}");
    let error = mint(
        &db,
        &[
            "report",
            "--wave",
            &slug,
            "--compare",
            "winter-2020",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .to_owned();
    assert!(error.contains("winter-2020"), "{error}");
    assert_eq!(std::fs::read(out.join("per-land.csv")).unwrap(), before);
    assert!(!out.with_file_name("kept-report.partial").exists());
}

#[test]
fn compare_adds_the_change_per_land_for_the_questions_both_waves_asked() {
    let db = TestDb::new();
    let spring = wave_with_participants(&db);
    fill(&db, &spring);
    let autumn = autumn_wave(&db, &spring);
    let out = scratch_dir().join("compare-out");
    mint(
        &db,
        &[
            "report",
            "--wave",
            &autumn,
            "--compare",
            &spring,
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success();
    let rows = read_csv(&out.join(format!("compare-{spring}.csv")));
    let by = rows
        .iter()
        .find(|r| {
            r["question_id"] == "lage_gesamt"
                && r["option_code"] == "sehr_gut"
                && r["land_code"] == "DE-BY"
        })
        .unwrap();
    // Spring: 3 of 7 (42.9 %); autumn: 7 of 7 (100 %): +57.1 points.
    assert_eq!(
        (
            by["percent_compared"].as_str(),
            by["percent"].as_str(),
            by["change_points"].as_str()
        ),
        ("42.9", "100.0", "57.1")
    );
    // NRW answered only in spring: hidden in the comparison.
    let nw = rows
        .iter()
        .find(|r| r["question_id"] == "lage_gesamt" && r["land_code"] == "DE-NW")
        .unwrap();
    assert_eq!(nw["change_points"], ".");
    // The same row for German Excel: n and percent of spring, of autumn, the change.
    let excel = std::fs::read_to_string(out.join(format!("compare-{spring}-excel.csv"))).unwrap();
    assert!(excel.starts_with('\u{feff}'), "a byte order mark");
    assert!(
        excel.contains(";DE-BY;Bayern;7;42,9;7;100,0;57,1;\r\n"),
        "{excel}"
    );
    assert!(
        out.join(format!("charts/compare-{spring}--lage_gesamt.svg"))
            .is_file()
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("Vergleich: Herbst 2020 gegenüber Frühjahr 2020"));

    // The trend over both waves: each wave's figures as that wave's report shows them.
    let out = scratch_dir().join("trend-out");
    let args = ["report", "--wave", &autumn, "--trend", "--out"];
    mint(&db, &[&args[..], &[out.to_str().unwrap()]].concat()).success();
    let rows = read_csv(&out.join("trend.csv"));
    let point = |wave: &str, land: &str| {
        let r = rows
            .iter()
            .find(|r| {
                r["wave"] == wave
                    && r["question_id"] == "lage_gesamt"
                    && r["option_code"] == "sehr_gut"
                    && r["land_code"] == land
            })
            .unwrap_or_else(|| panic!("no trend row {wave} {land}"));
        ["n", "count", "percent", "mean", "suppressed"].map(|c| r[c].clone())
    };
    assert_eq!(point(&spring, "DE-BY"), ["7", "3", "42.9", "1.57", ""]);
    assert_eq!(point(&autumn, "DE-BY"), ["7", "7", "100.0", "1.00", ""]);
    assert_eq!(point(&spring, "DE"), ["16", "6", "37.5", "2.00", ""]);
    // NRW was hidden in spring to protect Bremen and Saarland: hidden in the trend too.
    assert_eq!(
        point(&spring, "DE-NW"),
        [
            ".",
            ".",
            ".",
            ".",
            "ausgeblendet, damit kleine Gruppen geschützt bleiben"
        ]
    );
    assert!(
        !rows.iter().any(|r| r["land_code"] == "weitere"),
        "the pool changes members from wave to wave"
    );
    let excel = std::fs::read_to_string(out.join("trend-excel.csv")).unwrap();
    assert!(
        excel.contains(";DE-BY;Bayern;7;3;42,9;1,57;\r\n"),
        "{excel}"
    );
    assert!(out.join("charts/trend--lage_gesamt.svg").is_file());
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<h2 id=\"verlauf\">Verlauf über alle Wellen</h2>"));
    let pdf = pdf_text(&out.join("report.pdf"), false);
    assert!(
        pdf.contains("Verlauf über alle Wellen") && pdf.contains("Mittelwert je Land und Welle")
    );

    // On the board: the trend of the later wave is offered and served; the first has none.
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("beirat@example.org", PASSWORD);
    let (_, _, board, _) = app.get("/board", Some(&auth));
    assert!(
        board.contains(&format!("/board/waves/{autumn}/verlauf/")),
        "{board}"
    );
    assert!(!board.contains(&format!("/board/waves/{spring}/verlauf/")));
    let (status, _, page, _) = app.get(&format!("/board/waves/{autumn}/verlauf/"), Some(&auth));
    assert_eq!(status, 200);
    assert!(page.contains("<h2 id=\"verlauf\">Verlauf über alle Wellen</h2>"));
    let (status, _, csv, _) = app.get(
        &format!("/board/waves/{autumn}/verlauf/trend-excel.csv"),
        Some(&auth),
    );
    assert_eq!(status, 200);
    assert!(csv.contains(";DE-BY;Bayern;7;3;42,9;1,57;\r\n"));
    let (status, ..) = app.get(&format!("/board/waves/{spring}/verlauf/"), Some(&auth));
    assert_eq!(status, 404);
}

#[test]
fn board_reports_need_a_login_and_serve_every_file() {
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    fill(&db, &slug);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    let get = |path: &str, auth: Option<&str>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(auth) = auth {
            request = request.header("Cookie", auth);
        }
        let mut response = request.call().unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.body_mut().read_to_vec().unwrap_or_default();
        (status, headers, body)
    };
    for path in [
        "/board",
        &format!("/board/waves/{slug}/"),
        &format!("/board/waves/{slug}/per-land.csv"),
    ] {
        let (status, headers, _) = get(path, None);
        assert_eq!(status, 303, "{path}");
        assert!(
            headers["location"]
                .to_str()
                .unwrap()
                .starts_with("/login?weiter=")
        );
    }
    let auth = app.login("beirat@example.org", PASSWORD);
    let (status, _, body) = get("/board", Some(&auth));
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains(&format!("/board/waves/{slug}/"))
    );
    let (status, headers, _) = get(&format!("/board/waves/{slug}"), Some(&auth));
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (308, format!("/board/waves/{slug}/").as_str())
    );
    let (status, headers, body) = get(&format!("/board/waves/{slug}/"), Some(&auth));
    assert_eq!(status, 200);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("style-src 'sha256-") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert!(String::from_utf8(body).unwrap().contains("Bayern (n = 7)"));
    let (status, headers, body) = get(&format!("/board/waves/{slug}/per-land.csv"), Some(&auth));
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("per-land.csv")
    );
    assert!(
        String::from_utf8(body)
            .unwrap()
            .starts_with("wave,question_id")
    );
    let (status, headers, body) = get(&format!("/board/waves/{slug}/report.zip"), Some(&auth));
    assert_eq!(
        (status, headers["content-type"].to_str().unwrap()),
        (200, "application/zip")
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    assert!(zip.by_name("index.html").is_ok() && zip.by_name("report.xlsx").is_ok());
    assert!(zip.by_name("report.pdf").is_ok());
    assert!(
        zip.by_name("responses.csv").is_err(),
        "the raw export is for admins only"
    );
    assert_eq!(
        get(
            &format!("/board/waves/{slug}/charts/lage_gesamt.png"),
            Some(&auth)
        )
        .1["content-type"],
        "image/png"
    );
    let (status, headers, body) = get(&format!("/board/waves/{slug}/report.pdf"), Some(&auth));
    assert_eq!(
        (status, headers["content-type"].to_str().unwrap()),
        (200, "application/pdf")
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"report.pdf\""
    );
    assert!(body.starts_with(b"%PDF-"));
    assert_eq!(
        get(&format!("/board/waves/{slug}/responses.csv"), Some(&auth)).0,
        404
    );
    assert_eq!(
        get(
            &format!("/board/waves/{slug}/../../etc/passwd"),
            Some(&auth)
        )
        .0,
        404
    );
    assert_eq!(get("/board/waves/winter-2020/", Some(&auth)).0, 404);
    // A draft submitted now shows in the next request.
    answer(&db, &slug, "by7@example.org", &[], false);
    let (_, _, body) = get(&format!("/board/waves/{slug}/"), Some(&auth));
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("Abgeschlossene Fragebögen: 17")
    );
}

#[test]
fn downloads_are_recorded_in_the_audit_log() {
    use diesel::prelude::*;
    use mint_survey::store::schema::audit_log;
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("beirat@example.org", PASSWORD);
    let (status, _, _, _) = app.get(&format!("/board/waves/{slug}/report.xlsx"), Some(&auth));
    assert_eq!(status, 200);
    let entries: Vec<(String, String, String)> = audit_log::table
        .select((audit_log::actor, audit_log::action, audit_log::subject))
        .order(audit_log::id)
        .load(&mut db.conn())
        .unwrap();
    assert!(entries.contains(&("beirat@example.org".into(), "login".into(), String::new())));
    assert!(entries.contains(&(
        "beirat@example.org".into(),
        "report_downloaded".into(),
        format!("{slug}/report.xlsx")
    )));
}
