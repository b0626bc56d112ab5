//! Background work of a `serve` process: the staff-mail worker, which sends the queued staff mails
//! (new accounts' and forgotten passwords' links) through `app::accounts::send_staff_mails`.
//!
//! A page that queues such a mail wakes the worker; it also looks every 30 seconds, so mails queued
//! by another process, or deferred by the server, go out too. Any number of processes may run it:
//! mails are claimed with `FOR UPDATE SKIP LOCKED`.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use crate::app::accounts;
use crate::config::Settings;
use crate::store::PgPool;
use crate::text::Bilingual;

/// How long the worker sleeps when nobody wakes it.
const POLL: Duration = Duration::from_secs(30);

/// Wakes the staff-mail worker.
#[derive(Debug, Default)]
pub struct StaffMailer {
    woken: Mutex<bool>,
    signal: Condvar,
}

impl StaffMailer {
    /// Asks the worker to send what is queued now.
    pub fn wake(&self) {
        *self.woken.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.signal.notify_one();
    }

    /// Waits until woken or [`POLL`] has passed.
    fn wait(&self) {
        let woken = self.woken.lock().unwrap_or_else(|e| e.into_inner());
        let (mut woken, _) = self
            .signal
            .wait_timeout_while(woken, POLL, |woken| !*woken)
            .unwrap_or_else(|e| e.into_inner());
        *woken = false;
    }
}

/// Starts the worker on a thread of its own; it ends when the application's `StaffMailer` is
/// dropped (the server is gone).
pub fn start_staff_mailer(
    mailer: &Arc<StaffMailer>,
    pool: PgPool,
    settings: Settings,
) -> std::io::Result<()> {
    let mailer: Weak<StaffMailer> = Arc::downgrade(mailer);
    std::thread::Builder::new()
        .name("staff-mail".to_owned())
        .spawn(move || {
            while let Some(current) = mailer.upgrade() {
                send(&pool, &settings);
                current.wait();
            }
        })
        .map(drop)
}

fn send(pool: &PgPool, settings: &Settings) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(error) => {
            tracing::warn!(%error, "staff mails wait: no database connection");
            return;
        }
    };
    match accounts::send_staff_mails(&mut conn, settings) {
        Ok(summary) if summary.stopped.is_some() => tracing::warn!(
            sent = summary.sent,
            reason = summary.stopped.as_deref().unwrap_or_default(),
            "staff mails stay queued"
        ),
        Ok(_) => {}
        Err(error) => tracing::error!(error = %error.english(), "staff mails not sent"),
    }
}
