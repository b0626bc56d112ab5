//! `report --wave W [--out DIR] [--compare W2] [--include-raw]`: writes a wave's report folder.

use std::time::Instant;

use diesel::PgConnection;

use crate::app::Actor;
use crate::app::reports::{self, ReportOptions};

/// Writes the report of a wave (the command), reading through `replica` when
/// `REPORT_DATABASE_URL` is set.
pub fn run(
    conn: &mut PgConnection,
    replica: Option<&mut PgConnection>,
    options: &ReportOptions,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let written = reports::write(conn, replica, &Actor::command_line(), options)?;
    println!(
        "Report of {} written to {} ({} files, {} submitted responses, {:.1} s).",
        options.wave,
        written.folder.join("index.html").display(),
        written.files,
        written
            .responses
            .map_or_else(|| "too few".to_owned(), |n| n.to_string()),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
