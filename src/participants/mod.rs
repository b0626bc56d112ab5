//! Participants files: the CSV an admin imports to invite the contact persons of the MINT-Regionen
//! to a wave.
//!
//! Pure: bytes in, validated rows (or every problem of every row) out; no database, no I/O. The
//! import command stores the rows, all or nothing. Accepts what German Excel writes (semicolons, a
//! byte order mark, CRLF) as well as plain RFC 4180 with commas, and names each problem by line and
//! column so that one round of corrections is enough.

mod check;
mod header;
mod read;
#[cfg(test)]
mod tests;

use std::fmt;

use indexmap::IndexMap;

use self::check::check_rows;
pub use self::check::land_code;
pub use self::header::attribute_key;
use self::header::read_layout;
use self::read::{Record, decode, detect_delimiter, filled_width, read_records};

/// One valid row of a participants file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRow {
    /// Line number in the file where this record starts (the header is line 1).
    pub line: usize,
    /// Name of the MINT-Region, trimmed, inner whitespace collapsed to single spaces.
    pub region: String,
    /// ISO 3166-2 code of the Land, e.g. `DE-TH`.
    pub land_code: &'static str,
    /// Email address, trimmed; the domain part lower-cased, the local part kept as written.
    pub email: String,
    /// Contact person; `None` when the file has no such column or the cell is empty.
    pub name: Option<String>,
    /// Further columns by [`attribute_key`] of their header, in column order; empty cells are left
    /// out.
    pub attributes: IndexMap<String, String>,
}

/// Why a row (or the whole file) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line number where the record starts (the header is line 1).
    pub line: usize,
    /// The header name as written in the file, e.g. `E-Mail`; `None` for whole-row and whole-file
    /// problems.
    pub column: Option<String>,
    /// One sentence in English (the command line), lower-case start, no trailing period.
    pub message: String,
    /// The same in German (the admin pages).
    pub german: String,
}

impl RowError {
    /// A problem of `column` (or of the whole row) in `line`.
    pub fn new(line: usize, column: Option<String>, text: Text) -> RowError {
        RowError {
            line,
            column,
            message: text.english,
            german: text.german,
        }
    }

    /// The whole error in German, as the admin pages show it.
    pub fn in_german(&self) -> String {
        match &self.column {
            Some(column) => format!("Zeile {}, Spalte {column}: {}", self.line, self.german),
            None => format!("Zeile {}: {}", self.line, self.german),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// A problem's text in English (the command line) and German (the admin pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// English, lower-case start, no trailing period.
    pub english: String,
    /// German, lower-case start where the sentence allows, no trailing period.
    pub german: String,
}

/// A [`Text`] of both languages.
pub fn both(english: impl Into<String>, german: impl Into<String>) -> Text {
    Text {
        english: english.into(),
        german: german.into(),
    }
}

impl std::error::Error for RowError {}

impl crate::text::Bilingual for RowError {
    /// "Zeile 3, Spalte Bundesland: „Atlantis“ ist kein Land" (the admin pages).
    fn german(&self) -> String {
        self.in_german()
    }

    /// "line 3, column Bundesland: `Atlantis` is not a Land" (the command line).
    fn english(&self) -> String {
        self.to_string()
    }
}

impl crate::text::Bilingual for Text {
    fn german(&self) -> String {
        self.german.clone()
    }

    fn english(&self) -> String {
        self.english.clone()
    }
}

/// Reads a participants file; all rows, or every problem of every row (sorted by line, then
/// column).
///
/// The file is UTF-8 (a byte order mark is stripped), separated by `;` or `,` (whichever the header
/// line uses more; a tie means `,`). The first non-blank record is the header; see the module's
/// tests for the accepted column names. Blank records are skipped.
pub fn parse_participants(bytes: &[u8]) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
    let (rows, errors) = read_participants(bytes);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Reads a participants file into its valid rows and every problem found, so that a caller can add
/// its own checks of the valid rows (against a wave) and report all problems together.
pub fn read_participants(bytes: &[u8]) -> (Vec<ParticipantRow>, Vec<RowError>) {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(error) => return (Vec::new(), vec![error]),
    };
    let records = match read_records(text, detect_delimiter(text)) {
        Ok(records) => records,
        Err(error) => return (Vec::new(), vec![error]),
    };
    let mut records = records
        .into_iter()
        .filter(|record| filled_width(&record.cells) > 0);
    let Some(header) = records.next() else {
        return (
            Vec::new(),
            vec![file_error(
                1,
                both(
                    "the file has no participants",
                    "die Datei enthält keine Teilnehmenden",
                ),
            )],
        );
    };
    let rows: Vec<Record> = records.collect();
    let layout = read_layout(&header, &rows);
    if rows.is_empty() {
        let mut errors = layout.err().unwrap_or_default();
        errors.push(file_error(
            header.line + 1,
            both(
                "the file has no participants",
                "die Datei enthält keine Teilnehmenden",
            ),
        ));
        return (Vec::new(), errors);
    }
    match layout {
        Ok(layout) => check_rows(&rows, &layout),
        Err(errors) => (Vec::new(), errors),
    }
}

/// An error about the whole file or a whole row, not one cell.
fn file_error(line: usize, text: Text) -> RowError {
    RowError::new(line, None, text)
}

/// Lower case with umlauts and ß transliterated (also decomposed umlauts, as macOS writes them).
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => folded.push_str("ae"),
            'ö' => folded.push_str("oe"),
            'ü' => folded.push_str("ue"),
            'ß' => folded.push_str("ss"),
            '\u{308}' => folded.push('e'),
            other => folded.push(other),
        }
    }
    folded
}
