//! CSV files: UTF-8, RFC 4180, a header row; text cells neutralised against spreadsheet formulas.

use super::tables::{Cell, Sheet};
use crate::text::spreadsheet_safe;

/// The text of a cell as written to CSV (decimal point, no grouping).
pub fn cell_text(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(s) => spreadsheet_safe(s),
        Cell::Count(n) => n.to_string().into(),
        Cell::Decimal(v, decimals) => format!("{v:.decimals$}").into(),
    }
}

/// The sheet as CSV bytes.
pub fn to_csv(sheet: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(sheet.header.iter().map(|c| c.name()))?;
    for row in &sheet.rows {
        out.write_record(row.iter().map(|c| cell_text(c).into_owned()))?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::super::columns::Column;
    use super::*;

    #[test]
    fn cells_that_look_like_formulas_are_neutralised_and_quotes_escaped() {
        let sheet = Sheet {
            file: "x",
            title: "X",
            header: vec![Column::Question, Column::Percent, Column::Count],
            rows: vec![vec![
                Cell::Text("=HYPERLINK(\"http://x\")".into()),
                Cell::Decimal(-2.5, 1),
                Cell::Count(7),
            ]],
        };
        let csv = String::from_utf8(to_csv(&sheet).unwrap()).unwrap();
        assert_eq!(
            csv,
            "question,percent,count\n\"'=HYPERLINK(\"\"http://x\"\")\",-2.5,7\n"
        );
    }
}
