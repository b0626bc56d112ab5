//! `report.xlsx`: the report's tables as sheets, with a frozen bold header, column widths that fit
//! and numbers stored as numbers.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::tables::{Cell, Sheet};
use crate::text::spreadsheet_safe;

/// Widest column, in characters.
const MAX_WIDTH: usize = 60;

/// The sheets as one workbook.
pub fn to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let decimals = [
        Format::new().set_num_format("0"),
        Format::new().set_num_format("0.0"),
        Format::new().set_num_format("0.00"),
    ];
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.title)?;
        let mut widths: Vec<usize> = sheet
            .header
            .iter()
            .map(|h| h.name().chars().count())
            .collect();
        for (c, column) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, col(c)?, column.name(), &header)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, cell) in row.iter().enumerate() {
                let width = match cell {
                    Cell::Text(s) => {
                        let s = spreadsheet_safe(s);
                        ws.write_string(r, col(c)?, s.as_ref())?;
                        s.chars().count()
                    }
                    Cell::Count(n) => {
                        ws.write_number(r, col(c)?, *n as f64)?;
                        n.to_string().len()
                    }
                    Cell::Decimal(v, d) => {
                        let format = &decimals[(*d).min(decimals.len() - 1)];
                        ws.write_number_with_format(r, col(c)?, *v, format)?;
                        format!("{v:.d$}").len()
                    }
                };
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width);
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(col(c)?, ((*w).min(MAX_WIDTH) + 2) as f64)?;
        }
        ws.set_freeze_panes(1, 0)?;
        if !sheet.rows.is_empty() {
            let last_row =
                u32::try_from(sheet.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.autofilter(0, 0, last_row, col(sheet.header.len().saturating_sub(1))?)?;
        }
    }
    workbook.save_to_buffer()
}

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::super::columns::Column;
    use super::*;

    #[test]
    fn a_workbook_is_a_zip_with_one_sheet_per_table() {
        let sheet = |title| Sheet {
            file: "x",
            title,
            header: vec![Column::Wave, Column::Percent],
            rows: vec![vec![Cell::Text("=1+1".into()), Cell::Decimal(42.25, 1)]],
        };
        let bytes = to_xlsx(&[sheet("Je Land"), sheet("Codebuch")]).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert!(
            names.iter().any(|n| n == "xl/worksheets/sheet2.xml"),
            "{names:?}"
        );
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("&apos;=1+1") || xml.contains("'=1+1"), "{xml}");
        let mut book = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut book)
            .unwrap();
        assert!(book.contains("Je Land") && book.contains("Codebuch"));
    }
}
