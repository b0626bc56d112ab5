//! `demo`: a working installation with demo data and no configuration.
//!
//! Brings up the store (the private cluster unless `DATABASE_URL` is set), migrates it and loads
//! the survey definitions of `surveys/` (or the copies built into the binary when run elsewhere).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::surveys::{self, CheckedFile};
use crate::config::Settings;
use crate::survey::{self, Format};

/// The 2020 questionnaires, built in so that `demo` works outside the project folder too.
const BUILT_IN: [(&str, &str); 3] = [
    (
        "surveys/fruehjahr-2020.toml",
        include_str!("../../surveys/fruehjahr-2020.toml"),
    ),
    (
        "surveys/herbst-2020.toml",
        include_str!("../../surveys/herbst-2020.toml"),
    ),
    (
        "surveys/herbst-2020-akteure.toml",
        include_str!("../../surveys/herbst-2020-akteure.toml"),
    ),
];

/// Runs the demo.
pub fn run(settings: &Settings) -> anyhow::Result<()> {
    let started = Instant::now();
    match &settings.database_url {
        Some(url) => println!("Database: {}", crate::store::redact_url(url)),
        None => println!(
            "Database: private PostgreSQL cluster in {} (Unix socket only)",
            settings.var_dir.join("postgres").display()
        ),
    }
    let mut conn = super::open_store(settings)?;
    let files = demo_surveys(Path::new("surveys"))?;
    surveys::store_files(&mut conn, &files)?;
    println!("Surveys loaded from surveys/:\n");
    surveys::list(&mut conn)?;
    println!(
        "\nReady in {:.1} s. Try `mint-survey survey check surveys/*.toml` or `mint-survey survey list`.",
        started.elapsed().as_secs_f64()
    );
    println!(
        "Waves, invitations, the questionnaire and reports are not available yet in this version."
    );
    Ok(())
}

/// The definitions in `dir` (every `.toml` and `.json`), or the built-in ones when `dir` does not exist.
fn demo_surveys(dir: &Path) -> anyhow::Result<Vec<CheckedFile>> {
    if !dir.is_dir() {
        return BUILT_IN
            .iter()
            .map(|(name, text)| {
                let survey = survey::parse_definition(name, text.as_bytes(), Format::Toml)
                    .map_err(|problems| anyhow::anyhow!("built-in {name}: {}", problems[0]))?;
                Ok(CheckedFile {
                    name: (*name).to_owned(),
                    text: (*text).to_owned(),
                    survey,
                })
            })
            .collect();
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
        .collect();
    paths.sort();
    let (good, problems) = surveys::check_files(&paths);
    if let Some(first) = problems.first() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        anyhow::bail!("the demo surveys have problems, first: {first}");
    }
    Ok(good)
}
