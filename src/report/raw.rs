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

/// What a column of `responses.csv` holds: what the SPSS and R syntax files declare.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// A whole number (the response id).
    Id,
    /// Free text of at most this many characters.
    Text(usize),
    /// An option code, one of these options.
    Code(Vec<RawOption>),
    /// 1 when the option was ticked, 0 when not (multiple choice).
    Ticked,
    /// A number with this many decimals.
    Number(u8),
    /// A date, `YYYY-MM-DD`.
    Date,
}

/// An option a code column may hold, as the syntax files label it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawOption {
    /// The code written in the cell.
    pub code: String,
    /// Its text.
    pub label: String,
    /// "weiß nicht / keine Angabe": declared missing.
    pub missing: bool,
    /// Its value on the scale, if the scale has values.
    pub value: Option<f64>,
}

impl RawOption {
    /// An option that is its own label (a Land, an attribute value).
    fn plain(code: &str, label: &str) -> RawOption {
        RawOption {
            code: code.to_owned(),
            label: label.to_owned(),
            missing: false,
            value: None,
        }
    }
}

/// The codes of `options` declared missing.
pub fn missing_codes(options: &[RawOption]) -> Vec<&str> {
    options
        .iter()
        .filter(|o| o.missing)
        .map(|o| o.code.as_str())
        .collect()
}

/// A column of `responses.csv`: its name in the header, a label (the question's text) and kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RawColumn {
    /// Header name (`lage_gesamt`, `werkzeuge/video`, `formate/kita`).
    pub name: String,
    /// Label: the question's text, with the option or row for split questions.
    pub label: String,
    /// What it holds.
    pub kind: ColumnKind,
}

/// The columns: fixed columns, the survey's attributes, then its questions (`id`, `id/code` per
/// option of a multiple-choice question, `id/item` per matrix row, `id/other` for "Sonstiges"
/// texts).
pub fn columns(survey: &Survey) -> Vec<RawColumn> {
    let column = |name: &str, label: &str, kind| RawColumn {
        name: name.to_owned(),
        label: label.to_owned(),
        kind,
    };
    let laender = || {
        crate::survey::definition::LAENDER
            .iter()
            .map(|(code, name)| RawOption::plain(code, name))
            .collect()
    };
    let mut columns = vec![
        column("response_id", "Antwort-ID", ColumnKind::Id),
        column("submitted_at", "abgeschickt am", ColumnKind::Text(32)),
        column("land_code", "Land (Code)", ColumnKind::Code(laender())),
        column("land", "Land", ColumnKind::Text(32)),
    ];
    for (name, attribute) in &survey.attributes {
        let values = attribute
            .values
            .iter()
            .map(|v| RawOption::plain(v, v))
            .collect();
        columns.push(column(name, &attribute.label, ColumnKind::Code(values)));
    }
    for (_, q) in survey.questions() {
        let codes = |options: &[crate::survey::definition::ChoiceOption]| {
            options
                .iter()
                .map(|o| RawOption {
                    code: o.code.clone(),
                    label: o.label.clone(),
                    missing: o.missing,
                    value: o.value,
                })
                .collect::<Vec<_>>()
        };
        match &q.kind {
            QuestionKind::Multiple { choices, .. } => {
                columns.extend(choices.options.iter().map(|o| {
                    let name = format!("{}/{}", q.id, o.code);
                    column(
                        &name,
                        &format!("{} – {}", q.text, o.label),
                        ColumnKind::Ticked,
                    )
                }));
            }
            QuestionKind::Matrix { items, choices } => {
                columns.extend(items.iter().map(|i| {
                    let name = format!("{}/{}", q.id, i.id);
                    let label = format!("{} – {}", q.text, i.label);
                    column(&name, &label, ColumnKind::Code(codes(&choices.options)))
                }));
            }
            QuestionKind::Single { choices } => {
                columns.push(column(
                    &q.id,
                    &q.text,
                    ColumnKind::Code(codes(&choices.options)),
                ));
            }
            QuestionKind::Number { decimals, .. } => {
                columns.push(column(&q.id, &q.text, ColumnKind::Number(*decimals)));
            }
            QuestionKind::Text { max_length } | QuestionKind::LongText { max_length } => {
                let max = usize::try_from(*max_length).unwrap_or(usize::MAX);
                columns.push(column(&q.id, &q.text, ColumnKind::Text(max)));
            }
            QuestionKind::Date { .. } => columns.push(column(&q.id, &q.text, ColumnKind::Date)),
            QuestionKind::Land => {
                columns.push(column(&q.id, &q.text, ColumnKind::Code(laender())));
            }
        }
        if q.kind
            .choices()
            .is_some_and(|c| c.options.iter().any(|o| o.other))
        {
            let name = format!("{}/other", q.id);
            let label = format!("{} – Sonstiges (Angabe)", q.text);
            columns.push(column(&name, &label, ColumnKind::Text(1000)));
        }
    }
    columns
}

/// The column names, in order (see [`columns`]).
pub fn header(survey: &Survey) -> Vec<String> {
    columns(survey).into_iter().map(|c| c.name).collect()
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
