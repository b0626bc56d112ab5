//! `/board/ruecklauf/{wave}` (every staff role): a wave's progress while it runs, counts per Land
//! (invited, opened, begun, submitted, opted out, undeliverable) and a chart of submissions per
//! day with the mailing days marked (`…/verlauf.svg`). Counts only, no addresses.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, Utc};

use crate::app::progress::{self, WaveProgress};
use crate::report::timeline::{self, Timeline};
use crate::store::participants::Progress;
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::admin::Account;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::StaffUser;
use crate::web::shared::{staff_page, with_db};

#[derive(Template)]
#[template(path = "board/progress.html")]
struct ProgressPage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    admin: bool,
    slug: &'a str,
    title: &'a str,
    state: String,
    per_land: Vec<(&'static str, Progress)>,
    total: Progress,
    days: Vec<(NaiveDate, i64)>,
    rounds: Vec<(NaiveDate, String, i64)>,
}

/// The response rate of a row, in German (see [`crate::web::admin::rate`]).
pub fn rate(progress: &Progress) -> String {
    crate::web::admin::rate(progress.submitted, progress.participants)
}

async fn load(state: &web::Data<AppState>, slug: String) -> Result<WaveProgress, AppError> {
    with_db(state, move |conn| {
        match refusal(progress::progress(conn, &slug))? {
            Ok(progress) => Ok(progress),
            Err(_) => Err(AppError::NotFound),
        }
    })
    .await
}

/// `GET /board/ruecklauf/{wave}`.
pub async fn show_progress(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let progress = load(&state, path.into_inner()).await?;
    let (account, cookie) = Account::of(&user, &request, &state)?;
    let page = ProgressPage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        admin: user.role().administers(),
        slug: &progress.wave.slug,
        title: &progress.wave.title,
        state: progress.wave.state(Utc::now()).german(),
        per_land: progress.per_land.clone(),
        total: progress.total.clone(),
        days: progress.days.clone(),
        rounds: progress.rounds.clone(),
    };
    staff_page(StatusCode::OK, page.render(), cookie)
}

/// `GET /board/ruecklauf/{wave}/verlauf.svg`: the chart of submissions per day.
pub async fn show_chart(
    state: web::Data<AppState>,
    _user: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let progress = load(&state, path.into_inner()).await?;
    let timeline = Timeline {
        title: format!("{}: abgeschickte Antworten je Tag", progress.wave.title),
        days: progress.days.clone(),
        marks: progress
            .rounds
            .iter()
            .map(|(day, name, _)| (*day, name.clone()))
            .collect(),
        until: progress.until(),
    };
    let svg = timeline::svg(&timeline).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "no-store"))
        .body(svg))
}
