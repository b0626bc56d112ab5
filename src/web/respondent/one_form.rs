//! "Alle Fragen auf einer Seite": the whole questionnaire as one form, for people who prefer to
//! see everything at once (or to print it) and for sending a complete questionnaire in one request.
//!
//! Consent, every page and "Absenden" are one POST. A participant's first response is inserted,
//! filled and submitted in one statement; otherwise, in one transaction, the response is started (if
//! new), every answer stored and the response submitted. Conditions on attributes decide what is
//! shown; conditions on earlier answers cannot (they are in the same form), so those questions say
//! when to answer them and are kept only when their condition holds, exactly as in the page flow.
//! A form with problems is shown again with what was typed; nothing of it is stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use askama::Template;
use chrono::Utc;
use diesel::PgConnection;

use super::questionnaire::{
    Context, Reply, SummaryLink, Who, insert_response, land_answer, redirect,
};
use super::view::{ConsentView, Input, QuestionView, Values, paragraphs, question_view};
use crate::store::responses;
use crate::survey::Survey;
use crate::survey::answers::{self, FieldError, FormFields};
use crate::web::errors::AppError;

#[derive(Template)]
#[template(path = "pages/questionnaire_all.html")]
struct OneFormTemplate<'a> {
    survey_title: &'a str,
    /// A submitted response is being changed.
    changing: bool,
    region: Option<&'a str>,
    errors: Vec<SummaryLink>,
    /// The consent and the questions ([`BodyTemplate`]), HTML.
    body: &'a str,
    action: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/questionnaire_all_body.html")]
struct BodyTemplate<'a> {
    consent: Option<ConsentView>,
    consent_label: &'a str,
    consent_error: bool,
    honeypot: bool,
    pages: Vec<PageView>,
}

struct PageView {
    index: usize,
    title: String,
    intro: Option<Vec<String>>,
    condition: Option<String>,
    questions: Vec<QuestionView>,
}

/// The consent's entry in the error summary.
const CONSENT_MISSING: &str = "Bitte bestätigen Sie die Einwilligung, um die Antworten abzusenden.";

/// The consent and questions of blank one-form questionnaires, rendered. A blank form (nothing
/// stored, nothing typed) depends only on the survey version, on which questions the respondent's
/// attributes show and on whether consent is still to be given (and the honeypot shown), so it is
/// the same for every new respondent of that kind: it is rendered once and kept. A version never
/// changes, and a survey has only a few such kinds (one per combination of attribute conditions),
/// so the cache stays small.
#[derive(Debug, Default)]
pub struct BlankForms(Mutex<HashMap<BlankKind, Arc<str>>>);

/// A kind of blank form: the survey as presented (version, or version and wave texts), which of its questions are shown (in survey order),
/// whether it asks for consent and whether it has the honeypot.
type BlankKind = (u64, Vec<bool>, bool, bool);

impl BlankForms {
    fn get_or_render(
        &self,
        kind: BlankKind,
        render: impl FnOnce() -> askama::Result<String>,
    ) -> askama::Result<Arc<str>> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(html) = lock().get(&kind) {
            return Ok(html.clone());
        }
        let html: Arc<str> = render()?.into();
        lock().insert(kind, html.clone());
        Ok(html)
    }
}

/// Renders the one-form questionnaire with `values` and `errors`; a blank form's consent and
/// questions come from `blank` when given.
#[allow(clippy::too_many_arguments)]
pub(super) fn render(
    ctx: &Context,
    values: Values<'_>,
    errors: &[FieldError],
    consent_error: bool,
    action: &str,
    csrf: &str,
    status: StatusCode,
    blank: Option<&BlankForms>,
) -> Result<Reply, AppError> {
    let survey = &ctx.survey;
    let shown = answers::one_form_questions(survey, &ctx.attributes);
    let needs_consent = ctx.response.is_none() && survey.consent.is_some();
    let honeypot = matches!(ctx.who, Who::Session(_));
    let draw = || {
        let pages = shown
            .iter()
            .filter_map(|(index, questions)| {
                let page = survey.pages.get(*index)?;
                let questions = questions
                    .iter()
                    .map(|q| {
                        let mut view = question_view(q, &values, errors);
                        view.condition = answers::condition_note(survey, &q.show_if);
                        view
                    })
                    .collect();
                Some(PageView {
                    index: *index,
                    title: page.title.clone(),
                    intro: page.intro.as_deref().map(paragraphs),
                    condition: answers::condition_note(survey, &page.show_if),
                    questions,
                })
            })
            .collect();
        let body = BodyTemplate {
            consent: survey
                .consent
                .as_ref()
                .filter(|_| needs_consent)
                .map(ConsentView::of),
            consent_label: survey.consent.as_ref().map_or("", |c| c.label.as_str()),
            consent_error,
            honeypot,
            pages,
        };
        // Some 50 KB: one buffer that size rather than one grown by doubling.
        let mut html = String::with_capacity(64 * 1024);
        body.render_into(&mut html).map(|()| html)
    };
    let is_blank = matches!(values, Values::Stored(stored) if stored.is_empty())
        && errors.is_empty()
        && !consent_error;
    let body: Arc<str> = match blank.filter(|_| is_blank) {
        Some(blank) => {
            let mut shown = shown.iter().flat_map(|(_, questions)| questions).peekable();
            let mask = survey
                .questions()
                .map(|(_, q)| shown.next_if(|s| std::ptr::eq(**s, q)).is_some())
                .collect();
            let kind = (ctx.survey_key, mask, needs_consent, honeypot);
            blank.get_or_render(kind, draw)
        }
        None => draw().map(Arc::from),
    }
    .map_err(|e| AppError::Internal(e.into()))?;
    let mut summary = Vec::new();
    if consent_error {
        summary.push(SummaryLink {
            field: "einwilligung".to_owned(),
            text: CONSENT_MISSING.to_owned(),
        });
    }
    summary.extend(SummaryLink::of(survey, errors));
    let template = OneFormTemplate {
        survey_title: &survey.title,
        changing: ctx.changing(),
        region: match &ctx.who {
            Who::Participant { region, .. } => Some(region.as_str()),
            Who::Session(_) => None,
        },
        errors: summary,
        body: &body,
        action,
        csrf,
    };
    let mut html = String::with_capacity(body.len() + 8 * 1024);
    let rendered = template.render_into(&mut html).map(|()| html);
    Reply::page(status, rendered)
}

/// The whole questionnaire as a respondent sees it, blank: the consent, every page and every
/// question, including those a condition may hide (each with its condition in German, as the one
/// form explains them), for the staff's preview. Nothing in it can be submitted.
pub(crate) fn preview_body(survey: &Survey) -> askama::Result<String> {
    let nothing = answers::Answers::new();
    let values = Values::Stored(&nothing);
    let pages = survey
        .pages
        .iter()
        .enumerate()
        .map(|(index, page)| PageView {
            index,
            title: page.title.clone(),
            intro: page.intro.as_deref().map(paragraphs),
            condition: answers::condition_note(survey, &page.show_if),
            questions: page
                .questions
                .iter()
                .map(|q| {
                    let mut view = question_view(q, &values, &[]);
                    view.condition = answers::condition_note(survey, &q.show_if);
                    view
                })
                .collect(),
        })
        .collect();
    BodyTemplate {
        consent: survey.consent.as_ref().map(ConsentView::of),
        consent_label: survey.consent.as_ref().map_or("", |c| c.label.as_str()),
        consent_error: false,
        honeypot: false,
        pages,
    }
    .render()
}

/// The answers of a whole questionnaire posted as one form, or the form shown again with its
/// problems (nothing is stored then).
fn read(
    ctx: &Context,
    consent: bool,
    fields: &FormFields,
    location: &str,
    csrf: &str,
) -> Result<Result<answers::Answers, Reply>, AppError> {
    let consent_missing = ctx.response.is_none() && ctx.consent_missing(consent);
    let input = answers::read_all(&ctx.survey, fields, &ctx.attributes);
    if consent_missing || !input.is_valid() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        let values = Values::Posted(&input.raw);
        let page = render(
            ctx,
            values,
            &input.errors,
            consent_missing,
            location,
            csrf,
            status,
            None,
        )?;
        return Ok(Err(page));
    }
    Ok(Ok(input.answers))
}

/// A participant's first response, posted whole: stored and submitted in one statement, so it
/// needs no transaction around it (the common case, and the fast one). `None` when this is not
/// that case, or when a response appeared since `ctx` was read (another tab): the caller then takes
/// the general way, [`submit`], in a transaction.
pub(super) fn submit_first(
    conn: &mut PgConnection,
    ctx: &Context,
    consent: bool,
    fields: &FormFields,
    location: &str,
    csrf: &str,
) -> Result<Option<Reply>, AppError> {
    let Who::Participant { participant, .. } = &ctx.who else {
        return Ok(None);
    };
    if ctx.response.is_some() || !ctx.takes_answers() {
        return Ok(None);
    }
    let answers = match read(ctx, consent, fields, location, csrf)? {
        Ok(answers) => answers,
        Err(page) => return Ok(Some(page)),
    };
    let stored = responses::insert_submitted(conn, participant, &answers, Utc::now())?;
    Ok(stored.then(|| redirect(location)))
}

/// Stores and submits a whole questionnaire posted as one form, or shows it again with its problems.
/// Run it in the request's transaction.
pub(super) fn submit(
    conn: &mut PgConnection,
    ctx: &Context,
    consent: bool,
    fields: &FormFields,
    location: &str,
    csrf: &str,
) -> Result<Reply, AppError> {
    let answers = match read(ctx, consent, fields, location, csrf)? {
        Ok(answers) => answers,
        Err(page) => return Ok(page),
    };
    let response = match &ctx.response {
        Some(response) => response.clone(),
        None => insert_response(conn, ctx, 0)?.0,
    };
    if let (Who::Session(_), Some(land)) = (&ctx.who, land_answer(&answers)) {
        responses::set_land(conn, response.id, &land)?;
    }
    let every_question: Vec<String> = ctx.survey.questions().map(|(_, q)| q.id.clone()).collect();
    responses::replace_answers(conn, response.id, &every_question, &answers)?;
    responses::mark_submitted(conn, &response, Utc::now())?;
    Ok(redirect(location))
}
