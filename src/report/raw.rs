//! `responses.csv`, the admin's raw export: one row per submitted response, one column per
//! answer, no names or email addresses (they live with the contacts, never with answers).

use chrono::{DateTime, Utc};

use crate::survey::answers::{Answer, Answers};
use crate::survey::definition::{QuestionKind, Survey};
use crate::text::spreadsheet_safe;

/// One submitted response as the raw export sees it.
pub struct RawRow<'a> {
    /// Response id.
    pub id: i64,
    /// Land code.
    pub land_code: Option<&'a str>,
    /// Attribute values by name.
    pub attributes: &'a std::collections::BTreeMap<String, String>,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The answers.
    pub answers: &'a Answers,
}

/// The column names: fixed columns, the survey's attributes, then its questions (`id`, `id/code`
/// per option of a multiple-choice question, `id/item` per matrix row, `id/other` for
/// "Sonstiges" texts).
pub fn header(survey: &Survey) -> Vec<String> {
    let mut columns: Vec<String> = ["response_id", "submitted_at", "land_code", "land"]
        .map(str::to_owned)
        .to_vec();
    columns.extend(survey.attributes.keys().cloned());
    for (_, q) in survey.questions() {
        match &q.kind {
            QuestionKind::Multiple { choices, .. } => {
                columns.extend(
                    choices
                        .options
                        .iter()
                        .map(|o| format!("{}/{}", q.id, o.code)),
                );
            }
            QuestionKind::Matrix { items, .. } => {
                columns.extend(items.iter().map(|i| format!("{}/{}", q.id, i.id)));
            }
            _ => columns.push(q.id.clone()),
        }
        if q.kind
            .choices()
            .is_some_and(|c| c.options.iter().any(|o| o.other))
        {
            columns.push(format!("{}/other", q.id));
        }
    }
    columns
}

/// The cells of one response, in [`header`]'s order, neutralised against formulas.
pub fn row(survey: &Survey, response: &RawRow<'_>) -> Vec<String> {
    let land_name = response
        .land_code
        .and_then(|c| {
            crate::survey::definition::LAENDER
                .iter()
                .find(|(code, _)| *code == c)
        })
        .map_or("", |(_, name)| name);
    let mut cells = vec![
        response.id.to_string(),
        response
            .submitted_at
            .with_timezone(&chrono_tz::Europe::Berlin)
            .to_rfc3339(),
        response.land_code.unwrap_or_default().to_owned(),
        land_name.to_owned(),
    ];
    for name in survey.attributes.keys() {
        cells.push(response.attributes.get(name).cloned().unwrap_or_default());
    }
    for (_, q) in survey.questions() {
        let answer = response.answers.get(&q.id);
        let mut other = None;
        match (&q.kind, answer) {
            (QuestionKind::Multiple { choices, .. }, a) => {
                let ticked: &[String] = match a {
                    Some(Answer::Multiple { codes, other: o }) => {
                        other = o.clone();
                        codes
                    }
                    _ => &[],
                };
                cells.extend(choices.options.iter().map(|o| match a {
                    None => String::new(),
                    Some(_) => u8::from(ticked.contains(&o.code)).to_string(),
                }));
            }
            (QuestionKind::Matrix { items, .. }, a) => {
                cells.extend(items.iter().map(|i| match a {
                    Some(Answer::Matrix { rows }) => rows.get(&i.id).cloned().unwrap_or_default(),
                    _ => String::new(),
                }));
            }
            (_, a) => cells.push(match a {
                Some(Answer::Single { code, other: o }) => {
                    other = o.clone();
                    code.clone()
                }
                Some(Answer::Number { value } | Answer::Text { value }) => value.clone(),
                Some(Answer::Date { value }) => value.format("%Y-%m-%d").to_string(),
                Some(Answer::Land { code }) => code.clone(),
                _ => String::new(),
            }),
        }
        if q.kind
            .choices()
            .is_some_and(|c| c.options.iter().any(|o| o.other))
        {
            cells.push(other.unwrap_or_default());
        }
    }
    cells
        .into_iter()
        .map(|c| {
            if is_plain_number(&c) {
                c
            } else {
                spreadsheet_safe(&c).into_owned()
            }
        })
        .collect()
}

/// A plain decimal number (`-12.5`, `3`): a spreadsheet reads it as a number, never as a formula,
/// so the formula guard must not turn it into text.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::is_plain_number;

    #[test]
    fn negative_numbers_stay_numbers_and_formulas_stay_guarded() {
        for number in ["-12.5", "3", "0.25", "-7"] {
            assert!(is_plain_number(number), "{number}");
        }
        for text in [
            "-1+1", "-", "-.5", "1.", "=1", "-12,5", "+3", "1e5", "-inf", "",
        ] {
            assert!(!is_plain_number(text), "{text}");
        }
    }
}
