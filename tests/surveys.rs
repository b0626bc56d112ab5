//! `survey check|load|list` through the real binary against a real database.

use diesel::prelude::*;
use mint_survey::store::schema::survey_versions;
use mint_survey::store::surveys as stored;

use crate::helpers::cli::{mint, mint_offline, scratch_file};
use crate::helpers::db::TestDb;

const SURVEYS: [&str; 3] = [
    "surveys/fruehjahr-2020.toml",
    "surveys/herbst-2020.toml",
    "surveys/herbst-2020-akteure.toml",
];

/// The smallest valid definition, shared with the unit tests of the checker.
const SMALL: &str = include_str!("fixtures/minimal.toml");

fn version_count(db: &TestDb) -> i64 {
    survey_versions::table
        .count()
        .get_result(&mut db.conn())
        .unwrap()
}

#[test]
fn check_accepts_the_three_2020_questionnaires() {
    let out = mint_offline(&["survey", "check", SURVEYS[0], SURVEYS[1], SURVEYS[2]]);
    let stdout = out.success();
    assert!(
        stdout.contains("surveys/fruehjahr-2020.toml: ok, survey `fruehjahr-2020`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("surveys/herbst-2020-akteure.toml: ok"),
        "{stdout}"
    );
}

/// The example in surveys/README.md is what authors copy: it must pass the checker.
#[test]
fn the_readme_example_passes_the_checker() {
    let readme = std::fs::read_to_string("surveys/README.md").unwrap();
    let start = readme.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let file = scratch_file("readme-example.toml", &readme[start..end]);
    let out = mint_offline(&["survey", "check", file.to_str().unwrap()]);
    assert!(
        out.success().contains(": ok, survey `beispiel`"),
        "{out:#?}"
    );
}

#[test]
fn check_reports_every_broken_file_at_its_line_and_stores_nothing() {
    let db = TestDb::new();
    let typo = scratch_file(
        "typo.toml",
        SMALL.replace("text =", "requird = true\ntext ="),
    );
    let kind = scratch_file("kind.toml", SMALL.replace("\"single\"", "\"singel\""));
    // Windows-1252 writes "ä" as the single byte 0xE4.
    let mut latin1_bytes = SMALL.replace("Frage", "Fr\u{1}ge").into_bytes();
    let at = latin1_bytes.iter().position(|&b| b == 1).unwrap();
    latin1_bytes[at] = 0xE4;
    let latin1 = scratch_file("latin1.toml", latin1_bytes);
    let big = scratch_file("big.toml", format!("# {}\n", "x".repeat(50 * 1024 * 1024)));
    let good = scratch_file("good.toml", SMALL);
    let files: Vec<String> = [&typo, &kind, &latin1, &big, &good]
        .iter()
        .map(|p| p.display().to_string())
        .collect();

    for command in ["check", "load"] {
        let mut args = vec!["survey", command];
        args.extend(files.iter().map(String::as_str));
        let out = mint(&db, &args);
        let stderr = out.failure();
        let expect = [
            format!(
                "{}:11:1: unknown key `requird` in question `q1` (did you mean `required`?)",
                files[0]
            ),
            format!(
                "{}:10:8: unknown question type `singel` (did you mean `single`?)",
                files[1]
            ),
            format!(
                "{}:11:11: the file is not UTF-8 (byte 0xE4); save it as UTF-8",
                files[2]
            ),
            format!("{}:1:1: the file is larger than 1024 KiB", files[3]),
        ];
        for line in expect {
            assert!(stderr.contains(&line), "`{line}` missing from:\n{stderr}");
        }
        assert!(!stderr.contains("good.toml"), "{stderr}");
    }
    assert_eq!(
        version_count(&db),
        0,
        "a load with a broken file must store nothing"
    );
}

#[test]
fn load_stores_a_new_version_only_when_the_content_changes() {
    let db = TestDb::new();
    let file = scratch_file("klein.toml", SMALL);
    let path = file.to_str().unwrap();
    let out = mint(&db, &["survey", "load", path]);
    assert!(
        out.success()
            .contains("stored survey `klein` version 1 (1 question)"),
        "{out:?}"
    );

    // Comments and layout are not content.
    std::fs::write(&file, format!("# Kommentar\n{}", SMALL.replace(" = ", "="))).unwrap();
    let out = mint(&db, &["survey", "load", path]);
    assert!(
        out.success()
            .contains("survey `klein` unchanged (version 1)"),
        "{out:?}"
    );

    std::fs::write(&file, SMALL.replace("Frage 1", "Erste Frage")).unwrap();
    let out = mint(&db, &["survey", "load", path]);
    assert!(
        out.success().contains("stored survey `klein` version 2"),
        "{out:?}"
    );

    let mut conn = db.conn();
    let first = stored::find_version(&mut conn, "klein", 1)
        .unwrap()
        .unwrap();
    let latest = stored::find_latest(&mut conn, "klein").unwrap().unwrap();
    assert_eq!(first.survey.pages[0].questions[0].text, "Frage 1");
    assert_eq!(latest.version, 2);
    assert_eq!(latest.survey.pages[0].questions[0].text, "Erste Frage");
}

#[test]
fn load_is_all_or_nothing_across_files() {
    let db = TestDb::new();
    let good = scratch_file("klein.toml", SMALL);
    let bad = scratch_file(
        "bad.toml",
        SMALL
            .replace("id = \"klein\"", "id = \"anders\"")
            .replace("\"b\"", "\"a\""),
    );
    let out = mint(
        &db,
        &[
            "survey",
            "load",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    let stderr = out.failure();
    assert!(stderr.contains("duplicate option code `a`"), "{stderr}");
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    assert_eq!(version_count(&db), 0);
}

#[test]
fn two_files_with_the_same_survey_id_are_refused() {
    let db = TestDb::new();
    let a = scratch_file("a.toml", SMALL);
    let b = scratch_file("b.toml", SMALL.replace("Frage 1", "Andere Frage"));
    let out = mint(
        &db,
        &["survey", "load", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    let stderr = out.failure();
    assert!(
        stderr.contains(&format!(
            "{}:1:1: survey id `klein` is also defined in {}",
            b.display(),
            a.display()
        )),
        "{stderr}"
    );
    assert_eq!(version_count(&db), 0);
}

#[test]
fn list_shows_id_title_versions_and_question_count() {
    let db = TestDb::new();
    mint(&db, &["survey", "load", SURVEYS[0], SURVEYS[1], SURVEYS[2]]).success();
    let out = mint(&db, &["survey", "list"]);
    let stdout = out.success();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("ID")
            && lines[0].contains("VERSIONS")
            && lines[0].contains("QUESTIONS")
    );
    assert_eq!(lines.len(), 4, "{stdout}");
    let spring: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(spring[..3], ["fruehjahr-2020", "1", "14"], "{stdout}");
    assert!(
        lines[1].ends_with("Corona-Umfrage Frühjahr 2020 – MINT-Regionen"),
        "{stdout}"
    );
    assert!(lines[3].starts_with("herbst-2020-akteure"), "{stdout}");
}

#[test]
fn json_definition_is_the_same_survey_as_its_toml_twin() {
    let db = TestDb::new();
    let toml_text =
        std::fs::read_to_string(crate::helpers::cli::project_dir().join(SURVEYS[0])).unwrap();
    let value: toml::Value = toml::from_str(&toml_text).unwrap();
    let json = scratch_file(
        "fruehjahr-2020.json",
        serde_json::to_string_pretty(&value).unwrap(),
    );
    mint(&db, &["survey", "load", SURVEYS[0]]).success();
    let out = mint(&db, &["survey", "load", json.to_str().unwrap()]);
    assert!(
        out.success()
            .contains("survey `fruehjahr-2020` unchanged (version 1)"),
        "{out:?}"
    );
}

#[test]
fn unreachable_database_gets_one_clear_sentence() {
    let out = mint_offline(&["survey", "list"]);
    let stderr = out.failure();
    assert_eq!(
        stderr.trim(),
        "error: cannot connect to the database at postgres://nobody@127.0.0.1:1/none: connection refused. \
         Check that PostgreSQL is running and that DATABASE_URL is right"
    );
}

/// An admin sees a stored version, and an uploaded file before storing it, as respondents do:
/// every page, each conditional question with its condition in German; nothing is stored.
#[test]
fn an_admin_previews_a_stored_version_and_an_uploaded_file_without_storing() {
    use crate::helpers::app::{PASSWORD, TestApp, csrf_of, staff_account};
    use mint_survey::accounts::Role;

    let db = TestDb::new();
    mint(&db, &["survey", "load", "surveys/fruehjahr-2020.toml"]).success();
    staff_account(&db, "admin@example.org", Role::Admin, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("admin@example.org", PASSWORD);
    let (status, _, list, _) = app.get("/admin/umfragen", Some(&auth));
    assert_eq!(status, 200);
    assert!(
        list.contains("href=\"/admin/umfragen/fruehjahr-2020/1\""),
        "{list}"
    );
    let (status, _, page, _) = app.get("/admin/umfragen/fruehjahr-2020/1", Some(&auth));
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Vorschau von Version 1 der Umfrage „fruehjahr-2020“"),
        "{page}"
    );
    assert!(
        page.contains("name=\"q_lage_gesamt\""),
        "the questions as respondents see them: {page}"
    );
    assert!(
        page.contains("class=\"help condition\""),
        "conditions explained: {page}"
    );
    assert!(
        !page.contains("type=\"submit\" name=\"aktion\""),
        "nothing to submit"
    );
    assert_eq!(
        app.get("/admin/umfragen/fruehjahr-2020/9", Some(&auth)).0,
        404
    );

    let text = std::fs::read_to_string("surveys/herbst-2020.toml").unwrap();
    let boundary = "grenze4711";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"aktion\"\r\n\r\nvorschau\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"herbst.toml\"\r\nContent-Type: application/octet-stream\r\n\r\n{text}\r\n--{boundary}--\r\n",
        csrf_of(&auth)
    );
    let form = (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    );
    let (status, page) = app.post_multipart("/admin/umfragen", &auth, form);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Vorschau der Datei herbst.toml (nicht gespeichert)"),
        "{page}"
    );
    let versions: i64 = survey_versions::table
        .count()
        .get_result(&mut db.conn())
        .unwrap();
    assert_eq!(versions, 1, "a preview stores nothing");
}
