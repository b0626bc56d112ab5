//! `/admin/wellen/{wave}/einladungen` and `…/erinnerungen` (admins): what a mailing would do (how
//! many mails, per Land, who is skipped and why), and only after "Jetzt senden" the mails queued by
//! `app::mailing` and sent by the outbox workers on a background thread while the wave's page
//! shows the progress.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::Account;
use crate::app::mailing::{self, MailingError, Plan, SendSettings};
use crate::app::waves::WaveError;
use crate::mail::templates::MailKind;
use crate::text::Bilingual;
use crate::web::AppState;
use crate::web::errors::{AppError, refusal};
use crate::web::extract::{CsrfForm, StaffUser};
use crate::web::shared::{see_other, staff_page, with_db};

#[derive(Template)]
#[template(path = "admin/mailing.html")]
struct MailingPage<'a> {
    user: &'a str,
    role: &'a str,
    csrf: &'a str,
    heading: &'static str,
    slug: &'a str,
    title: &'a str,
    action: &'a str,
    error: Option<String>,
    count: usize,
    count_text: String,
    none_text: &'static str,
    per_land: Vec<(&'static str, usize)>,
    skipped: Vec<(String, usize)>,
}

/// The path's mail kind: `einladungen` or `erinnerungen`.
fn kind_of(request: &HttpRequest) -> MailKind {
    if request.path().ends_with("/erinnerungen") {
        MailKind::Reminder
    } else {
        MailKind::Invitation
    }
}

/// "12 Einladungen gehen hinaus" and the like.
fn count_text(kind: MailKind, n: usize) -> String {
    let noun = match (kind, n) {
        (MailKind::Invitation, 1) => "Einladung geht",
        (MailKind::Invitation, _) => "Einladungen gehen",
        (MailKind::Reminder, 1) => "Erinnerung geht",
        (MailKind::Reminder, _) => "Erinnerungen gehen",
    };
    format!("{n} {noun} hinaus")
}

async fn render(
    state: &web::Data<AppState>,
    request: &HttpRequest,
    user: &StaffUser,
    slug: String,
    error: Option<(String, StatusCode)>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(request);
    let (account, cookie) = Account::of(user, request, state)?;
    let wave_slug = slug.clone();
    let plan = with_db(state, move |conn| {
        refusal(mailing::plan(conn, &wave_slug, kind))
    })
    .await?;
    let heading = match kind {
        MailKind::Invitation => "Einladungen senden",
        MailKind::Reminder => "Erinnerungen senden",
    };
    let none_text = match kind {
        MailKind::Invitation => "eine Einladung",
        MailKind::Reminder => "eine Erinnerung",
    };
    let (plan, error) = match (plan, error) {
        (Ok(plan), error) => (Some(plan), error),
        (Err(MailingError::Wave(WaveError::NoSuchWave { .. })), _) => {
            return Err(AppError::NotFound);
        }
        (Err(refused), _) => (
            None,
            Some((refused.german(), StatusCode::UNPROCESSABLE_ENTITY)),
        ),
    };
    let title = plan
        .as_ref()
        .map_or(slug.clone(), |p: &Plan| p.wave.title.clone());
    let count = plan.as_ref().map_or(0, |p| p.recipients.len());
    let page = MailingPage {
        user: &account.user,
        role: &account.role,
        csrf: &account.csrf,
        heading,
        slug: &slug,
        title: &title,
        action: request.path(),
        error: error.as_ref().map(|(text, _)| text.clone()),
        count,
        count_text: count_text(kind, count),
        none_text,
        per_land: plan.as_ref().map_or_else(Vec::new, |p| {
            p.per_land()
                .into_iter()
                .map(|(_, name, n)| (name, n))
                .collect()
        }),
        skipped: plan.as_ref().map_or_else(Vec::new, |p| {
            p.skip_counts()
                .into_iter()
                .map(|(skip, n)| (skip.german(), n))
                .collect()
        }),
    };
    let status = error.map_or(StatusCode::OK, |(_, status)| status);
    staff_page(status, page.render(), cookie)
}

/// `GET /admin/wellen/{wave}/einladungen` (or `…/erinnerungen`): what would be sent, to be
/// confirmed.
pub async fn show_mailing(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    render(&state, &request, &user, path.into_inner(), None).await
}

/// The confirmation: how many mails the preview showed.
#[derive(Debug, serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    anzahl: String,
}

/// `POST /admin/wellen/{wave}/einladungen` (or `…/erinnerungen`): "Jetzt senden". Queues the
/// mails if the preview still holds (a second post queues nothing more), has the outbox workers
/// send them in the background, and goes back to the wave's page, which says what was queued.
pub async fn start_mailing(
    state: web::Data<AppState>,
    request: HttpRequest,
    user: StaffUser,
    path: web::Path<String>,
    form: CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&request);
    let slug = path.into_inner();
    let Ok(confirmed) = form.into_inner().anzahl.trim().parse::<usize>() else {
        // Not from the confirmation page: show it.
        return render(&state, &request, &user, slug, None).await;
    };
    let (actor, wave_slug) = (user.actor(), slug.clone());
    let queued = with_db(&state, move |conn| {
        refusal(mailing::queue(conn, &actor, &wave_slug, kind, confirmed))
    })
    .await?;
    let queued = match queued {
        Ok(queued) => queued,
        Err(MailingError::Wave(WaveError::NoSuchWave { .. })) => return Err(AppError::NotFound),
        Err(error) => {
            let status = match error {
                MailingError::Changed { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let error = Some((error.german(), status));
            return render(&state, &request, &user, slug, error).await;
        }
    };
    let count = queued.queued;
    send_in_background(&state, queued.wave, kind)?;
    let what = match kind {
        MailKind::Invitation => "einladungen",
        MailKind::Reminder => "erinnerungen",
    };
    Ok(see_other(format!(
        "/admin/wellen/{slug}?versandt={what}&anzahl={count}"
    )))
}

/// Has the outbox workers send a wave's queued mails on a thread of their own (the pages and the
/// API return at once; the wave's page shows how far they got).
pub(crate) fn send_in_background(
    state: &AppState,
    wave: crate::store::waves::Wave,
    kind: MailKind,
) -> Result<(), AppError> {
    let settings = state.settings.clone();
    let url = crate::store::database_url(&settings).map_err(|e| AppError::Internal(e.into()))?;
    std::thread::Builder::new()
        .name(format!("mailing-{}", wave.id))
        .spawn(move || {
            let wave_id = wave.id;
            match mailing::send(&settings, &url, wave, kind, &SendSettings::default()) {
                Ok(sent) => tracing::info!(
                    wave.id = wave_id,
                    kind = kind.as_str(),
                    sent = sent.run.sent,
                    failed = sent.run.failed,
                    queued = sent.counts.queued,
                    stopped = sent.run.stopped.is_some(),
                    "mailing run finished"
                ),
                Err(error) => tracing::error!(
                    wave.id = wave_id,
                    kind = kind.as_str(),
                    error = %error.english(),
                    "mailing run failed"
                ),
            }
        })
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}
