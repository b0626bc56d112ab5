//! `invite` and `remind`: queue a wave's mails in the outbox (`app::mailing`), then send what is
//! queued, printing what happened.

use anyhow::bail;
use diesel::PgConnection;

use crate::app::Actor;
use crate::app::mailing::{self, SendSettings};
use crate::config::Settings;
use crate::mail::templates::MailKind;

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

/// `invite --wave W` and `remind --wave W`: queues the mails, then sends the queue.
pub fn run(
    conn: &mut PgConnection,
    url: &str,
    settings: &Settings,
    slug: &str,
    kind: MailKind,
    options: &MailingOptions,
) -> anyhow::Result<()> {
    let what = match kind {
        MailKind::Invitation => "invitation",
        MailKind::Reminder => "reminder",
    };
    if options.dry_run {
        let plan = mailing::plan(conn, slug, kind)?;
        println!(
            "Would send {} {what}s for wave `{}` (dry run: nothing is sent or stored):",
            plan.recipients.len(),
            plan.wave.slug
        );
        for listing in &plan.recipients {
            println!(
                "  {} ({}) <{}>",
                listing.region,
                listing.participant.land_code,
                listing.email.as_deref().unwrap_or("?")
            );
        }
        return Ok(());
    }
    let queued = mailing::queue(conn, &Actor::command_line(), slug, kind)?;
    if queued.draft() {
        eprintln!(
            "note: wave `{slug}` is not open yet; its links show a \"not yet open\" page until it opens"
        );
    }
    let wave = queued.wave.clone();
    match kind {
        MailKind::Invitation => println!(
            "Queued {} new invitations for wave `{slug}`.",
            queued.queued
        ),
        MailKind::Reminder => println!(
            "Queued {} reminders for wave `{slug}` (policy: at most {}, at least {} days after the last mail).",
            queued.queued, wave.reminders_max, wave.reminder_interval_days
        ),
    }
    if settings.smtp_url.is_none() {
        println!(
            "No SMTP_URL: writing the mails to {}/{}/ as .eml files.",
            settings.var_dir.join("outbox").display(),
            wave.slug
        );
    }
    let send = SendSettings {
        rate: options.rate,
        connections: options.connections,
        progress: true,
    };
    let sent = mailing::send(settings, url, wave, kind, &send)?;
    println!(
        "{what}s: {} sent, {} failed, {} skipped in this run; {} sent, {} failed, {} still queued in all.",
        sent.run.sent,
        sent.run.failed,
        sent.run.skipped,
        sent.counts.sent,
        sent.counts.failed,
        sent.counts.queued
    );
    if sent.counts.failed > 0 {
        println!(
            "The failed mails and the server's answers: `mint-survey participants list --wave {slug}`."
        );
    }
    if let Some(reason) = sent.run.stopped {
        bail!(
            "the mail server could not be reached ({reason}); {} mails remain queued: run the command again to send them",
            sent.counts.queued
        );
    }
    Ok(())
}
