//! Reports: a wave's per-Land report written into a folder (`report.rs`'s files, optionally with
//! the raw responses for admins).
//!
//! The files are written into a fresh folder beside the target and swapped in at the end, so a
//! failed run leaves the previous report as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::PgConnection;

use super::waves::{self, WaveError};
use super::{Actor, operation_error};
use crate::report::compare;
use crate::report::files::{self, OutputFile};
use crate::report::raw;
use crate::store::reports;
use crate::text::Bilingual;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The wave (or the one to compare with) is unknown.
    #[error(transparent)]
    Wave(WaveError),
    /// The database, the disk or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<WaveError> for ReportError {
    fn from(error: WaveError) -> Self {
        match error {
            WaveError::Internal(error) => ReportError::Internal(error),
            refusal => ReportError::Wave(refusal),
        }
    }
}

impl ReportError {
    fn german_text(&self) -> String {
        match self {
            ReportError::Wave(error) => error.german(),
            ReportError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(ReportError);

/// What a report run writes.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The wave's slug.
    pub wave: String,
    /// Output folder (default `reports/<wave>`).
    pub out: Option<PathBuf>,
    /// Compare with this wave.
    pub compare: Option<String>,
    /// Add the trend over every earlier wave that asked the same questions.
    pub trend: bool,
    /// Also write `responses.csv` (one row per response; for admins) with `responses.sps` and
    /// `responses.R`, which read it into SPSS and R with labels.
    pub include_raw: bool,
}

/// What a report run wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The folder.
    pub folder: PathBuf,
    /// Files written.
    pub files: usize,
    /// Submitted responses counted (None: fewer than the threshold, so not shown).
    pub responses: Option<u64>,
}

/// Builds the report and writes its folder; returns what it wrote. Audited as `report_written`,
/// or `raw_export_written` with `include_raw` (one row per response).
///
/// Everything is read through `replica` when given (`REPORT_DATABASE_URL`, see
/// [`crate::store::establish_report`]), else through `conn`; only the audit entry is written, to
/// `conn`.
pub fn write(
    conn: &mut PgConnection,
    replica: Option<&mut PgConnection>,
    actor: &Actor,
    options: &ReportOptions,
) -> Result<Written, ReportError> {
    let Built {
        wave,
        folder,
        files,
        report,
    } = match replica {
        Some(replica) => build(replica, options)?,
        None => build(conn, options)?,
    };
    let action = if options.include_raw {
        "raw_export_written"
    } else {
        "report_written"
    };
    let details = folder.display().to_string();
    actor.audit(conn, action, &wave.slug, &details)?;
    let responses = report
        .responses
        .groups
        .iter()
        .find(|g| g.kind == crate::report::GroupKind::Total)
        .and_then(|g| g.figures.as_ref())
        .map(|f| f.n);
    Ok(Written {
        folder,
        files,
        responses,
    })
}

/// A report folder written by [`build`].
struct Built {
    wave: crate::store::waves::Wave,
    folder: PathBuf,
    /// Files written.
    files: usize,
    report: crate::report::Report,
}

/// Reads the report through `conn` and writes its folder (nothing is written to `conn`).
fn build(conn: &mut PgConnection, options: &ReportOptions) -> Result<Built, ReportError> {
    let wave = waves::find(conn, &options.wave)?;
    let (survey, report) = reports::find_report(conn, &wave)?;
    let comparison = match &options.compare {
        Some(slug) => {
            let other = waves::find(conn, slug)?;
            let (_, other_report) = reports::find_report(conn, &other)?;
            Some(compare::compare(&report, &other_report))
        }
        None => None,
    };
    let trend = if options.trend {
        Some(trend_of(conn, &wave, &survey, &report)?)
    } else {
        None
    };
    let mut output = files::render(&survey, &report, comparison.as_ref(), trend.as_ref())
        .map_err(anyhow::Error::from)?;
    let folder = options
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&wave.slug));
    let staging = sibling(&folder, "partial")?;
    let result = (|| -> anyhow::Result<()> {
        write_files(&staging, &output)?;
        if options.include_raw {
            let path = staging.join("responses.csv");
            write_raw(conn, wave.id, &survey, &path)?;
            output.push(OutputFile {
                path: "responses.csv".to_owned(),
                bytes: Vec::new(),
            });
            // Syntax that reads it into SPSS/PSPP and R with every label.
            let syntax = [
                (
                    "responses.sps",
                    crate::report::syntax::spss(&survey, &wave.slug),
                ),
                ("responses.R", crate::report::syntax::r(&survey, &wave.slug)),
            ];
            for (name, text) in syntax {
                let path = staging.join(name);
                fs::write(&path, text)
                    .with_context(|| format!("could not write {}", path.display()))?;
                output.push(OutputFile {
                    path: name.to_owned(),
                    bytes: Vec::new(),
                });
            }
        }
        swap_in(&staging, &folder)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    Ok(Built {
        wave,
        folder,
        files: output.len(),
        report,
    })
}

/// The trend of `report`'s questions over every earlier wave that asked one of them.
fn trend_of(
    conn: &mut PgConnection,
    wave: &crate::store::waves::Wave,
    survey: &crate::survey::definition::Survey,
    report: &crate::report::Report,
) -> Result<crate::report::trend::Trend, ReportError> {
    let earlier = trend_waves(conn, wave, survey)?;
    trend_over(conn, &earlier, report)
}

/// When a wave began, for ordering a trend: its opening date, else when it was opened, else
/// created.
pub fn wave_start(wave: &crate::store::waves::Wave) -> chrono::DateTime<chrono::Utc> {
    wave.opens_at.or(wave.opened_at).unwrap_or(wave.created_at)
}

/// The waves a trend of `wave` runs over besides it: every other wave that began no later and
/// asked one of `survey`'s questions, oldest first.
pub fn trend_waves(
    conn: &mut PgConnection,
    wave: &crate::store::waves::Wave,
    survey: &crate::survey::definition::Survey,
) -> Result<Vec<crate::store::waves::Wave>, ReportError> {
    let ids: Vec<&str> = survey.questions().map(|(_, q)| q.id.as_str()).collect();
    let mut earlier = Vec::new();
    for summary in crate::store::waves::find_summaries(conn).map_err(anyhow::Error::from)? {
        let other = summary.wave;
        if other.id == wave.id || wave_start(&other) > wave_start(wave) {
            continue;
        }
        let version = crate::store::surveys::find_by_id(conn, other.survey_version_id)
            .map_err(anyhow::Error::from)?;
        if version
            .survey
            .questions()
            .any(|(_, q)| ids.contains(&q.id.as_str()))
        {
            earlier.push(other);
        }
    }
    earlier.sort_by_key(|w| (wave_start(w), w.id));
    Ok(earlier)
}

/// The trend over `earlier` (from [`trend_waves`]) and `report`'s wave, each wave's report built
/// and suppressed on its own.
pub fn trend_over(
    conn: &mut PgConnection,
    earlier: &[crate::store::waves::Wave],
    report: &crate::report::Report,
) -> Result<crate::report::trend::Trend, ReportError> {
    let mut reports = Vec::new();
    for other in earlier {
        reports.push(reports::find_report(conn, other)?.1);
    }
    let mut all: Vec<&crate::report::Report> = reports.iter().collect();
    all.push(report);
    Ok(crate::report::trend::trend(&all))
}

/// `<folder>.<suffix>`, emptied.
fn sibling(folder: &Path, suffix: &str) -> anyhow::Result<PathBuf> {
    let name = folder
        .file_name()
        .with_context(|| format!("{} is not a folder name", folder.display()))?;
    let path = folder.with_file_name(format!("{}.{suffix}", name.to_string_lossy()));
    if path.exists() {
        fs::remove_dir_all(&path)
            .with_context(|| format!("could not remove the leftover {}", path.display()))?;
    }
    Ok(path)
}

fn write_files(folder: &Path, output: &[OutputFile]) -> anyhow::Result<()> {
    for file in output {
        let path = folder.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        fs::write(&path, &file.bytes)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    Ok(())
}

/// Replaces `folder` by `staging` (the old folder is removed only once the new one is in place).
fn swap_in(staging: &Path, folder: &Path) -> anyhow::Result<()> {
    if folder.exists() {
        let old = sibling(folder, "old")?;
        fs::rename(folder, &old)
            .with_context(|| format!("could not move the previous {} aside", folder.display()))?;
        fs::rename(staging, folder)
            .with_context(|| format!("could not move the new report to {}", folder.display()))?;
        fs::remove_dir_all(&old).with_context(|| format!("could not remove {}", old.display()))?;
    } else {
        if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        fs::rename(staging, folder)
            .with_context(|| format!("could not move the new report to {}", folder.display()))?;
    }
    Ok(())
}

/// Streams `responses.csv` from the database into `path`.
fn write_raw(
    conn: &mut PgConnection,
    wave_id: i64,
    survey: &crate::survey::definition::Survey,
    path: &Path,
) -> anyhow::Result<()> {
    let file =
        fs::File::create(path).with_context(|| format!("could not create {}", path.display()))?;
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
    out.write_record(raw::header(survey))?;
    reports::for_each_response(conn, wave_id, survey, |r| -> anyhow::Result<()> {
        let row = raw::RawRow {
            id: r.id,
            land_code: r.land_code.as_deref(),
            attributes: &r.attributes,
            submitted_at: r.submitted_at,
            answers: &r.answers,
        };
        out.write_record(raw::row(survey, &row))?;
        Ok(())
    })?;
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("could not write {}: {}", path.display(), e.error()))?
        .flush()?;
    Ok(())
}
