//! From bytes to records: decoding, the delimiter, and each record with the line it starts on.

use super::{RowError, both, file_error};

/// One CSV record with the line it starts on; cells as read, untrimmed.
pub(super) struct Record {
    pub(super) line: usize,
    pub(super) cells: Vec<String>,
}

/// The text of the file without byte order mark, or the one error that says it is not UTF-8.
pub(super) fn decode(bytes: &[u8]) -> Result<&str, RowError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(error) => {
            let valid = bytes.get(..error.valid_up_to()).unwrap_or_default();
            let line = count_line_breaks(valid) + 1;
            let byte = bytes.get(error.valid_up_to()).copied().unwrap_or_default();
            let message = both(
                format!(
                    "the file is not UTF-8 (byte 0x{byte:02X}); in Excel save it as \
                     \"CSV UTF-8 (durch Trennzeichen getrennt)\""
                ),
                format!(
                    "die Datei ist nicht UTF-8 (Byte 0x{byte:02X}); speichern Sie sie in Excel als \
                     „CSV UTF-8 (durch Trennzeichen getrennt)“"
                ),
            );
            Err(file_error(line, message))
        }
    }
}

/// `;` when the first non-blank line has more semicolons than commas outside quotes, else `,`.
pub(super) fn detect_delimiter(text: &str) -> u8 {
    let (mut semicolons, mut commas) = (0_usize, 0_usize);
    let (mut quoted, mut content) = (false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && content => break,
            ';' if !quoted => semicolons += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
        content |= !c.is_whitespace();
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Every record of the file with the line it starts on.
///
/// The line is counted from the record's byte offset, not taken from `Position::line()`: the csv
/// crate records a position before it skips the rest of a CRLF and any blank lines, so its line
/// lags behind.
pub(super) fn read_records(text: &str, delimiter: u8) -> Result<Vec<Record>, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut lines = LineCounter::default();
    let mut records = Vec::new();
    for result in reader.records() {
        let mut line_of = |position: Option<&csv::Position>| {
            position.map_or(1, |position| lines.line_at(text, position))
        };
        let record = result.map_err(|error| {
            let message = both(
                format!("the file cannot be read as CSV: {error}"),
                format!("die Datei lässt sich nicht als CSV lesen: {error}"),
            );
            file_error(line_of(error.position()), message)
        })?;
        let line = line_of(record.position());
        let cells = record.iter().map(str::to_owned).collect();
        records.push(Record { line, cells });
    }
    Ok(records)
}

/// Line numbers of byte offsets met in increasing order, counted without rescanning the text.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    breaks: usize,
}

impl LineCounter {
    /// The line where the record at `position` starts: after any line breaks that precede it.
    fn line_at(&mut self, text: &str, position: &csv::Position) -> usize {
        let bytes = text.as_bytes();
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        if start >= self.offset {
            self.breaks += count_line_breaks(bytes.get(self.offset..start).unwrap_or_default());
            self.offset = start;
        }
        self.breaks + 1
    }
}

/// Line breaks in `bytes`: LF, CRLF and a lone CR (old Mac files) each count once.
fn count_line_breaks(bytes: &[u8]) -> usize {
    let lone_crs = bytes
        .windows(2)
        .filter(|pair| pair[0] == b'\r' && pair[1] != b'\n');
    let lone_crs = lone_crs.count();
    let last_cr = usize::from(bytes.last() == Some(&b'\r'));
    bytes.iter().filter(|&&b| b == b'\n').count() + lone_crs + last_cr
}

/// The number of cells up to the last one that is not empty.
pub(super) fn filled_width(cells: &[String]) -> usize {
    let last = cells.iter().rposition(|cell| !cell.trim().is_empty());
    last.map_or(0, |last| last + 1)
}

/// The trimmed cell in column `index`; empty when the row is shorter.
pub(super) fn cell(cells: &[String], index: usize) -> &str {
    cells.get(index).map_or("", |cell| cell.trim())
}
