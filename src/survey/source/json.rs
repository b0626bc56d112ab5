//! JSON reader: a hand-written recursive-descent parser of RFC 8259 JSON into a [`Node`] tree.
//!
//! Every value and key keeps its byte span in the original text (a leading byte order mark is
//! skipped but still counted), so later checks can point at `file:line:col`. On top of plain JSON
//! the reader rejects what a survey definition cannot mean: `null`, duplicate keys, and a top-level
//! value that is not an object.

use std::collections::HashSet;
use std::ops::Range;

use super::{Key, Node, SyntaxError, Value};

/// How many arrays and objects may be nested inside each other, so hostile input cannot overflow
/// the stack.
const MAX_DEPTH: usize = 128;

/// Parses a JSON document into a [`Node`] tree with byte spans.
///
/// The document must be a single JSON object. Integers that fit in 64 bits become [`Value::Int`],
/// every other number becomes [`Value::Float`].
///
/// # Errors
///
/// A [`SyntaxError`] at the first problem: text that is not JSON, a `null`, a duplicate key, a
/// number too large for `f64`, nesting deeper than 128 levels, or a top-level value that is not an
/// object.
pub fn parse_json(text: &str) -> Result<Node, SyntaxError> {
    let mut parser = Parser { text, pos: 0 };
    if text.starts_with('\u{feff}') {
        parser.pos = '\u{feff}'.len_utf8();
    }
    let root = parser.value(0)?;
    parser.skip_whitespace();
    if parser.peek().is_some() {
        let message = format!(
            "unexpected {} after the end of the document",
            parser.found()
        );
        let german = format!(
            "nach dem Ende des Dokuments steht noch {}",
            parser.found_german()
        );
        return Err(error(parser.here(), message, german));
    }
    if !matches!(root.value, Value::Table(_)) {
        return Err(error(
            root.span,
            "a survey definition must be a JSON object",
            "eine Umfragedefinition muss ein JSON-Objekt sein (in geschweiften Klammern)",
        ));
    }
    Ok(root)
}

/// The reading position in the text being parsed.
struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character; always on a character boundary.
    pos: usize,
}

impl Parser<'_> {
    // ---- values ----

    /// Parses any value, skipping whitespace before it. `depth` counts the enclosing containers.
    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        self.skip_whitespace();
        match self.peek() {
            Some('{') => self.object(depth + 1),
            Some('[') => self.array(depth + 1),
            Some('"') => {
                let (text, span) = self.string()?;
                Ok(Node {
                    value: Value::Str(text),
                    span,
                })
            }
            Some('-' | '0'..='9') => self.number(),
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            _ => Err(self.expected("a value", "ein Wert")),
        }
    }

    /// Parses an object starting at `{`; `depth` is its own nesting level.
    fn object(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.open(depth)?;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut seen = HashSet::new();
        self.skip_whitespace();
        if !self.eat('}') {
            loop {
                self.skip_whitespace();
                if self.peek() != Some('"') {
                    return Err(self.expected(
                        "a key in double quotes",
                        "ein Schlüssel in doppelten Anführungszeichen",
                    ));
                }
                let (name, span) = self.string()?;
                if !seen.insert(name.clone()) {
                    return Err(error(
                        span,
                        format!("duplicate key `{name}`"),
                        format!("der Schlüssel „{name}“ kommt doppelt vor"),
                    ));
                }
                self.skip_whitespace();
                if !self.eat(':') {
                    return Err(self.expected("`:` after the key", "„:“ nach dem Schlüssel"));
                }
                let node = self.value(depth)?;
                entries.push((Key { name, span }, node));
                self.skip_whitespace();
                if self.eat('}') {
                    break;
                }
                self.separator('}')?;
            }
        }
        Ok(Node {
            value: Value::Table(entries),
            span: start..self.pos,
        })
    }

    /// Parses an array starting at `[`; `depth` is its own nesting level.
    fn array(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.open(depth)?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if !self.eat(']') {
            loop {
                items.push(self.value(depth)?);
                self.skip_whitespace();
                if self.eat(']') {
                    break;
                }
                self.separator(']')?;
            }
        }
        Ok(Node {
            value: Value::Array(items),
            span: start..self.pos,
        })
    }

    /// Consumes the opening bracket of a container at nesting level `depth`, if that is allowed.
    fn open(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth > MAX_DEPTH {
            let message = format!("nesting deeper than {MAX_DEPTH} levels");
            let german = format!("mehr als {MAX_DEPTH} Ebenen ineinander verschachtelt");
            return Err(error(self.here(), message, german));
        }
        self.bump();
        Ok(())
    }

    /// Consumes the `,` between two elements, rejecting a comma right before `close`.
    fn separator(&mut self, close: char) -> Result<(), SyntaxError> {
        let comma = self.here();
        if !self.eat(',') {
            return Err(self.expected(
                &format!("`,` or `{close}` after the value"),
                &format!("„,“ oder „{close}“ nach dem Wert"),
            ));
        }
        self.skip_whitespace();
        if self.peek() == Some(close) {
            return Err(error(
                comma,
                format!("trailing comma before `{close}`"),
                format!("überzähliges Komma vor „{close}“"),
            ));
        }
        Ok(())
    }

    /// Parses `true` or `false`, or reports the whole bare word that stands where a value should.
    fn word(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.pos += len;
        let span = start..self.pos;
        let value = match self.text.get(span.clone()).unwrap_or_default() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => {
                return Err(error(
                    span,
                    "null is not allowed; leave the key out instead",
                    "„null“ ist nicht erlaubt; lassen Sie den Schlüssel stattdessen weg",
                ));
            }
            word => {
                return Err(error(
                    span,
                    format!("expected a value, found `{word}`"),
                    format!("erwartet wurde ein Wert, gefunden: „{word}“"),
                ));
            }
        };
        Ok(Node { value, span })
    }

    // ---- numbers ----

    /// Parses a number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.eat('-');
        match self.peek() {
            Some('0') => {
                self.bump();
                if matches!(self.peek(), Some('0'..='9')) {
                    return Err(error(
                        self.here(),
                        "leading zeros are not allowed in numbers",
                        "Zahlen dürfen nicht mit einer führenden Null beginnen (also „7“, nicht „07“)",
                    ));
                }
            }
            Some('1'..='9') => self.skip_digits(),
            _ => return Err(self.expected("a digit after `-`", "eine Ziffer nach „-“")),
        }
        let mut integral = true;
        if self.eat('.') {
            integral = false;
            self.digits(
                "a digit after the decimal point",
                "eine Ziffer nach dem Dezimalpunkt",
            )?;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            integral = false;
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            self.digits("a digit in the exponent", "eine Ziffer im Exponenten")?;
        }
        let span = start..self.pos;
        let literal = self.text.get(span.clone()).unwrap_or_default();
        let int = if integral {
            literal.parse::<i64>().ok()
        } else {
            None
        };
        let value = match int {
            Some(int) => Value::Int(int),
            None => Value::Float(float(literal, &span)?),
        };
        Ok(Node { value, span })
    }

    /// Consumes one or more digits; `what` and `german` name them for the error when there is none.
    fn digits(&mut self, what: &str, german: &str) -> Result<(), SyntaxError> {
        if !matches!(self.peek(), Some('0'..='9')) {
            return Err(self.expected(what, german));
        }
        self.skip_digits();
        Ok(())
    }

    /// Consumes any number of ASCII digits.
    fn skip_digits(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    }

    // ---- strings ----

    /// Parses a string starting at `"`; returns its decoded text and its span including the quotes.
    fn string(&mut self) -> Result<(String, Range<usize>), SyntaxError> {
        let start = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            let rest = self.rest();
            let plain = rest
                .find(|c: char| c == '"' || c == '\\' || c < ' ')
                .unwrap_or(rest.len());
            out.push_str(rest.get(..plain).unwrap_or_default());
            self.pos += plain;
            match self.peek() {
                Some('"') => {
                    self.bump();
                    return Ok((out, start..self.pos));
                }
                Some('\\') => out.push(self.escape()?),
                Some(c) => {
                    let (message, german) = control_character(c);
                    return Err(error(self.here(), message, german));
                }
                None => return Err(unterminated(self.here())),
            }
        }
    }

    /// Decodes an escape sequence starting at `\`.
    fn escape(&mut self) -> Result<char, SyntaxError> {
        let start = self.pos;
        self.bump();
        let decoded = match self.peek() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                self.bump();
                return self.unicode_escape(start);
            }
            None => return Err(unterminated(self.here())),
            Some(_) => {
                let what = "one of `\"`, `\\`, `/`, `b`, `f`, `n`, `r`, `t` or `u` after `\\`";
                let german =
                    "eines der Zeichen „\"“, „\\“, „/“, „b“, „f“, „n“, „r“, „t“ oder „u“ nach „\\“";
                return Err(self.expected(what, german));
            }
        };
        self.bump();
        Ok(decoded)
    }

    /// Decodes the rest of a `\uXXXX` escape that started at `start`, joining surrogate pairs.
    fn unicode_escape(&mut self, start: usize) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let unit = match first {
            0xD800..=0xDBFF => {
                let first_end = self.pos;
                if !self.rest().starts_with("\\u") {
                    return Err(self.lone_surrogate(start..first_end));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.lone_surrogate(start..first_end));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.lone_surrogate(start..self.pos)),
            _ => first,
        };
        char::from_u32(unit).ok_or_else(|| self.lone_surrogate(start..self.pos))
    }

    /// Reads the four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut value = 0;
        for _ in 0..4 {
            let Some(digit) = self.peek().and_then(|c| c.to_digit(16)) else {
                return Err(self.expected(
                    "four hex digits after `\\u`",
                    "vier Hexadezimalziffern nach „\\u“",
                ));
            };
            value = value * 16 + digit;
            self.bump();
        }
        Ok(value)
    }

    /// The error for a `\uXXXX` escape of half a surrogate pair written at `span`.
    fn lone_surrogate(&self, span: Range<usize>) -> SyntaxError {
        let escape = self.text.get(span.clone()).unwrap_or_default();
        error(
            span,
            format!("lone surrogate `{escape}` in a string"),
            format!("unvollständiges Unicode-Zeichen „{escape}“ in einem Text"),
        )
    }

    // ---- characters ----

    /// The text from the reading position to the end.
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    /// The next character, if any.
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Moves past the next character.
    fn bump(&mut self) {
        self.pos += self.peek().map_or(0, char::len_utf8);
    }

    /// Moves past the next character if it is `c`.
    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.bump();
        }
        found
    }

    /// Skips JSON whitespace: space, tab, line feed and carriage return.
    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches([' ', '\t', '\n', '\r']).len();
    }

    /// The span of the next character, or an empty span at the end of the text.
    fn here(&self) -> Range<usize> {
        self.pos..self.pos + self.peek().map_or(0, char::len_utf8)
    }

    /// Describes the next character for a message: "`x`" or "end of file".
    fn found(&self) -> String {
        match self.peek() {
            None => "end of file".to_owned(),
            Some('`') => "a backtick".to_owned(),
            Some(c) if c.is_whitespace() || c.is_control() || is_invisible(c) => {
                format!("`{}`", c.escape_default())
            }
            Some(c) => format!("`{c}`"),
        }
    }

    /// The same in German: "„x“" or "das Dateiende".
    fn found_german(&self) -> String {
        match self.peek() {
            None => "das Dateiende".to_owned(),
            Some(c) if c.is_whitespace() || c.is_control() || is_invisible(c) => {
                format!("„{}“", c.escape_default())
            }
            Some(c) => format!("„{c}“"),
        }
    }

    /// The error "expected {what}, found {the next character}" at the next character; `german`
    /// is `what` in German.
    fn expected(&self, what: &str, german: &str) -> SyntaxError {
        error(
            self.here(),
            format!("expected {what}, found {}", self.found()),
            format!("erwartet wurde {german}, gefunden: {}", self.found_german()),
        )
    }
}

/// Builds a syntax error from its English and German text.
fn error(span: Range<usize>, message: impl Into<String>, german: impl Into<String>) -> SyntaxError {
    SyntaxError {
        span,
        message: message.into(),
        german: german.into(),
    }
}

/// The error for a string that the file ends in.
fn unterminated(span: Range<usize>) -> SyntaxError {
    error(
        span,
        "unterminated string",
        "ein Text ist nicht abgeschlossen: das schließende „\"“ fehlt",
    )
}

/// Parses a number literal that is not a 64-bit integer as a finite `f64`.
fn float(literal: &str, span: &Range<usize>) -> Result<f64, SyntaxError> {
    match literal.parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(number),
        Ok(_) => Err(error(
            span.clone(),
            format!("number `{literal}` is too large"),
            format!("die Zahl „{literal}“ ist zu groß"),
        )),
        Err(_) => Err(error(
            span.clone(),
            format!("invalid number `{literal}`"),
            format!("„{literal}“ ist keine gültige Zahl"),
        )),
    }
}

/// The message for a raw control character inside a string, in English and German.
fn control_character(c: char) -> (String, String) {
    match c {
        '\n' | '\r' => (
            "line break in a string; close the string with `\"` or write `\\n`".to_owned(),
            "Zeilenumbruch in einem Text; schließen Sie den Text mit „\"“ oder schreiben Sie „\\n“"
                .to_owned(),
        ),
        '\t' => (
            "tab in a string; write it as `\\t`".to_owned(),
            "Tabulator in einem Text; schreiben Sie ihn als „\\t“".to_owned(),
        ),
        c => (
            format!(
                "control character U+{:04X} in a string; write it as `\\u{:04x}`",
                u32::from(c),
                u32::from(c)
            ),
            format!(
                "Steuerzeichen U+{:04X} in einem Text; schreiben Sie es als „\\u{:04x}“",
                u32::from(c),
                u32::from(c)
            ),
        ),
    }
}

/// Characters that print as nothing, which a message must spell out as an escape.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        match parse_json(text) {
            Ok(node) => node,
            Err(e) => panic!("{text:?} should parse, got {e:?}"),
        }
    }

    /// The error's span and message.
    fn fail(text: &str) -> (Range<usize>, String) {
        match parse_json(text) {
            Ok(node) => panic!("{text:?} should fail, got {node:?}"),
            Err(e) => (e.span, e.message),
        }
    }

    fn entries(node: &Node) -> &[(Key, Node)] {
        match &node.value {
            Value::Table(entries) => entries,
            other => panic!("expected a table, got {other:?}"),
        }
    }

    fn items(node: &Node) -> &[Node] {
        match &node.value {
            Value::Array(items) => items,
            other => panic!("expected an array, got {other:?}"),
        }
    }

    /// The single value of a one-key document `{"v": ...}`.
    fn only_value(text: &str) -> Value {
        let root = parse(text);
        match entries(&root) {
            [(_, node)] => node.value.clone(),
            other => panic!("expected one entry, got {other:?}"),
        }
    }

    fn error_of(text: &str) -> String {
        fail(text).1
    }

    #[test]
    fn nested_object_keeps_key_order_and_spans() {
        let text = r#"{ "zeta": 1, "alpha": {"b": "x", "a": [true, false]}, "mid": 2.5 }"#;
        let root = parse(text);
        assert_eq!(root.span, 0..text.len());
        let top = entries(&root);
        let names: Vec<&str> = top.iter().map(|(key, _)| key.name.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha", "mid"]);
        assert_eq!(&text[top[0].0.span.clone()], r#""zeta""#);
        assert_eq!(&text[top[0].1.span.clone()], "1");
        assert_eq!(
            &text[top[1].1.span.clone()],
            r#"{"b": "x", "a": [true, false]}"#
        );
        assert_eq!(&text[top[2].1.span.clone()], "2.5");
        let inner = entries(&top[1].1);
        assert_eq!(&text[inner[0].0.span.clone()], r#""b""#);
        assert_eq!(&text[inner[0].1.span.clone()], r#""x""#);
        assert_eq!(&text[inner[1].1.span.clone()], "[true, false]");
        let flags = items(&inner[1].1);
        assert_eq!(flags[0].value, Value::Bool(true));
        assert_eq!(&text[flags[1].span.clone()], "false");
    }

    #[test]
    fn empty_object_and_array_have_bracket_spans() {
        let text = "{\"a\":{ },\r\n\t\"b\":[ ]}";
        let root = parse(text);
        let top = entries(&root);
        assert_eq!(&text[top[0].1.span.clone()], "{ }");
        assert_eq!(top[0].1.value, Value::Table(Vec::new()));
        assert_eq!(&text[top[1].1.span.clone()], "[ ]");
        assert_eq!(top[1].1.value, Value::Array(Vec::new()));
    }

    #[test]
    fn non_ascii_text_keeps_byte_spans() {
        let text = r#"{"Größe": "groß", "n": 1}"#;
        let root = parse(text);
        let top = entries(&root);
        assert_eq!(top[0].0.name, "Größe");
        assert_eq!(&text[top[0].0.span.clone()], r#""Größe""#);
        assert_eq!(top[0].1.value, Value::Str("groß".into()));
        assert_eq!(&text[top[1].1.span.clone()], "1");
    }

    #[test]
    fn string_escapes_are_decoded() {
        let text = r#"{"v": "q\" b\\ s\/ \b\f\n\r\t \u00e9\u20AC"}"#;
        assert_eq!(
            only_value(text),
            Value::Str("q\" b\\ s/ \u{8}\u{c}\n\r\t é€".into())
        );
        // The span is that of the source text, escapes and quotes included.
        let root = parse(text);
        assert_eq!(
            &text[entries(&root)[0].1.span.clone()],
            &text[6..text.len() - 1]
        );
    }

    #[test]
    fn escaped_key_is_decoded_but_span_covers_the_source() {
        let text = r#"{"a\u0062": 1}"#;
        let root = parse(text);
        let (key, _) = &entries(&root)[0];
        assert_eq!(key.name, "ab");
        assert_eq!(&text[key.span.clone()], r#""a\u0062""#);
    }

    #[test]
    fn surrogate_pair_escape_becomes_one_character() {
        assert_eq!(
            only_value(r#"{"v": "\uD83D\uDE00!"}"#),
            Value::Str("😀!".into())
        );
        assert_eq!(
            only_value(r#"{"v": "\ud834\udd1e"}"#),
            Value::Str("𝄞".into())
        );
    }

    #[test]
    fn lone_surrogates_are_rejected_at_the_escape() {
        assert_eq!(
            fail(r#"{"v": "\uD83D"}"#),
            (7..13, "lone surrogate `\\uD83D` in a string".into())
        );
        assert_eq!(
            fail(r#"{"v": "\uDE00x"}"#),
            (7..13, "lone surrogate `\\uDE00` in a string".into())
        );
        assert_eq!(
            fail(r#"{"v": "\uD83D\u0041"}"#),
            (7..13, "lone surrogate `\\uD83D` in a string".into())
        );
        assert_eq!(
            fail(r#"{"v": "\uD83Dx"}"#),
            (7..13, "lone surrogate `\\uD83D` in a string".into())
        );
    }

    #[test]
    fn bad_escapes_are_rejected_at_the_offending_character() {
        let expected =
            "expected one of `\"`, `\\`, `/`, `b`, `f`, `n`, `r`, `t` or `u` after `\\`, found `x`";
        assert_eq!(fail(r#"{"v": "\x"}"#), (8..9, expected.into()));
        assert_eq!(
            fail(r#"{"v": "\u12g4"}"#),
            (
                11..12,
                "expected four hex digits after `\\u`, found `g`".into()
            )
        );
        assert_eq!(fail("{\"v\": \"\\"), (8..8, "unterminated string".into()));
    }

    #[test]
    fn raw_control_characters_in_strings_are_rejected() {
        assert_eq!(
            fail("{\"v\": \"a\nb\"}"),
            (
                8..9,
                "line break in a string; close the string with `\"` or write `\\n`".into()
            )
        );
        assert_eq!(
            fail("{\"v\": \"a\tb\"}"),
            (8..9, "tab in a string; write it as `\\t`".into())
        );
        assert_eq!(
            fail("{\"v\": \"\u{1}\"}"),
            (
                7..8,
                "control character U+0001 in a string; write it as `\\u0001`".into()
            )
        );
        // DEL (0x7f) is not a JSON control character.
        assert_eq!(
            only_value("{\"v\": \"\u{7f}\"}"),
            Value::Str("\u{7f}".into())
        );
    }

    #[test]
    fn unterminated_string_points_at_end_of_input() {
        let text = r#"{"v": "abc"#;
        assert_eq!(
            fail(text),
            (text.len()..text.len(), "unterminated string".into())
        );
    }

    #[test]
    fn integers_that_fit_i64_are_int_and_others_are_float() {
        assert_eq!(only_value(r#"{"v": 0}"#), Value::Int(0));
        assert_eq!(only_value(r#"{"v": -0}"#), Value::Int(0));
        assert_eq!(only_value(r#"{"v": 42}"#), Value::Int(42));
        assert_eq!(
            only_value(r#"{"v": -9223372036854775808}"#),
            Value::Int(i64::MIN)
        );
        assert_eq!(
            only_value(r#"{"v": 9223372036854775807}"#),
            Value::Int(i64::MAX)
        );
        assert_eq!(
            only_value(r#"{"v": 9223372036854775808}"#),
            Value::Float(9.223_372_036_854_776e18)
        );
        assert_eq!(only_value(r#"{"v": 1.0}"#), Value::Float(1.0));
        assert_eq!(only_value(r#"{"v": -0.5}"#), Value::Float(-0.5));
        assert_eq!(only_value(r#"{"v": 1e3}"#), Value::Float(1000.0));
        assert_eq!(only_value(r#"{"v": 2.5E-1}"#), Value::Float(0.25));
        assert_eq!(only_value(r#"{"v": 1e+2}"#), Value::Float(100.0));
        assert_eq!(only_value(r#"{"v": 1e-400}"#), Value::Float(0.0));
    }

    #[test]
    fn invalid_number_syntax_is_rejected_at_the_offending_character() {
        assert_eq!(
            fail(r#"{"v": 01}"#),
            (7..8, "leading zeros are not allowed in numbers".into())
        );
        assert_eq!(
            fail(r#"{"v": -00}"#),
            (8..9, "leading zeros are not allowed in numbers".into())
        );
        assert_eq!(
            fail(r#"{"v": 1.}"#),
            (
                8..9,
                "expected a digit after the decimal point, found `}`".into()
            )
        );
        assert_eq!(
            fail(r#"{"v": 1.e5}"#),
            (
                8..9,
                "expected a digit after the decimal point, found `e`".into()
            )
        );
        assert_eq!(
            fail(r#"{"v": .5}"#),
            (6..7, "expected a value, found `.`".into())
        );
        assert_eq!(
            fail(r#"{"v": +1}"#),
            (6..7, "expected a value, found `+`".into())
        );
        assert_eq!(
            fail(r#"{"v": -}"#),
            (7..8, "expected a digit after `-`, found `}`".into())
        );
        assert_eq!(
            fail(r#"{"v": 1e}"#),
            (8..9, "expected a digit in the exponent, found `}`".into())
        );
        assert_eq!(
            fail(r#"{"v": 1e+}"#),
            (9..10, "expected a digit in the exponent, found `}`".into())
        );
        assert_eq!(
            fail(r#"{"v": 1x}"#),
            (
                7..8,
                "expected `,` or `}` after the value, found `x`".into()
            )
        );
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        assert_eq!(
            fail(r#"{"v": 1e999}"#),
            (6..11, "number `1e999` is too large".into())
        );
        assert_eq!(
            fail(r#"{"v": -1e999}"#),
            (6..12, "number `-1e999` is too large".into())
        );
        assert_eq!(
            fail(r#"{"v": NaN}"#),
            (6..9, "expected a value, found `NaN`".into())
        );
        assert_eq!(
            fail(r#"{"v": Infinity}"#),
            (6..14, "expected a value, found `Infinity`".into())
        );
    }

    #[test]
    fn misspelled_literals_are_reported_as_whole_words() {
        assert_eq!(
            fail(r#"{"v": tru}"#),
            (6..9, "expected a value, found `tru`".into())
        );
        assert_eq!(
            fail(r#"{"v": True}"#),
            (6..10, "expected a value, found `True`".into())
        );
        assert_eq!(
            fail(r#"{"v": truex}"#),
            (6..11, "expected a value, found `truex`".into())
        );
    }

    #[test]
    fn duplicate_key_is_reported_at_the_second_key() {
        let text = r#"{"foo": 1, "bar": 2, "foo": 3}"#;
        assert_eq!(fail(text), (21..26, "duplicate key `foo`".into()));
        // Keys are compared after decoding escapes.
        assert_eq!(
            fail(r#"{"a": 1, "\u0061": 2}"#),
            (9..17, "duplicate key `a`".into())
        );
        // The same key in different objects is fine.
        parse(r#"{"a": {"a": 1}, "b": {"a": 2}}"#);
    }

    #[test]
    fn null_is_rejected_at_its_span() {
        let message = "null is not allowed; leave the key out instead";
        assert_eq!(fail(r#"{"v": null}"#), (6..10, message.into()));
        assert_eq!(fail(r#"{"v": [1, null]}"#), (10..14, message.into()));
    }

    #[test]
    fn missing_colon_names_what_was_found() {
        assert_eq!(
            fail(r#"{"v"}"#),
            (4..5, "expected `:` after the key, found `}`".into())
        );
        assert_eq!(
            fail(r#"{"v" 1}"#),
            (5..6, "expected `:` after the key, found `1`".into())
        );
    }

    #[test]
    fn missing_comma_and_unquoted_keys_name_what_was_found() {
        assert_eq!(
            fail(r#"{"a": 1 "b": 2}"#),
            (
                8..9,
                "expected `,` or `}` after the value, found `\"`".into()
            )
        );
        assert_eq!(
            fail("[1 2]"),
            (
                3..4,
                "expected `,` or `]` after the value, found `2`".into()
            )
        );
        assert_eq!(
            fail("{a: 1}"),
            (1..2, "expected a key in double quotes, found `a`".into())
        );
        assert_eq!(
            fail("{'a': 1}"),
            (1..2, "expected a key in double quotes, found `'`".into())
        );
        assert_eq!(
            fail("{,}"),
            (1..2, "expected a key in double quotes, found `,`".into())
        );
        assert_eq!(
            fail(r#"{"v": [,1]}"#),
            (7..8, "expected a value, found `,`".into())
        );
    }

    #[test]
    fn trailing_commas_are_rejected_at_the_comma() {
        assert_eq!(
            fail(r#"{"v": [1, 2, ]}"#),
            (11..12, "trailing comma before `]`".into())
        );
        assert_eq!(
            fail(r#"{"v": 1,}"#),
            (7..8, "trailing comma before `}`".into())
        );
        assert_eq!(
            fail("{\"v\": 1,\n}"),
            (7..8, "trailing comma before `}`".into())
        );
    }

    #[test]
    fn missing_value_at_end_of_file_has_an_empty_span() {
        assert_eq!(
            fail(r#"{"v":"#),
            (5..5, "expected a value, found end of file".into())
        );
        assert_eq!(
            fail(""),
            (0..0, "expected a value, found end of file".into())
        );
        assert_eq!(
            fail("  \n"),
            (3..3, "expected a value, found end of file".into())
        );
        assert_eq!(
            fail(r#"{"v": 1"#),
            (
                7..7,
                "expected `,` or `}` after the value, found end of file".into()
            )
        );
        assert_eq!(
            fail("{"),
            (
                1..1,
                "expected a key in double quotes, found end of file".into()
            )
        );
    }

    #[test]
    fn trailing_content_after_the_document_is_rejected() {
        assert_eq!(
            fail("{} x"),
            (3..4, "unexpected `x` after the end of the document".into())
        );
        assert_eq!(
            fail("{}\n}"),
            (3..4, "unexpected `}` after the end of the document".into())
        );
        assert_eq!(
            fail("{}{}"),
            (2..3, "unexpected `{` after the end of the document".into())
        );
        // Trailing whitespace is fine.
        parse("{}\r\n\t ");
    }

    #[test]
    fn top_level_value_must_be_an_object() {
        let message = "a survey definition must be a JSON object";
        assert_eq!(fail("[1, 2]"), (0..6, message.into()));
        assert_eq!(fail(" \"x\" "), (1..4, message.into()));
        assert_eq!(fail("12"), (0..2, message.into()));
        assert_eq!(fail("true"), (0..4, message.into()));
    }

    #[test]
    fn only_json_whitespace_is_allowed() {
        assert_eq!(
            fail("{\u{a0}}"),
            (
                1..3,
                "expected a key in double quotes, found `\\u{a0}`".into()
            )
        );
        assert_eq!(
            fail("{\"v\":\u{c}1}"),
            (5..6, "expected a value, found `\\u{c}`".into())
        );
        assert_eq!(
            fail("{}\u{feff}"),
            (
                2..5,
                "unexpected `\\u{feff}` after the end of the document".into()
            )
        );
        assert_eq!(
            fail("{\"v\": `1`}"),
            (6..7, "expected a value, found a backtick".into())
        );
    }

    #[test]
    fn byte_order_mark_is_skipped_and_spans_stay_byte_offsets() {
        let text = "\u{feff}{\"v\": \"x\"}";
        let root = parse(text);
        assert_eq!(root.span, 3..text.len());
        let (key, node) = &entries(&root)[0];
        assert_eq!(key.span, 4..7);
        assert_eq!(&text[node.span.clone()], "\"x\"");
        // Only at the very start.
        assert_eq!(
            fail(" \u{feff}{}"),
            (1..4, "expected a value, found `\\u{feff}`".into())
        );
        assert_eq!(
            fail("\u{feff}"),
            (3..3, "expected a value, found end of file".into())
        );
    }

    #[test]
    fn nesting_deeper_than_128_levels_is_rejected() {
        // The top-level object is level 1, so 127 arrays inside it are allowed.
        let allowed = format!("{{\"v\": {}{}}}", "[".repeat(127), "]".repeat(127));
        parse(&allowed);
        let too_deep = format!("{{\"v\": {}{}}}", "[".repeat(128), "]".repeat(128));
        let bracket = 6 + 127;
        assert_eq!(
            fail(&too_deep),
            (
                bracket..bracket + 1,
                "nesting deeper than 128 levels".into()
            )
        );
        // Hostile input fails fast instead of overflowing the stack.
        let hostile = format!("{{\"v\": {}", "[{\"a\":".repeat(100_000));
        assert_eq!(error_of(&hostile), "nesting deeper than 128 levels");
    }

    #[test]
    fn two_thousand_element_array_parses() {
        let numbers: Vec<String> = (0..2000).map(|n| n.to_string()).collect();
        let text = format!("{{\"v\": [{}]}}", numbers.join(", "));
        let root = parse(&text);
        let list = items(&entries(&root)[0].1);
        assert_eq!(list.len(), 2000);
        assert_eq!(list[1999].value, Value::Int(1999));
        assert_eq!(&text[list[1999].span.clone()], "1999");
    }

    #[test]
    fn every_prefix_of_a_valid_document_fails_without_panicking() {
        let text = "\u{feff}{\"a\": [1, -2.5e3, true, \"x\\u00e9\\uD83D\\uDE00ü\"], \"b\": {\"c\": false}}";
        parse(text);
        for end in (0..text.len()).filter(|&end| text.is_char_boundary(end)) {
            let (span, _) = fail(&text[..end]);
            assert!(span.start <= end && span.end <= end, "{end}: {span:?}");
        }
    }
}
