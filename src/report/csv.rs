//! CSV files in two dialects, each with a header row and text cells neutralised against
//! spreadsheet formulas:
//!
//! - [`Dialect::Tidy`] (`per-land.csv`): UTF-8, RFC 4180, `,`, decimal point, the column names of
//!   DESIGN.md; for R, Python and other programs.
//! - [`Dialect::Excel`] (`per-land-excel.csv`): what German Excel opens on a double click: UTF-8
//!   with a byte order mark (else Excel reads Windows-1252), `;` (the list separator of a German
//!   Windows), decimal comma, German column headers, Windows line ends.
//!
//! Both carry the same rows and the same cells; only the spelling of numbers and headers differs.

use super::german;
use super::tables::{Cell, Sheet};
use crate::text::spreadsheet_safe;

/// The byte order mark that tells Excel a CSV file is UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a CSV file is spelt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// UTF-8, `,`, decimal point, tidy column names: for R and Python.
    Tidy,
    /// UTF-8 with BOM, `;`, decimal comma, German headers: for German Excel.
    Excel,
}

impl Dialect {
    /// The file name of the table `base` in this dialect: `per-land.csv`, `per-land-excel.csv`.
    pub fn file_name(self, base: &str) -> String {
        match self {
            Self::Tidy => format!("{base}.csv"),
            Self::Excel => format!("{base}-excel.csv"),
        }
    }

    /// What the download list says about a file of this dialect, after the table's description.
    pub fn description(self) -> &'static str {
        match self {
            Self::Tidy => "CSV für R, Python und Statistikprogramme (Komma, Dezimalpunkt)",
            Self::Excel => "CSV für Excel (Semikolon, Dezimalkomma)",
        }
    }
}

/// The text of a cell as written in `dialect` (no digit grouping in either).
pub fn cell_text(cell: &Cell, dialect: Dialect) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(s) => spreadsheet_safe(s),
        Cell::Count(n) => n.to_string().into(),
        Cell::Decimal(v, decimals) => match dialect {
            Dialect::Tidy => format!("{v:.decimals$}").into(),
            Dialect::Excel => german(*v, *decimals).into(),
        },
    }
}

/// The sheet as CSV bytes in `dialect`.
pub fn to_csv(sheet: &Sheet, dialect: Dialect) -> Result<Vec<u8>, csv::Error> {
    let (start, delimiter, terminator) = match dialect {
        Dialect::Tidy => (&b""[..], b',', csv::Terminator::Any(b'\n')),
        Dialect::Excel => (BOM, b';', csv::Terminator::CRLF),
    };
    let mut out = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .from_writer(start.to_vec());
    out.write_record(sheet.header.iter().map(|c| match dialect {
        Dialect::Tidy => c.name(),
        Dialect::Excel => c.german(),
    }))?;
    for row in &sheet.rows {
        out.write_record(row.iter().map(|c| cell_text(c, dialect).into_owned()))?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::super::columns::Column;
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            file: "x",
            title: "X",
            header: vec![Column::Question, Column::Percent, Column::Count],
            rows: vec![vec![
                Cell::Text("=HYPERLINK(\"http://x\")".into()),
                Cell::Decimal(-2.5, 1),
                Cell::Count(7),
            ]],
        }
    }

    #[test]
    fn cells_that_look_like_formulas_are_neutralised_and_quotes_escaped() {
        let csv = String::from_utf8(to_csv(&sheet(), Dialect::Tidy).unwrap()).unwrap();
        assert_eq!(
            csv,
            "question,percent,count\n\"'=HYPERLINK(\"\"http://x\"\")\",-2.5,7\n"
        );
    }

    #[test]
    fn the_excel_dialect_has_a_bom_semicolons_german_headers_and_decimal_commas() {
        let csv = to_csv(&sheet(), Dialect::Excel).unwrap();
        assert_eq!(
            csv,
            "\u{feff}Frage;Anteil (%);Anzahl\r\n\"'=HYPERLINK(\"\"http://x\"\")\";-2,5;7\r\n"
                .as_bytes()
        );
    }

    #[test]
    fn dialects_name_their_files_apart() {
        assert_eq!(Dialect::Tidy.file_name("per-land"), "per-land.csv");
        assert_eq!(Dialect::Excel.file_name("per-land"), "per-land-excel.csv");
    }
}
