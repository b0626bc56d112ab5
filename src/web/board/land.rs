//! `/board/land`: which regions of a Land have answered each wave (coordinators for their own
//! Land, admins for any; never what they answered).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

use crate::accounts::Role;
use crate::store::participants;
use crate::survey::LAENDER;
use crate::web::AppState;
use crate::web::admin::Account;
use crate::web::errors::AppError;
use crate::web::extract::StaffUser;
use crate::web::shared::{staff_page, with_db};

#[derive(Template)]
#[template(path = "board/land.html")]
struct LandPage {
    user: String,
    role: String,
    csrf: String,
    land: String,
    choices: Vec<(&'static str, &'static str, bool)>,
    waves: Vec<WaveRegions>,
}

/// A wave's title, its regions of the Land with whether each submitted, and how many did.
type WaveRegions = (String, Vec<(String, bool)>, usize);

/// `GET /board/land`: which regions of a Land answered each wave. Coordinators see their own Land;
/// admins pick one (`?land=DE-TH`); the board has no access (it reads only pooled figures).
pub async fn show_land_status(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let land = match user.role() {
        Role::Coordinator => user.land_code.clone().ok_or(AppError::Forbidden)?,
        Role::Admin => query
            .get("land")
            .and_then(|l| LAENDER.iter().find(|(c, _)| c == l))
            .map_or(LAENDER[0].0, |(c, _)| c)
            .to_owned(),
        Role::Board => return Err(AppError::Forbidden),
    };
    let (account, cookie) = Account::of(&user, &request, &state)?;
    let (l, actor) = (land.clone(), user.actor());
    let rows = with_db(&state, move |conn| {
        actor.audit(conn, "land_status_viewed", &l, "")?;
        Ok(participants::find_region_status(conn, &l)?)
    })
    .await?;
    let mut waves: Vec<WaveRegions> = Vec::new();
    for row in rows {
        match waves.last_mut() {
            Some((wave, regions, done)) if *wave == row.wave => {
                *done += usize::from(row.submitted);
                regions.push((row.region, row.submitted));
            }
            _ => waves.push((
                row.wave,
                vec![(row.region, row.submitted)],
                usize::from(row.submitted),
            )),
        }
    }
    let name = LAENDER
        .iter()
        .find(|(c, _)| *c == land)
        .map_or("", |(_, n)| n);
    let template = LandPage {
        user: account.user,
        role: account.role,
        csrf: account.csrf,
        land: name.to_owned(),
        choices: if user.role() == Role::Admin {
            LAENDER.iter().map(|(c, n)| (*c, *n, *c == land)).collect()
        } else {
            Vec::new()
        },
        waves,
    };
    staff_page(StatusCode::OK, template.render(), cookie)
}
