//! Small text helpers shared by several parts: the product's two languages ([`Bilingual`]),
//! German transliteration and slugs.

/// Something the product words in both of its languages: German for the pages, English for the
/// command line.
///
/// The one mechanism for every refusal, state and label that both the staff pages and the command
/// line show: an operation's error enum implements it once, and each edge picks its language.
pub trait Bilingual {
    /// The German text (staff pages, mails): a sentence or a word, never a command-line flag.
    fn german(&self) -> String;
    /// The English text (command line): may name flags and commands.
    fn english(&self) -> String;
}

/// Lower-case ASCII with German letters spelt out: "Thüringen" → "thueringen", "Größe" → "groesse".
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'á' | 'à' | 'â' => out.push('a'),
            'é' | 'è' | 'ê' => out.push('e'),
            c => out.push(c),
        }
    }
    out
}

/// A slug of `text`: transliterated, every run of other characters one `separator`, none at the ends.
/// "Frühjahr 2020" → "fruehjahr-2020" (with `-`).
pub fn slug(text: &str, separator: char) -> String {
    let mut out = String::new();
    for c in transliterate(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(separator) {
            out.push(separator);
        }
    }
    out.trim_end_matches(separator).to_owned()
}

/// The closest of `candidates` to a misspelt `word`, if one is close enough to be meant.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// A CSV cell that spreadsheet programs will not run as a formula: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return gets an apostrophe in front (the convention Excel and LibreOffice both honour).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A `{{ name }}` placeholder found in a text (the syntax of mail texts and survey texts alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder<'a> {
    /// `{{ name }}` at byte range `range` of the text; `name` without the spaces around it.
    Named {
        /// Byte range of the whole placeholder, braces included.
        range: std::ops::Range<usize>,
        /// The name as written, trimmed.
        name: &'a str,
    },
    /// A `{{` at byte offset `at` that no `}}` closes (nothing after it is a placeholder).
    Unclosed {
        /// Byte offset of the `{{`.
        at: usize,
    },
}

/// Every placeholder of `text`, in order. A hand-written scanner rather than a template engine:
/// the syntax is two braces and a name, nothing else (no loops, no filters), and the positions are
/// needed for the survey checker's `file:line:col`.
pub fn placeholders(text: &str) -> impl Iterator<Item = Placeholder<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + text.get(from..)?.find("{{")?;
        match text[start + 2..].find("}}") {
            Some(length) => {
                let end = start + 2 + length + 2;
                from = end;
                Some(Placeholder::Named {
                    range: start..end,
                    name: text[start + 2..end - 2].trim(),
                })
            }
            None => {
                from = text.len() + 1;
                Some(Placeholder::Unclosed { at: start })
            }
        }
    })
}

/// `text` with every `{{ name }}` replaced by `value(name)`; a placeholder without a value and an
/// unclosed `{{` stay as written.
pub fn fill_placeholders(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    for placeholder in placeholders(text) {
        if let Placeholder::Named { range, name } = placeholder
            && let Some(value) = value(name)
        {
            out.push_str(&text[copied..range.start]);
            out.push_str(&value);
            copied = range.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_with_their_place() {
        let text = "vom {{ beginn }} bis {{ende}}, {{ offen";
        let found: Vec<_> = placeholders(text).collect();
        assert_eq!(
            found,
            vec![
                Placeholder::Named {
                    range: 4..16,
                    name: "beginn"
                },
                Placeholder::Named {
                    range: 21..29,
                    name: "ende"
                },
                Placeholder::Unclosed { at: 31 },
            ]
        );
        assert_eq!(&text[4..16], "{{ beginn }}");
        assert_eq!(placeholders("kein Platzhalter, {einfach}").count(), 0);
    }

    #[test]
    fn filling_replaces_known_names_and_keeps_the_rest() {
        let value = |name: &str| (name == "ende").then(|| "05.05.2020".to_owned());
        assert_eq!(
            fill_placeholders("bis {{ ende }} ({{ neu }}) {{ offen", value),
            "bis 05.05.2020 ({{ neu }}) {{ offen"
        );
        assert_eq!(fill_placeholders("ohne", value), "ohne");
    }

    #[test]
    fn slugs_spell_out_umlauts_and_collapse_the_rest() {
        assert_eq!(slug("Frühjahr 2020", '-'), "fruehjahr-2020");
        assert_eq!(
            slug("  Herbst 2020 – Akteure!  ", '-'),
            "herbst-2020-akteure"
        );
        assert_eq!(slug("Größe Netzwerk", '_'), "groesse_netzwerk");
        assert_eq!(slug("THÜRINGEN", '-'), "thueringen");
    }

    #[test]
    fn suggestions_find_close_typos_only() {
        assert_eq!(
            suggest("requird", ["id", "required", "help"]),
            Some("required")
        );
        assert_eq!(
            suggest("matrx", ["single", "multiple", "matrix"]),
            Some("matrix")
        );
        assert_eq!(suggest("colour", ["id", "required"]), None);
    }

    #[test]
    fn formulas_are_neutralised_in_csv_cells() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("MINT-Region Jena"), "MINT-Region Jena");
    }
}
