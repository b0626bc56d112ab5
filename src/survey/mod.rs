//! The questionnaire domain: definition types, reading and checking definition files.
//!
//! Pure: no web framework, no database, no file system. [`parse_definition`] takes the bytes of a
//! file and returns the [`Survey`] or every problem found, each with its line and column.

pub mod answers;
pub mod check;
pub mod decode;
pub mod definition;
pub mod source;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_german;
pub mod texts;
mod words;

use std::fmt;
use std::ops::Range;

use self::check::{Path, Seg};
pub use self::definition::{
    Access, ChoiceOption, Choices, Condition, Item, LAENDER, Page, Question, QuestionKind, Survey,
};
use self::source::{LineIndex, Node, Value};
use crate::text::Bilingual;

/// Largest definition file accepted; the biggest real questionnaire is about 20 KiB.
pub const MAX_DEFINITION_BYTES: usize = 1024 * 1024;

/// The notation a definition is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML, the notation of `surveys/*.toml`.
    Toml,
    /// JSON with the same structure.
    Json,
}

impl Format {
    /// The format a file name implies: `.json` is JSON, everything else TOML.
    pub fn from_file_name(name: &str) -> Format {
        if name.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// One problem of a definition file, located by line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, one sentence (English, for the command line).
    pub message: String,
    /// The same in German, for the staff pages: plain words, keys and ids in „…“.
    pub german: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl Bilingual for Diagnostic {
    /// "beispiel.toml, Zeile 12, Spalte 1: unbekannter Schlüssel „requird“ …" (the admin pages).
    fn german(&self) -> String {
        format!(
            "{}, Zeile {}, Spalte {}: {}",
            self.file, self.line, self.column, self.german
        )
    }

    /// "beispiel.toml:12:1: unknown key `requird` …" (the command line), as `Display`.
    fn english(&self) -> String {
        self.to_string()
    }
}

/// Reads and checks a definition: the survey, or every problem found, sorted by position.
///
/// `file` names the file in messages; `bytes` is its whole content (callers should not read more
/// than [`MAX_DEFINITION_BYTES`] + 1 bytes: a longer input is rejected without being parsed).
pub fn parse_definition(
    file: &str,
    bytes: &[u8],
    format: Format,
) -> Result<Survey, Vec<Diagnostic>> {
    let at = |line, column, message: String, german: String| Diagnostic {
        file: file.to_owned(),
        line,
        column,
        message,
        german,
    };
    if bytes.len() > MAX_DEFINITION_BYTES {
        return Err(vec![at(
            1,
            1,
            format!(
                "the file is larger than {} KiB; a survey definition must not exceed that",
                MAX_DEFINITION_BYTES / 1024
            ),
            format!(
                "die Datei ist größer als {} KiB; so groß darf eine Umfragedefinition nicht sein",
                MAX_DEFINITION_BYTES / 1024
            ),
        )]);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            return Err(vec![at(
                line,
                column,
                format!(
                    "the file is not UTF-8 (byte 0x{:02X}); save it as UTF-8",
                    bytes[error.valid_up_to()]
                ),
                format!(
                    "die Datei ist nicht in UTF-8 gespeichert (Byte 0x{:02X}); speichern Sie sie im Editor mit der Kodierung UTF-8",
                    bytes[error.valid_up_to()]
                ),
            )]);
        }
    };
    let index = LineIndex::new(text);
    let locate = |span: Range<usize>, message: String, german: String| {
        let (line, column) = index.line_col(span.start);
        at(line, column, message, german)
    };
    let root = match format {
        Format::Toml => source::parse_toml(text),
        Format::Json => source::parse_json(text).map_err(|e| vec![e]),
    };
    let root = root.map_err(|errors| {
        // The TOML parser reports what it recovered from in its own order, now and then twice.
        let mut located: Vec<_> = (errors.into_iter())
            .map(|e| locate(e.span, e.message, e.german))
            .collect();
        located.sort();
        located.dedup();
        located
    })?;
    let decoded = decode::decode(&root);
    let mut diagnostics: Vec<Diagnostic> = decoded
        .problems
        .into_iter()
        .map(|p| locate(p.span, p.message, p.german))
        .collect();
    diagnostics.extend(
        texts::check(&root, text)
            .into_iter()
            .map(|p| locate(p.span, p.message, p.german)),
    );
    diagnostics.extend(
        check::check(&decoded.survey, &decoded.broken_questions)
            .into_iter()
            .map(|p| locate(resolve(&root, &p.path), p.message, p.german)),
    );
    if diagnostics.is_empty() {
        return Ok(decoded.survey);
    }
    diagnostics.sort();
    diagnostics.dedup();
    Err(diagnostics)
}

/// The span a path points at, or that of its deepest part that exists in the source.
fn resolve(root: &Node, path: &Path) -> Range<usize> {
    let mut node = root;
    for seg in path {
        let next = match (&node.value, seg) {
            (Value::Table(entries), Seg::Key(key)) => {
                entries.iter().find(|(k, _)| &k.name == key).map(|(_, n)| n)
            }
            (Value::Array(items), Seg::Index(i)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    node.span.clone()
}
