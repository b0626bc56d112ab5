//! `participants import|link|renew|revoke`: every bad file changes nothing.

use diesel::prelude::*;
use mint_survey::store::schema::{contacts, participants, regions};
use mint_survey::tokens::token_hash;

use crate::helpers::cli::{mint, scratch_file};
use crate::helpers::db::TestDb;
use crate::helpers::fixtures::open_wave;

fn counts(db: &TestDb) -> (i64, i64) {
    let mut conn = db.conn();
    (
        participants::table.count().get_result(&mut conn).unwrap(),
        regions::table.count().get_result(&mut conn).unwrap(),
    )
}

/// Imports `bytes` into a fresh wave (with one participant already there) and returns stderr;
/// asserts that the import failed and stored nothing.
fn refused(bytes: &[u8]) -> String {
    let db = TestDb::new();
    let slug = open_wave(&db, 1);
    let before = counts(&db);
    let file = scratch_file("import.csv", bytes);
    let out = mint(
        &db,
        &[
            "participants",
            "import",
            "--wave",
            &slug,
            file.to_str().unwrap(),
        ],
    );
    let stderr = out.failure().replace(&format!("{}: ", file.display()), "");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert_eq!(counts(&db), before, "a refused import must store nothing");
    stderr
}

const HEADER: &str = "Region;Land;E-Mail;Name\n";

#[test]
fn invalid_email_is_refused_with_its_row() {
    let stderr = refused(
        format!("{HEADER}Region A;Bayern;a@example.org;A\nRegion B;Bayern;b(at)example.org;B\n")
            .as_bytes(),
    );
    assert!(
        stderr.contains("line 3, column E-Mail: `b(at)example.org` is not a valid email address"),
        "{stderr}"
    );
}

#[test]
fn unknown_land_is_refused_with_a_suggestion() {
    let stderr = refused(format!("{HEADER}Region A;Bayrn;a@example.org;A\n").as_bytes());
    assert!(
        stderr.contains("line 2, column Land: `Bayrn` is not a Land"),
        "{stderr}"
    );
    assert!(stderr.contains("Bayern"), "{stderr}");
}

#[test]
fn empty_region_is_refused() {
    let stderr = refused(format!("{HEADER} ;Bayern;a@example.org;A\n").as_bytes());
    assert!(
        stderr.contains("line 2, column Region: the region is empty"),
        "{stderr}"
    );
}

#[test]
fn duplicate_email_in_the_file_is_refused() {
    let stderr = refused(
        format!("{HEADER}Region A;Bayern;a@example.org;A\nRegion B;Hessen;A@Example.org;B\n")
            .as_bytes(),
    );
    assert!(
        stderr.contains("line 3, column E-Mail:") && stderr.contains("already appears in line 2"),
        "{stderr}"
    );
}

#[test]
fn duplicate_email_in_the_wave_is_refused() {
    // open_wave put person0@example.org in for "MINT-Region Nummer 0".
    let stderr =
        refused(format!("{HEADER}Andere Region;Bayern;person0@example.org;X\n").as_bytes());
    assert!(stderr.contains("line 2, column E-Mail: `person0@example.org` is already in this wave, for region MINT-Region Nummer 0"), "{stderr}");
}

#[test]
fn windows_1252_file_from_excel_is_imported_with_its_umlauts_and_a_note() {
    let db = TestDb::new();
    let slug = open_wave(&db, 0);
    // "CSV (Trennzeichen-getrennt)" from German Excel: Windows-1252 (ü = 0xFC, ß = 0xDF), CRLF.
    let bytes = b"MINT-Region;Bundesland;E-Mail;Ansprechperson;Landesnetzwerk\r\n\
        MINT-Region Jena-S\xFCd;Th\xFCringen;jena@example.org;Erika M\xFCller;ja\r\n\
        Stra\xDFenland;Baden-W\xFCrttemberg;land@example.org;J\xF6rg Wei\xDF;nein\r\n";
    let file = scratch_file("excel-1252.csv", bytes);
    let path = file.to_str().unwrap();
    let out = mint(&db, &["participants", "import", "--wave", &slug, path]);
    assert!(out.success().contains("Imported 2 participants"), "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "note: {path} was read as Windows-1252 (not UTF-8)"
        )),
        "{out:?}"
    );
    let stored: Vec<(String, String, Option<String>)> = participants::table
        .inner_join(regions::table)
        .inner_join(contacts::table)
        .order(contacts::email)
        .select((regions::name, participants::land_code, contacts::name))
        .load(&mut db.conn())
        .unwrap();
    assert_eq!(
        stored,
        [
            (
                "MINT-Region Jena-Süd".into(),
                "DE-TH".into(),
                Some("Erika Müller".into())
            ),
            (
                "Straßenland".into(),
                "DE-BW".into(),
                Some("Jörg Weiß".into())
            ),
        ]
    );
    let out = mint(&db, &["participants", "import", "--wave", &slug, path]);
    assert!(
        out.success().contains("Imported 0 participants")
            && out.stdout.contains("2 were already in the wave"),
        "{out:?}"
    );
}

#[test]
fn tab_separated_file_is_imported() {
    let db = TestDb::new();
    let slug = open_wave(&db, 0);
    let csv = "Region\tLand\tE-Mail\tName\nJena, Saale\tTH\tjena@example.org\tErika; Müller\n";
    let file = scratch_file("tabs.txt", csv);
    let out = mint(
        &db,
        &[
            "participants",
            "import",
            "--wave",
            &slug,
            file.to_str().unwrap(),
        ],
    );
    assert!(out.success().contains("Imported 1 participants"), "{out:?}");
    assert!(!out.stderr.contains("note:"), "UTF-8 gets no note: {out:?}");
    let region: String = regions::table
        .select(regions::name)
        .first(&mut db.conn())
        .unwrap();
    assert_eq!(region, "Jena, Saale");
}

#[test]
fn binary_and_empty_files_are_refused_with_one_sentence() {
    for (bytes, expected) in [
        (
            &b"PK\x03\x04\x14\0\x06\0[Content_Types].xml"[..],
            "line 1: the file is a workbook (.xlsx, .xls, .ods), not CSV",
        ),
        (
            b"Region;Land;E-Mail\n\0\0\0",
            "line 1: the file is not a text file",
        ),
        (b"", "line 1: the file has no participants"),
        (
            b"Region;Land;E-Mail\r\n",
            "line 2: the file has no participants",
        ),
    ] {
        let stderr = refused(bytes);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains("1 problem in 1 row"), "{stderr}");
    }
}

#[test]
fn every_bad_row_is_listed_at_once_including_the_waves_own_rules() {
    let csv = "Region;Land;E-Mail;Name;Landesnetzwerk\n\
               Region A;Bayern;a@example.org;A;vielleicht\n\
               Region B;Bayrn;b@example.org;B;ja\n\
               Region C;Bayern;c@;C;nein\n\
               Region D;Bayrn;person0@example.org;D;jein\n";
    let stderr = refused(csv.as_bytes());
    assert!(stderr.contains("line 2, column Landesnetzwerk: `vielleicht` is not a value of landesnetzwerk; the survey allows ja, nein"), "{stderr}");
    assert!(stderr.contains("line 3, column Land"), "{stderr}");
    assert!(stderr.contains("line 4, column E-Mail"), "{stderr}");
    // Every problem of a row, those against the wave too, in column order.
    let row_d: Vec<&str> = stderr.lines().filter(|l| l.starts_with("line 5")).collect();
    assert_eq!(
        row_d,
        [
            "line 5, column Land: `Bayrn` is not a Land; write the code (DE-BY) or the German name (Bayern)",
            "line 5, column E-Mail: `person0@example.org` is already in this wave, for region MINT-Region Nummer 0",
            "line 5, column Landesnetzwerk: `jein` is not a value of landesnetzwerk; the survey allows ja, nein",
        ],
        "{stderr}"
    );
    assert!(stderr.contains("6 problems in 4 rows"), "{stderr}");
}

#[test]
fn german_excel_files_are_read_and_a_second_import_adds_nothing() {
    let db = TestDb::new();
    let slug = open_wave(&db, 0);
    let csv = "\u{feff}MINT-Region;Bundesland;E-Mail-Adresse;Ansprechperson;Landesnetzwerk\r\n\
               \"MINT-Region Jena (Jungforscher Thüringen)\";thüringen;anna@jena.example.org;\"Müller, Anna\";Ja\r\n\
               \"Zukunftsallianz MINT-Region Heilbronn\";Baden-Wuerttemberg;\"info@heilbronn.example.org\";\"Dr. Bernd\nZweizeilig\";nein\r\n\
               zdi-Zentrum Hamm;DE-NW;hamm@example.org;;nein\r\n";
    let file = scratch_file("excel.csv", csv);
    let path = file.to_str().unwrap();
    let out = mint(&db, &["participants", "import", "--wave", &slug, path]);
    assert!(
        out.success().contains("Imported 3 participants") && out.stdout.contains("3 new regions"),
        "{out:?}"
    );
    let out = mint(&db, &["participants", "import", "--wave", &slug, path]);
    assert!(
        out.success().contains("Imported 0 participants")
            && out.stdout.contains("3 were already in the wave"),
        "{out:?}"
    );

    let rows: Vec<(String, String, serde_json::Value)> = participants::table
        .inner_join(regions::table)
        .order(regions::name)
        .select((
            regions::name,
            participants::land_code,
            participants::attributes,
        ))
        .load(&mut db.conn())
        .unwrap();
    assert_eq!(rows[0].0, "MINT-Region Jena (Jungforscher Thüringen)");
    assert_eq!(rows[0].1, "DE-TH");
    assert_eq!(
        rows[0].2,
        serde_json::json!({"landesnetzwerk": "ja"}),
        "values follow the survey's spelling"
    );
    // Byte order (C.UTF-8): "Zukunftsallianz …" sorts before "zdi-Zentrum …".
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_str()),
        ("Zukunftsallianz MINT-Region Heilbronn", "DE-BW")
    );
    assert_eq!(
        (rows[2].0.as_str(), rows[2].1.as_str()),
        ("zdi-Zentrum Hamm", "DE-NW")
    );
}

#[test]
fn the_link_identifies_its_participant_and_renew_and_revoke_retire_it() {
    let db = TestDb::new();
    let slug = open_wave(&db, 3);
    let participant_of = |link: &str| -> Option<i64> {
        let token = link.trim().rsplit('/').next().unwrap();
        participants::table
            .filter(participants::token_sha256.eq(token_hash(token)))
            .select(participants::id)
            .first(&mut db.conn())
            .optional()
            .unwrap()
    };
    let link = mint(
        &db,
        &[
            "participants",
            "link",
            "--wave",
            &slug,
            "--email",
            "person1@example.org",
        ],
    )
    .success()
    .to_owned();
    let first = participant_of(&link).expect("the link's token is stored as its hash");
    let renewed = mint(
        &db,
        &[
            "participants",
            "renew",
            "--wave",
            &slug,
            "--email",
            "person1@example.org",
        ],
    )
    .success()
    .to_owned();
    assert_ne!(link, renewed);
    assert_eq!(participant_of(&link), None, "the old link no longer works");
    assert_eq!(participant_of(&renewed), Some(first));
    mint(
        &db,
        &[
            "participants",
            "revoke",
            "--wave",
            &slug,
            "--email",
            "person1@example.org",
        ],
    )
    .success();
    let out = mint(
        &db,
        &[
            "participants",
            "link",
            "--wave",
            &slug,
            "--email",
            "person1@example.org",
        ],
    );
    assert!(out.failure().contains("is revoked"), "{out:?}");
}

#[test]
fn links_export_lists_every_working_link_as_csv() {
    let db = TestDb::new();
    let slug = open_wave(&db, 3);
    mint(
        &db,
        &[
            "participants",
            "revoke",
            "--wave",
            &slug,
            "--email",
            "person2@example.org",
        ],
    )
    .success();
    let out = mint(&db, &["participants", "links", "--wave", &slug]);
    let lines: Vec<&str> = out.success().lines().collect();
    assert_eq!(lines[0], "region,land,email,link");
    assert_eq!(lines.len(), 3, "the revoked link is left out: {lines:?}");
    let single = mint(
        &db,
        &[
            "participants",
            "link",
            "--wave",
            &slug,
            "--email",
            "person1@example.org",
        ],
    );
    let row = lines
        .iter()
        .find(|l| l.contains("person1@example.org"))
        .unwrap();
    assert!(row.ends_with(single.success().trim()), "{row}");
}

/// `participants list | head -1`: the reader goes away after one line; the command stops quietly
/// (no panic on the broken pipe).
#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let db = TestDb::new();
    // Far more output than a pipe holds, so the writer meets the closed pipe.
    let slug = open_wave(&db, 2000);
    let mut child =
        crate::helpers::cli::db_command(&db, &["participants", "list", "--wave", &slug], &[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    // The reader is dropped here, as `head` exits.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}
