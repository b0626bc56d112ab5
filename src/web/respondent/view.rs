//! What the questionnaire templates show: questions turned into inputs with their current values.
//!
//! Values come from the stored answers, or, when a page is shown again with errors, from exactly what
//! the person posted (`raw`), so nothing typed is lost.

use crate::survey::answers::{self, Answer, Answers, FieldError, FormFields};
use crate::survey::{LAENDER, Question, QuestionKind};

/// One question as the template shows it.
pub struct QuestionView {
    /// The question's id.
    pub id: String,
    /// The name (and id) of its main field: error-summary links point here.
    pub field: String,
    /// The question text.
    pub text: String,
    /// Help text.
    pub help: Option<String>,
    /// Shown as required.
    pub required: bool,
    /// A group of inputs (fieldset and legend) rather than one labelled input.
    pub grouped: bool,
    /// Ids of the help and error texts, for `aria-describedby`.
    pub described_by: String,
    /// The error beside the question.
    pub error: Option<String>,
    /// On the one-form page: when to answer it ("Nur beantworten, wenn …").
    pub condition: Option<String>,
    /// The input itself.
    pub input: Input,
}

/// The kinds of input.
pub enum Input {
    /// Radio buttons or check boxes.
    Choices {
        /// Check boxes.
        multiple: bool,
        /// The options.
        options: Vec<OptionView>,
    },
    /// One row of radio buttons per item.
    Matrix {
        /// The rows.
        rows: Vec<RowView>,
    },
    /// A text field or text area.
    Text {
        /// Current value.
        value: String,
        /// A text area.
        long: bool,
        /// Longest answer.
        max_length: u32,
        /// Width class.
        width: u32,
    },
    /// A number field.
    Number {
        /// Current value as typed (German notation).
        value: String,
        /// Unit after the field.
        unit: Option<String>,
    },
    /// A date field (TT.MM.JJJJ).
    Date {
        /// Current value as typed.
        value: String,
    },
    /// The Länder to choose from.
    Land {
        /// The 16 Länder.
        options: Vec<OptionView>,
    },
}

/// One option.
pub struct OptionView {
    /// The input's id (the first option's is the field name itself, so error links land on it).
    pub id: String,
    /// The submitted value (the option code).
    pub value: String,
    /// The label.
    pub label: String,
    /// Currently chosen.
    pub checked: bool,
    /// The "bitte angeben" field of an `other` option.
    pub other: Option<OtherView>,
}

/// The text field of an `other` option.
pub struct OtherView {
    /// Its name and id.
    pub field: String,
    /// Current value.
    pub value: String,
}

/// One matrix row.
pub struct RowView {
    /// The row's field name.
    pub field: String,
    /// The item's label.
    pub label: String,
    /// The scale's options.
    pub options: Vec<OptionView>,
}

/// Where a question's values come from.
pub enum Values<'a> {
    /// The stored answers.
    Stored(&'a Answers),
    /// What was posted (a page shown again with errors).
    Posted(&'a FormFields),
}

impl Values<'_> {
    /// The values of field `name`.
    pub fn of(&self, question: &Question, name: &str) -> Vec<String> {
        match self {
            Values::Posted(fields) => fields.get(name).cloned().unwrap_or_default(),
            Values::Stored(answers) => stored_values(question, answers.get(&question.id), name),
        }
    }
}

/// The field values that show a stored answer again.
fn stored_values(question: &Question, answer: Option<&Answer>, name: &str) -> Vec<String> {
    let main = name == answers::field_name(&question.id);
    let other = name == answers::other_field_name(&question.id);
    match answer {
        Some(Answer::Single { code, other: text }) => match (main, other) {
            (true, _) => vec![code.clone()],
            (_, true) => text.iter().cloned().collect(),
            _ => Vec::new(),
        },
        Some(Answer::Multiple { codes, other: text }) => match (main, other) {
            (true, _) => codes.clone(),
            (_, true) => text.iter().cloned().collect(),
            _ => Vec::new(),
        },
        Some(Answer::Matrix { rows }) => rows
            .iter()
            .filter(|(item, _)| answers::matrix_field_name(&question.id, item) == name)
            .map(|(_, code)| code.clone())
            .collect(),
        Some(Answer::Number { value }) if main => vec![value.replace('.', ",")],
        Some(Answer::Text { value }) if main => vec![value.clone()],
        Some(Answer::Date { value }) if main => vec![value.format("%d.%m.%Y").to_string()],
        Some(Answer::Land { code }) if main => vec![code.clone()],
        _ => Vec::new(),
    }
}

/// The options of a choice field, the first one carrying the field's name as its id.
fn options<'a>(
    field: &str,
    choices: impl Iterator<Item = (&'a str, &'a str, bool)>,
    chosen: &[String],
) -> Vec<OptionView> {
    choices
        .enumerate()
        .map(|(i, (code, label, _))| OptionView {
            id: if i == 0 {
                field.to_owned()
            } else {
                format!("{field}--{code}")
            },
            value: code.to_owned(),
            label: label.to_owned(),
            checked: chosen.iter().any(|c| c == code),
            other: None,
        })
        .collect()
}

/// Builds the view of one question.
pub fn question_view(
    question: &Question,
    values: &Values<'_>,
    errors: &[FieldError],
) -> QuestionView {
    let field = answers::field_name(&question.id);
    let error = errors
        .iter()
        .find(|e| e.question_id == question.id)
        .map(|e| e.message.clone());
    let first = |name: &str| {
        values
            .of(question, name)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let (grouped, input) = match &question.kind {
        QuestionKind::Single { choices } | QuestionKind::Multiple { choices, .. } => {
            let chosen = values.of(question, &field);
            let other_field = answers::other_field_name(&question.id);
            let mut views = options(
                &field,
                choices
                    .options
                    .iter()
                    .map(|o| (o.code.as_str(), o.label.as_str(), o.other)),
                &chosen,
            );
            for (view, option) in views.iter_mut().zip(&choices.options) {
                if option.other {
                    view.other = Some(OtherView {
                        field: other_field.clone(),
                        value: first(&other_field),
                    });
                }
            }
            let multiple = matches!(question.kind, QuestionKind::Multiple { .. });
            (
                true,
                Input::Choices {
                    multiple,
                    options: views,
                },
            )
        }
        QuestionKind::Matrix { items, choices } => {
            let rows = items
                .iter()
                .map(|item| {
                    let row_field = answers::matrix_field_name(&question.id, &item.id);
                    let chosen = values.of(question, &row_field);
                    let opts = options(
                        &row_field,
                        choices
                            .options
                            .iter()
                            .map(|o| (o.code.as_str(), o.label.as_str(), false)),
                        &chosen,
                    );
                    RowView {
                        field: row_field,
                        label: item.label.clone(),
                        options: opts,
                    }
                })
                .collect();
            (true, Input::Matrix { rows })
        }
        QuestionKind::Number { unit, .. } => (
            false,
            Input::Number {
                value: first(&field),
                unit: unit.clone(),
            },
        ),
        QuestionKind::Text { max_length } | QuestionKind::LongText { max_length } => {
            let long = matches!(question.kind, QuestionKind::LongText { .. });
            let width = if *max_length <= 20 { 20 } else { 40 };
            (
                false,
                Input::Text {
                    value: first(&field),
                    long,
                    max_length: *max_length,
                    width,
                },
            )
        }
        QuestionKind::Date { .. } => (
            false,
            Input::Date {
                value: first(&field),
            },
        ),
        QuestionKind::Land => {
            let chosen = values.of(question, &field);
            let opts = LAENDER
                .iter()
                .map(|(code, name)| OptionView {
                    id: String::new(),
                    value: (*code).to_owned(),
                    label: (*name).to_owned(),
                    checked: chosen.iter().any(|c| c == code),
                    other: None,
                })
                .collect();
            (false, Input::Land { options: opts })
        }
    };
    let mut described_by = Vec::new();
    if question.help.is_some() {
        described_by.push(format!("hilfe-{}", question.id));
    }
    if error.is_some() {
        described_by.push(format!("fehler-{}", question.id));
    }
    QuestionView {
        id: question.id.clone(),
        field,
        text: question.text.clone(),
        help: question.help.clone(),
        condition: None,
        required: question.required,
        grouped,
        described_by: described_by.join(" "),
        error,
        input,
    }
}

/// A consent's information as the pages show it: the summary (if the survey has one) and the
/// full text, each in paragraphs (`templates/pages/consent_text.html`).
pub struct ConsentView {
    /// The essentials, always shown.
    pub summary: Option<Vec<String>>,
    /// The full information, folded on small screens where there is a summary.
    pub text: Vec<String>,
}

impl ConsentView {
    /// The view of `consent`.
    pub fn of(consent: &crate::survey::definition::Consent) -> ConsentView {
        ConsentView {
            summary: consent.summary.as_deref().map(paragraphs),
            text: paragraphs(&consent.text),
        }
    }
}

/// A text split into its paragraphs (blank lines separate them).
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}
