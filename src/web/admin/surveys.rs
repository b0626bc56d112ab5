//! `/admin/umfragen` (admins): the stored surveys, and uploading a definition file: the checker's
//! problems with file, line and column, or the file stored as a new version (an unchanged file
//! stores nothing). Nothing is stored from a file with problems.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::Account;
use crate::app::surveys;
use crate::store::surveys::{LoadOutcome, SurveySummary};
use crate::survey::MAX_DEFINITION_BYTES;
use crate::survey::Survey;
use crate::survey::texts::WaveTexts;
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfUpload, StaffUser};
use crate::web::respondent::one_form::preview_body;
use crate::web::respondent::view::paragraphs;
use crate::web::shared::{staff_page, with_db};

#[derive(Template)]
#[template(path = "admin/surveys.html")]
struct SurveysPage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    surveys: Vec<SurveySummary>,
    file: &'a str,
    problems: Vec<String>,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/preview.html")]
struct PreviewPage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    survey_title: &'a str,
    /// Which definition: "von Version 2 der Umfrage „x“" or "der Datei x.toml (nicht gespeichert)".
    source: String,
    intro: Vec<String>,
    /// The questionnaire's body, rendered by the one-form questionnaire's templates.
    body: String,
}

/// The preview page of `survey`.
fn render_preview(
    state: &AppState,
    request: &HttpRequest,
    user: &StaffUser,
    survey: &Survey,
    source: String,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(user, request, state)?;
    // Without a wave, the placeholders show what they will stand for ("[Ende der Welle]").
    let stand_ins = WaveTexts::stand_ins(&state.settings.survey_contact);
    let filled = stand_ins.apply(survey);
    let survey = filled.as_ref().unwrap_or(survey);
    let body = preview_body(survey).map_err(|e| AppError::Internal(e.into()))?;
    let page = PreviewPage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        survey_title: &survey.title,
        source,
        intro: survey.intro.as_deref().map(paragraphs).unwrap_or_default(),
        body,
    };
    staff_page(StatusCode::OK, page.render(), cookie)
}

/// `GET /admin/umfragen/{survey}/{version}`: a stored version as respondents see it.
pub async fn show_preview(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (id, version) = path.into_inner();
    let wanted = id.clone();
    let survey = with_db(&state, move |conn| {
        match refusal(surveys::find_version(conn, &wanted, version))? {
            Ok(survey) => Ok(survey),
            Err(_) => Err(AppError::NotFound),
        }
    })
    .await?;
    let source = format!("von Version {version} der Umfrage „{id}“");
    render_preview(&state, &request, &user, &survey, source)
}

/// `GET /admin/umfragen`.
pub async fn show_surveys(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
) -> Result<HttpResponse, AppError> {
    let page = Outcome::default();
    render(&state, &request, &user, page, StatusCode::OK).await
}

/// What the page says after an upload.
#[derive(Debug, Default)]
struct Outcome {
    file: String,
    problems: Vec<String>,
    message: Option<String>,
}

async fn render(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    outcome: Outcome,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(user, request, state)?;
    let surveys = with_db(state, |conn| {
        surveys::list(conn).map_err(AppError::unexpected)
    })
    .await?;
    let page = SurveysPage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        surveys,
        file: &outcome.file,
        problems: outcome.problems,
        message: outcome.message,
    };
    staff_page(status, page.render(), cookie)
}

/// `POST /admin/umfragen`: checks an uploaded definition and, with "laden", stores it.
pub async fn upload_survey(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    upload: CsrfUpload<MAX_DEFINITION_BYTES>,
) -> Result<HttpResponse, AppError> {
    let upload = upload.0;
    let name = upload.file_name.clone();
    if upload.oversized {
        let outcome = Outcome {
            file: name,
            problems: vec![format!(
                "Die Datei ist größer als {} MB und wurde nicht gelesen; eine Umfragedefinition ist meist nur wenige KB groß. Nichts wurde gespeichert.",
                MAX_DEFINITION_BYTES / 1024 / 1024
            )],
            message: None,
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &request, &user, outcome, status).await;
    }
    if name.is_empty() || upload.file.is_empty() {
        let outcome = Outcome {
            problems: vec!["Bitte wählen Sie eine Datei (.toml oder .json) aus.".to_owned()],
            ..Outcome::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(&state, &request, &user, outcome, status).await;
    }
    let file = match surveys::check_upload(&name, &upload.file) {
        Ok(file) => file,
        Err(problems) => {
            let outcome = Outcome {
                file: name,
                problems: problems.iter().map(Bilingual::german).collect(),
                message: None,
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&state, &request, &user, outcome, status).await;
        }
    };
    if upload.field("aktion") == "vorschau" {
        let source = format!("der Datei {name} (nicht gespeichert)");
        return render_preview(&state, &request, &user, &file.survey, source);
    }
    let id = file.survey.id.clone();
    let message = if upload.field("aktion") != "laden" {
        format!("{name}: keine Probleme gefunden (Umfrage „{id}“). Noch nichts gespeichert.")
    } else {
        let actor = user.actor();
        let outcome = with_db(&state, move |conn| {
            surveys::load(conn, &actor, std::slice::from_ref(&file)).map_err(AppError::unexpected)
        })
        .await?;
        match outcome.first() {
            Some(LoadOutcome::Stored { version }) => {
                format!("{name}: als Version {version} der Umfrage „{id}“ gespeichert.")
            }
            Some(LoadOutcome::Unchanged { version }) => format!(
                "{name}: unverändert gegenüber Version {version} der Umfrage „{id}“; nichts Neues gespeichert."
            ),
            None => format!("{name}: nichts gespeichert."),
        }
    };
    let outcome = Outcome {
        file: name,
        problems: Vec::new(),
        message: Some(message),
    };
    render(&state, &request, &user, outcome, StatusCode::OK).await
}
