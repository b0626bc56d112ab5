//! A wave's progress: how many were invited, opened their link, began, submitted, opted out or
//! could not be reached, per Land and in total; and submissions per day with the days the
//! invitations and reminders went out. What the staff (admins, the board, coordinators) watch
//! while a wave runs; counts only, never addresses.

use chrono::{NaiveDate, Utc};
use diesel::PgConnection;

use super::waves::{self, WaveError};
use crate::store::participants::{self, Progress};
use crate::store::waves::Wave;
use crate::store::{outbox, responses};
use crate::survey::LAENDER;

/// A wave's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveProgress {
    /// The wave.
    pub wave: Wave,
    /// One row per Land with participants: the Land's German name and its counts.
    pub per_land: Vec<(&'static str, Progress)>,
    /// All Länder together.
    pub total: Progress,
    /// Submissions per day (Europe/Berlin), oldest first.
    pub days: Vec<(NaiveDate, i64)>,
    /// The mailing rounds: the day each began, its German name, and how many it sent.
    pub rounds: Vec<(NaiveDate, String, i64)>,
}

/// The progress of the wave `slug`.
pub fn progress(conn: &mut PgConnection, slug: &str) -> Result<WaveProgress, WaveError> {
    let wave = waves::find(conn, slug)?;
    let rows = participants::find_progress(conn, wave.id)?;
    let mut total = Progress {
        land_code: "DE".to_owned(),
        ..Progress::default()
    };
    for row in &rows {
        total.participants += row.participants;
        total.invited += row.invited;
        total.opened += row.opened;
        total.started += row.started;
        total.submitted += row.submitted;
        total.opted_out += row.opted_out;
        total.bounced += row.bounced;
    }
    let per_land = rows
        .into_iter()
        .map(|row| {
            let name = LAENDER
                .iter()
                .find(|(code, _)| *code == row.land_code)
                .map_or("", |(_, name)| name);
            (name, row)
        })
        .collect();
    let days = responses::find_submissions_per_day(conn, wave.id)?;
    let rounds = outbox::find_rounds(conn, wave.id)?
        .into_iter()
        .map(|round| {
            let name = match (round.kind.as_str(), round.sequence) {
                ("invitation", _) => "Einladung".to_owned(),
                (_, n) => format!("{n}. Erinnerung"),
            };
            (round.day, name, round.sent)
        })
        .collect();
    Ok(WaveProgress {
        wave,
        per_land,
        total,
        days,
        rounds,
    })
}

impl WaveProgress {
    /// The last day of the chart: today while the wave runs, its last day once it has closed.
    pub fn until(&self) -> NaiveDate {
        let today = Utc::now()
            .with_timezone(&chrono_tz::Europe::Berlin)
            .date_naive();
        self.wave
            .closes_at
            .map(|c| {
                (c - chrono::Duration::seconds(1))
                    .with_timezone(&chrono_tz::Europe::Berlin)
                    .date_naive()
            })
            .map_or(today, |last| last.min(today))
    }
}
