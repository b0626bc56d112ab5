//! `/t/{token}`: the questionnaire through a personal link (the open link `/o/{wave}` in
//! `open_link.rs` shares its steps): consent, pages, save and resume, submit,
//! the confirmation with a read-only summary, and changing answers while the wave is open.
//!
//! Everything is decided on the server (no JavaScript): conditions, validation, which page is next.
//! Every POST's writes are atomic and it answers with a redirect (post/redirect/get), except a page
//! with errors, which is shown again at once with what was typed. A page's save is one call of the
//! database function `save_page` (answers, next page, Land), without a transaction around it;
//! submitting, starting, reopening and the rare cases run in one transaction.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::find_by_token;
use super::one_form;
use super::view::{ConsentView, Input, QuestionView, Values, paragraphs, question_view};
use crate::store::participants::{Link, Participant};
use crate::store::responses::{self, Response};
use crate::store::waves::{Wave, WaveState};
use crate::survey::Survey;
use crate::survey::answers::{self, AnswerSheet, Answers, Attributes, FieldError, FormFields};
use crate::web::errors::AppError;
use crate::web::extract::{CsrfForm, PersonalToken};
use crate::web::pages::MessagePage;
use crate::web::shared::{with_cookie, with_db};
use crate::web::{AppState, SurveyCache, csrf};

/// Who answers: a participant through a personal link, or an anonymous open-link session.
#[derive(Clone)]
pub(super) enum Who {
    /// A personal link.
    Participant {
        /// The participant.
        participant: Participant,
        /// Their region's name, shown on the first page.
        region: String,
    },
    /// An open link: the SHA-256 of the browser session's cookie (`None`: no session yet).
    Session(Option<Vec<u8>>),
}

/// Everything a request about one link needs.
#[derive(Clone)]
pub(super) struct Context {
    pub(super) who: Who,
    pub(super) wave: Wave,
    pub(super) survey: std::sync::Arc<Survey>,
    /// Tells the ways `survey` is presented apart (see [`crate::web::Presented::key`]).
    pub(super) survey_key: u64,
    pub(super) response: Option<Response>,
    pub(super) answers: Answers,
    pub(super) attributes: Attributes,
    /// Through the wave's test link: answers are taken before the wave opens, and never count.
    pub(super) test: bool,
}

impl Context {
    /// Whether answers are taken now: while the wave is open, and through the test link also
    /// before it opens (a closed wave's links are gone before they get here).
    pub(super) fn takes_answers(&self) -> bool {
        match self.wave.state(Utc::now()) {
            WaveState::Open => true,
            WaveState::Draft => self.test,
            WaveState::Closed => false,
        }
    }

    /// Whether a submitted response is being changed (its pages save a draft of the change).
    pub(super) fn changing(&self) -> bool {
        self.response
            .as_ref()
            .is_some_and(|r| r.reopened_at.is_some())
    }

    /// Whether starting needs a consent that was not given (`consent`: the box was ticked).
    pub(super) fn consent_missing(&self, consent: bool) -> bool {
        self.survey.consent.is_some() && !consent
    }

    /// The page a response started now begins at: the first one shown.
    fn first_page(&self) -> i32 {
        let first = self.sheet().visible_pages().first().copied().unwrap_or(0);
        i32::try_from(first).unwrap_or(0)
    }

    /// The survey as this respondent sees it now (conditions evaluated once).
    pub(super) fn sheet(&self) -> AnswerSheet<'_> {
        AnswerSheet::new(&self.survey, &self.answers, &self.attributes)
    }
}

fn load_for_token(
    conn: &mut PgConnection,
    cache: &SurveyCache,
    token: &PersonalToken,
) -> Result<Context, AppError> {
    let Link {
        participant,
        wave,
        region,
        response,
        answers,
    } = find_by_token(conn, token)?;
    let presented = cache.for_wave(conn, &wave)?;
    let survey = presented.survey;
    let answers = answers.typed(&survey);
    let attributes = participant.condition_attributes();
    Ok(Context {
        who: Who::Participant {
            participant,
            region,
        },
        wave,
        survey,
        survey_key: presented.key,
        response,
        answers,
        attributes,
        test: false,
    })
}

#[derive(Template)]
#[template(path = "pages/questionnaire.html")]
struct PageTemplate<'a> {
    survey_title: &'a str,
    /// Where an open-link session asks for a link to go on with elsewhere.
    continue_action: Option<String>,
    /// A submitted response is being changed (a draft of the change).
    changing: bool,
    page_title: &'a str,
    page_intro: Option<Vec<String>>,
    page_index: usize,
    page_number: usize,
    page_count: usize,
    last: bool,
    saved: bool,
    errors: Vec<SummaryLink>,
    questions: Vec<QuestionView>,
    action: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "pages/consent.html")]
struct ConsentTemplate<'a> {
    survey_title: &'a str,
    region: Option<&'a str>,
    intro: Vec<String>,
    consent: Option<ConsentView>,
    consent_label: &'a str,
    honeypot: bool,
    error: bool,
    action: &'a str,
    csrf: &'a str,
}

/// One entry of the error summary: a link to the field, naming the question.
pub(super) struct SummaryLink {
    pub(super) field: String,
    pub(super) text: String,
}

impl SummaryLink {
    /// The summary entries of these errors, each naming its question.
    pub(super) fn of(survey: &Survey, errors: &[FieldError]) -> Vec<SummaryLink> {
        errors
            .iter()
            .map(|e| SummaryLink {
                field: e.field.clone(),
                text: match survey.question(&e.question_id) {
                    Some(q) => format!("{} – {}", q.text, e.message),
                    None => e.message.clone(),
                },
            })
            .collect()
    }
}

struct SummaryPage {
    /// The page's index in the survey (what its "ändern" button posts).
    index: usize,
    title: String,
    rows: Vec<SummaryRow>,
}

struct SummaryRow {
    question: String,
    answer: String,
}

#[derive(Template)]
#[template(path = "pages/confirmation.html")]
struct ConfirmationTemplate<'a> {
    survey_title: &'a str,
    submitted_at: String,
    can_edit: bool,
    /// The last POST came after the response was submitted and changed nothing.
    elsewhere: bool,
    deadline: Option<String>,
    pages: Vec<SummaryPage>,
    action: &'a str,
    csrf: &'a str,
}

/// What a request ends with, as plain data (it crosses from the blocking pool back to the server).
pub(super) enum Reply {
    /// 303 See Other to this path.
    Redirect(String),
    /// A page.
    Page(StatusCode, String),
}

impl Reply {
    pub(super) fn page(
        status: StatusCode,
        rendered: askama::Result<String>,
    ) -> Result<Reply, AppError> {
        rendered
            .map(|body| Reply::Page(status, body))
            .map_err(|e| AppError::Internal(e.into()))
    }

    pub(super) fn into_response(self) -> HttpResponse {
        match self {
            Reply::Redirect(location) => HttpResponse::SeeOther()
                .insert_header((LOCATION, location))
                .finish(),
            Reply::Page(status, body) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(body),
        }
    }
}

pub(super) fn redirect(location: &str) -> Reply {
    Reply::Redirect(location.to_owned())
}

/// `GET /t/{token}`: the consent, the current page, or the confirmation.
pub async fn show_questionnaire(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: PersonalToken,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let cache = state.surveys.clone();
    let token_sha256 = crate::tokens::token_hash(token.as_str());
    let ctx = with_db(&state, move |conn| load_for_token(conn, &cache, &token)).await?;
    // The first opening counts for the wave's progress ("geöffnet"): noted for the recorder, which
    // writes it in a batch, so the page does not wait for a write. Later views only read.
    if let Who::Participant { participant, .. } = &ctx.who
        && participant.first_visit_at.is_none()
    {
        state.visits.note(participant.id, Utc::now());
        state.visit_recorder.wake();
    }
    let (token, cookie) = csrf::token(&request, state.secure_cookies())?;
    let action = request.path().to_owned();
    let editable = ctx.response.as_ref().is_none_or(Response::is_editable);
    let page = if query.contains_key("alle") && editable && ctx.takes_answers() {
        let values = Values::Stored(&ctx.answers);
        one_form::render(
            &ctx,
            values,
            &[],
            false,
            &action,
            &token,
            StatusCode::OK,
            Some(&state.blank_forms),
        )?
    } else {
        render_current(&ctx, &action, &token, Note::of(request.query_string()))?
    };
    if editable && ctx.takes_answers() {
        // The consent or the page just shown posts next: it may start from what was read here.
        state.recent_links.keep(token_sha256, ctx);
    }
    with_cookie(page.into_response(), cookie)
}

/// What the page after a redirect says about the request before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Note {
    /// Nothing.
    None,
    /// "Zwischenspeichern" saved everything (`?gespeichert`).
    Saved,
    /// A page or a change came from a stale window: the response had been submitted meanwhile
    /// (`?anderswo`).
    Elsewhere,
}

impl Note {
    /// The note a page's query asks for.
    pub(super) fn of(query: &str) -> Note {
        match query {
            "gespeichert" => Note::Saved,
            "anderswo" => Note::Elsewhere,
            _ => Note::None,
        }
    }
}

pub(super) fn render_current(
    ctx: &Context,
    action: &str,
    csrf: &str,
    note: Note,
) -> Result<Reply, AppError> {
    if !ctx.takes_answers() {
        let opens = ctx
            .wave
            .opens_at
            .map(crate::time::format_berlin)
            .unwrap_or_else(|| "in Kürze".to_owned());
        let text = format!(
            "Die Umfrage „{}“ beginnt {opens}. Ihr Link gilt dann; bitte kommen Sie wieder.",
            ctx.wave.title
        );
        return Reply::page(
            StatusCode::OK,
            MessagePage::new("Die Umfrage hat noch nicht begonnen", &[text.as_str()]).render(),
        );
    }
    match &ctx.response {
        None => render_consent(ctx, action, csrf, false, StatusCode::OK),
        Some(response) if !response.is_editable() => {
            render_confirmation(ctx, response, action, csrf, note == Note::Elsewhere)
        }
        Some(response) => {
            let page = shown_page(ctx, usize::try_from(response.current_page).unwrap_or(0));
            render_page(
                ctx,
                page,
                Values::Stored(&ctx.answers),
                &[],
                note == Note::Saved,
                action,
                csrf,
                StatusCode::OK,
            )
        }
    }
}

/// `page` if it is shown, else the nearest shown page before it (or the first).
fn shown_page(ctx: &Context, page: usize) -> usize {
    let visible = ctx.sheet().visible_pages();
    visible
        .iter()
        .rev()
        .find(|&&p| p <= page)
        .or(visible.first())
        .copied()
        .unwrap_or(0)
}

fn render_consent(
    ctx: &Context,
    action: &str,
    csrf: &str,
    error: bool,
    status: StatusCode,
) -> Result<Reply, AppError> {
    let page = ConsentTemplate {
        survey_title: &ctx.survey.title,
        region: match &ctx.who {
            Who::Participant { region, .. } => Some(region.as_str()),
            Who::Session(_) => None,
        },
        honeypot: matches!(ctx.who, Who::Session(_)),
        intro: ctx
            .survey
            .intro
            .as_deref()
            .map(paragraphs)
            .unwrap_or_default(),
        consent: ctx.survey.consent.as_ref().map(ConsentView::of),
        consent_label: ctx.survey.consent.as_ref().map_or("", |c| c.label.as_str()),
        error,
        action,
        csrf,
    };
    Reply::page(status, page.render())
}

#[allow(clippy::too_many_arguments)]
fn render_page(
    ctx: &Context,
    page: usize,
    values: Values<'_>,
    errors: &[FieldError],
    saved: bool,
    action: &str,
    csrf: &str,
    status: StatusCode,
) -> Result<Reply, AppError> {
    let sheet = ctx.sheet();
    let visible = sheet.visible_pages();
    let position = visible.iter().position(|&p| p == page).unwrap_or(0);
    let definition = ctx.survey.pages.get(page).ok_or(AppError::NotFound)?;
    let questions = sheet
        .visible_questions(page)
        .into_iter()
        .map(|q| question_view(q, &values, errors))
        .collect();
    let template = PageTemplate {
        survey_title: &ctx.survey.title,
        continue_action: (matches!(ctx.who, Who::Session(_)) && !ctx.test)
            .then(|| format!("{action}/weiterlink")),
        changing: ctx.changing(),
        page_title: &definition.title,
        page_intro: definition.intro.as_deref().map(paragraphs),
        page_index: page,
        page_number: position + 1,
        page_count: visible.len(),
        last: position + 1 == visible.len(),
        saved,
        errors: SummaryLink::of(&ctx.survey, errors),
        questions,
        action,
        csrf,
    };
    Reply::page(status, template.render())
}

fn render_confirmation(
    ctx: &Context,
    response: &Response,
    action: &str,
    csrf: &str,
    elsewhere: bool,
) -> Result<Reply, AppError> {
    let sheet = ctx.sheet();
    let pages = sheet
        .visible_pages()
        .into_iter()
        .filter_map(|p| {
            let rows: Vec<SummaryRow> = sheet
                .visible_questions(p)
                .into_iter()
                .map(|q| SummaryRow {
                    question: q.text.clone(),
                    answer: ctx.answers.get(&q.id).map_or_else(
                        || "keine Antwort".to_owned(),
                        |a| answers::display_answer(q, a),
                    ),
                })
                .collect();
            let title = ctx.survey.pages.get(p)?.title.clone();
            Some(SummaryPage {
                index: p,
                title,
                rows,
            })
        })
        .collect();
    let template = ConfirmationTemplate {
        survey_title: &ctx.survey.title,
        submitted_at: response
            .submitted_at
            .map(crate::time::format_berlin)
            .unwrap_or_default(),
        can_edit: ctx.takes_answers(),
        elsewhere,
        deadline: ctx.wave.closes_at.map(crate::time::format_deadline),
        pages,
        action,
        csrf,
    };
    Reply::page(StatusCode::OK, template.render())
}

/// `POST /t/{token}`: starting, page actions, submitting, reopening.
pub async fn submit_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: PersonalToken,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let cache = state.surveys.clone();
    let remembered = crate::tokens::token_hash(token.as_str());
    handle_post(
        &state,
        &request,
        form.into_inner(),
        Some(remembered),
        move |conn| load_for_token(conn, &cache, &token),
    )
    .await
    .map(Reply::into_response)
}

/// The form a questionnaire page posts, with the fields that steer the flow taken out.
struct Posted {
    action: String,
    page: Option<usize>,
    consent: bool,
    honeypot: bool,
    fields: FormFields,
}

/// Reads a form whose CSRF token [`CsrfForm`] has checked.
fn read_form(form: Vec<(String, String)>) -> Posted {
    let mut fields = FormFields::new();
    for (name, value) in form {
        fields.entry(name).or_default().push(value);
    }
    let mut take = |name: &str| {
        fields
            .remove(name)
            .and_then(|v| v.into_iter().next())
            .unwrap_or_default()
    };
    let action = take("aktion");
    let page = take("page").parse().ok();
    let consent = take("einwilligung") == "ja";
    let honeypot = !take("website").trim().is_empty();
    Posted {
        action,
        page,
        consent,
        honeypot,
        fields,
    }
}

/// The buttons of a questionnaire page.
const PAGE_ACTIONS: [&str; 4] = ["weiter", "zurueck", "speichern", "absenden"];

/// Any questionnaire POST, personal or open link: `load` finds who answers what, in the transaction
/// (a participant's first whole questionnaire is read before and stored without one; should a
/// response have appeared meanwhile, `load` runs again in the transaction).
/// A POST of the questionnaire: `remembered` is the SHA-256 of a personal link, whose context the
/// request may take from and leave in [`super::recent::RecentLinks`] (`None`: always `load`).
pub(super) async fn handle_post(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    form: Vec<(String, String)>,
    remembered: Option<Vec<u8>>,
    load: impl Fn(&mut PgConnection) -> Result<Context, AppError> + Send + 'static,
) -> Result<Reply, AppError> {
    let posted = read_form(form);
    let location = request.path().to_owned();
    let (token, _) = csrf::token(request, false)?;
    if posted.honeypot {
        // A robot filled the field people cannot see: pretend all is well, store nothing.
        return Ok(redirect(&location));
    }
    // Taken out now: a second request of the link meanwhile (another tab) reads.
    let taken =
        (remembered.as_ref()).and_then(|key| Some((key.clone(), state.recent_links.take(key)?)));
    let recent = state.clone();
    let keep = move |next: Option<Context>| {
        if let (Some(key), Some(next)) = (&remembered, next) {
            recent.recent_links.keep(key.clone(), next);
        }
    };
    // Used at most once: should the request run again (a connection broken by a restart), it
    // reads.
    let remembered = std::cell::Cell::new(taken);
    with_db(state, move |conn| {
        if posted.action == "alles-absenden" {
            // A participant's first, complete questionnaire is one statement: no transaction needed.
            let ctx = load(conn)?;
            if let Some(reply) = one_form::submit_first(
                conn,
                &ctx,
                posted.consent,
                &posted.fields,
                &location,
                &token,
            )? {
                return Ok(reply);
            }
        }
        if posted.action == "beginnen" {
            // Starting is one statement (a second start finds the response there): no transaction.
            // From what the link's last request read, if the link still takes answers.
            if let Some((key, ctx)) = remembered.take()
                && let Who::Participant { participant, .. } = &ctx.who
                && ctx.response.is_none()
                && !ctx.consent_missing(posted.consent)
                && ctx.takes_answers()
            {
                let first = ctx.first_page();
                let started =
                    responses::start_for_link(conn, participant.id, &key, first, Utc::now())?;
                if started.is_some() {
                    keep(Some(Context {
                        response: started,
                        ..ctx
                    }));
                    return Ok(redirect(&location));
                }
            }
            let mut ctx = load(conn)?;
            if ctx.response.is_none() && ctx.takes_answers() {
                let (reply, started) = start(conn, &ctx, posted.consent, &location, &token)?;
                if started.is_some() {
                    // A response started now has no answers: the link's first page saves from it.
                    ctx.response = started;
                    keep(Some(ctx));
                }
                return Ok(reply);
            }
        }
        if PAGE_ACTIONS.contains(&posted.action.as_str()) {
            // A page's save is one call and needs no transaction around it (the common case, and
            // the fast one), its first submission too; submitting a change and a response changed
            // meanwhile take the general way. The link's last request may have left its context;
            // else (or if that no longer holds) the request reads first.
            let save = |conn: &mut PgConnection, ctx: Context, way| {
                let Some(response) =
                    (ctx.response.clone()).filter(|r| r.is_editable() && ctx.takes_answers())
                else {
                    return Ok(None);
                };
                let (action, page, fields) = (&posted.action, posted.page, &posted.fields);
                let saved = page_action(
                    conn, ctx, &response, action, page, fields, &location, &token, way,
                )?;
                Ok::<_, AppError>(saved.map(|(reply, next)| {
                    keep(next);
                    reply
                }))
            };
            if let Some((key, ctx)) = remembered.take()
                && let Some(reply) = save(conn, ctx, Way::Remembered(key))?
            {
                return Ok(reply);
            }
            let ctx = load(conn)?;
            if let Some(reply) = save(conn, ctx, Way::Read)? {
                return Ok(reply);
            }
        }
        conn.transaction(|conn| {
            let ctx = load(conn)?;
            if !ctx.takes_answers() {
                return Ok(redirect(&location));
            }
            match (posted.action.as_str(), &ctx.response) {
                ("alles-absenden", response)
                    if response.as_ref().is_none_or(Response::is_editable) =>
                {
                    one_form::submit(
                        conn,
                        &ctx,
                        posted.consent,
                        &posted.fields,
                        &location,
                        &token,
                    )
                }
                ("beginnen", None) => Ok(start(conn, &ctx, posted.consent, &location, &token)?.0),
                ("verwerfen", Some(response)) if response.reopened_at.is_some() => {
                    responses::discard_change(conn, response.id)?;
                    Ok(redirect(&location))
                }
                ("aendern", Some(response)) if !response.is_editable() => {
                    // "ändern" beside a page of the summary goes straight to that page.
                    let visible = ctx.sheet().visible_pages();
                    let page = posted
                        .page
                        .filter(|p| visible.contains(p))
                        .or_else(|| visible.first().copied())
                        .unwrap_or(0);
                    responses::mark_reopened(
                        conn,
                        response.id,
                        i32::try_from(page).unwrap_or(0),
                        Utc::now(),
                    )?;
                    Ok(redirect(&location))
                }
                (_, Some(response)) if response.is_editable() => {
                    let response = response.clone();
                    let reply = page_action(
                        conn,
                        ctx,
                        &response,
                        &posted.action,
                        posted.page,
                        &posted.fields,
                        &location,
                        &token,
                        Way::Transaction,
                    )?;
                    Ok(reply.map_or_else(|| redirect(&location), |(reply, _)| reply))
                }
                // A page or a whole form from a window that still shows the questionnaire, after
                // the response was submitted (another tab, the back button): nothing is stored,
                // and the summary says so.
                (action, Some(response))
                    if !response.is_editable()
                        && (PAGE_ACTIONS.contains(&action) || action == "alles-absenden") =>
                {
                    Ok(redirect(&format!("{location}?anderswo")))
                }
                // A repeated or stale form (double submit, back button): show where things stand.
                _ => Ok(redirect(&location)),
            }
        })
    })
    .await
}

/// Starts the response with the consent; returns it too if this request started it (`None`: no
/// consent, asked again; or another request started it meanwhile).
fn start(
    conn: &mut PgConnection,
    ctx: &Context,
    consent: bool,
    location: &str,
    csrf: &str,
) -> Result<(Reply, Option<Response>), AppError> {
    if ctx.consent_missing(consent) {
        let page = render_consent(ctx, location, csrf, true, StatusCode::UNPROCESSABLE_ENTITY)?;
        return Ok((page, None));
    }
    let (response, started) = insert_response(conn, ctx, ctx.first_page())?;
    Ok((redirect(location), started.then_some(response)))
}

/// How a page save knows the response it saves.
enum Way {
    /// Read in the request's transaction.
    Transaction,
    /// Read by this request, outside a transaction: saved only if still as read.
    Read,
    /// Remembered from the link's last request ([`super::recent::RecentLinks`]), by the SHA-256
    /// of the link: saved only if still as remembered and the link still takes answers, and only
    /// a save that moves on or submits (anything else reads first).
    Remembered(Vec<u8>),
}

/// Where a page's POST leads, once its answers are saved.
enum Outcome {
    /// To this page (with this suffix on the link, e.g. `?gespeichert`).
    Go(usize, &'static str),
    /// The same page again with these errors (`true`: after "Zwischenspeichern").
    Errors(Vec<FieldError>, bool),
    /// Submitting: every shown page is checked.
    Submit,
    /// Submitting found required questions unanswered: this page with them.
    Missing(usize, Vec<FieldError>),
    /// Back to the link (an action the page does not have).
    Stay,
}

/// A page's "Weiter", "Zurück", "Zwischenspeichern" or "Absenden": the valid answers are saved in
/// any case (nothing typed correctly is lost, whatever the button), with the page to show next, in
/// one call. Returns the reply, with the context the link's next request may start from (after a
/// move to another page outside a transaction). Outside a transaction `None` means: take the
/// general way (reading first, or in a transaction: submitting a change, or the response changed
/// meanwhile).
#[allow(clippy::too_many_arguments)]
fn page_action(
    conn: &mut PgConnection,
    mut ctx: Context,
    response: &Response,
    action: &str,
    page: Option<usize>,
    fields: &FormFields,
    location: &str,
    csrf: &str,
    way: Way,
) -> Result<Option<(Reply, Option<Context>)>, AppError> {
    let in_transaction = matches!(way, Way::Transaction);
    let visible = ctx.sheet().visible_pages();
    let Some(page) = page.filter(|p| visible.contains(p)) else {
        return Ok(Some((redirect(location), None)));
    };
    let input = answers::read_page(&ctx.survey, page, fields, &ctx.answers, &ctx.attributes);
    let mut position = responses::PagePosition {
        // Outside a transaction: saved only if the response is still as read.
        seen: (!in_transaction).then(|| responses::Seen {
            updated_at: response.updated_at,
            answered: ctx.answers.keys().cloned().collect(),
        }),
        ..Default::default()
    };
    let remembered = match way {
        Way::Remembered(token_sha256) => {
            position.token_sha256 = Some(token_sha256);
            true
        }
        Way::Transaction | Way::Read => false,
    };
    let replaced = responses::apply_page(
        &ctx.survey,
        &ctx.attributes,
        &mut ctx.answers,
        page,
        input.answers.clone(),
    );
    if let (Who::Session(_), Some(land)) = (&ctx.who, land_answer(&ctx.answers)) {
        // An open-link response counts for the Land its respondent chose.
        position.land_code = Some(land.clone());
        ctx.attributes.insert("land".to_owned(), land);
    }
    let visible = ctx.sheet().visible_pages();
    let at = visible.iter().position(|&p| p == page).unwrap_or(0);
    let outcome = match action {
        "zurueck" => Outcome::Go(visible[at.saturating_sub(1)], ""),
        // Saving for later demands no required answer; only wrong entries (not stored) are shown.
        "speichern" => {
            let wrong: Vec<FieldError> = (input.errors.iter())
                .filter(|e| !e.missing)
                .cloned()
                .collect();
            if wrong.is_empty() {
                Outcome::Go(page, "?gespeichert")
            } else {
                Outcome::Errors(wrong, true)
            }
        }
        _ if !input.errors.is_empty() => Outcome::Errors(input.errors.clone(), false),
        "weiter" if at + 1 < visible.len() => Outcome::Go(visible[at + 1], ""),
        "weiter" | "absenden" => Outcome::Submit,
        _ => Outcome::Stay,
    };
    let outcome = match outcome {
        // Outside a transaction a first submission is part of the page's save: submitted only if
        // the response is still as read (else nothing is stored and the general way reads again).
        Outcome::Submit if !in_transaction => {
            if response.reopened_at.is_some() {
                return Ok(None);
            }
            match missing_required(&ctx) {
                None => {
                    position.submit = true;
                    Outcome::Go(page, "")
                }
                Some((first, errors)) => {
                    position.current_page = Some(i32::try_from(first).unwrap_or(0));
                    Outcome::Missing(first, errors)
                }
            }
        }
        outcome => outcome,
    };
    if remembered && !matches!(outcome, Outcome::Go(..)) {
        // A page shown again (or a stray action) is rendered from what is stored now.
        return Ok(None);
    }
    if let Outcome::Go(target, suffix) = outcome {
        position.current_page = Some(i32::try_from(target).unwrap_or(0));
        // A move to another page; "Zwischenspeichern" (`?gespeichert`) waits for the disk.
        position.quick = suffix.is_empty() && !position.submit;
    }
    let Some(saved_at) =
        responses::save_page(conn, response.id, &replaced, &ctx.answers, &position)?
    else {
        // Changed meanwhile (another tab): outside a transaction the general way reads again; in
        // it, the response was submitted meanwhile: show where things stand.
        return Ok((in_transaction).then(|| (redirect(location), None)));
    };
    let reply = match outcome {
        Outcome::Go(_, _) if position.submit => redirect(location),
        Outcome::Go(target, suffix) => {
            let reply = redirect(&format!("{location}{suffix}"));
            if in_transaction {
                return Ok(Some((reply, None)));
            }
            // What is stored now, for the link's next page.
            ctx.answers = responses::as_stored(&ctx.survey, &ctx.answers);
            if let Some(response) = ctx.response.as_mut() {
                response.updated_at = saved_at;
                response.current_page = i32::try_from(target).unwrap_or(0);
                if position.land_code.is_some() {
                    response.land_code = position.land_code;
                }
            }
            return Ok(Some((reply, Some(ctx))));
        }
        Outcome::Missing(page, errors) => render_missing(&ctx, page, &errors, location, csrf)?,
        Outcome::Errors(errors, saved) => render_page(
            &ctx,
            page,
            Values::Posted(&input.raw),
            &errors,
            saved,
            location,
            csrf,
            StatusCode::UNPROCESSABLE_ENTITY,
        )?,
        Outcome::Submit => submit(conn, &ctx, response, location, csrf)?,
        Outcome::Stay => redirect(location),
    };
    Ok(Some((reply, None)))
}

/// Starts the response of a participant or an open-link session (consent given now) at `page`;
/// `true`: started by this call (else a participant's response was there already).
pub(super) fn insert_response(
    conn: &mut PgConnection,
    ctx: &Context,
    page: i32,
) -> Result<(Response, bool), AppError> {
    Ok(match &ctx.who {
        Who::Participant { participant, .. } => {
            responses::start_for_participant(conn, participant, page, Utc::now())?
        }
        Who::Session(Some(hash)) => (
            responses::insert_for_session(conn, ctx.wave.id, hash, ctx.test, page, Utc::now())?,
            true,
        ),
        Who::Session(None) => return Err(AppError::BadRequest),
    })
}

/// The Land an open-link respondent chose, if the `land` question is answered.
pub(super) fn land_answer(answers: &Answers) -> Option<String> {
    answers.values().find_map(|a| match a {
        answers::Answer::Land { code } => Some(code.clone()),
        _ => None,
    })
}

/// Submits when every required question of every shown page is answered; else shows the first gap.
fn submit(
    conn: &mut PgConnection,
    ctx: &Context,
    response: &Response,
    location: &str,
    csrf: &str,
) -> Result<Reply, AppError> {
    let Some((page, errors)) = missing_required(ctx) else {
        if response.reopened_at.is_none() {
            responses::mark_submitted(conn, response, Utc::now())?;
        } else {
            // The change replaces the submitted answers only now, checked like the first time.
            if let (Who::Session(_), Some(land)) = (&ctx.who, land_answer(&ctx.answers)) {
                responses::set_land(conn, response.id, &land)?;
            }
            if !responses::submit_change(conn, response, Utc::now())? {
                return Ok(redirect(&format!("{location}?anderswo")));
            }
        }
        return Ok(redirect(location));
    };
    responses::set_current_page(conn, response.id, i32::try_from(page).unwrap_or(0))?;
    render_missing(ctx, page, &errors, location, csrf)
}

/// The first shown page with an unanswered required question, with an error for each such question
/// on it; `None` when the response may be submitted.
fn missing_required(ctx: &Context) -> Option<(usize, Vec<FieldError>)> {
    let missing = ctx.sheet().missing_required();
    let (page, _) = missing.first()?;
    let page = *page;
    let errors = missing
        .iter()
        .filter(|(p, _)| *p == page)
        .map(|(_, id)| FieldError {
            question_id: id.clone(),
            field: answers::field_name(id),
            message: "Bitte beantworten Sie diese Frage, bevor Sie absenden.".to_owned(),
            missing: true,
        })
        .collect();
    Some((page, errors))
}

/// The page with the required questions that submitting found unanswered.
fn render_missing(
    ctx: &Context,
    page: usize,
    errors: &[FieldError],
    location: &str,
    csrf: &str,
) -> Result<Reply, AppError> {
    render_page(
        ctx,
        page,
        Values::Stored(&ctx.answers),
        errors,
        false,
        location,
        csrf,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
