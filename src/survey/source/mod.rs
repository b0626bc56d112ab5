//! Source documents: a definition file's text as a tree of values that remember where they stand.
//!
//! Survey files are TOML, or JSON with the same structure. Both are read into the same [`Node`] tree,
//! whose every value and key carries its byte span, so that every later problem (an unknown key, a
//! duplicate id, a condition that points forward) can be reported as `file:line:col`. serde would
//! stop at the first problem; walking this tree lets the decoder report all of them at once.

mod json;
mod toml;

use std::ops::Range;

pub use self::json::parse_json;
pub use self::toml::parse_toml;

/// A value of the source document with the byte range it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value itself.
    pub value: Value,
    /// Byte range of the value in the source text.
    pub span: Range<usize>,
}

/// The kinds of values that TOML and JSON have in common (plus TOML's dates).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A TOML date or date-time, as written (JSON has none; dates are strings there).
    Datetime(String),
    /// An array.
    Array(Vec<Node>),
    /// A table (TOML) or object (JSON), in source order.
    Table(Vec<(Key, Node)>),
}

/// A key of a table with the byte range it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Byte range of the key in the source text.
    pub span: Range<usize>,
}

/// A syntax error: the document could not be read as TOML or JSON at all.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// Where the error is (may be empty, pointing between two characters).
    pub span: Range<usize>,
    /// What is wrong, as one sentence without a trailing period.
    pub message: String,
    /// The same in German, for the staff pages.
    pub german: String,
}

impl Value {
    /// A short English name of the value's type, for messages ("expected a string, found an array").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// The same name in German ("„min“ muss eine Zahl sein, hier steht eine Liste").
    pub fn type_name_german(&self) -> &'static str {
        match self {
            Value::Str(_) => "ein Text",
            Value::Int(_) => "eine ganze Zahl",
            Value::Float(_) => "eine Zahl",
            Value::Bool(_) => "ein Wahrheitswert",
            Value::Datetime(_) => "ein Datum",
            Value::Array(_) => "eine Liste",
            Value::Table(_) => "eine Tabelle",
        }
    }
}

/// Turns byte offsets into 1-based line and column numbers (columns count characters, as editors do).
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    /// Line and column (both 1-based) of a byte offset; offsets past the end point after the last character.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let index = LineIndex::new("a = 1\nü = \"x\"\n");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(6), (2, 1));
        // 'ü' is two bytes; the '=' after it is the third character of line 2.
        assert_eq!(index.line_col(9), (2, 3));
        assert_eq!(index.line_col(1000), (3, 1));
    }
}
