//! Participants files: the CSV an admin imports to invite the contact persons of the MINT-Regionen
//! to a wave.
//!
//! Pure: bytes and what the wave holds in, validated rows (or every problem of every row) out; no
//! database, no I/O. The import operation stores the rows, all or nothing. Accepts what German
//! Excel writes (Windows-1252 or UTF-8 with a byte order mark, semicolons or tabs, CRLF) as well as
//! plain RFC 4180 with commas, and names each problem by line (the header is line 1, as in Excel,
//! whose row numbers are the same unless a cell above holds a line break) and column so that one
//! round of corrections is enough.

mod check;
mod header;
mod read;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use indexmap::IndexMap;

use self::check::check_rows;
pub use self::check::land_code;
pub use self::header::attribute_key;
use self::header::read_layout;
pub use self::read::Encoding;
use self::read::{Record, decode, detect_delimiter, filled_width, read_records};
use crate::survey::definition::Attribute;

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
    /// out. Values of attributes the survey declares are spelt as the survey spells them.
    pub attributes: IndexMap<String, String>,
    /// The address is in the wave already, for this region (the file was imported before): there
    /// is nothing to store.
    pub in_wave: bool,
}

/// The wave a file is imported into, as far as checking its rows needs it.
#[derive(Debug, Clone, Default)]
pub struct ImportTarget {
    /// The attributes the survey declares, with their allowed values; other columns are kept as
    /// written.
    pub attributes: IndexMap<String, Attribute>,
    /// The wave's addresses, lower-cased, each with the name of its participant's region.
    pub contacts: HashMap<String, String>,
}

/// A participants file read and checked against its wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantsFile {
    /// How its bytes were decoded (`Utf8` also when there was nothing to decode).
    pub encoding: Encoding,
    /// The valid rows, in file order.
    pub rows: Vec<ParticipantRow>,
    /// Every problem of every row and of the file: by line, within a line whole-row problems
    /// first, then by column.
    pub errors: Vec<RowError>,
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

/// Reads a participants file on its own (no survey, no wave); all rows, or every problem of every
/// row (sorted by line, then column).
///
/// See [`read_participants`] for the encodings and delimiters accepted; see the module's tests for
/// the accepted column names. Blank records are skipped.
pub fn parse_participants(bytes: &[u8]) -> Result<Vec<ParticipantRow>, Vec<RowError>> {
    let file = read_participants(bytes, &ImportTarget::default());
    if file.errors.is_empty() {
        Ok(file.rows)
    } else {
        Err(file.errors)
    }
}

/// Reads a participants file and checks every row on its own and against `target`: the valid rows
/// and every problem found, so that one round of corrections is enough.
///
/// The file is UTF-8 (a byte order mark is stripped) or else Windows-1252; separated by `;`, `,`
/// or tab (whichever the header line uses most; a tie means `,`). The first non-blank record is
/// the header. Against the wave: values of attributes the survey declares must be among its
/// values (any case), and an address already in the wave must be there for the same region.
pub fn read_participants(bytes: &[u8], target: &ImportTarget) -> ParticipantsFile {
    let refused = |encoding, errors| ParticipantsFile {
        encoding,
        rows: Vec::new(),
        errors,
    };
    let (text, encoding) = match decode(bytes) {
        Ok(decoded) => decoded,
        Err(error) => return refused(Encoding::Utf8, vec![error]),
    };
    let records = match read_records(&text, detect_delimiter(&text)) {
        Ok(records) => records,
        Err(error) => return refused(encoding, vec![error]),
    };
    let mut records = records
        .into_iter()
        .filter(|record| filled_width(&record.cells) > 0);
    let no_participants = |line| {
        let text = both(
            "the file has no participants",
            "die Datei enthält keine Teilnehmenden",
        );
        file_error(line, text)
    };
    let Some(header) = records.next() else {
        return refused(encoding, vec![no_participants(1)]);
    };
    let rows: Vec<Record> = records.collect();
    let layout = read_layout(&header, &rows);
    if rows.is_empty() {
        let mut errors = layout.err().unwrap_or_default();
        errors.push(no_participants(header.line + 1));
        return refused(encoding, errors);
    }
    match layout {
        Ok(layout) => {
            let (rows, errors) = check_rows(&rows, &layout, target);
            ParticipantsFile {
                encoding,
                rows,
                errors,
            }
        }
        Err(errors) => refused(encoding, errors),
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
