//! From bytes to records: decoding, the delimiter, and each record with the line it starts on.

use std::borrow::Cow;

use super::{RowError, Text, both, file_error};

/// One CSV record with the line it starts on; cells as read, untrimmed.
pub(super) struct Record {
    pub(super) line: usize,
    pub(super) cells: Vec<String>,
}

/// How the bytes of a participants file were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without byte order mark (plain ASCII too): "CSV UTF-8" from Excel, and what
    /// most other programs write.
    Utf8,
    /// Not UTF-8, so read as Windows-1252: what German Excel writes as "CSV (Trennzeichen-getrennt)".
    Windows1252,
}

/// The text of the file without byte order mark and how it was read, or the one error that says
/// why it is no text.
///
/// Valid UTF-8 is UTF-8 (a Windows-1252 file with umlauts practically never is: `ü` is the lone
/// byte 0xFC there, which UTF-8 does not allow); anything else is read as Windows-1252, whose 256
/// bytes all mean a character, unless the file starts with UTF-8's byte order mark (then it is
/// broken UTF-8) or is no text at all (NUL bytes, a workbook, UTF-16, mostly control characters).
pub(super) fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding), RowError> {
    if let Some(problem) = not_text(bytes) {
        return Err(file_error(1, problem));
    }
    let (marked, rest) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let (text, encoding) = match std::str::from_utf8(rest) {
        Ok(text) => (Cow::Borrowed(text), Encoding::Utf8),
        Err(error) if marked => return Err(broken_utf8(rest, error.valid_up_to())),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(rest);
            (text, Encoding::Windows1252)
        }
    };
    if mostly_control_characters(&text) {
        return Err(file_error(1, binary()));
    }
    Ok((text, encoding))
}

/// Why `bytes` cannot be a participants list, judged by their first bytes and NUL bytes.
fn not_text(bytes: &[u8]) -> Option<Text> {
    let save_as = "save it in Excel as \"CSV UTF-8 (durch Trennzeichen getrennt)\"";
    let speichern = "speichern Sie sie in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“";
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        Some(both(
            format!("the file is UTF-16 (Excel's \"Unicode-Text\"); {save_as}"),
            format!("die Datei ist UTF-16 (Excels „Unicode-Text“); {speichern}"),
        ))
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        Some(both(
            format!("the file is a workbook (.xlsx, .xls, .ods), not CSV; {save_as}"),
            format!(
                "die Datei ist eine Arbeitsmappe (.xlsx, .xls, .ods), keine CSV-Datei; {speichern}"
            ),
        ))
    } else if bytes.contains(&0) {
        Some(binary())
    } else {
        None
    }
}

fn binary() -> Text {
    both(
        "the file is not a text file (it holds binary data); save the list in Excel as \
         \"CSV UTF-8 (durch Trennzeichen getrennt)\"",
        "die Datei ist keine Textdatei (sie enthält Binärdaten); speichern Sie die Liste in Excel \
         als „CSV UTF-8 (durch Trennzeichen getrennt)“",
    )
}

/// More than one character in twenty is a control character other than tab, line breaks and form
/// feed: binary data that happens to have no NUL byte (random bytes have about one in eight; a text
/// file now and then a stray one).
fn mostly_control_characters(text: &str) -> bool {
    let (mut characters, mut controls) = (0_usize, 0_usize);
    for c in text.chars() {
        characters += 1;
        controls += usize::from(c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    }
    controls * 20 > characters
}

/// The error of a file that starts with UTF-8's byte order mark but is not UTF-8 after it.
fn broken_utf8(text: &[u8], valid_up_to: usize) -> RowError {
    let valid = text.get(..valid_up_to).unwrap_or_default();
    let line = count_line_breaks(valid) + 1;
    let byte = text.get(valid_up_to).copied().unwrap_or_default();
    let message = both(
        format!(
            "the file starts as UTF-8 but is not UTF-8 (byte 0x{byte:02X}); in Excel save it as \
             \"CSV UTF-8 (durch Trennzeichen getrennt)\""
        ),
        format!(
            "die Datei beginnt als UTF-8, ist aber nicht UTF-8 (Byte 0x{byte:02X}); speichern Sie \
             sie in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“"
        ),
    );
    file_error(line, message)
}

/// The delimiter of the first non-blank line: whichever of `;`, `,` and tab it has most of outside
/// quotes; a tie means `,` (then `;`), so tab only when it is clearly the separator.
pub(super) fn detect_delimiter(text: &str) -> u8 {
    let (mut semicolons, mut commas, mut tabs) = (0_usize, 0_usize, 0_usize);
    let (mut quoted, mut content) = (false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && content => break,
            // A line of only tabs and spaces is blank: its tabs do not count.
            '\n' | '\r' if !quoted => tabs = 0,
            ';' if !quoted => semicolons += 1,
            ',' if !quoted => commas += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
        content |= !c.is_whitespace();
    }
    // `max_by_key` keeps the last of equal counts.
    [(tabs, b'\t'), (semicolons, b';'), (commas, b',')]
        .into_iter()
        .max_by_key(|&(count, _)| count)
        .map_or(b',', |(_, delimiter)| delimiter)
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
