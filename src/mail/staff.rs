//! Sending the staff mails queued in `staff_mails` (a new account's password link, a forgotten
//! password's link): each claimed with `FOR UPDATE SKIP LOCKED`, its link derived from the key,
//! rendered from `templates/mail/account/` or `password/`, sent, and recorded. A deferral or an
//! unreachable server ends the run; the mail stays queued for the next one.

use chrono::Utc;
use diesel::{Connection, PgConnection};

use super::templates::{StaffMail, StaffValues, render_staff};
use super::{SendFailure, Transport, single_message};
use crate::accounts::Role;
use crate::store::staff_mails::{self, Claimed, MAX_ATTEMPTS, StaffMailKind};
use crate::text::Bilingual;
use crate::tokens::{SecretKey, password_token};

/// What every staff mail needs besides its row.
#[derive(Debug, Clone)]
pub struct StaffContext {
    /// `PUBLIC_URL`, without a trailing slash.
    pub public_url: String,
    /// `MAIL_FROM`.
    pub mail_from: String,
    /// `SURVEY_CONTACT`.
    pub survey_contact: String,
    /// Derives the password links.
    pub key: SecretKey,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffSummary {
    /// Mails sent.
    pub sent: usize,
    /// Mails refused for good.
    pub failed: usize,
    /// Why the run stopped with mails still queued (deferred, or server unreachable), if it did.
    pub stopped: Option<String>,
}

enum Step {
    Idle,
    Sent,
    Failed,
    Stopped(String),
}

/// Sends every queued staff mail, until none is left or the server defers or cannot be reached.
pub fn send_queued(
    conn: &mut PgConnection,
    transport: &Transport,
    context: &StaffContext,
) -> anyhow::Result<StaffSummary> {
    let mut summary = StaffSummary::default();
    loop {
        let step = conn.transaction(|conn| -> anyhow::Result<Step> {
            let Some(claimed) = staff_mails::claim_next(conn)? else {
                return Ok(Step::Idle);
            };
            send_one(conn, transport, context, &claimed)
        })?;
        match step {
            Step::Idle => return Ok(summary),
            Step::Sent => summary.sent += 1,
            Step::Failed => summary.failed += 1,
            Step::Stopped(reason) => {
                summary.stopped = Some(reason);
                return Ok(summary);
            }
        }
    }
}

/// Renders, sends and records one claimed mail, inside the claim's transaction.
fn send_one(
    conn: &mut PgConnection,
    transport: &Transport,
    context: &StaffContext,
    claimed: &Claimed,
) -> anyhow::Result<Step> {
    let token = password_token(&context.key, claimed.password_token_id);
    let role = Role::parse(&claimed.role).unwrap_or(Role::Board);
    let values = StaffValues {
        email: claimed.email.clone(),
        role: match &claimed.land_code {
            Some(land) => format!("{}, {land}", role.german()),
            None => role.german(),
        },
        link: format!("{}/passwort/{token}", context.public_url),
        login: format!("{}/login", context.public_url),
        contact: context.survey_contact.clone(),
    };
    let (kind, name) = match claimed.kind {
        StaffMailKind::Welcome => (StaffMail::Account, "zugang"),
        StaffMailKind::Reset => (StaffMail::Password, "passwort"),
    };
    let mail = render_staff(kind, &values);
    let message = match single_message(&context.mail_from, &claimed.email, &mail) {
        Ok(message) => message,
        Err(error) => {
            staff_mails::mark_attempt(conn, claimed.id, &format!("{error:#}"), true)?;
            return Ok(Step::Failed);
        }
    };
    let file = format!("staff/{}-{name}.eml", claimed.id);
    Ok(match transport.send(&message, &file) {
        Ok(()) => {
            staff_mails::mark_sent(conn, claimed.id, Utc::now())?;
            tracing::info!(
                staff_mail.id = claimed.id,
                user.id = claimed.user_id,
                "staff mail sent"
            );
            Step::Sent
        }
        Err(SendFailure::Permanent(error)) => {
            staff_mails::mark_attempt(conn, claimed.id, &error, true)?;
            tracing::warn!(staff_mail.id = claimed.id, %error, "staff mail refused");
            Step::Failed
        }
        Err(SendFailure::Transient(error)) => {
            let give_up = claimed.attempts + 1 >= MAX_ATTEMPTS;
            staff_mails::mark_attempt(conn, claimed.id, &error, give_up)?;
            if give_up {
                Step::Failed
            } else {
                Step::Stopped(error)
            }
        }
        Err(SendFailure::Unreachable(error)) => {
            staff_mails::mark_attempt(conn, claimed.id, &error, false)?;
            Step::Stopped(error)
        }
    })
}
