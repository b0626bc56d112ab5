//! Reading a page: the posted form fields of the shown questions into typed answers, each
//! validated against its question's definition, with a German message for each problem.

use std::collections::HashMap;

use chrono::NaiveDate;
use indexmap::IndexMap;

use crate::survey::definition::{
    ChoiceOption, Choices, Item, LAENDER, Question, QuestionKind, Survey,
};

use super::conditions::visibility;
use super::notation::{german_date, german_decimal, parse_date, parse_number};
use super::{
    Answer, Answers, Attributes, FieldError, FormFields, MAX_OTHER_LENGTH, PageInput, field_name,
    field_names, matrix_field_name, missing_required, other_field_name, visible_questions,
};

/// What reading one question gives: its answer (`None`: unanswered, and allowed to be) or its first problem.
type Read = Result<Option<Answer>, FieldError>;

const CHOOSE_ONE: &str = "Bitte wählen Sie eine Antwort aus.";
const CHOOSE_SOME: &str = "Bitte wählen Sie mindestens eine Antwort aus.";
const ANSWER_THIS: &str = "Bitte beantworten Sie diese Frage.";
const NO_SUCH_ANSWER: &str = "Diese Antwort gibt es nicht.";
const NOT_A_NUMBER: &str = "Bitte geben Sie eine Zahl ein, zum Beispiel 12 oder 12,5.";
const NOT_A_DATE: &str = "Bitte geben Sie ein Datum im Format TT.MM.JJJJ ein.";

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
        // What was given is kept even where a required answer is incomplete (a matrix with rows
        // left open): "Zwischenspeichern" stores it, and the page shows the gap.
        match parse_question(question, fields) {
            Ok(answer) => {
                if let Some(error) = missing_answer(question, answer.as_ref()) {
                    input.errors.push(error);
                }
                if let Some(answer) = answer {
                    input.answers.insert(question.id.clone(), answer);
                }
            }
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
                missing: true,
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

/// One question's answer (`None`: not answered, and allowed to be), or its first problem.
fn read_question(q: &Question, fields: &FormFields) -> Read {
    let answer = parse_question(q, fields)?;
    match missing_answer(q, answer.as_ref()) {
        Some(error) => Err(error),
        None => Ok(answer),
    }
}

/// What was given for one question (`None`: nothing, a matrix possibly with rows left open), or
/// its first wrong entry; whether a required answer is missing is [`missing_answer`]'s question.
fn parse_question(q: &Question, fields: &FormFields) -> Read {
    Ok(match &q.kind {
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
    })
}

/// The problem of a required question left unanswered, or of a required matrix with rows left
/// open (`missing` set: nothing given is wrong, something is not given yet).
fn missing_answer(q: &Question, answer: Option<&Answer>) -> Option<FieldError> {
    if !q.required {
        return None;
    }
    if let (QuestionKind::Matrix { items, .. }, Some(Answer::Matrix { rows })) = (&q.kind, answer) {
        let open: Vec<&Item> = items
            .iter()
            .filter(|item| !rows.contains_key(&item.id))
            .collect();
        let first = open.first()?;
        let labels: Vec<&str> = open.iter().map(|item| item.label.as_str()).collect();
        let message = format!(
            "Bitte beantworten Sie alle Zeilen (fehlt: {}).",
            labels.join(", ")
        );
        return Some(missing_error(
            q,
            matrix_field_name(&q.id, &first.id),
            message,
        ));
    }
    if answer.is_some() {
        return None;
    }
    let message = match q.kind {
        QuestionKind::Single { .. } | QuestionKind::Land => CHOOSE_ONE,
        QuestionKind::Multiple { .. } => CHOOSE_SOME,
        _ => ANSWER_THIS,
    };
    Some(missing_error(q, field_name(&q.id), message))
}

/// A wrong entry in a field.
fn field_error(q: &Question, field: String, message: impl Into<String>) -> FieldError {
    FieldError {
        question_id: q.id.clone(),
        field,
        message: message.into(),
        missing: false,
    }
}

/// A required answer not given.
fn missing_error(q: &Question, field: String, message: impl Into<String>) -> FieldError {
    FieldError {
        missing: true,
        ..field_error(q, field, message)
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
    for item in items {
        let name = matrix_field_name(&q.id, &item.id);
        let option = match values(fields, &name).as_slice() {
            [] => continue,
            [code] => find_option(choices, code),
            _ => None,
        };
        let option = option.ok_or_else(|| field_error(q, name, NO_SUCH_ANSWER))?;
        rows.insert(item.id.clone(), option.code.clone());
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
