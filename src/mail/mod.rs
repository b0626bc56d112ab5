//! Mail: texts ([`templates`]), the message itself, the way out ([`Transport`]) and the outbox
//! worker ([`sender`]).
//!
//! Handlers and commands never send mail themselves: they queue it in the outbox (store::outbox),
//! in the same transaction as whatever caused it, and [`sender`] sends it.

pub mod sender;
pub mod staff;
pub mod templates;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport as _};

use self::templates::RenderedMail;
use crate::store::redact_url;

/// Where mails go: an SMTP server, or `.eml` files in a folder (no `SMTP_URL`).
#[derive(Clone)]
pub enum Transport {
    /// lettre's pooled SMTP transport (plain, STARTTLS or TLS and authentication, from the URL).
    Smtp(SmtpTransport),
    /// One `.eml` file per mail, written atomically.
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::Files(dir) => write!(f, "Transport::Files({})", dir.display()),
        }
    }
}

/// Why a mail did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// The server refused it for good (5xx): not tried again.
    Permanent(String),
    /// The server deferred it (4xx): tried again later.
    Transient(String),
    /// The server could not be reached or the connection broke: the run stops, the mail stays queued.
    Unreachable(String),
}

impl Transport {
    /// The transport for `SMTP_URL` (`smtp://user:pass@host:587?tls=required`, `smtps://…`) with at
    /// most `connections` open at once, or `.eml` files under `outbox_dir` when there is no URL.
    pub fn new(
        smtp_url: Option<&str>,
        connections: u32,
        outbox_dir: &Path,
    ) -> anyhow::Result<Transport> {
        let Some(url) = smtp_url else {
            return Ok(Transport::Files(outbox_dir.to_path_buf()));
        };
        let builder = SmtpTransport::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL {} is not usable: {e}", redact_url(url)))?;
        Ok(Transport::Smtp(
            builder
                .timeout(Some(Duration::from_secs(30)))
                .pool_config(
                    PoolConfig::new()
                        .max_size(connections)
                        .idle_timeout(Duration::from_secs(30)),
                )
                .build(),
        ))
    }

    /// Sends one message; `file_name` names it in the file outbox (`42-invitation.eml`).
    pub fn send(&self, message: &Message, file_name: &str) -> Result<(), SendFailure> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).map(drop).map_err(|error| {
                let text = error.to_string();
                if error.is_permanent() {
                    SendFailure::Permanent(text)
                } else if error.is_transient() {
                    SendFailure::Transient(text)
                } else {
                    SendFailure::Unreachable(text)
                }
            }),
            Transport::Files(dir) => write_eml(dir, file_name, &message.formatted()).map_err(|e| {
                SendFailure::Unreachable(format!("cannot write to {}: {e}", dir.display()))
            }),
        }
    }
}

/// Writes a file next to its final name and renames it, so a reader never sees half a mail. The
/// mails hold live links: their folder is the owner's alone (0700), the files too (0600).
fn write_eml(dir: &Path, file_name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let path = dir.join(file_name);
    let folder = path.parent().unwrap_or(dir);
    // Folders above with the usual permissions (`var/` must stay traversable for the private
    // cluster's `postgres` user), the mails' own folder for the owner alone.
    if let Some(parent) = folder.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    let partial = folder.join(format!(
        ".{}.partial",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    ));
    std::io::Write::write_all(
        &mut std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)?,
        bytes,
    )?;
    std::fs::rename(&partial, &path)
}

/// Who a mail is from and to, and the identifiers that go in its headers.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// `MAIL_FROM`.
    pub from: &'a str,
    /// The recipient's address.
    pub to: &'a str,
    /// The recipient's name.
    pub to_name: Option<&'a str>,
    /// A stable id for the Message-ID (the outbox row): a mail sent twice after a crash carries the
    /// same Message-ID, so that mail systems can recognise the copy.
    pub message_key: String,
    /// The opt-out link, for the List-Unsubscribe header.
    pub unsubscribe: &'a str,
}

/// A complete MIME message: text and HTML parts, UTF-8 subject, Message-ID, List-Unsubscribe.
pub fn build_message(envelope: &Envelope<'_>, mail: &RenderedMail) -> anyhow::Result<Message> {
    let from: Mailbox = envelope
        .from
        .parse()
        .map_err(|e| anyhow::anyhow!("MAIL_FROM `{}` is not a valid sender: {e}", envelope.from))?;
    let to = Mailbox::new(
        envelope.to_name.map(str::to_owned),
        envelope
            .to
            .parse()
            .map_err(|e| anyhow::anyhow!("the address is not valid: {e}"))?,
    );
    let domain = from.email.domain().to_owned();
    let unsubscribe = HeaderName::new_from_ascii("List-Unsubscribe".to_owned())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", envelope.message_key)))
        .date_now()
        .raw_header(HeaderValue::new(
            unsubscribe,
            format!("<{}>", envelope.unsubscribe),
        ))
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))?)
}

/// A mail to one person, not part of a mailing (a staff member's password link, an open-link
/// respondent's continue link): text and HTML, no list headers.
pub fn single_message(from: &str, to: &str, mail: &RenderedMail) -> anyhow::Result<Message> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| anyhow::anyhow!("MAIL_FROM `{from}` is not a valid sender: {e}"))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| anyhow::anyhow!("the address {to} is not valid: {e}"))?;
    Ok(Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.as_str())
        .date_now()
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))?)
}
