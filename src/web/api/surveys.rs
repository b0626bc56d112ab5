//! `/api/v1/surveys`: the stored surveys (`app::surveys`).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::{self, ApiBody};
use super::problem::{FieldProblem, Kind, Problem};
use super::{ApiCaller, run};
use crate::app::surveys;
use crate::web::AppState;

/// A stored survey.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyJson {
    /// Its id (the file's name): what a new wave names as `survey`.
    pub id: String,
    /// The title of its newest version.
    pub title: String,
    /// Versions stored.
    pub versions: i32,
    /// Questions in the newest version.
    pub questions: usize,
    /// When the newest version was loaded.
    pub loaded_at: DateTime<Utc>,
}

/// Every stored survey with its newest version.
#[utoipa::path(get, path = "/api/v1/surveys", summary = "Alle gespeicherten Umfragen mit ihrer neuesten Fassung", tag = "Umfragen",
    responses((status = 200, description = "Alle Umfragen", body = [SurveyJson])))]
pub async fn list_surveys(
    state: web::Data<AppState>,
    caller: ApiCaller,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let list = run(&state, |conn| {
        Ok(surveys::list(conn)
            .map_err(|e| Problem::of(e, None))?
            .into_iter()
            .map(|s| SurveyJson {
                id: s.id,
                title: s.title,
                versions: s.versions,
                questions: s.questions,
                loaded_at: s.loaded_at,
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A stored version of a survey with its definition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyVersionJson {
    /// The survey's id.
    pub id: String,
    /// The version.
    pub version: i32,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
    /// The checked definition in the JSON form of `surveys/README.md` (named scales resolved).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

/// Path parameter: the survey.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(names("survey"))]
pub struct SurveyPath(
    /// The survey's id.
    pub String,
);

/// The newest stored version of a survey, its definition as JSON.
#[utoipa::path(get, path = "/api/v1/surveys/{survey}", summary = "Die neueste Fassung einer Umfrage mit ihrer Definition als JSON", tag = "Umfragen",
    params(SurveyPath),
    responses((status = 200, description = "Die Fassung", body = SurveyVersionJson)))]
pub async fn show_survey(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let id = path.into_inner();
    let version = run(&state, move |conn| {
        let stored = crate::store::surveys::find_latest(conn, &id)?.ok_or_else(|| {
            Problem::new(Kind::NotFound, format!("Es gibt keine Umfrage „{id}“."))
        })?;
        let definition = serde_json::to_value(&stored.survey)
            .map_err(|e| Problem::from(crate::web::errors::AppError::Internal(e.into())))?;
        Ok(SurveyVersionJson {
            id: stored.survey.id.clone(),
            version: stored.version,
            loaded_at: stored.loaded_at,
            definition,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(version))
}

/// Query of a definition sent to check or load.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DefinitionQuery {
    /// The file's name (`herbst-2027.toml`); its ending says TOML or JSON. Default: by the
    /// content type, `definition.json` for `application/json`, else `definition.toml`.
    pub name: Option<String>,
}

/// What checking a definition found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckResult {
    /// No problem: it can be loaded.
    pub valid: bool,
    /// The survey's id, when valid.
    pub id: Option<String>,
    /// Its title, when valid.
    pub title: Option<String>,
    /// Every problem with its line and column (German).
    pub problems: Vec<FieldProblem>,
}

/// A loaded definition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Loaded {
    /// The survey's id.
    pub id: String,
    /// Its version now.
    pub version: i32,
    /// A new version was stored (`false`: the same content was there already).
    pub stored: bool,
}

/// The file's name and its bytes as `app::surveys` checks them.
fn definition(body: ApiBody, query: &DefinitionQuery) -> (String, Vec<u8>) {
    let name = query.name.clone().unwrap_or_else(|| {
        if body::is_json(&body.media_type) {
            "definition.json".to_owned()
        } else {
            "definition.toml".to_owned()
        }
    });
    (name, body.bytes)
}

/// Every problem of a definition, at its line and column.
fn problems(diagnostics: &[crate::survey::Diagnostic]) -> Vec<FieldProblem> {
    diagnostics
        .iter()
        .map(|d| FieldProblem {
            pointer: format!("{}:{}:{}", d.file, d.line, d.column),
            detail: d.german.clone(),
            line: Some(d.line),
            column: Some(d.column),
        })
        .collect()
}

/// Checks a definition (TOML or JSON, as in `surveys/`) like `survey check`; stores nothing.
#[utoipa::path(post, path = "/api/v1/surveys/check", summary = "Eine Umfragedefinition prüfen (TOML oder JSON); nichts wird gespeichert", tag = "Umfragen",
    params(DefinitionQuery),
    request_body(description = "Die Definition als Text", content((String = "application/toml"), (String = "application/json"))),
    responses((status = 200, description = "Das Ergebnis der Prüfung", body = CheckResult)))]
pub async fn check_survey(
    caller: ApiCaller,
    query: web::Query<DefinitionQuery>,
    body: ApiBody,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let (name, bytes) = definition(body, &query);
    let result = match surveys::check_upload(&name, &bytes) {
        Ok(file) => CheckResult {
            valid: true,
            id: Some(file.survey.id),
            title: Some(file.survey.title),
            problems: Vec::new(),
        },
        Err(diagnostics) => CheckResult {
            valid: false,
            id: None,
            title: None,
            problems: problems(&diagnostics),
        },
    };
    Ok(HttpResponse::Ok().json(result))
}

/// Checks and stores a definition like `survey load` (an unchanged one stores no new version).
#[utoipa::path(post, path = "/api/v1/surveys", summary = "Eine Umfragedefinition prüfen und speichern (eine neue Fassung, wenn sie sich geändert hat)", tag = "Umfragen",
    params(DefinitionQuery),
    request_body(description = "Die Definition als Text", content((String = "application/toml"), (String = "application/json"))),
    responses((status = 201, description = "Gespeichert", body = Loaded)))]
pub async fn load_survey(
    state: web::Data<AppState>,
    caller: ApiCaller,
    query: web::Query<DefinitionQuery>,
    body: ApiBody,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let (name, bytes) = definition(body, &query);
    let file = surveys::check_upload(&name, &bytes).map_err(|diagnostics| {
        Problem::new(
            Kind::Refused,
            format!(
                "Die Definition hat {}; nichts wurde gespeichert.",
                crate::app::plural(diagnostics.len(), "Problem", "Probleme")
            ),
        )
        .with_errors(problems(&diagnostics))
    })?;
    let actor = caller.actor();
    let id = file.survey.id.clone();
    let outcome = run(&state, move |conn| {
        let mut outcomes = surveys::load(conn, &actor, std::slice::from_ref(&file))
            .map_err(|e| Problem::of(e, None))?;
        Ok(outcomes.pop())
    })
    .await?;
    let (version, stored) = match outcome {
        Some(crate::store::surveys::LoadOutcome::Stored { version }) => (version, true),
        Some(crate::store::surveys::LoadOutcome::Unchanged { version }) => (version, false),
        None => (0, false),
    };
    Ok(HttpResponse::Created().json(Loaded {
        id,
        version,
        stored,
    }))
}
