//! `invite` and `remind`: what would be sent (counts per Land, who is skipped and why), a question
//! on a terminal (or `--yes`), then the mails queued in the outbox (`app::mailing`) and sent.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;
use diesel::PgConnection;

use super::Unconfirmed;
use crate::app::Actor;
use crate::app::mailing::{self, Plan, SendSettings};
use crate::config::Settings;
use crate::mail::templates::MailKind;
use crate::text::Bilingual;

/// Command-line choices of a mailing run.
#[derive(Debug, Clone, Default)]
pub struct MailingOptions {
    /// Show what would be sent; send and store nothing.
    pub dry_run: bool,
    /// Send without asking (scripts; required without a terminal).
    pub yes: bool,
    /// Mails per second (overrides `MAIL_RATE`).
    pub rate: Option<f64>,
    /// SMTP connections at once (overrides `MAIL_CONNECTIONS`).
    pub connections: Option<u32>,
}

fn noun(kind: MailKind, n: usize) -> String {
    let word = match kind {
        MailKind::Invitation => "invitation",
        MailKind::Reminder => "reminder",
    };
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The preview: how many mails, to which Länder, and who is skipped and why.
fn print_plan(plan: &Plan, dry_run: bool) {
    let n = plan.recipients.len();
    println!(
        "Would send {} for wave `{}`{}",
        noun(plan.kind, n),
        plan.wave.slug,
        if dry_run {
            " (dry run: nothing is sent or stored):"
        } else {
            ":"
        }
    );
    if n > 0 {
        let lands: Vec<String> = plan
            .per_land()
            .iter()
            .map(|(code, _, n)| format!("{code} {n}"))
            .collect();
        println!("  per Land: {}", lands.join(", "));
    }
    for listing in &plan.recipients {
        println!(
            "  {} ({}) <{}>",
            listing.region,
            listing.participant.land_code,
            listing.email.as_deref().unwrap_or("?")
        );
    }
    for (skip, count) in plan.skip_counts() {
        println!("  skipped: {count} {}", skip.english());
    }
}

/// Asks on the terminal whether to send; `Ok(false)` for anything but yes.
fn ask(question: &str) -> anyhow::Result<bool> {
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "j" | "ja"
    ))
}

/// `invite --wave W` and `remind --wave W`: the preview, the confirmation, then the mails queued
/// and sent.
pub fn run(
    conn: &mut PgConnection,
    url: &str,
    settings: &Settings,
    slug: &str,
    kind: MailKind,
    options: &MailingOptions,
) -> anyhow::Result<()> {
    let plan = mailing::plan(conn, slug, kind)?;
    print_plan(&plan, options.dry_run);
    let n = plan.recipients.len();
    if options.dry_run {
        return Ok(());
    }
    if !options.yes && n > 0 {
        if !std::io::stdin().is_terminal() {
            return Err(Unconfirmed(
                "not sending without a confirmation: run it on a terminal to be asked, or give --yes (see --dry-run for what would be sent); nothing was queued".to_owned(),
            )
            .into());
        }
        if !ask(&format!("Send {} now?", noun(kind, n)))? {
            println!("Nothing was sent.");
            return Ok(());
        }
    }
    let queued = mailing::queue(conn, &Actor::command_line(), slug, kind, n)?;
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
        ..SendSettings::default()
    };
    let sent = mailing::send(settings, url, wave, kind, &send)?;
    let what = match kind {
        MailKind::Invitation => "invitations",
        MailKind::Reminder => "reminders",
    };
    println!(
        "{what}: {} sent, {} failed, {} skipped in this run; {} sent, {} failed, {} still queued in all.",
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
