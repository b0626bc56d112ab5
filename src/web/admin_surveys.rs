//! `/admin/umfragen` (admins): the stored surveys, and uploading a definition file: the checker's
//! problems with file, line and column, or the file stored as a new version (an unchanged file
//! stores nothing). Nothing is stored from a file with problems.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::admin::staff_page;
use super::errors::AppError;
use super::respondent::with_db;
use super::staff::staff_of;
use super::{AppState, csrf, upload};
use crate::commands::surveys::{CheckedFile, store_files};
use crate::store::surveys::{self as stored, LoadOutcome, SurveySummary};
use crate::store::users;
use crate::survey::{self, Format};

/// Largest definition file accepted (the checker's own limit).
const MAX_FILE_BYTES: usize = 1024 * 1024;

#[derive(Template)]
#[template(path = "admin/surveys.html")]
struct SurveysPage<'a> {
    user: &'a str,
    role: &'static str,
    csrf: &'a str,
    surveys: Vec<SurveySummary>,
    file: &'a str,
    problems: Vec<String>,
    message: Option<String>,
}

/// `GET /admin/umfragen`.
pub async fn show_surveys(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, AppError> {
    render(&state, &request, "", Vec::new(), None, StatusCode::OK).await
}

async fn render(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    file: &str,
    problems: Vec<String>,
    message: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(request)?;
    let (token, cookie) = csrf::token(request, state.secure_cookies())?;
    let surveys = with_db(state, |conn| Ok(stored::find_summaries(conn)?)).await?;
    let page = SurveysPage {
        user: &user.email,
        role: user.role().label(),
        csrf: &token,
        surveys,
        file,
        problems,
        message,
    };
    staff_page(status, page.render(), cookie)
}

/// `POST /admin/umfragen`: checks an uploaded definition and, with "laden", stores it.
pub async fn upload_survey(
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let user = staff_of(&request)?;
    let upload = upload::read(payload, "datei", MAX_FILE_BYTES).await?;
    csrf::verify(&request, upload.field("csrf"))?;
    let name = upload.file_name.clone();
    if name.is_empty() || upload.file.is_empty() {
        let problem = "Bitte wählen Sie eine Datei (.toml oder .json) aus.".to_owned();
        return render(
            &state,
            &request,
            "",
            vec![problem],
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let parsed = survey::parse_definition(&name, &upload.file, Format::from_file_name(&name));
    let survey = match parsed {
        Ok(survey) => survey,
        Err(problems) => {
            let problems = problems.iter().map(ToString::to_string).collect();
            return render(
                &state,
                &request,
                &name,
                problems,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if upload.field("aktion") != "laden" {
        let message = format!(
            "{name}: keine Probleme gefunden (Umfrage „{}“). Noch nichts gespeichert.",
            survey.id
        );
        return render(
            &state,
            &request,
            &name,
            Vec::new(),
            Some(message),
            StatusCode::OK,
        )
        .await;
    }
    let text = String::from_utf8_lossy(&upload.file).into_owned();
    let id = survey.id.clone();
    let file = CheckedFile {
        name: name.clone(),
        text,
        survey,
    };
    let outcome = with_db(&state, move |conn| {
        let outcome = store_files(conn, std::slice::from_ref(&file))
            .map_err(AppError::Internal)?
            .into_iter()
            .next();
        let details = match &outcome {
            Some(LoadOutcome::Stored { version }) => format!("Version {version}"),
            _ => "unverändert".to_owned(),
        };
        users::audit(
            conn,
            Some(user.id),
            &user.email,
            "survey_loaded",
            &file.name,
            &details,
        )?;
        Ok(outcome)
    })
    .await?;
    let message = match outcome {
        Some(LoadOutcome::Stored { version }) => {
            format!("{name}: als Version {version} der Umfrage „{id}“ gespeichert.")
        }
        Some(LoadOutcome::Unchanged { version }) => format!(
            "{name}: unverändert gegenüber Version {version} der Umfrage „{id}“; nichts Neues gespeichert."
        ),
        None => format!("{name}: nichts gespeichert."),
    };
    render(
        &state,
        &request,
        &name,
        Vec::new(),
        Some(message),
        StatusCode::OK,
    )
    .await
}
