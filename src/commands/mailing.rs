//! `invite` and `remind`: queue a wave's mails in the outbox, then send what is queued.

use std::time::Duration;

use anyhow::bail;
use chrono::Utc;
use diesel::PgConnection;

use super::waves::find_wave;
use crate::config::Settings;
use crate::mail::Transport;
use crate::mail::sender::{self, MailContext, SendOptions};
use crate::mail::templates::MailKind;
use crate::store::outbox;
use crate::store::participants;
use crate::store::waves::{Wave, WaveState};

/// Attempts after which a mail the server keeps deferring is given up.
const MAX_ATTEMPTS: i32 = 5;

/// Command-line choices of a mailing run.
#[derive(Debug, Clone, Default)]
pub struct MailingOptions {
    /// Show what would be sent; send and store nothing.
    pub dry_run: bool,
    /// Mails per second (overrides `MAIL_RATE`).
    pub rate: Option<f64>,
    /// SMTP connections at once (overrides `MAIL_CONNECTIONS`).
    pub connections: Option<u32>,
}

/// `invite --wave W`: an invitation for every participant who has none, then sends the queue.
pub fn invite(
    conn: &mut PgConnection,
    url: &str,
    settings: &Settings,
    slug: &str,
    options: &MailingOptions,
) -> anyhow::Result<()> {
    let wave = find_wave(conn, slug)?;
    match wave.state(Utc::now()) {
        WaveState::Closed => bail!(
            "wave `{slug}` is closed: its links would only show that; open it again or create a new wave"
        ),
        WaveState::Draft => eprintln!(
            "note: wave `{slug}` is not open yet; its links show a \"not yet open\" page until it opens"
        ),
        WaveState::Open => {}
    }
    if options.dry_run {
        let ids = outbox::invitation_candidates(conn, wave.id)?;
        return print_dry_run(conn, &wave, &ids, "invitation");
    }
    let queued = outbox::queue_invitations(conn, wave.id)?;
    println!("Queued {queued} new invitations for wave `{slug}`.");
    send(conn, url, settings, wave, MailKind::Invitation, options)
}

/// `remind --wave W`: a reminder for those invited who have not submitted or opted out, within the
/// wave's policy (at most N reminders, at least D days after the last mail), then sends the queue.
pub fn remind(
    conn: &mut PgConnection,
    url: &str,
    settings: &Settings,
    slug: &str,
    options: &MailingOptions,
) -> anyhow::Result<()> {
    let wave = find_wave(conn, slug)?;
    let now = Utc::now();
    if wave.state(now) != WaveState::Open {
        bail!(
            "wave `{slug}` is {}: reminders go out only while a wave is open",
            wave.state(now).as_str()
        );
    }
    let (max, days) = (wave.reminders_max, wave.reminder_interval_days);
    if options.dry_run {
        let ids = outbox::reminder_candidates(conn, wave.id, max, days, now)?;
        return print_dry_run(conn, &wave, &ids, "reminder");
    }
    let queued = outbox::queue_reminders(conn, wave.id, max, days, now)?;
    println!(
        "Queued {queued} reminders for wave `{slug}` (policy: at most {max}, at least {days} days after the last mail)."
    );
    send(conn, url, settings, wave, MailKind::Reminder, options)
}

fn print_dry_run(
    conn: &mut PgConnection,
    wave: &Wave,
    ids: &[i64],
    what: &str,
) -> anyhow::Result<()> {
    let listings = participants::find_by_wave(conn, wave.id)?;
    println!(
        "Would send {} {what}s for wave `{}` (dry run: nothing is sent or stored):",
        ids.len(),
        wave.slug
    );
    for listing in listings.iter().filter(|l| ids.contains(&l.participant.id)) {
        println!(
            "  {} ({}) <{}>",
            listing.region,
            listing.participant.land_code,
            listing.email.as_deref().unwrap_or("?")
        );
    }
    Ok(())
}

fn send(
    conn: &mut PgConnection,
    url: &str,
    settings: &Settings,
    wave: Wave,
    kind: MailKind,
    options: &MailingOptions,
) -> anyhow::Result<()> {
    let connections = options
        .connections
        .unwrap_or(settings.mail_connections)
        .clamp(1, 64);
    let transport = Transport::new(
        settings.smtp_url.as_deref(),
        connections,
        &settings.var_dir.join("outbox"),
    )?;
    if let Transport::Files(dir) = &transport {
        println!(
            "No SMTP_URL: writing the mails to {}/{}/ as .eml files.",
            dir.display(),
            wave.slug
        );
    }
    let context = MailContext {
        public_url: settings.public_url.clone(),
        mail_from: settings.mail_from.clone(),
        survey_contact: settings.survey_contact.clone(),
        key: settings.secret_key()?,
        wave,
    };
    let send_options = SendOptions {
        kind,
        connections,
        rate: options.rate.or(settings.mail_rate),
        retry_base: Duration::from_secs_f64(settings.mail_retry_seconds),
        max_attempts: MAX_ATTEMPTS,
        progress: true,
    };
    let summary = sender::send_queued(url, &transport, &context, &send_options)?;
    let counts = outbox::counts(conn, context.wave.id, kind)?;
    println!(
        "{}s: {} sent, {} failed, {} skipped in this run; {} sent, {} failed, {} still queued in all.",
        kind.as_str(),
        summary.sent,
        summary.failed,
        summary.skipped,
        counts.sent,
        counts.failed,
        counts.queued
    );
    if counts.failed > 0 {
        println!(
            "The failed mails and the server's answers: `mint-survey participants list --wave {}`.",
            context.wave.slug
        );
    }
    if let Some(reason) = summary.stopped {
        bail!(
            "the mail server could not be reached ({reason}); {} mails remain queued: run the command again to send them",
            counts.queued
        );
    }
    Ok(())
}
