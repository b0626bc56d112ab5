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

#[cfg(test)]
mod tests {
    use super::*;

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
