//! The report's tables in both CSV dialects: `per-land-excel.csv` read the way German Excel reads
//! it (byte order mark, `;`, decimal comma, German headers) with the same figures as the tidy
//! `per-land.csv`, and the board offering the Excel file first.

use std::collections::HashMap;

use crate::helpers::app::{PASSWORD, TestApp, staff_account};
use crate::helpers::cli::mint;
use crate::helpers::db::{TestDb, scratch_dir};
use crate::reports::{fill, wave_with_participants};
use mint_survey::accounts::Role;

type Rows = Vec<HashMap<String, String>>;

/// A CSV file as German Excel opens it: the byte order mark says UTF-8, `;` separates cells.
fn open_in_german_excel(bytes: &[u8]) -> (Vec<String>, Rows) {
    let text = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a byte order mark, or Excel reads Windows-1252");
    read(csv::ReaderBuilder::new().delimiter(b';'), text)
}

fn read(builder: &mut csv::ReaderBuilder, bytes: &[u8]) -> (Vec<String>, Rows) {
    let mut reader = builder.from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len(), "{r:?}");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

/// A cell as a number under German locale rules: decimal comma; a point is no decimal separator.
fn german_number(cell: &str) -> Option<f64> {
    if cell.contains('.') {
        return None;
    }
    cell.replace(',', ".").parse().ok()
}

#[test]
fn the_excel_csv_opens_in_german_excel_with_the_figures_of_the_tidy_csv() {
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    fill(&db, &slug);
    let out = scratch_dir().join("dialects-out");
    mint(
        &db,
        &["report", "--wave", &slug, "--out", out.to_str().unwrap()],
    )
    .success();
    for base in ["per-land", "per-attribute", "numeric", "codebook"] {
        let tidy_bytes = std::fs::read(out.join(format!("{base}.csv"))).unwrap();
        let excel_bytes = std::fs::read(out.join(format!("{base}-excel.csv"))).unwrap();
        let (tidy_header, tidy) = read(&mut csv::ReaderBuilder::new(), &tidy_bytes);
        let (german_header, excel) = open_in_german_excel(&excel_bytes);
        assert!(
            !tidy_bytes.starts_with(b"\xEF\xBB\xBF"),
            "{base}.csv: no BOM"
        );
        assert_eq!(tidy_header.len(), german_header.len(), "{base}");
        assert_eq!(tidy.len(), excel.len(), "{base}");
        for (t, e) in tidy.iter().zip(&excel) {
            for (name, german) in tidy_header.iter().zip(&german_header) {
                let (t, e) = (&t[name], &e[german]);
                match t.parse::<f64>() {
                    Ok(number) => assert_eq!(german_number(e), Some(number), "{base}: {name}"),
                    Err(_) => assert_eq!(t, e, "{base}: {name}"),
                }
            }
        }
    }
    let (header, rows) =
        open_in_german_excel(&std::fs::read(out.join("per-land-excel.csv")).unwrap());
    assert_eq!(
        header.join(";"),
        "Welle;Frage-ID;Frage;Teilfrage-ID;Teilfrage;Antwort-Code;Antwort;Land-Code;Land;n;\
         Anzahl;Anteil (%);Hinweis"
    );
    let row = |land: &str| {
        rows.iter()
            .find(|r| {
                r["Frage-ID"] == "lage_gesamt"
                    && r["Antwort-Code"] == "sehr_gut"
                    && r["Land-Code"] == land
            })
            .unwrap_or_else(|| panic!("no row for {land}"))
    };
    // The pool of Bremen, Saarland and NRW: 3 of 9 "sehr gut".
    assert_eq!(row("weitere")["Anteil (%)"], "33,3");
    assert_eq!(german_number(&row("weitere")["Anteil (%)"]), Some(33.3));
    assert_eq!(german_number(&row("DE")["Anteil (%)"]), Some(37.5));
    assert_eq!(
        (row("DE-HB")["n"].as_str(), row("DE-HB")["Hinweis"].as_str()),
        (".", "zu wenige Antworten")
    );
}

#[test]
fn the_board_offers_the_excel_csv_first_and_the_zip_holds_both_dialects() {
    let db = TestDb::new();
    let slug = wave_with_participants(&db);
    fill(&db, &slug);
    staff_account(&db, "beirat@example.org", Role::Board, None);
    let app = TestApp::spawn(&db);
    let auth = app.login("beirat@example.org", PASSWORD);
    let bytes = |path: &str| {
        let mut response = app
            .client
            .get(format!("{}/board/waves/{slug}/{path}", app.address))
            .header("Cookie", &auth)
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let headers = response.headers().clone();
        (headers, response.body_mut().read_to_vec().unwrap())
    };
    let (_, page) = bytes("");
    let page = String::from_utf8(page).unwrap();
    let at = |link: &str| {
        page.find(&format!("href=\"{link}\""))
            .unwrap_or_else(|| panic!("no link to {link}"))
    };
    assert!(at("per-land-excel.csv") < at("per-land.csv"));
    assert!(at("codebook-excel.csv") < at("per-land.csv"));
    let (headers, csv) = bytes("per-land-excel.csv");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename=\"per-land-excel.csv\"")
    );
    let (header, _) = open_in_german_excel(&csv);
    assert_eq!(header.first().map(String::as_str), Some("Welle"));
    let (_, zip) = bytes("report.zip");
    let zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for name in ["per-land.csv", "per-land-excel.csv", "numeric-excel.csv"] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
}
