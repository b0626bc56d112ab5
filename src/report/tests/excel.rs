//! The German Excel dialect, read the way German Excel reads it: the byte order mark says UTF-8,
//! `;` separates, `33,3` is a number and `33.3` would not be; and the same figures as the tidy
//! dialect, which stays as it was.

use super::super::build::build;
use super::super::files::{self, OutputFile};
use super::super::{WaveInfo, compare};
use super::{SURVEY, figures, report, survey};
use crate::survey::{Format, parse_definition};

/// A CSV file as German Excel opens it: header and rows of text cells.
fn open_in_german_excel(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a byte order mark, or Excel reads Windows-1252");
    let text = std::str::from_utf8(text).expect("UTF-8 after the byte order mark");
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>());
    let header = records.next().expect("a header row");
    (header, records.collect())
}

/// A cell as a number under German locale rules: decimal comma, no point (a point would make Excel
/// read a date or a thousands separator).
fn german_number(cell: &str) -> Option<f64> {
    if cell.contains('.') {
        return None;
    }
    cell.replace(',', ".").parse().ok()
}

fn tidy(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = ::csv::Reader::from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .bytes
}

/// Each Excel cell is the tidy cell, its number spelt with a decimal comma.
fn assert_same_figures(excel: &[Vec<String>], tidy: &[Vec<String>], file: &str) {
    assert_eq!(excel.len(), tidy.len(), "{file}: rows");
    for (e, t) in excel.iter().zip(tidy) {
        assert_eq!(e.len(), t.len(), "{file}: {e:?}");
        for (e, t) in e.iter().zip(t) {
            match t.parse::<f64>() {
                Ok(number) if !t.is_empty() => {
                    assert_eq!(german_number(e), Some(number), "{file}: {e:?} vs {t:?}")
                }
                _ => assert_eq!(e, t, "{file}"),
            }
        }
    }
}

#[test]
fn per_land_excel_opens_in_german_excel_with_german_headers_and_decimal_commas() {
    let files = files::render(&survey(), &report(), None, None).unwrap();
    let (header, rows) = open_in_german_excel(file(&files, "per-land-excel.csv"));
    assert_eq!(
        header.join(";"),
        "Welle;Frage-ID;Frage;Teilfrage-ID;Teilfrage;Antwort-Code;Antwort;Land-Code;Land;n;\
         Anzahl;Anteil (%);Hinweis"
    );
    let row = |option: &str, land: &str| {
        rows.iter()
            .find(|r| r[1] == "lage" && r[5] == option && r[7] == land)
            .unwrap_or_else(|| panic!("no row {option} {land}"))
    };
    // The pool: gut 3 of 9.
    let pool = row("gut", "weitere");
    assert_eq!(pool[11], "33,3");
    assert_eq!(german_number(&pool[11]), Some(33.3));
    assert_eq!(
        (german_number(&pool[9]), german_number(&pool[10])),
        (Some(9.0), Some(3.0))
    );
    assert_eq!(pool[12], "");
    // Hidden groups: a "." and a German note, never true/false.
    let bremen = row("gut", "DE-HB");
    assert_eq!(
        (bremen[9].as_str(), bremen[12].as_str()),
        (".", "zu wenige Antworten")
    );
    assert_eq!(
        row("gut", "DE-NW")[12],
        "ausgeblendet, damit kleine Gruppen geschützt bleiben"
    );
    assert!(bytes_end_lines_with_crlf(file(
        &files,
        "per-land-excel.csv"
    )));
}

fn bytes_end_lines_with_crlf(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .all(|(i, _)| i > 0 && bytes[i - 1] == b'\r')
}

#[test]
fn every_table_comes_in_both_dialects_with_the_same_figures_and_the_tidy_one_unchanged() {
    let report = report();
    let comparison = compare::compare(&report, &report);
    let files = files::render(&survey(), &report, Some(&comparison), None).unwrap();
    let tidy_headers = [
        (
            "per-land",
            "wave,question_id,question,item_id,item,option_code,option,land_code,land,n,count,\
             percent,suppressed",
        ),
        (
            "per-attribute",
            "wave,question_id,question,item_id,item,option_code,option,attribute,group_code,\
             group,n,count,percent,suppressed",
        ),
        (
            "numeric",
            "wave,question_id,question,item_id,item,land_code,land,n,mean,median,min,max,\
             suppressed",
        ),
        (
            "codebook",
            "question_id,page_id,type,question,item_id,item,option_code,option,value,missing",
        ),
        (
            "compare-probe",
            "wave,compared_wave,question_id,question,item_id,item,option_code,option,land_code,\
             land,n_compared,percent_compared,n,percent,change_points,suppressed",
        ),
    ];
    let zip =
        zip::ZipArchive::new(std::io::Cursor::new(file(&files, files::ZIP).to_vec())).unwrap();
    let zipped: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for (base, tidy_header) in tidy_headers {
        let (plain, excel) = (format!("{base}.csv"), format!("{base}-excel.csv"));
        assert!(
            zipped.contains(&plain) && zipped.contains(&excel),
            "{zipped:?}"
        );
        let tidy_bytes = file(&files, &plain);
        assert!(
            tidy_bytes.starts_with(tidy_header.as_bytes()),
            "{plain}: no BOM, tidy names"
        );
        let (header, tidy_rows) = tidy(tidy_bytes);
        let (german, excel_rows) = open_in_german_excel(file(&files, &excel));
        assert_eq!(german.len(), header.len(), "{excel}");
        assert!(
            german.iter().all(|h| !h.contains('_')),
            "{excel}: {german:?}"
        );
        assert_same_figures(&excel_rows, &tidy_rows, &excel);
    }
    // The page offers the Excel dialect first, and says which is which.
    let index = String::from_utf8(file(&files, "index.html").to_vec()).unwrap();
    let at = |link: &str| {
        index
            .find(&format!("href=\"{link}\""))
            .unwrap_or_else(|| panic!("no link to {link}"))
    };
    assert!(at("per-land-excel.csv") < at("per-land.csv"));
    assert!(at("compare-probe-excel.csv") < at("per-land.csv"));
    assert!(index.contains("CSV für Excel (Semikolon, Dezimalkomma)"));
}

#[test]
fn texts_with_semicolons_quotes_and_formulas_survive_the_excel_dialect() {
    let tricky = "Wie ist die Lage; \"insgesamt\"?";
    let source = SURVEY
        .replace("Wie ist die Lage?", "Wie ist die Lage; \\\"insgesamt\\\"?")
        .replace("label = \"Video\"", "label = \"=SUMME(A1;A2)\"");
    let survey = parse_definition("probe.toml", source.as_bytes(), Format::Toml).unwrap();
    let wave = WaveInfo {
        slug: "probe".into(),
        title: "Probe".into(),
        survey_title: "Probe".into(),
        period: String::new(),
        threshold: 5,
    };
    let report = build(&survey, wave, &figures());
    let files = files::render(&survey, &report, None, None).unwrap();
    let (header, rows) = open_in_german_excel(file(&files, "per-land-excel.csv"));
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert!(
        rows.iter().any(|r| r[2] == tricky),
        "the question text in one cell"
    );
    let video = rows
        .iter()
        .find(|r| r[5] == "video" && r[7] == "DE")
        .unwrap();
    assert_eq!(video[6], "'=SUMME(A1;A2)", "neutralised, in one cell");
    assert_eq!(german_number(&video[11]), Some(63.2), "12 of 19");
}
