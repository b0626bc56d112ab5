//! `/api/v1/waves/{wave}/mailings/{kind}`: the preview of a mailing (who would get a mail, per
//! Land, who not and why), then its start confirmed with the previewed count — the same two steps
//! as the staff page, through `app::mailing`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::ApiJson;
use super::problem::{Kind, Problem};
use super::{ApiCaller, run};
use crate::app::mailing::{self, MailingError};
use crate::mail::templates::MailKind;
use crate::text::Bilingual;
use crate::web::AppState;

/// What a mailing would do now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailingPreview {
    /// The wave.
    pub wave: String,
    /// `invitations` or `reminders`.
    pub kind: String,
    /// How many mails would go out: send this number as `confirmed` to start.
    pub count: usize,
    /// Per Land.
    pub per_land: Vec<LandCount>,
    /// Who would get none, per reason.
    pub skipped: Vec<SkipCount>,
}

/// Mails to one Land.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LandCount {
    /// Land code.
    pub land_code: String,
    /// Its name.
    pub land: String,
    /// Mails.
    pub count: usize,
}

/// Participants left out for one reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkipCount {
    /// The reason, in German.
    pub reason: String,
    /// How many.
    pub count: usize,
}

/// The confirmation of a previewed mailing.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailingStart {
    /// The `count` of the preview; if it no longer holds, nothing is sent (409).
    pub confirmed: usize,
}

/// A started mailing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailingStarted {
    /// The wave.
    pub wave: String,
    /// `invitations` or `reminders`.
    pub kind: String,
    /// Mails queued; the outbox sends them in the background.
    pub queued: usize,
}

/// Path parameters: the wave and the kind of mailing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(names("wave", "kind"))]
pub struct MailingPath(
    /// The wave's slug.
    pub String,
    /// `invitations` or `reminders`.
    pub String,
);

fn kind_of(word: &str) -> Result<MailKind, Problem> {
    match word {
        "invitations" => Ok(MailKind::Invitation),
        "reminders" => Ok(MailKind::Reminder),
        other => Err(Problem::new(
            Kind::NotFound,
            format!("„{other}“ ist keine Art von Versand; es gibt „invitations“ und „reminders“."),
        )),
    }
}

fn problem(error: MailingError) -> Problem {
    match error {
        MailingError::Wave(wave) => super::waves::problem(wave),
        changed @ MailingError::Changed { .. } => {
            Problem::new(Kind::Conflict, changed.german()).at("/confirmed")
        }
        other => Problem::of(other, None),
    }
}

/// Who would get an invitation or a reminder now, per Land, and who not and why. Nothing is sent.
#[utoipa::path(get, path = "/api/v1/waves/{wave}/mailings/{kind}", summary = "Vorschau eines Versands: wer eine Einladung oder Erinnerung bekäme, je Land, und wer nicht und warum", tag = "Versand",
    params(MailingPath),
    responses((status = 200, description = "Die Vorschau", body = MailingPreview)))]
pub async fn preview_mailing(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let (slug, word) = path.into_inner();
    let kind = kind_of(&word)?;
    let preview = run(&state, move |conn| {
        let plan = mailing::plan(conn, &slug, kind).map_err(problem)?;
        Ok(MailingPreview {
            wave: plan.wave.slug.clone(),
            kind: word.clone(),
            count: plan.recipients.len(),
            per_land: plan
                .per_land()
                .into_iter()
                .map(|(code, name, count)| LandCount {
                    land_code: code.to_owned(),
                    land: name.to_owned(),
                    count,
                })
                .collect(),
            skipped: plan
                .skip_counts()
                .into_iter()
                .map(|(skip, count)| SkipCount {
                    reason: skip.german(),
                    count,
                })
                .collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(preview))
}

/// Starts the previewed mailing: queues the mails if the preview's count still holds (a second
/// call queues nothing more) and has the outbox send them in the background.
#[utoipa::path(post, path = "/api/v1/waves/{wave}/mailings/{kind}", summary = "Den Versand starten, bestätigt mit der Zahl der Vorschau", tag = "Versand",
    params(MailingPath), request_body = MailingStart,
    responses((status = 202, description = "Eingereiht; der Versand läuft im Hintergrund", body = MailingStarted)))]
pub async fn start_mailing(
    state: web::Data<AppState>,
    caller: ApiCaller,
    path: web::Path<(String, String)>,
    body: ApiJson<MailingStart>,
) -> Result<HttpResponse, Problem> {
    caller.require_admin()?;
    let (slug, word) = path.into_inner();
    let kind = kind_of(&word)?;
    let (actor, confirmed) = (caller.actor(), body.0.confirmed);
    let queued = run(&state, move |conn| {
        mailing::queue(conn, &actor, &slug, kind, confirmed).map_err(problem)
    })
    .await?;
    let started = MailingStarted {
        wave: queued.wave.slug.clone(),
        kind: word,
        queued: queued.queued,
    };
    crate::web::admin::mailing::send_in_background(&state, queued.wave, kind)?;
    Ok(HttpResponse::Accepted().json(started))
}
