//! The `show_if` conditions: which pages and questions are shown, given the answers so far and
//! the participant's attributes, and what a one-form questionnaire says about them.

use std::collections::HashSet;

use crate::survey::definition::{Condition, Question, QuestionKind, Subject, Survey};

use super::{Answer, Answers, Attributes};

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
pub(super) struct Visibility<'s> {
    /// Per page, per question: whether it is shown (a page is shown when one of them is).
    pub(super) questions: Vec<Vec<bool>>,
    /// The ids of all shown questions.
    shown: HashSet<&'s str>,
}

/// Evaluates the conditions in page order; a condition sees only answers to questions of earlier
/// pages that are shown themselves.
pub(super) fn visibility<'s>(
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

/// A survey as one respondent sees it: the survey, their answers so far and their attributes, with
/// which pages and questions that shows worked out once (not again for every question asked of it).
pub struct AnswerSheet<'a> {
    /// The survey.
    pub survey: &'a Survey,
    /// The answers so far.
    pub answers: &'a Answers,
    /// The attributes conditions may test.
    pub attributes: &'a Attributes,
    visibility: Visibility<'a>,
}

impl<'a> AnswerSheet<'a> {
    /// Evaluates the conditions of `survey` for these answers and attributes.
    pub fn new(
        survey: &'a Survey,
        answers: &'a Answers,
        attributes: &'a Attributes,
    ) -> AnswerSheet<'a> {
        AnswerSheet {
            survey,
            answers,
            attributes,
            visibility: visibility(survey, answers, attributes),
        }
    }

    /// The ids of the questions shown (reports count, per question, the responses shown it).
    pub fn shown_questions(&self) -> &HashSet<&'a str> {
        &self.visibility.shown
    }

    /// The indexes of the pages shown: a page is shown when its `show_if` holds and at least one
    /// of its questions is shown.
    pub fn visible_pages(&self) -> Vec<usize> {
        let shown = self.visibility.questions.iter().enumerate();
        shown
            .filter(|(_, flags)| flags.contains(&true))
            .map(|(p, _)| p)
            .collect()
    }

    /// The questions of page `page` that are shown (none for a hidden page or an index out of
    /// range).
    pub fn visible_questions(&self, page: usize) -> Vec<&'a Question> {
        shown_on_page(self.survey, &self.visibility, page)
    }

    /// Every required shown question without a complete answer, over all shown pages (the final
    /// submit check): (page index, question id), in survey order. A matrix answer is complete
    /// when every row is answered; an answer of the wrong type counts as missing.
    pub fn missing_required(&self) -> Vec<(usize, String)> {
        let mut missing = Vec::new();
        for (p, page) in self.survey.pages.iter().enumerate() {
            let flags = self
                .visibility
                .questions
                .get(p)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (question, _) in page.questions.iter().zip(flags).filter(|(_, f)| **f) {
                let answer = self.answers.get(&question.id);
                let complete = answer.is_some_and(|a| is_complete(question, a));
                if question.required && !complete {
                    missing.push((p, question.id.clone()));
                }
            }
        }
        missing
    }
}

/// The ids of the questions shown, given these answers and attributes (see [`AnswerSheet`]).
pub fn shown_questions<'s>(
    survey: &'s Survey,
    answers: &Answers,
    attributes: &Attributes,
) -> HashSet<&'s str> {
    visibility(survey, answers, attributes).shown
}

/// The indexes of the pages shown (see [`AnswerSheet::visible_pages`]).
pub fn visible_pages(survey: &Survey, answers: &Answers, attributes: &Attributes) -> Vec<usize> {
    AnswerSheet::new(survey, answers, attributes).visible_pages()
}

/// The questions of page `page` that are shown (see [`AnswerSheet::visible_questions`]).
pub fn visible_questions<'a>(
    survey: &'a Survey,
    page: usize,
    answers: &Answers,
    attributes: &Attributes,
) -> Vec<&'a Question> {
    shown_on_page(survey, &visibility(survey, answers, attributes), page)
}

/// The questions of page `page` that `visibility` shows (none for a hidden page or an index out of
/// range).
fn shown_on_page<'a>(
    survey: &'a Survey,
    visibility: &Visibility<'_>,
    page: usize,
) -> Vec<&'a Question> {
    match (survey.pages.get(page), visibility.questions.get(page)) {
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

/// Every required shown question without a complete answer (see
/// [`AnswerSheet::missing_required`]).
pub fn missing_required(
    survey: &Survey,
    answers: &Answers,
    attributes: &Attributes,
) -> Vec<(usize, String)> {
    AnswerSheet::new(survey, answers, attributes).missing_required()
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
