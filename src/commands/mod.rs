//! What each command of the `mint-survey` binary does; `main.rs` only parses the command line.
//!
//! Commands print what they did on stdout and problems on stderr, and return an error that reads as
//! one sentence (the binary prints it and exits non-zero).

pub mod database;
pub mod demo;
pub mod surveys;

use diesel::PgConnection;

use crate::config::Settings;
use crate::store;

/// Connects to the configured database (starting the private cluster if needed) and migrates it.
pub fn open_store(settings: &Settings) -> anyhow::Result<PgConnection> {
    let url = store::database_url(settings)?;
    let mut conn = store::establish(&url)?;
    store::run_migrations(&mut conn)?;
    Ok(conn)
}
