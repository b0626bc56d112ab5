//! The checker: rules that a well-formed survey must follow beyond its shape.
//!
//! Works on any [`Survey`], whether it came from a file or was built in code, and reports each
//! problem at a [`Path`] into the definition (`pages[1].questions[2].options[0].code`), which the
//! caller turns into a line and column where it has the source.

use std::collections::{HashMap, HashSet};

use super::definition::{
    Access, ChoiceOption, Choices, Condition, Direction, LAENDER, Question, QuestionKind, Subject,
    Survey,
};
use super::words::{Noun, did_you_mean};
use crate::text::suggest;

mod conditions;

/// One step of a path into a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A key of a table.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// A path into a definition, from the root.
pub type Path = Vec<Seg>;

/// A rule the survey breaks, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where the problem is.
    pub path: Path,
    /// What is wrong.
    pub message: String,
    /// The same in German.
    pub german: String,
}

const MAX_ID_LEN: usize = 64;
const MAX_CODE_LEN: usize = 32;

/// Checks a survey; `tolerated` are ids of questions already reported as broken, not to be named again.
pub fn check(survey: &Survey, tolerated: &HashSet<String>) -> Vec<Problem> {
    let mut c = Checker {
        survey,
        tolerated,
        problems: Vec::new(),
        page_of: HashMap::new(),
    };
    c.survey();
    c.problems
}

struct Checker<'a> {
    survey: &'a Survey,
    tolerated: &'a HashSet<String>,
    problems: Vec<Problem>,
    /// The page index of every question id (the first, where ids repeat).
    page_of: HashMap<&'a str, usize>,
}

fn path(segs: &[&dyn ToSeg]) -> Path {
    segs.iter().map(|s| s.to_seg()).collect()
}

trait ToSeg {
    fn to_seg(&self) -> Seg;
}

impl ToSeg for &str {
    fn to_seg(&self) -> Seg {
        Seg::Key((*self).to_owned())
    }
}

impl ToSeg for String {
    fn to_seg(&self) -> Seg {
        Seg::Key(self.clone())
    }
}

impl ToSeg for usize {
    fn to_seg(&self) -> Seg {
        Seg::Index(*self)
    }
}

fn with(base: &Path, segs: &[&dyn ToSeg]) -> Path {
    let mut p = base.clone();
    p.extend(path(segs));
    p
}

/// Ids of pages, questions, items and attributes: `lage_gesamt`.
pub fn is_valid_id(id: &str) -> bool {
    id.len() <= MAX_ID_LEN
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Survey ids: `herbst-2020`.
pub fn is_valid_survey_id(id: &str) -> bool {
    id.len() <= MAX_ID_LEN
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Option codes: `eher_ja`, `99`, `DE-TH`.
pub fn is_valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl<'a> Checker<'a> {
    fn problem(&mut self, path: Path, message: impl Into<String>, german: impl Into<String>) {
        self.problems.push(Problem {
            path,
            message: message.into(),
            german: german.into(),
        });
    }

    fn survey(&mut self) {
        let s = self.survey;
        if !is_valid_survey_id(&s.id) && !s.id.is_empty() {
            self.problem(
                path(&[&"id"]),
                format!(
                    "survey id `{}` may contain only lower-case letters, digits and `-` (at most {MAX_ID_LEN} characters)",
                    s.id
                ),
                format!(
                    "die ID „{}“ der Umfrage darf nur Kleinbuchstaben, Ziffern und „-“ enthalten (höchstens {MAX_ID_LEN} Zeichen)",
                    s.id
                ),
            );
        }
        self.not_blank(
            path(&[&"title"]),
            &s.title,
            ("`title`", "der Titel („title“)"),
        );
        if let Some(consent) = &s.consent {
            self.not_blank(
                path(&[&"consent", &"text"]),
                &consent.text,
                (
                    "`consent.text`",
                    "der Text der Einwilligung („consent.text“)",
                ),
            );
            self.not_blank(
                path(&[&"consent", &"label"]),
                &consent.label,
                (
                    "`consent.label`",
                    "die Beschriftung der Einwilligung („consent.label“)",
                ),
            );
        }
        self.attributes();
        for (name, scale) in &s.scales {
            if !is_valid_id(name) {
                self.bad_id(path(&[&"scales", name]), "scale", name);
            }
            let at = path(&[&"scales", name, &"options"]);
            self.options(&at, &scale.options, &Noun::scale(name));
            let owner = path(&[&"scales", name]);
            let meaning = (scale.direction, scale.neutral.as_deref());
            self.direction(&owner, &scale.options, meaning, &Noun::scale(name));
        }
        self.ids();
        for (p, page) in s.pages.iter().enumerate() {
            let page_path = path(&[&"pages", &p]);
            for (i, condition) in page.show_if.iter().enumerate() {
                let at = show_if_path(&page_path, page.show_if.len(), i);
                self.condition(&at, condition, p, &Noun::page(&page.id));
            }
            for (q, question) in page.questions.iter().enumerate() {
                self.question(&with(&page_path, &[&"questions", &q]), question, p);
            }
        }
        self.land_questions();
    }

    /// "{what} is empty" when `text` is blank; `what` in English and German.
    fn not_blank(&mut self, at: Path, text: &str, what: (&str, &str)) {
        if text.trim().is_empty() {
            self.problem(
                at,
                format!("{} is empty", what.0),
                format!("{} ist leer", what.1),
            );
        }
    }

    /// An ill-formed id; `what` is one of scale, attribute, page, question, item.
    fn bad_id(&mut self, at: Path, what: &str, id: &str) {
        let whose = match what {
            "scale" => "der Skala",
            "attribute" => "des Merkmals",
            "page" => "der Seite",
            "question" => "der Frage",
            _ => "der Matrixzeile",
        };
        self.problem(
            at,
            format!(
                "{what} id `{id}` must start with a lower-case letter and contain only lower-case letters, digits and `_` (at most {MAX_ID_LEN} characters)"
            ),
            format!(
                "die ID „{id}“ {whose} muss mit einem Kleinbuchstaben beginnen und darf nur Kleinbuchstaben, Ziffern und „_“ enthalten (höchstens {MAX_ID_LEN} Zeichen)"
            ),
        );
    }

    fn attributes(&mut self) {
        for (name, attribute) in &self.survey.attributes {
            let at = path(&[&"attributes", name]);
            if !is_valid_id(name) {
                self.bad_id(at.clone(), "attribute", name);
            }
            if name == "land" {
                self.problem(
                    at.clone(),
                    "`land` is always available and must not be declared",
                    "das Merkmal „land“ ist immer vorhanden und darf nicht unter „attributes“ stehen",
                );
            }
            if attribute.values.is_empty() {
                self.problem(
                    with(&at, &[&"values"]),
                    format!("attribute `{name}` lists no values"),
                    format!("das Merkmal „{name}“ nennt keine Werte"),
                );
            }
            let mut seen = HashSet::new();
            for (i, value) in attribute.values.iter().enumerate() {
                if !seen.insert(value) {
                    self.problem(
                        with(&at, &[&"values", &i]),
                        format!("attribute `{name}` lists the value `{value}` twice"),
                        format!("das Merkmal „{name}“ nennt den Wert „{value}“ doppelt"),
                    );
                }
            }
        }
    }

    /// Page ids and question ids: well-formed and unique.
    fn ids(&mut self) {
        let mut pages = HashSet::new();
        for (p, page) in self.survey.pages.iter().enumerate() {
            let at = path(&[&"pages", &p, &"id"]);
            if !is_valid_id(&page.id) {
                self.bad_id(at.clone(), "page", &page.id);
            }
            if !pages.insert(page.id.as_str()) {
                self.problem(
                    at,
                    format!("duplicate page id `{}`", page.id),
                    format!("die Seiten-ID „{}“ kommt doppelt vor", page.id),
                );
            }
            for (q, question) in page.questions.iter().enumerate() {
                let at = path(&[&"pages", &p, &"questions", &q, &"id"]);
                if !is_valid_id(&question.id) {
                    self.bad_id(at.clone(), "question", &question.id);
                } else if question.id.contains("__") || question.id.ends_with("_other") {
                    // The form names a matrix row `q_{question}__{item}` and a "Sonstiges" text
                    // `q_{question}_other`: such ids could collide with another question's fields.
                    self.problem(
                        at.clone(),
                        format!(
                            "question id `{}` must not contain `__` or end in `_other` (the questionnaire's form uses those for rows and \"Sonstiges\" texts)",
                            question.id
                        ),
                        format!(
                            "die Fragen-ID „{}“ darf kein „__“ enthalten und nicht auf „_other“ enden (der Fragebogen braucht diese Namen für Matrixzeilen und „Sonstiges“-Felder)",
                            question.id
                        ),
                    );
                }
                if let Some(first) = self.page_of.get(question.id.as_str()) {
                    let page_no = first + 1;
                    self.problem(
                        at,
                        format!(
                            "duplicate question id `{}` (first used on page {page_no})",
                            question.id
                        ),
                        format!(
                            "die Fragen-ID „{}“ kommt doppelt vor (zuerst auf Seite {page_no})",
                            question.id
                        ),
                    );
                } else {
                    self.page_of.insert(&question.id, p);
                }
            }
        }
    }

    fn question(&mut self, at: &Path, question: &Question, page: usize) {
        let what = Noun::question(&question.id);
        self.not_blank(
            with(at, &[&"text"]),
            &question.text,
            (
                &format!("the text of {}", what.english),
                &format!("der Text der Frage „{}“", question.id),
            ),
        );
        for (i, condition) in question.show_if.iter().enumerate() {
            let c_at = show_if_path(at, question.show_if.len(), i);
            self.condition(&c_at, condition, page, &what);
        }
        if let Some(choices) = question.kind.choices() {
            let options_at = options_path(at, choices);
            self.options(&options_at, &choices.options, &what);
            if choices.scale.is_none() {
                let meaning = (choices.direction, choices.neutral.as_deref());
                self.direction(at, &choices.options, meaning, &what);
            }
        }
        match &question.kind {
            QuestionKind::Single { choices } => self.no_exclusive(at, choices, &what),
            QuestionKind::Multiple {
                choices,
                max_choices: Some(max),
            } => {
                if *max == 0 || *max as usize > choices.options.len() {
                    self.problem(
                        with(at, &[&"max_choices"]),
                        format!(
                            "`max_choices` of {} must be between 1 and its {} options",
                            what.english,
                            choices.options.len()
                        ),
                        format!(
                            "{} muss „max_choices“ zwischen 1 und der Zahl ihrer Antwortmöglichkeiten ({}) liegen",
                            what.german_in,
                            choices.options.len()
                        ),
                    );
                }
            }
            QuestionKind::Matrix { items, choices } => {
                self.items(at, items, &what);
                self.no_exclusive(at, choices, &what);
                if let Some(i) = choices.options.iter().position(|o| o.other) {
                    self.problem(
                        with(&options_path(at, choices), &[&i, &"other"]),
                        format!("`other` is not possible in a matrix ({})", what.english),
                        format!(
                            "„other“ ist in einer Matrixfrage nicht möglich ({})",
                            what.german
                        ),
                    );
                }
            }
            QuestionKind::Number { min, max, .. } => {
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    self.problem(
                        with(at, &[&"min"]),
                        format!(
                            "`min` ({min}) is greater than `max` ({max}) in {}",
                            what.english
                        ),
                        format!(
                            "„min“ ({min}) ist größer als „max“ ({max}) {}",
                            what.german_in
                        ),
                    );
                }
            }
            QuestionKind::Text { max_length } | QuestionKind::LongText { max_length } => {
                if *max_length == 0 {
                    self.problem(
                        with(at, &[&"max_length"]),
                        format!("`max_length` of {} must be at least 1", what.english),
                        format!("{} muss „max_length“ mindestens 1 sein", what.german_in),
                    );
                }
            }
            QuestionKind::Date { min, max } => {
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    self.problem(
                        with(at, &[&"min"]),
                        format!(
                            "`min` ({min}) is later than `max` ({max}) in {}",
                            what.english
                        ),
                        format!("„min“ ({min}) liegt nach „max“ ({max}) {}", what.german_in),
                    );
                }
            }
            QuestionKind::Multiple { .. } | QuestionKind::Land => {}
        }
    }

    fn no_exclusive(&mut self, at: &Path, choices: &Choices, what: &Noun) {
        if let Some(i) = choices.options.iter().position(|o| o.exclusive) {
            self.problem(
                with(&options_path(at, choices), &[&i, &"exclusive"]),
                format!(
                    "`exclusive` is only for multiple-choice questions ({})",
                    what.english
                ),
                format!(
                    "„exclusive“ gibt es nur bei Fragen mit mehreren Antworten ({})",
                    what.german
                ),
            );
        }
    }

    fn options(&mut self, at: &Path, options: &[ChoiceOption], what: &Noun) {
        if options.is_empty() {
            self.problem(
                at.clone(),
                format!("{} has no options", what.english),
                format!("{} hat keine Antwortmöglichkeiten", what.german),
            );
            return;
        }
        let mut seen = HashSet::new();
        for (i, option) in options.iter().enumerate() {
            let o_at = with(at, &[&i]);
            if !is_valid_code(&option.code) {
                self.problem(
                    with(&o_at, &[&"code"]),
                    format!(
                        "option code `{}` may contain only letters, digits, `_` and `-` (at most {MAX_CODE_LEN} characters)",
                        option.code
                    ),
                    format!(
                        "der Antwortcode „{}“ darf nur Buchstaben ohne Umlaute, Ziffern, „_“ und „-“ enthalten (höchstens {MAX_CODE_LEN} Zeichen)",
                        option.code
                    ),
                );
            }
            if !seen.insert(option.code.as_str()) {
                self.problem(
                    with(&o_at, &[&"code"]),
                    format!(
                        "duplicate option code `{}` in {}",
                        option.code, what.english
                    ),
                    format!(
                        "der Antwortcode „{}“ kommt {} doppelt vor",
                        option.code, what.german_in
                    ),
                );
            }
            self.not_blank(
                with(&o_at, &[&"label"]),
                &option.label,
                (
                    &format!("the label of option `{}`", option.code),
                    &format!("die Beschriftung der Antwortmöglichkeit „{}“", option.code),
                ),
            );
            if option.missing && option.value.is_some() {
                self.problem(
                    with(&o_at, &[&"value"]),
                    format!(
                        "option `{}` is `missing` (left out of means) and so cannot have a `value`",
                        option.code
                    ),
                    format!(
                        "die Antwortmöglichkeit „{}“ ist als „missing“ markiert (zählt nicht in Mittelwerte) und kann daher keinen Wert („value“) haben",
                        option.code
                    ),
                );
            }
        }
        let valued: Vec<bool> = options
            .iter()
            .filter(|o| !o.missing)
            .map(|o| o.value.is_some())
            .collect();
        if valued.contains(&true) && valued.contains(&false) {
            let i = options
                .iter()
                .position(|o| !o.missing && o.value.is_none())
                .unwrap_or(0);
            self.problem(
                with(at, &[&i]),
                format!(
                    "option `{}` of {} has no `value`; give every option that is not `missing` a value, or none",
                    options[i].code, what.english
                ),
                format!(
                    "{} hat die Antwortmöglichkeit „{}“ keinen Wert („value“); geben Sie jeder Antwortmöglichkeit, die nicht „missing“ ist, einen Wert, oder keiner",
                    what.german_in, options[i].code
                ),
            );
        }
    }

    /// Options with values are an ordered scale whose means reports show: they need a
    /// `direction`, so that means name their ends and charts colour by meaning. A `neutral`
    /// option must be one of the options, and not a `missing` one.
    fn direction(
        &mut self,
        owner: &Path,
        options: &[ChoiceOption],
        (direction, neutral): (Option<Direction>, Option<&str>),
        what: &Noun,
    ) {
        if direction.is_none() && options.iter().any(|o| o.value.is_some()) {
            self.problem(
                owner.clone(),
                format!(
                    "{} gives its options values, so reports show means: say which way it runs with `direction` ({})",
                    what.english,
                    Direction::NAMES.join(", ")
                ),
                format!(
                    "{} haben die Antwortmöglichkeiten Werte, also zeigen Berichte Mittelwerte: geben Sie mit „direction“ an, in welche Richtung die Skala läuft ({})",
                    what.german_in,
                    Direction::NAMES.join(", ")
                ),
            );
        }
        if let Some(code) = neutral
            && !options.iter().any(|o| o.code == code && !o.missing)
        {
            self.problem(
                with(owner, &[&"neutral"]),
                format!(
                    "`neutral` names `{code}`, which is not an option of {} (or is `missing`)",
                    what.english
                ),
                format!(
                    "„neutral“ nennt „{code}“, das {} keine Antwortmöglichkeit ist (oder als „missing“ markiert ist)",
                    what.german_in
                ),
            );
        }
    }

    fn items(&mut self, at: &Path, items: &[super::definition::Item], what: &Noun) {
        if items.is_empty() {
            self.problem(
                with(at, &[&"items"]),
                format!("{} has no items", what.english),
                format!("{} hat keine Zeilen („items“)", what.german),
            );
        }
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let i_at = with(at, &[&"items", &i, &"id"]);
            if !is_valid_id(&item.id) {
                self.bad_id(i_at.clone(), "item", &item.id);
            }
            if !seen.insert(item.id.as_str()) {
                self.problem(
                    i_at,
                    format!("duplicate item id `{}` in {}", item.id, what.english),
                    format!(
                        "die Zeilen-ID „{}“ kommt {} doppelt vor",
                        item.id, what.german_in
                    ),
                );
            }
            self.not_blank(
                with(at, &[&"items", &i, &"label"]),
                &item.label,
                (
                    &format!("the label of item `{}`", item.id),
                    &format!("die Beschriftung der Matrixzeile „{}“", item.id),
                ),
            );
        }
    }

    /// Open-link surveys ask the Land exactly once; personal-link surveys never do.
    fn land_questions(&mut self) {
        let lands: Vec<(Path, &Question)> =
            self.survey
                .pages
                .iter()
                .enumerate()
                .flat_map(|(p, page)| {
                    page.questions.iter().enumerate().map(move |(q, question)| {
                        (path(&[&"pages", &p, &"questions", &q]), question)
                    })
                })
                .filter(|(_, q)| q.kind == QuestionKind::Land)
                .collect();
        match self.survey.access {
            Access::Token => {
                for (at, q) in lands {
                    self.problem(
                        with(&at, &[&"type"]),
                        format!(
                            "question `{}`: `land` questions are for open-link surveys (`access = \"open\"`); with personal links the Land comes from the participant list",
                            q.id
                        ),
                        format!(
                            "Frage „{}“: Fragen vom Typ „land“ gibt es nur in Umfragen mit offenem Link („access = \"open\"“); bei persönlichen Links kommt das Land aus der Teilnehmerliste",
                            q.id
                        ),
                    );
                }
            }
            Access::Open => {
                if lands.is_empty() {
                    self.problem(
                        path(&[&"access"]),
                        "an open-link survey must ask the Land: add one required question of type `land`",
                        "eine Umfrage mit offenem Link muss nach dem Land fragen: fügen Sie eine Pflichtfrage vom Typ „land“ hinzu",
                    );
                }
                for (at, q) in lands.iter().skip(1) {
                    self.problem(
                        with(at, &[&"type"]),
                        format!(
                            "question `{}`: the survey asks the Land more than once",
                            q.id
                        ),
                        format!(
                            "Frage „{}“: die Umfrage fragt mehr als einmal nach dem Land",
                            q.id
                        ),
                    );
                }
                if let Some((at, q)) = lands.first()
                    && (!q.required || !q.show_if.is_empty())
                {
                    self.problem(
                        with(at, &[&"id"]),
                        format!(
                            "question `{}`: the `land` question must be `required` and have no `show_if`, so every response has a Land",
                            q.id
                        ),
                        format!(
                            "Frage „{}“: die Frage vom Typ „land“ muss eine Pflichtfrage sein („required“) und darf kein „show_if“ haben, damit jede Antwort ein Land hat",
                            q.id
                        ),
                    );
                }
            }
        }
    }
}

/// Where a question's options are written: in the question, or in the scale it names.
fn options_path(question_at: &Path, choices: &Choices) -> Path {
    match &choices.scale {
        Some(scale) => path(&[&"scales", scale, &"options"]),
        None => with(question_at, &[&"options"]),
    }
}

/// `show_if` is a table when there is one condition and may be an array when there are several.
fn show_if_path(owner: &Path, count: usize, index: usize) -> Path {
    if count == 1 {
        with(owner, &[&"show_if"])
    } else {
        with(owner, &[&"show_if", &index])
    }
}
