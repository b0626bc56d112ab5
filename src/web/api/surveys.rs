//! `/api/v1/surveys`: the stored surveys (`app::surveys`).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::Problem;
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
