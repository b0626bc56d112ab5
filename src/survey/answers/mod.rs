//! Answers: what a browser posts for one questionnaire page, read and validated against the
//! definition, the `show_if` conditions that decide which pages and questions are shown, and the
//! answers as text for the read-only summary.
//!
//! Pure: no I/O, no web framework, no database. The questionnaire works without JavaScript, so
//! everything is decided here, on the server, page by page.
//!
//! The HTML form and this module share the field names ([`field_name`], [`other_field_name`],
//! [`matrix_field_name`], all of a question's in [`field_names`]):
//!
//! | question | field |
//! | --- | --- |
//! | `single`, `land`, `number`, `text`, `long_text`, `date` | `q_{question}` (one value) |
//! | `multiple` | `q_{question}` (one value per ticked box) |
//! | the "Sonstiges, bitte angeben" text of `single`/`multiple` | `q_{question}_other` |
//! | a row of a `matrix` | `q_{question}__{item}` |
//!
//! Visibility is computed in page order, and a condition only sees the answers of questions that
//! are themselves shown: a stale answer to a question that a changed earlier answer has hidden
//! never shows anything, even before [`prune_hidden`] has dropped it.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::definition::{
    ChoiceOption, Choices, Condition, Item, LAENDER, Question, QuestionKind, Subject, Survey,
};

/// Longest "Sonstiges, bitte angeben" text, in characters.
pub const MAX_OTHER_LENGTH: usize = 500;

/// Most digits before the decimal separator a number answer may have (f64 is exact up to 15).
const MAX_INTEGER_DIGITS: usize = 15;

/// What reading one question gives: its answer (`None`: unanswered, and allowed to be) or its first problem.
type Read = Result<Option<Answer>, FieldError>;

const CHOOSE_ONE: &str = "Bitte wählen Sie eine Antwort aus.";
const CHOOSE_SOME: &str = "Bitte wählen Sie mindestens eine Antwort aus.";
const ANSWER_THIS: &str = "Bitte beantworten Sie diese Frage.";
const NO_SUCH_ANSWER: &str = "Diese Antwort gibt es nicht.";
const NOT_A_NUMBER: &str = "Bitte geben Sie eine Zahl ein, zum Beispiel 12 oder 12,5.";
const NOT_A_DATE: &str = "Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein.";

/// One question's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// The answer to a `single` question.
    Single {
        /// The code of the chosen option.
        code: String,
        /// The "Sonstiges, bitte angeben" text, when the chosen option has `other = true`.
        other: Option<String>,
    },
    /// The answer to a `multiple` question: at least one ticked box.
    Multiple {
        /// The codes of the ticked options, in the definition's option order.
        codes: Vec<String>,
        /// The "Sonstiges, bitte angeben" text, when a ticked option has `other = true`.
        other: Option<String>,
    },
    /// The answer to a `matrix` question.
    Matrix {
        /// Item id → option code, only the answered rows, in the definition's item order.
        rows: IndexMap<String, String>,
    },
    /// The answer to a `number` question.
    Number {
        /// Normalised decimal text with `.` ("12.5", "-3"): no grouping, no leading zeros, no
        /// trailing zeros after the point, exactly as validated.
        value: String,
    },
    /// The answer to a `text` or `long_text` question.
    Text {
        /// Trimmed, line breaks normalised to `\n`, control characters other than `\n` and tab removed.
        value: String,
    },
    /// The answer to a `date` question.
    Date {
        /// The date.
        value: NaiveDate,
    },
    /// The answer to a `land` question.
    Land {
        /// The ISO code of the Land ("DE-TH").
        code: String,
    },
}

/// All answers of a response so far, by question id.
pub type Answers = IndexMap<String, Answer>;

/// The participant attributes conditions may test (`land` is one of them: the Land code).
pub type Attributes = HashMap<String, String>;

/// What the browser posted for one page: field name → values (a checkbox group posts several
/// values under one name).
pub type FormFields = HashMap<String, Vec<String>>;

/// A problem with one field of the page, shown beside the field and in the error summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The question the field belongs to.
    pub question_id: String,
    /// The name of the input the summary links to (the form uses it as the input's HTML id too;
    /// for a radio or checkbox group, the id of its first input).
    pub field: String,
    /// What is wrong, in German, one sentence ("Bitte wählen Sie eine Antwort aus.").
    pub message: String,
}

/// The result of reading a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageInput {
    /// The valid answers of the page's shown questions, in question order.
    pub answers: Answers,
    /// Everything posted under the field names of the page's shown questions, as posted, to
    /// re-fill the form exactly as typed when there are errors.
    pub raw: FormFields,
    /// The problems, in question order; at most one per question (the first found).
    pub errors: Vec<FieldError>,
}

impl PageInput {
    /// Whether the page was read without errors (its answers may then be saved and the person
    /// may go on).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The field of a question's answer: `q_{question_id}`.
pub fn field_name(question_id: &str) -> String {
    format!("q_{question_id}")
}

/// The field of a question's "Sonstiges, bitte angeben" text: `q_{question_id}_other`.
pub fn other_field_name(question_id: &str) -> String {
    format!("q_{question_id}_other")
}

/// The field of one row of a matrix question: `q_{question_id}__{item_id}`.
pub fn matrix_field_name(question_id: &str, item_id: &str) -> String {
    format!("q_{question_id}__{item_id}")
}

/// Every field name the form uses for this question: its rows for a matrix, the answer field
/// (and the other-text field for `single` and `multiple`) otherwise.
pub fn field_names(question: &Question) -> Vec<String> {
    match &question.kind {
        QuestionKind::Matrix { items, .. } => items
            .iter()
            .map(|item| matrix_field_name(&question.id, &item.id))
            .collect(),
        QuestionKind::Single { .. } | QuestionKind::Multiple { .. } => {
            vec![field_name(&question.id), other_field_name(&question.id)]
        }
        _ => vec![field_name(&question.id)],
    }
}

// ---------------------------------------------------------------------------------------------
// Conditions and visibility

/// Whether a condition list holds for these answers and attributes (all must hold; an empty list
/// holds). An unanswered question or a missing attribute does not hold.
pub fn conditions_hold(
    conditions: &[Condition],
    answers: &Answers,
    attributes: &Attributes,
) -> bool {
    all_hold(conditions, attributes, |id| answers.get(id))
}

fn all_hold<'a>(
    conditions: &[Condition],
    attributes: &Attributes,
    answer_of: impl Fn(&str) -> Option<&'a Answer>,
) -> bool {
    conditions
        .iter()
        .all(|condition| condition_holds(condition, attributes, &answer_of))
}

fn condition_holds<'a>(
    condition: &Condition,
    attributes: &Attributes,
    answer_of: &impl Fn(&str) -> Option<&'a Answer>,
) -> bool {
    let listed = |value: &str| condition.any_of.iter().any(|v| v == value);
    match &condition.subject {
        Subject::Attribute { attribute } => attributes
            .get(attribute)
            .is_some_and(|value| condition.any_of.iter().any(|v| v.trim() == value.trim())),
        Subject::Question { question, item } => match (answer_of(question), item) {
            (Some(Answer::Single { code, .. } | Answer::Land { code }), None) => listed(code),
            (Some(Answer::Multiple { codes, .. }), None) => codes.iter().any(|c| listed(c)),
            (Some(Answer::Matrix { rows }), Some(item)) => {
                rows.get(item).is_some_and(|c| listed(c))
            }
            _ => false,
        },
    }
}

/// Which pages and questions are shown.
struct Visibility<'s> {
    /// Per page, per question: whether it is shown (a page is shown when one of them is).
    questions: Vec<Vec<bool>>,
    /// The ids of all shown questions.
    shown: HashSet<&'s str>,
}

/// Evaluates the conditions in page order; a condition sees only answers to questions of earlier
/// pages that are shown themselves.
fn visibility<'s>(
    survey: &'s Survey,
    answers: &Answers,
    attributes: &Attributes,
) -> Visibility<'s> {
    let mut vis = Visibility {
        questions: Vec::with_capacity(survey.pages.len()),
        shown: HashSet::new(),
    };
    for page in &survey.pages {
        let shown = &vis.shown;
        let answer_of = |id: &str| answers.get(id).filter(|_| shown.contains(id));
        let page_holds = all_hold(&page.show_if, attributes, answer_of);
        let flags: Vec<bool> = page
            .questions
            .iter()
            .map(|q| page_holds && all_hold(&q.show_if, attributes, answer_of))
            .collect();
        for (question, _) in page.questions.iter().zip(&flags).filter(|(_, f)| **f) {
            vis.shown.insert(question.id.as_str());
        }
        vis.questions.push(flags);
    }
    vis
}

/// The ids of the questions shown, given these answers and attributes (reports count, per
/// question, the responses that were shown it).
pub fn shown_questions<'s>(
    survey: &'s Survey,
    answers: &Answers,
    attributes: &Attributes,
) -> HashSet<&'s str> {
    visibility(survey, answers, attributes).shown
}

/// The indexes of the pages shown, given the answers so far: a page is shown when its `show_if`
/// holds and at least one of its questions is shown.
pub fn visible_pages(survey: &Survey, answers: &Answers, attributes: &Attributes) -> Vec<usize> {
    let vis = visibility(survey, answers, attributes);
    let shown = vis.questions.iter().enumerate();
    shown
        .filter(|(_, flags)| flags.contains(&true))
        .map(|(p, _)| p)
        .collect()
}

/// The questions of page `page` that are shown (none for a hidden page or an index out of range).
pub fn visible_questions<'a>(
    survey: &'a Survey,
    page: usize,
    answers: &Answers,
    attributes: &Attributes,
) -> Vec<&'a Question> {
    let vis = visibility(survey, answers, attributes);
    match (survey.pages.get(page), vis.questions.get(page)) {
        (Some(p), Some(flags)) => p
            .questions
            .iter()
            .zip(flags)
            .filter(|(_, shown)| **shown)
            .map(|(q, _)| q)
            .collect(),
        _ => Vec::new(),
    }
}

/// Drops answers to questions that are no longer shown (a changed earlier answer hid them) and
/// answers to questions the survey does not have; returns the ids dropped, in answer order.
pub fn prune_hidden(
    survey: &Survey,
    answers: &mut Answers,
    attributes: &Attributes,
) -> Vec<String> {
    let shown = visibility(survey, answers, attributes).shown;
    let mut dropped = Vec::new();
    answers.retain(|id, _| {
        let keep = shown.contains(id.as_str());
        if !keep {
            dropped.push(id.clone());
        }
        keep
    });
    dropped
}

/// Every required shown question without a complete answer, over all shown pages (the final
/// submit check): (page index, question id), in survey order. A matrix answer is complete when
/// every row is answered; an answer of the wrong type counts as missing.
pub fn missing_required(
    survey: &Survey,
    answers: &Answers,
    attributes: &Attributes,
) -> Vec<(usize, String)> {
    let vis = visibility(survey, answers, attributes);
    let mut missing = Vec::new();
    for (p, page) in survey.pages.iter().enumerate() {
        let flags = vis.questions.get(p).map(Vec::as_slice).unwrap_or_default();
        for (question, _) in page.questions.iter().zip(flags).filter(|(_, f)| **f) {
            let answer = answers.get(&question.id);
            let complete = answer.is_some_and(|a| is_complete(question, a));
            if question.required && !complete {
                missing.push((p, question.id.clone()));
            }
        }
    }
    missing
}

fn is_complete(question: &Question, answer: &Answer) -> bool {
    match (&question.kind, answer) {
        (QuestionKind::Multiple { .. }, Answer::Multiple { codes, .. }) => !codes.is_empty(),
        (QuestionKind::Matrix { items, .. }, Answer::Matrix { rows }) => {
            items.iter().all(|item| rows.contains_key(&item.id))
        }
        (QuestionKind::Single { .. }, Answer::Single { .. })
        | (QuestionKind::Number { .. }, Answer::Number { .. })
        | (QuestionKind::Text { .. } | QuestionKind::LongText { .. }, Answer::Text { .. })
        | (QuestionKind::Date { .. }, Answer::Date { .. })
        | (QuestionKind::Land, Answer::Land { .. }) => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a page

/// Reads and validates the posted fields of page `page`: only its shown questions (values posted
/// for hidden ones are ignored); `answers` are the earlier pages' answers the conditions need.
pub fn read_page(
    survey: &Survey,
    page: usize,
    fields: &FormFields,
    answers: &Answers,
    attributes: &Attributes,
) -> PageInput {
    let mut input = PageInput::default();
    for question in visible_questions(survey, page, answers, attributes) {
        for name in field_names(question) {
            if let Some(values) = fields.get(&name) {
                input.raw.insert(name, values.clone());
            }
        }
        match read_question(question, fields) {
            Ok(Some(answer)) => {
                input.answers.insert(question.id.clone(), answer);
            }
            Ok(None) => {}
            Err(error) => input.errors.push(error),
        }
    }
    input
}

/// Reads a whole questionnaire posted as one form ("alle Fragen auf einer Seite"): page after page
/// in order, each with the answers of the pages before it, so conditions see exactly what the
/// page-by-page flow would; answers to questions whose conditions do not hold are left out. Then
/// every required question of every shown page must be answered. When there are errors, `raw`
/// holds everything posted.
pub fn read_all(survey: &Survey, fields: &FormFields, attributes: &Attributes) -> PageInput {
    let mut input = PageInput::default();
    for (page, questions) in survey.pages.iter().enumerate() {
        // What this page shows depends on the answers of the pages before it only.
        let vis = visibility(survey, &input.answers, attributes);
        let flags = vis
            .questions
            .get(page)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut answers = Answers::new();
        for (question, _) in questions.questions.iter().zip(flags).filter(|(_, f)| **f) {
            match read_question(question, fields) {
                Ok(Some(answer)) => {
                    answers.insert(question.id.clone(), answer);
                }
                Ok(None) => {}
                Err(error) => input.errors.push(error),
            }
        }
        input.answers.extend(answers);
    }
    for (_, id) in missing_required(survey, &input.answers, attributes) {
        if !input.errors.iter().any(|e| e.question_id == id) {
            input.errors.push(FieldError {
                field: field_name(&id),
                question_id: id,
                message: ANSWER_THIS.to_owned(),
            });
        }
    }
    let order: HashMap<&str, usize> = survey
        .questions()
        .enumerate()
        .map(|(i, (_, q))| (q.id.as_str(), i))
        .collect();
    input.errors.sort_by_key(|e| {
        order
            .get(e.question_id.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    if !input.is_valid() {
        input.raw = fields.clone();
    }
    input
}

/// The pages and questions a one-form questionnaire shows for these attributes: conditions on
/// attributes are decided now; conditions on answers cannot be (the answers are in the same form),
/// so those questions are shown with [`condition_note`] and kept only when their condition holds.
pub fn one_form_questions<'s>(
    survey: &'s Survey,
    attributes: &Attributes,
) -> Vec<(usize, Vec<&'s Question>)> {
    let on_attributes = |conditions: &[Condition]| {
        conditions.iter().all(|c| match &c.subject {
            Subject::Attribute { .. } => condition_holds(c, attributes, &|_| None),
            Subject::Question { .. } => true,
        })
    };
    survey
        .pages
        .iter()
        .enumerate()
        .filter(|(_, page)| on_attributes(&page.show_if))
        .map(|(p, page)| {
            let questions = page
                .questions
                .iter()
                .filter(|q| on_attributes(&q.show_if))
                .collect();
            (p, questions)
        })
        .filter(|(_, questions): &(usize, Vec<&Question>)| !questions.is_empty())
        .collect()
}

/// "Nur beantworten, wenn …" for conditions on earlier answers (None when there are none).
pub fn condition_note(survey: &Survey, conditions: &[Condition]) -> Option<String> {
    let parts: Vec<String> = conditions
        .iter()
        .filter_map(|c| match &c.subject {
            Subject::Question { question, item } => {
                let q = survey.question(question)?;
                let labels: Vec<String> = c
                    .any_of
                    .iter()
                    .map(|code| {
                        let label = q
                            .kind
                            .choices()
                            .and_then(|ch| ch.options.iter().find(|o| &o.code == code))
                            .map_or(code.as_str(), |o| o.label.as_str());
                        format!("„{label}“")
                    })
                    .collect();
                let row = item
                    .as_ref()
                    .and_then(|i| match &q.kind {
                        QuestionKind::Matrix { items, .. } => items.iter().find(|x| &x.id == i),
                        _ => None,
                    })
                    .map(|i| format!(" (Zeile „{}“)", i.label))
                    .unwrap_or_default();
                Some(format!(
                    "bei „{}“{row} {} gewählt haben",
                    q.text,
                    labels.join(" oder ")
                ))
            }
            Subject::Attribute { .. } => None,
        })
        .collect();
    (!parts.is_empty()).then(|| format!("Nur beantworten, wenn Sie {}.", parts.join(" und ")))
}

/// One question's answer (`None`: not answered, and allowed to be), or its first problem.
fn read_question(q: &Question, fields: &FormFields) -> Read {
    let answer = match &q.kind {
        QuestionKind::Single { choices } => read_single(q, choices, fields)?,
        QuestionKind::Multiple {
            choices,
            max_choices,
        } => read_multiple(q, choices, *max_choices, fields)?,
        QuestionKind::Matrix { items, choices } => read_matrix(q, items, choices, fields)?,
        QuestionKind::Number {
            min, max, decimals, ..
        } => read_number(q, (*min, *max), *decimals, fields)?,
        QuestionKind::Text { max_length } | QuestionKind::LongText { max_length } => {
            read_text(q, *max_length, fields)?
        }
        QuestionKind::Date { min, max } => read_date(q, (*min, *max), fields)?,
        QuestionKind::Land => read_land(q, fields)?,
    };
    if answer.is_none() && q.required {
        let message = match q.kind {
            QuestionKind::Single { .. } | QuestionKind::Land => CHOOSE_ONE,
            QuestionKind::Multiple { .. } => CHOOSE_SOME,
            _ => ANSWER_THIS,
        };
        return Err(field_error(q, field_name(&q.id), message));
    }
    Ok(answer)
}

fn field_error(q: &Question, field: String, message: impl Into<String>) -> FieldError {
    FieldError {
        question_id: q.id.clone(),
        field,
        message: message.into(),
    }
}

/// The values posted under `name`, trimmed, without empty ones.
fn values<'f>(fields: &'f FormFields, name: &str) -> Vec<&'f str> {
    let all = fields.get(name).into_iter().flatten();
    all.map(|v| v.trim()).filter(|v| !v.is_empty()).collect()
}

/// The first non-empty value posted under `name`, trimmed (a form posts one; more are ignored).
fn first_value<'f>(fields: &'f FormFields, name: &str) -> Option<&'f str> {
    values(fields, name).into_iter().next()
}

/// The first value posted under `name` that is not empty once cleaned up by [`clean_text`].
fn first_text(fields: &FormFields, name: &str) -> Option<String> {
    let all = fields.get(name)?.iter();
    all.map(|v| clean_text(v)).find(|v| !v.is_empty())
}

/// Line breaks as `\n`, no other control characters (PostgreSQL refuses NUL), trimmed.
fn clean_text(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect();
    kept.trim().to_owned()
}

fn find_option<'c>(choices: &'c Choices, code: &str) -> Option<&'c ChoiceOption> {
    choices.options.iter().find(|o| o.code == code)
}

fn read_single(q: &Question, choices: &Choices, fields: &FormFields) -> Read {
    let name = field_name(&q.id);
    let option = match values(fields, &name).as_slice() {
        [] => return Ok(None),
        [code] => find_option(choices, code),
        _ => None,
    };
    let option = option.ok_or_else(|| field_error(q, name, NO_SUCH_ANSWER))?;
    let other = read_other(q, fields, option.other.then_some(option.label.as_str()))?;
    Ok(Some(Answer::Single {
        code: option.code.clone(),
        other,
    }))
}

fn read_multiple(
    q: &Question,
    choices: &Choices,
    max_choices: Option<u32>,
    fields: &FormFields,
) -> Read {
    let name = field_name(&q.id);
    let posted = values(fields, &name);
    let unknown = posted
        .iter()
        .any(|code| find_option(choices, code).is_none());
    if unknown {
        return Err(field_error(q, name, NO_SUCH_ANSWER));
    }
    let chosen: Vec<&ChoiceOption> = (choices.options.iter())
        .filter(|o| posted.contains(&o.code.as_str()))
        .collect();
    if chosen.is_empty() {
        return Ok(None);
    }
    if let Some(exclusive) = chosen.iter().find(|o| o.exclusive)
        && chosen.len() > 1
    {
        let message = format!(
            "„{}“ kann nicht mit anderen Antworten kombiniert werden.",
            exclusive.label
        );
        return Err(field_error(q, name, message));
    }
    if let Some(max) = max_choices
        && chosen.len() > max as usize
    {
        let message = match max {
            1 => "Bitte wählen Sie höchstens eine Antwort aus.".to_owned(),
            n => format!("Bitte wählen Sie höchstens {n} Antworten aus."),
        };
        return Err(field_error(q, name, message));
    }
    let other_label = chosen.iter().find(|o| o.other).map(|o| o.label.as_str());
    let other = read_other(q, fields, other_label)?;
    let codes = chosen.iter().map(|o| o.code.clone()).collect();
    Ok(Some(Answer::Multiple { codes, other }))
}

/// The other-text, when the chosen option labelled `wanted` asks for it; ignored otherwise.
fn read_other(
    q: &Question,
    fields: &FormFields,
    wanted: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let Some(label) = wanted else { return Ok(None) };
    let name = other_field_name(&q.id);
    let message = || format!("Bitte geben Sie an, was Sie mit „{label}“ meinen.");
    let text = first_text(fields, &name).ok_or_else(|| field_error(q, name.clone(), message()))?;
    check_length(q, &name, &text, MAX_OTHER_LENGTH)?;
    Ok(Some(text))
}

fn read_matrix(q: &Question, items: &[Item], choices: &Choices, fields: &FormFields) -> Read {
    let mut rows = IndexMap::new();
    let mut missing: Vec<&Item> = Vec::new();
    for item in items {
        let name = matrix_field_name(&q.id, &item.id);
        let option = match values(fields, &name).as_slice() {
            [] => {
                missing.push(item);
                continue;
            }
            [code] => find_option(choices, code),
            _ => None,
        };
        let option = option.ok_or_else(|| field_error(q, name, NO_SUCH_ANSWER))?;
        rows.insert(item.id.clone(), option.code.clone());
    }
    if let Some(first) = missing.first()
        && q.required
    {
        let labels: Vec<&str> = missing.iter().map(|item| item.label.as_str()).collect();
        let message = format!(
            "Bitte beantworten Sie alle Zeilen (fehlt: {}).",
            labels.join(", ")
        );
        return Err(field_error(q, matrix_field_name(&q.id, &first.id), message));
    }
    Ok((!rows.is_empty()).then_some(Answer::Matrix { rows }))
}

fn read_number(
    q: &Question,
    (min, max): (Option<f64>, Option<f64>),
    decimals: u8,
    fields: &FormFields,
) -> Read {
    let name = field_name(&q.id);
    let Some(text) = first_value(fields, &name) else {
        return Ok(None);
    };
    let not_a_number = || field_error(q, name.clone(), NOT_A_NUMBER);
    let (value, fraction_digits) = parse_number(text).ok_or_else(not_a_number)?;
    if fraction_digits > usize::from(decimals) {
        let message = match decimals {
            0 => "Bitte geben Sie eine ganze Zahl ein.".to_owned(),
            1 => "Bitte geben Sie höchstens 1 Nachkommastelle an.".to_owned(),
            n => format!("Bitte geben Sie höchstens {n} Nachkommastellen an."),
        };
        return Err(field_error(q, name, message));
    }
    let number: f64 = value.parse().map_err(|_| not_a_number())?;
    let (min, max) = (min.filter(|m| m.is_finite()), max.filter(|m| m.is_finite()));
    if min.is_some_and(|m| number < m) || max.is_some_and(|m| number > m) {
        let bound = |b: f64| german_decimal(&b.to_string());
        let range = match (min, max) {
            (Some(lo), Some(hi)) => format!("von {} bis {}", bound(lo), bound(hi)),
            (Some(lo), None) => format!("von mindestens {}", bound(lo)),
            (None, Some(hi)) => format!("von höchstens {}", bound(hi)),
            (None, None) => String::new(),
        };
        let message = format!("Bitte geben Sie eine Zahl {range} ein.");
        return Err(field_error(q, name, message));
    }
    Ok(Some(Answer::Number { value }))
}

/// A number in German or English notation, normalised ("1.234,50" → "1234.5"), with the count of
/// digits after the point; `None` when it is not a number.
///
/// Where both `.` and `,` occur, the later one is the decimal separator and the other groups
/// thousands. A separator occurring several times groups thousands. A single `,` is the decimal
/// comma; a single `.` is a decimal point, except where it groups thousands correctly ("1.000",
/// "12.500"): this is a German questionnaire, and "1.000" means a thousand.
fn parse_number(text: &str) -> Option<(String, usize)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let allowed = |c: char| c.is_ascii_digit() || c == '.' || c == ',';
    if !body.chars().all(allowed) {
        return None;
    }
    let (dots, commas) = (body.matches('.').count(), body.matches(',').count());
    let (group, point) = match (dots, commas) {
        (0, 0) => (None, None),
        (1, 0) if is_grouped(body, '.') => (Some('.'), None),
        (1, 0) => (None, Some('.')),
        (_, 0) => (Some('.'), None),
        (0, 1) => (None, Some(',')),
        (0, _) => (Some(','), None),
        _ if body.rfind('.') > body.rfind(',') => (Some(','), Some('.')),
        _ => (Some('.'), Some(',')),
    };
    let (integer, fraction) = match point {
        Some(point) => body.split_once(point)?,
        None => (body, ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if integer.is_empty() || (point.is_some() && fraction.is_empty()) || !all_digits(fraction) {
        return None;
    }
    let integer = match group {
        Some(sep) if is_grouped(integer, sep) => integer.replace(sep, ""),
        Some(_) => return None,
        None if all_digits(integer) => integer.to_owned(),
        None => return None,
    };
    let integer = match integer.trim_start_matches('0') {
        "" => "0",
        digits if digits.len() > MAX_INTEGER_DIGITS => return None,
        digits => digits,
    };
    let fraction = fraction.trim_end_matches('0');
    let zero = integer == "0" && fraction.is_empty();
    let sign = if negative && !zero { "-" } else { "" };
    let point = if fraction.is_empty() { "" } else { "." };
    Some((format!("{sign}{integer}{point}{fraction}"), fraction.len()))
}

/// Whether `digits` are thousands grouped by `sep`: "1.234.567" (a first group of 1–3 digits not
/// starting with 0, then groups of exactly 3).
fn is_grouped(digits: &str, sep: char) -> bool {
    let mut groups = digits.split(sep);
    let first_ok = groups.next().is_some_and(|g| {
        (1..=3).contains(&g.len()) && !g.starts_with('0') && g.chars().all(|c| c.is_ascii_digit())
    });
    let mut rest = groups.peekable();
    first_ok
        && rest.peek().is_some()
        && rest.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()))
}

fn read_text(q: &Question, max_length: u32, fields: &FormFields) -> Read {
    let name = field_name(&q.id);
    let Some(value) = first_text(fields, &name) else {
        return Ok(None);
    };
    let max_length = usize::try_from(max_length).unwrap_or(usize::MAX);
    check_length(q, &name, &value, max_length)?;
    Ok(Some(Answer::Text { value }))
}

fn check_length(q: &Question, name: &str, text: &str, max: usize) -> Result<(), FieldError> {
    let length = text.chars().count();
    if length <= max {
        return Ok(());
    }
    let message = format!(
        "Bitte kürzen Sie Ihre Antwort auf höchstens {} Zeichen (jetzt {}).",
        german_decimal(&max.to_string()),
        german_decimal(&length.to_string())
    );
    Err(field_error(q, name.to_owned(), message))
}

fn read_date(
    q: &Question,
    (min, max): (Option<NaiveDate>, Option<NaiveDate>),
    fields: &FormFields,
) -> Read {
    let name = field_name(&q.id);
    let Some(text) = first_value(fields, &name) else {
        return Ok(None);
    };
    let value = parse_date(text).ok_or_else(|| field_error(q, name.clone(), NOT_A_DATE))?;
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        let message = match (min, max) {
            (Some(lo), Some(hi)) => format!(
                "Bitte geben Sie ein Datum zwischen dem {} und dem {} ein.",
                german_date(lo),
                german_date(hi)
            ),
            (Some(lo), None) => format!("Bitte geben Sie frühestens den {} an.", german_date(lo)),
            (None, Some(hi)) => format!("Bitte geben Sie spätestens den {} an.", german_date(hi)),
            (None, None) => NOT_A_DATE.to_owned(),
        };
        return Err(field_error(q, name, message));
    }
    Ok(Some(Answer::Date { value }))
}

/// "5.5.2020", "05.05.2020" or "2020-05-05" (what `<input type=date>` posts).
fn parse_date(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split(['.', '-']).collect();
    let (year, month, day) = match parts.as_slice() {
        [d, m, y] if text.contains('.') => (*y, *m, *d),
        [y, m, d] if !text.contains('.') => (*y, *m, *d),
        _ => return None,
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn read_land(q: &Question, fields: &FormFields) -> Read {
    let name = field_name(&q.id);
    let code = match values(fields, &name).as_slice() {
        [] => return Ok(None),
        [code] => LAENDER.iter().map(|(c, _)| *c).find(|c| c == code),
        _ => None,
    };
    let code = code.ok_or_else(|| field_error(q, name, NO_SUCH_ANSWER))?;
    Ok(Some(Answer::Land { code: code.into() }))
}

// ---------------------------------------------------------------------------------------------
// Showing answers

/// The answer as text for the read-only summary after submitting: option labels ("sehr gut";
/// "Webinare, Sonstiges: Lernplattform"), numbers in German notation with their unit
/// ("12,5 Personen"), dates as "05.05.2020", the Land's name ("Thüringen"), matrix rows as
/// "Item: Label" joined by "; ". Codes and ids the definition does not know are shown as they are.
pub fn display_answer(question: &Question, answer: &Answer) -> String {
    let choices = question.kind.choices();
    let options = choices.map(|c| c.options.as_slice()).unwrap_or_default();
    let label = |code: &str| {
        options
            .iter()
            .find(|o| o.code == code)
            .map_or_else(|| code.to_owned(), |o| o.label.clone())
    };
    match answer {
        Answer::Single { code, other } => with_other(label(code), other.as_deref()),
        Answer::Multiple { codes, other } => {
            let is_other = |c: &String| options.iter().any(|o| &o.code == c && o.other);
            let other_code = codes.iter().find(|c| is_other(c));
            let shown: Vec<String> = (codes.iter())
                .map(|c| match Some(c) == other_code {
                    true => with_other(label(c), other.as_deref()),
                    false => label(c),
                })
                .collect();
            shown.join(", ")
        }
        Answer::Matrix { rows } => {
            let shown: Vec<String> = rows
                .iter()
                .map(|(item, code)| format!("{}: {}", item_label(question, item), label(code)))
                .collect();
            shown.join("; ")
        }
        Answer::Number { value } => match &question.kind {
            QuestionKind::Number { unit: Some(u), .. } => format!("{} {u}", german_decimal(value)),
            _ => german_decimal(value),
        },
        Answer::Text { value } => value.clone(),
        Answer::Date { value } => german_date(*value),
        Answer::Land { code } => LAENDER
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.clone(), |(_, name)| (*name).to_owned()),
    }
}

fn with_other(label: String, other: Option<&str>) -> String {
    match other {
        Some(text) => format!("{label}: {text}"),
        None => label,
    }
}

fn item_label(question: &Question, item_id: &str) -> String {
    match &question.kind {
        QuestionKind::Matrix { items, .. } => items.iter().find(|i| i.id == item_id),
        _ => None,
    }
    .map_or_else(|| item_id.to_owned(), |i| i.label.clone())
}

fn german_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// A decimal in `.` notation ("-1234.5") in German notation ("-1.234,5"); other text unchanged.
fn german_decimal(value: &str) -> String {
    let (sign, unsigned) = match value.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", value),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if integer.is_empty() || !integer.chars().all(|c| c.is_ascii_digit()) {
        return value.to_owned();
    }
    let mut grouped = String::with_capacity(integer.len() + integer.len() / 3);
    for (i, digit) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    match fraction {
        "" => format!("{sign}{grouped}"),
        _ => format!("{sign}{grouped},{fraction}"),
    }
}

#[cfg(test)]
mod tests;
