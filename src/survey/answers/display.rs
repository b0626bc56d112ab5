//! The answers as text, for the read-only summary after submitting.

use crate::survey::definition::{LAENDER, Question, QuestionKind};

use super::Answer;
use super::notation::{german_date, german_decimal};

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
