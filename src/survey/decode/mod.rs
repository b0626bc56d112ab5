//! From a [`Node`] tree to a [`Survey`]: keys, types and shapes, every problem collected with its span.
//!
//! The decoder is forgiving in what it builds and strict in what it reports: a broken question is left
//! out (and its id remembered, so that the checker does not also complain about conditions naming
//! it), everything else is kept, so that the checker can still find the remaining problems.

use std::collections::HashSet;
use std::ops::Range;

use chrono::NaiveDate;
use indexmap::IndexMap;

use super::definition::{
    Access, Attribute, ChoiceOption, Choices, Condition, Consent, Direction, Item, Page, Question,
    QuestionKind, Scale, Subject, Survey,
};
use super::source::{Key, Node, Value};
use super::words::{Noun, did_you_mean};
use crate::text::suggest;

mod fields;

/// A problem found while decoding, at a byte range of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    /// Where the problem is.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// The same in German.
    pub german: String,
}

/// What decoding produced: a best-effort survey and every problem met on the way.
#[derive(Debug)]
pub struct Decoded {
    /// The survey, with broken parts left out.
    pub survey: Survey,
    /// Ids of questions that were left out because they could not be read.
    pub broken_questions: HashSet<String>,
    /// The problems, in the order they were found.
    pub problems: Vec<Spanned>,
}

const QUESTION_TYPES: [&str; 8] = [
    "single",
    "multiple",
    "matrix",
    "number",
    "text",
    "long_text",
    "date",
    "land",
];
const DEFAULT_TEXT_LENGTH: u32 = 200;
const DEFAULT_LONG_TEXT_LENGTH: u32 = 5000;

/// Decodes the root table of a definition file.
pub fn decode(root: &Node) -> Decoded {
    let mut d = Decoder::default();
    let survey = d.survey(root);
    Decoded {
        survey,
        broken_questions: d.broken,
        problems: d.problems,
    }
}

#[derive(Default)]
struct Decoder {
    problems: Vec<Spanned>,
    broken: HashSet<String>,
}

/// The entries of one table, tracking which keys were read so that the rest can be reported.
struct Fields<'a> {
    entries: &'a [(Key, Node)],
    used: Vec<bool>,
    span: Range<usize>,
    what: Noun,
}

impl<'a> Fields<'a> {
    fn get(&mut self, key: &str) -> Option<&'a Node> {
        let index = self.entries.iter().position(|(k, _)| k.name == key)?;
        self.used[index] = true;
        Some(&self.entries[index].1)
    }
}

impl Decoder {
    fn problem(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        german: impl Into<String>,
    ) {
        self.problems.push(Spanned {
            span,
            message: message.into(),
            german: german.into(),
        });
    }

    /// Opens a table, or reports that the node is something else.
    fn fields<'a>(&mut self, node: &'a Node, what: Noun) -> Option<Fields<'a>> {
        match &node.value {
            Value::Table(entries) => Some(Fields {
                entries,
                used: vec![false; entries.len()],
                span: node.span.clone(),
                what,
            }),
            other => {
                self.problem(
                    node.span.clone(),
                    format!(
                        "{} must be a table, found {}",
                        what.english,
                        other.type_name()
                    ),
                    format!(
                        "{} muss eine Tabelle sein, hier steht {}",
                        what.german,
                        other.type_name_german()
                    ),
                );
                None
            }
        }
    }

    /// Reports every key of the table that nothing read, with a suggestion where one is close.
    fn finish(&mut self, fields: Fields<'_>, known: &[&str]) {
        for ((key, _), used) in fields.entries.iter().zip(&fields.used) {
            if !used {
                let (hint, hinweis) = did_you_mean(suggest(&key.name, known.iter().copied()));
                self.problem(
                    key.span.clone(),
                    format!(
                        "unknown key `{}` in {}{hint}",
                        key.name, fields.what.english
                    ),
                    format!(
                        "unbekannter Schlüssel „{}“ {}{hinweis}",
                        key.name, fields.what.german_in
                    ),
                );
            }
        }
    }

    fn survey(&mut self, root: &Node) -> Survey {
        let mut survey = Survey {
            id: String::new(),
            title: String::new(),
            access: Access::Token,
            intro: None,
            consent: None,
            attributes: IndexMap::new(),
            scales: IndexMap::new(),
            pages: Vec::new(),
        };
        let Some(mut f) = self.fields(root, Noun::survey()) else {
            return survey;
        };
        survey.id = self.req_string(&mut f, "id").unwrap_or_default();
        survey.title = self.req_string(&mut f, "title").unwrap_or_default();
        survey.access = self.access(&mut f);
        survey.intro = self.opt_string(&mut f, "intro");
        survey.consent = f.get("consent").and_then(|n| self.consent(n));
        if let Some(node) = f.get("attributes") {
            survey.attributes = self.named(node, "attributes", Self::attribute);
        }
        if let Some(node) = f.get("scales") {
            survey.scales = self.named(node, "scales", Self::scale);
        }
        if let Some(node) = self.required(&mut f, "pages") {
            let pages = self.array(node, "pages");
            if pages.is_empty() && matches!(node.value, Value::Array(_)) {
                self.problem(
                    node.span.clone(),
                    "the survey has no pages",
                    "die Umfrage hat keine Seiten",
                );
            }
            survey.pages = pages
                .iter()
                .filter_map(|page| self.page(page, &survey.scales))
                .collect();
        }
        self.finish(
            f,
            &[
                "id",
                "title",
                "access",
                "intro",
                "consent",
                "attributes",
                "scales",
                "pages",
            ],
        );
        survey
    }

    fn access(&mut self, f: &mut Fields<'_>) -> Access {
        let Some(node) = f.get("access") else {
            return Access::Token;
        };
        match self.string(node, "access").as_deref() {
            Some("token") => Access::Token,
            Some("open") => Access::Open,
            Some(other) => {
                self.problem(
                    node.span.clone(),
                    format!("unknown access `{other}`; expected `token` or `open`"),
                    format!(
                        "unbekannter Zugang „{other}“; möglich sind „token“ (persönliche Links) oder „open“ (ein offener Link)"
                    ),
                );
                Access::Token
            }
            None => Access::Token,
        }
    }

    fn consent(&mut self, node: &Node) -> Option<Consent> {
        let mut f = self.fields(node, Noun::key("consent"))?;
        let summary = self.opt_string(&mut f, "summary");
        let text = self.req_string(&mut f, "text");
        let label = self.req_string(&mut f, "label");
        self.finish(f, &["summary", "text", "label"]);
        Some(Consent {
            summary,
            text: text?,
            label: label?,
        })
    }

    /// A table of named entries (`[scales.x]`, `[attributes.y]`), each decoded by `entry`.
    fn named<T>(
        &mut self,
        node: &Node,
        what: &str,
        entry: fn(&mut Self, &Key, &Node) -> Option<T>,
    ) -> IndexMap<String, T> {
        let Some(mut f) = self.fields(node, Noun::key(what)) else {
            return IndexMap::new();
        };
        let mut map = IndexMap::new();
        for (key, value) in f.entries {
            if let Some(decoded) = entry(self, key, value) {
                map.insert(key.name.clone(), decoded);
            }
        }
        f.used.fill(true);
        self.finish(f, &[]);
        map
    }

    fn attribute(&mut self, key: &Key, node: &Node) -> Option<Attribute> {
        let mut f = self.fields(node, Noun::attribute(&key.name))?;
        let label = self.req_string(&mut f, "label");
        let values = self
            .required(&mut f, "values")
            .map(|n| self.strings(n, "values"));
        self.finish(f, &["label", "values"]);
        Some(Attribute {
            label: label?,
            values: values?,
        })
    }

    fn scale(&mut self, key: &Key, node: &Node) -> Option<Scale> {
        let mut f = self.fields(node, Noun::scale(&key.name))?;
        let options = self.required(&mut f, "options").map(|n| self.options(n));
        let direction = self.direction(&mut f);
        let neutral = self.opt_string(&mut f, "neutral");
        self.finish(f, &["options", "direction", "neutral"]);
        Some(Scale {
            options: options?,
            direction,
            neutral,
        })
    }

    /// The optional `direction` of a scale or of a question's own options.
    fn direction(&mut self, f: &mut Fields<'_>) -> Option<Direction> {
        let node = f.get("direction")?;
        let name = self.string(node, "direction")?;
        let direction = Direction::from_name(&name);
        if direction.is_none() {
            let (hint, hinweis) = did_you_mean(suggest(&name, Direction::NAMES.iter().copied()));
            let german: Vec<String> = Direction::NAMES.iter().map(|t| format!("„{t}“")).collect();
            self.problem(
                node.span.clone(),
                format!(
                    "unknown direction `{name}`{hint}; expected one of {}",
                    Direction::NAMES.join(", ")
                ),
                format!(
                    "unbekannte Richtung „{name}“{hinweis}; möglich sind {}",
                    german.join(", ")
                ),
            );
        }
        direction
    }

    fn page(&mut self, node: &Node, scales: &IndexMap<String, Scale>) -> Option<Page> {
        let mut f = self.fields(node, Noun::a_page())?;
        let id = self.req_string(&mut f, "id");
        if let Some(id) = &id {
            f.what = Noun::page(id);
        }
        let title = self.req_string(&mut f, "title");
        let intro = self.opt_string(&mut f, "intro");
        let show_if = self.show_if(&mut f);
        let mut questions = Vec::new();
        if let Some(node) = self.required(&mut f, "questions") {
            let list = self.array(node, "questions");
            if list.is_empty() && matches!(node.value, Value::Array(_)) {
                self.problem(
                    node.span.clone(),
                    format!("{} has no questions", f.what.english),
                    format!("{} hat keine Fragen", f.what.german),
                );
            }
            questions = list
                .iter()
                .filter_map(|q| self.question(q, scales))
                .collect();
        }
        self.finish(f, &["id", "title", "intro", "show_if", "questions"]);
        Some(Page {
            id: id?,
            title: title?,
            intro,
            show_if,
            questions,
        })
    }

    fn question(&mut self, node: &Node, scales: &IndexMap<String, Scale>) -> Option<Question> {
        let mut f = self.fields(node, Noun::a_question())?;
        let id = self.req_string(&mut f, "id");
        if let Some(id) = &id {
            f.what = Noun::question(id);
        }
        let text = self.req_string(&mut f, "text");
        let help = self.opt_string(&mut f, "help");
        let required = self.opt_bool(&mut f, "required");
        let show_if = self.show_if(&mut f);
        let (kind, known) = self.kind(&mut f, scales);
        let mut keys = vec!["id", "type", "text", "help", "required", "show_if"];
        keys.extend_from_slice(known);
        self.finish(f, &keys);
        match (id, text, kind) {
            (Some(id), Some(text), Some(kind)) => Some(Question {
                id,
                text,
                help,
                required,
                show_if,
                kind,
            }),
            (Some(id), _, _) => {
                self.broken.insert(id);
                None
            }
            _ => None,
        }
    }

    /// The type-specific part of a question, and the keys that type knows.
    fn kind(
        &mut self,
        f: &mut Fields<'_>,
        scales: &IndexMap<String, Scale>,
    ) -> (Option<QuestionKind>, &'static [&'static str]) {
        let Some(node) = self.required(f, "type") else {
            return (None, &[]);
        };
        let Some(name) = self.string(node, "type") else {
            return (None, &[]);
        };
        let kind = match name.as_str() {
            "single" => self
                .choices(f, scales)
                .map(|choices| QuestionKind::Single { choices }),
            "multiple" => {
                let max_choices = self.opt_count(f, "max_choices", 1000);
                self.choices(f, scales)
                    .map(|choices| QuestionKind::Multiple {
                        choices,
                        max_choices,
                    })
            }
            "matrix" => {
                let items = self.required(f, "items").map(|n| self.items(n));
                let choices = self.choices(f, scales);
                items
                    .zip(choices)
                    .map(|(items, choices)| QuestionKind::Matrix { items, choices })
            }
            "number" => Some(QuestionKind::Number {
                min: self.opt_number(f, "min"),
                max: self.opt_number(f, "max"),
                decimals: self
                    .opt_count(f, "decimals", 6)
                    .and_then(|d| u8::try_from(d).ok())
                    .unwrap_or(0),
                unit: self.opt_string(f, "unit"),
            }),
            "text" | "long_text" => {
                let default = if name == "text" {
                    DEFAULT_TEXT_LENGTH
                } else {
                    DEFAULT_LONG_TEXT_LENGTH
                };
                let max_length = self.opt_count(f, "max_length", 100_000).unwrap_or(default);
                Some(if name == "text" {
                    QuestionKind::Text { max_length }
                } else {
                    QuestionKind::LongText { max_length }
                })
            }
            "date" => Some(QuestionKind::Date {
                min: self.opt_date(f, "min"),
                max: self.opt_date(f, "max"),
            }),
            "land" => Some(QuestionKind::Land),
            other => {
                let (hint, hinweis) = did_you_mean(suggest(other, QUESTION_TYPES));
                let german_types: Vec<String> =
                    QUESTION_TYPES.iter().map(|t| format!("„{t}“")).collect();
                self.problem(
                    node.span.clone(),
                    format!(
                        "unknown question type `{other}`{hint}; expected one of {}",
                        QUESTION_TYPES.join(", ")
                    ),
                    format!(
                        "unbekannter Fragetyp „{other}“{hinweis}; möglich sind {}",
                        german_types.join(", ")
                    ),
                );
                // Unknown type: its other keys cannot be judged, so none is reported as unknown.
                f.used.fill(true);
                return (None, &[]);
            }
        };
        let known: &[&str] = match name.as_str() {
            "single" => &["options", "scale", "direction", "neutral"],
            "multiple" => &["options", "scale", "max_choices", "direction", "neutral"],
            "matrix" => &["items", "options", "scale", "direction", "neutral"],
            "number" => &["min", "max", "decimals", "unit"],
            "text" | "long_text" => &["max_length"],
            "date" => &["min", "max"],
            _ => &[],
        };
        (kind, known)
    }

    fn choices(&mut self, f: &mut Fields<'_>, scales: &IndexMap<String, Scale>) -> Option<Choices> {
        match (f.get("scale"), f.get("options")) {
            (Some(scale), _) if f.get("direction").is_some() || f.get("neutral").is_some() => {
                self.problem(
                    scale.span.clone(),
                    format!(
                        "{} names the scale `scale` and gives `direction` or `neutral`; give them on the scale",
                        f.what.english
                    ),
                    format!(
                        "{} steht eine Skala („scale“) und „direction“ oder „neutral“; geben Sie diese bei der Skala an",
                        f.what.german_in
                    ),
                );
                None
            }
            (Some(scale), Some(_)) => {
                self.problem(
                    scale.span.clone(),
                    format!(
                        "{} has both `scale` and `options`; give one",
                        f.what.english
                    ),
                    format!(
                        "{} stehen „scale“ und „options“ zugleich; geben Sie nur eines davon an",
                        f.what.german_in
                    ),
                );
                None
            }
            (Some(node), None) => {
                let name = self.string(node, "scale")?;
                match scales.get(&name) {
                    Some(scale) => Some(Choices {
                        scale: Some(name),
                        options: scale.options.clone(),
                        direction: scale.direction,
                        neutral: scale.neutral.clone(),
                    }),
                    None => {
                        let (hint, hinweis) =
                            did_you_mean(suggest(&name, scales.keys().map(String::as_str)));
                        self.problem(
                            node.span.clone(),
                            format!("unknown scale `{name}`{hint}"),
                            format!("unbekannte Skala „{name}“{hinweis}"),
                        );
                        None
                    }
                }
            }
            (None, Some(node)) => Some(Choices {
                scale: None,
                options: self.options(node),
                direction: self.direction(f),
                neutral: self.opt_string(f, "neutral"),
            }),
            (None, None) => {
                let start = f.span.start;
                self.problem(
                    start..start,
                    format!("{} has no `options`", f.what.english),
                    format!("{} fehlt „options“", f.what.german_in),
                );
                None
            }
        }
    }

    fn options(&mut self, node: &Node) -> Vec<ChoiceOption> {
        self.array(node, "options")
            .iter()
            .filter_map(|option| {
                let mut f = self.fields(option, Noun::an_option())?;
                let code = self.code(&mut f);
                if let Some(code) = &code {
                    f.what = Noun::option(code);
                }
                let label = self.req_string(&mut f, "label");
                let value = self.opt_number(&mut f, "value");
                let missing = self.opt_bool(&mut f, "missing");
                let exclusive = self.opt_bool(&mut f, "exclusive");
                let other = self.opt_bool(&mut f, "other");
                self.finish(
                    f,
                    &["code", "label", "value", "missing", "exclusive", "other"],
                );
                Some(ChoiceOption {
                    code: code?,
                    label: label?,
                    value,
                    missing,
                    exclusive,
                    other,
                })
            })
            .collect()
    }

    /// An option code: a string, or a bare integer (`code = 99`) read as its digits.
    fn code(&mut self, f: &mut Fields<'_>) -> Option<String> {
        let node = self.required(f, "code")?;
        match &node.value {
            Value::Int(i) => Some(i.to_string()),
            _ => self.string(node, "code"),
        }
    }

    fn items(&mut self, node: &Node) -> Vec<Item> {
        self.array(node, "items")
            .iter()
            .filter_map(|item| {
                let mut f = self.fields(item, Noun::an_item())?;
                let id = self.req_string(&mut f, "id");
                let label = self.req_string(&mut f, "label");
                self.finish(f, &["id", "label"]);
                Some(Item {
                    id: id?,
                    label: label?,
                })
            })
            .collect()
    }

    /// `show_if`: one condition table, or an array of them that must all hold.
    fn show_if(&mut self, f: &mut Fields<'_>) -> Vec<Condition> {
        let Some(node) = f.get("show_if") else {
            return Vec::new();
        };
        match &node.value {
            Value::Array(list) => list.iter().filter_map(|c| self.condition(c)).collect(),
            _ => self.condition(node).into_iter().collect(),
        }
    }

    fn condition(&mut self, node: &Node) -> Option<Condition> {
        let mut f = self.fields(node, Noun::a_condition())?;
        let question = f.get("question");
        let attribute = f.get("attribute");
        let item = f.get("item");
        let subject = match (question, attribute) {
            (Some(q), None) => Subject::Question {
                question: self.string(q, "question")?,
                item: item.and_then(|i| self.string(i, "item")),
            },
            (None, Some(a)) => {
                if let Some(item) = item {
                    self.problem(
                        item.span.clone(),
                        "`item` belongs to conditions on a matrix question, not on an attribute",
                        "„item“ gehört nur zu Bedingungen über eine Matrixfrage, nicht zu Bedingungen über ein Merkmal",
                    );
                }
                Subject::Attribute {
                    attribute: self.string(a, "attribute")?,
                }
            }
            _ => {
                self.problem(
                    node.span.clone(),
                    "a condition names either a `question` or an `attribute`",
                    "eine Bedingung nennt entweder eine Frage („question“) oder ein Merkmal („attribute“)",
                );
                return None;
            }
        };
        let any_of = self
            .required(&mut f, "any_of")
            .map(|n| (self.strings(n, "any_of"), n.span.clone()));
        self.finish(f, &["question", "item", "attribute", "any_of"]);
        let (any_of, span) = any_of?;
        if any_of.is_empty() {
            self.problem(
                span,
                "`any_of` lists no codes, so the condition never holds",
                "„any_of“ nennt keine Antwortcodes, die Bedingung trifft also nie zu",
            );
        }
        Some(Condition { subject, any_of })
    }
}
