//! A survey's texts as a wave presents them: the intro, the consent (summary, text, label), page
//! intros and help may name
//! the wave's dates and the team's contact with `{{ beginn }}`, `{{ ende }}`, `{{ loeschung }}` and
//! `{{ kontakt }}` (the syntax of mail texts), so that a definition written once serves every
//! wave that asks it. The checker refuses other names; [`WaveTexts`] fills them in.

use std::ops::Range;

use super::Survey;
use super::source::{Node, Value};
use crate::text::{Placeholder, placeholders, suggest};

/// The placeholders a survey text may use, each with what it stands for (German, for the checker's
/// messages and the staff pages).
pub const PLACEHOLDERS: [(&str, &str); 4] = [
    ("beginn", "der Beginn der Welle"),
    ("ende", "das Ende der Welle (ihr letzter Tag)"),
    (
        "loeschung",
        "das Datum, bis zu dem die Antworten aufbewahrt werden",
    ),
    ("kontakt", "die Kontaktadresse des Umfrage-Teams"),
];

/// The names of [`PLACEHOLDERS`].
pub fn names() -> impl Iterator<Item = &'static str> {
    PLACEHOLDERS.iter().map(|(name, _)| *name)
}

/// The values of the placeholders for one wave, as a respondent reads them ("05.05.2020").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WaveTexts {
    /// `{{ beginn }}`: the wave's first day.
    pub beginn: String,
    /// `{{ ende }}`: the wave's last day (or its closing time).
    pub ende: String,
    /// `{{ loeschung }}`: until when the answers are kept.
    pub loeschung: String,
    /// `{{ kontakt }}`: how to reach the team (`SURVEY_CONTACT`).
    pub kontakt: String,
}

impl WaveTexts {
    /// Stand-ins that say what a placeholder will show, for a survey seen without a wave (the
    /// staff preview of a definition).
    pub fn stand_ins(kontakt: &str) -> WaveTexts {
        WaveTexts {
            beginn: "[Beginn der Welle]".to_owned(),
            ende: "[Ende der Welle]".to_owned(),
            loeschung: "[Löschdatum der Welle]".to_owned(),
            kontakt: kontakt.to_owned(),
        }
    }

    /// The value of one placeholder (`None`: not a survey placeholder).
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "beginn" => Some(&self.beginn),
            "ende" => Some(&self.ende),
            "loeschung" => Some(&self.loeschung),
            "kontakt" => Some(&self.kontakt),
            _ => None,
        }
    }

    /// `text` with its placeholders filled.
    pub fn fill(&self, text: &str) -> String {
        crate::text::fill_placeholders(text, |name| self.get(name).map(str::to_owned))
    }

    /// `survey` with every text that may hold placeholders filled in (`None`: it uses none, the
    /// survey serves as it is).
    pub fn apply(&self, survey: &Survey) -> Option<Survey> {
        if !uses_placeholders(survey) {
            return None;
        }
        let fill = |text: &mut String| *text = self.fill(text);
        let mut filled = survey.clone();
        filled.intro.iter_mut().for_each(fill);
        if let Some(consent) = &mut filled.consent {
            consent.summary.iter_mut().for_each(fill);
            fill(&mut consent.text);
            fill(&mut consent.label);
        }
        for page in &mut filled.pages {
            page.intro.iter_mut().for_each(fill);
            for question in &mut page.questions {
                question.help.iter_mut().for_each(fill);
            }
        }
        Some(filled)
    }
}

/// The texts of `survey` that may hold placeholders: the intro, the consent's text and label,
/// each page's intro and each question's help.
pub fn texts(survey: &Survey) -> impl Iterator<Item = &str> {
    let consent = survey.consent.iter().flat_map(|c| {
        (c.summary.as_deref().into_iter()).chain([c.text.as_str(), c.label.as_str()])
    });
    let pages = survey.pages.iter().flat_map(|page| {
        page.intro
            .as_deref()
            .into_iter()
            .chain(page.questions.iter().filter_map(|q| q.help.as_deref()))
    });
    survey
        .intro
        .as_deref()
        .into_iter()
        .chain(consent)
        .chain(pages)
}

/// Whether any text of `survey` names a placeholder.
pub fn uses_placeholders(survey: &Survey) -> bool {
    texts(survey).any(|text| crate::text::placeholders(text).next().is_some())
}

/// Which placeholders `survey` names (for the wave page's hints).
pub fn used(survey: &Survey) -> Vec<&'static str> {
    names()
        .filter(|name| {
            texts(survey).any(|text| {
                crate::text::placeholders(text).any(
                    |p| matches!(p, crate::text::Placeholder::Named { name: n, .. } if n == *name),
                )
            })
        })
        .collect()
}

/// A placeholder problem of a definition file: where, in English and in German.
pub(super) struct Problem {
    pub(super) span: Range<usize>,
    pub(super) message: String,
    pub(super) german: String,
}

/// Every unknown or unclosed placeholder in the texts of the definition `root` read from `source`,
/// located at the placeholder itself (not only at its string).
pub(super) fn check(root: &Node, source: &str) -> Vec<Problem> {
    let mut strings: Vec<&Node> = Vec::new();
    strings.extend(field(root, "intro"));
    if let Some(consent) = field(root, "consent") {
        strings.extend(field(consent, "summary"));
        strings.extend(field(consent, "text"));
        strings.extend(field(consent, "label"));
    }
    for page in items(field(root, "pages")) {
        strings.extend(field(page, "intro"));
        for question in items(field(page, "questions")) {
            strings.extend(field(question, "help"));
        }
    }
    let mut problems = Vec::new();
    for node in strings {
        if let Value::Str(text) = &node.value {
            check_string(text, node, source, &mut problems);
        }
    }
    problems
}

/// The value of `key` in the table `node` (`None`: not a table, or no such key).
fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Table(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, n)| n),
        _ => None,
    }
}

/// The items of an array node (none for anything else).
fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn check_string(text: &str, node: &Node, source: &str, problems: &mut Vec<Problem>) {
    let raw = source.get(node.span.clone()).unwrap_or_default();
    // Where a placeholder stands in the file: its text as written, found in the string's source
    // (escapes and line continuations move the decoded text against the file, braces do not).
    let locate = |written: &str, nth: usize| {
        raw.match_indices(written)
            .nth(nth)
            .map_or(node.span.start, |(at, _)| node.span.start + at)
    };
    let mut seen: Vec<&str> = Vec::new();
    for placeholder in placeholders(text) {
        match placeholder {
            Placeholder::Named { name, .. } if names().any(|n| n == name) => {}
            Placeholder::Named { range, name } => {
                let written = &text[range];
                let nth = seen.iter().filter(|w| **w == written).count();
                seen.push(written);
                let at = locate(written, nth);
                let hint = suggest(name, names());
                problems.push(Problem {
                    span: at..at + written.len(),
                    message: format!(
                        "unknown placeholder `{written}`{}; known are {}",
                        hint.map(|h| format!(" (did you mean `{{{{ {h} }}}}`?)"))
                            .unwrap_or_default(),
                        known()
                    ),
                    german: format!(
                        "unbekannter Platzhalter „{written}“{}; bekannt sind {}",
                        hint.map(|h| format!(" (gemeint ist wohl „{{{{ {h} }}}}“)"))
                            .unwrap_or_default(),
                        known()
                    ),
                });
            }
            Placeholder::Unclosed { .. } => {
                // The first `{{` after the string's last `}}` is the one left open.
                let after = raw.rfind("}}").map_or(0, |i| i + 2);
                let at = raw[after..]
                    .find("{{")
                    .map_or(node.span.start, |i| node.span.start + after + i);
                problems.push(Problem {
                    span: at..at,
                    message: "a placeholder is not closed: `{{` without `}}`".to_owned(),
                    german: "ein Platzhalter ist nicht geschlossen: „{{“ ohne „}}“".to_owned(),
                });
            }
        }
    }
}

fn known() -> String {
    names()
        .map(|n| format!("{{{{ {n} }}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smallest() -> Survey {
        let base = crate::survey::tests::BASE.as_bytes();
        crate::survey::parse_definition("t.toml", base, crate::survey::Format::Toml).unwrap()
    }

    fn texts_2026() -> WaveTexts {
        WaveTexts {
            beginn: "04.05.2026".to_owned(),
            ende: "15.05.2026".to_owned(),
            loeschung: "15.05.2028".to_owned(),
            kontakt: "team@example.org".to_owned(),
        }
    }

    #[test]
    fn a_survey_with_placeholders_is_filled_everywhere_they_may_stand() {
        let mut survey = smallest();
        survey.intro = Some("Vom {{ beginn }} bis zum {{ende}}.".to_owned());
        survey.consent = Some(crate::survey::definition::Consent {
            summary: None,
            text: "Gelöscht am {{ loeschung }}; Fragen an {{ kontakt }}.".to_owned(),
            label: "Einverstanden (bis {{ ende }})".to_owned(),
        });
        survey.pages[0].intro = Some("Bis {{ ende }}".to_owned());
        survey.pages[0].questions[0].help = Some("Frist: {{ ende }}".to_owned());
        assert!(uses_placeholders(&survey));
        assert_eq!(
            used(&survey),
            vec!["beginn", "ende", "loeschung", "kontakt"]
        );
        let filled = texts_2026().apply(&survey).unwrap();
        assert_eq!(
            filled.intro.as_deref(),
            Some("Vom 04.05.2026 bis zum 15.05.2026.")
        );
        let consent = filled.consent.unwrap();
        assert_eq!(
            consent.text,
            "Gelöscht am 15.05.2028; Fragen an team@example.org."
        );
        assert_eq!(consent.label, "Einverstanden (bis 15.05.2026)");
        assert_eq!(filled.pages[0].intro.as_deref(), Some("Bis 15.05.2026"));
        assert_eq!(
            filled.pages[0].questions[0].help.as_deref(),
            Some("Frist: 15.05.2026")
        );
    }

    #[test]
    fn a_survey_without_placeholders_serves_as_it_is() {
        let survey = smallest();
        assert!(!uses_placeholders(&survey));
        assert_eq!(texts_2026().apply(&survey), None);
    }
}
