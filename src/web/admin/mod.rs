//! `/admin` (admins only): the overview of every wave with its response rate per Land here, and a
//! file per area: waves (`waves.rs`: new wave, the wave page, opening and closing, mailings),
//! wave settings (`settings.rs`) and schedule (`schedule.rs`), participants (`participants.rs`: upload with preview, renew,
//! revoke, reopen), accounts, surveys and the audit log.

pub mod accounts;
pub mod audit;
pub mod mailing;
pub mod participant_list;
pub mod participants;
pub mod schedule;
pub mod settings;
pub mod surveys;
pub mod waves;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::errors::AppError;
use super::extract::StaffUser;
use super::shared::{staff_page, with_db};
use super::{AppState, csrf};
use crate::store::{participants as stored_participants, waves as stored_waves};
use crate::survey::LAENDER;
use crate::text::Bilingual;

/// What every staff page's header shows: the account, its role, and the CSRF token of its forms.
pub(crate) struct Account {
    pub(crate) user: String,
    pub(crate) role: String,
    pub(crate) csrf: String,
}

impl Account {
    /// The header of `user`'s page, and the CSRF cookie to set where the request had none.
    pub(crate) fn of(
        user: &StaffUser,
        request: &HttpRequest,
        state: &AppState,
    ) -> Result<(Account, Option<actix_web::cookie::Cookie<'static>>), AppError> {
        let (csrf, cookie) = csrf::token(request, state.secure_cookies())?;
        let account = Account {
            user: user.email.clone(),
            role: user.role().german(),
            csrf,
        };
        Ok((account, cookie))
    }
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct OverviewPage {
    user: String,
    role: String,
    csrf: String,
    waves: Vec<WaveRates>,
}

struct WaveRates {
    slug: String,
    title: String,
    state: String,
    invited: i64,
    rows: Vec<(String, i64, i64, String)>,
    total: (i64, i64, String),
}

/// `submitted` of `of` in percent, German ("72 %"), or "–" when there is nobody: the response rate
/// of the overview and of a wave's progress.
pub(crate) fn rate(submitted: i64, of: i64) -> String {
    if of == 0 {
        "–".to_owned()
    } else {
        format!(
            "{} %",
            crate::report::german(submitted as f64 * 100.0 / of as f64, 0)
        )
    }
}

/// `GET /admin`: every wave with participants, submissions and the rate per Land.
pub async fn show_overview(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
) -> Result<HttpResponse, AppError> {
    let (account, cookie) = Account::of(&user, &request, &state)?;
    let (summaries, rates) = with_db(&state, |conn| {
        Ok((
            stored_waves::find_summaries(conn)?,
            stored_participants::find_rates_per_land(conn)?,
        ))
    })
    .await?;
    let now = Utc::now();
    let waves = summaries
        .into_iter()
        .map(|s| {
            let rows: Vec<(String, i64, i64, String)> = LAENDER
                .iter()
                .filter_map(|(code, name)| {
                    let r = rates
                        .iter()
                        .find(|r| r.wave_id == s.wave.id && r.land_code == *code)?;
                    Some((
                        (*name).to_owned(),
                        r.participants,
                        r.submitted,
                        rate(r.submitted, r.participants),
                    ))
                })
                .collect();
            WaveRates {
                slug: s.wave.slug.clone(),
                title: s.wave.title.clone(),
                state: s.wave.state(now).german(),
                invited: s.invited,
                total: (
                    s.participants,
                    s.submitted,
                    rate(s.submitted, s.participants),
                ),
                rows,
            }
        })
        .collect();
    let template = OverviewPage {
        user: account.user,
        role: account.role,
        csrf: account.csrf,
        waves,
    };
    staff_page(StatusCode::OK, template.render(), cookie)
}
