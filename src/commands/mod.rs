//! What each command of the `mint-survey` binary does; `main.rs` only parses the command line.
//!
//! Commands print what they did on stdout and problems on stderr, and return an error that reads as
//! one sentence (the binary prints it and exits non-zero).

pub mod database;
pub mod demo;
pub mod mailing;
pub mod participants;
pub mod report;
pub mod serve;
pub mod surveys;
pub mod users;
pub mod waves;

use diesel::PgConnection;

/// A command that needs a confirmation it did not get (no terminal to ask on, no `--yes`): the
/// binary exits with code 2 and this message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unconfirmed(pub String);

use crate::config::Settings;
use crate::store;

/// Connects to the configured database (starting the private cluster if needed) and migrates it.
pub fn open_store(settings: &Settings) -> anyhow::Result<PgConnection> {
    Ok(open_store_with_url(settings)?.1)
}

/// Like [`open_store`], also returning the URL, for commands that open more connections (mail workers).
pub fn open_store_with_url(settings: &Settings) -> anyhow::Result<(String, PgConnection)> {
    let url = store::database_url(settings)?;
    let mut conn = store::establish(&url)?;
    store::run_migrations(&mut conn)?;
    Ok((url, conn))
}
