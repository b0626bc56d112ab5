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

mod conditions;
mod display;
mod notation;
mod read;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::definition::{Question, QuestionKind};

pub use self::conditions::{
    AnswerSheet, condition_note, conditions_hold, missing_required, one_form_questions,
    prune_hidden, shown_questions, visible_pages, visible_questions,
};
pub use self::display::display_answer;
pub use self::read::{read_all, read_page};

/// Longest "Sonstiges, bitte angeben" text, in characters.
pub const MAX_OTHER_LENGTH: usize = 500;

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
    /// Only a required answer is missing (nothing given is wrong): "Zwischenspeichern" lets it be.
    pub missing: bool,
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
