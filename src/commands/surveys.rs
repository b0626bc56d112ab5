//! `survey check|load|list`: definition files in, versions out.

use std::path::Path;

use chrono_tz::Europe::Berlin;
use diesel::PgConnection;

use crate::app::surveys::{self, check_files};
use crate::app::{Actor, plural};
use crate::store::surveys::LoadOutcome;
use crate::survey::Diagnostic;

fn print_problems(problems: &[Diagnostic]) {
    for problem in problems {
        eprintln!("{problem}");
    }
}

/// `survey check FILE...`: every problem of every file, nothing stored.
pub fn check(paths: &[impl AsRef<Path>]) -> anyhow::Result<()> {
    let (good, problems) = check_files(paths);
    for file in &good {
        println!(
            "{}: ok, survey `{}` ({}, {})",
            file.name,
            file.survey.id,
            plural(file.survey.pages.len(), "page", "pages"),
            plural(file.survey.questions().count(), "question", "questions")
        );
    }
    print_problems(&problems);
    let bad_files = problems
        .iter()
        .map(|p| &p.file)
        .collect::<std::collections::HashSet<_>>()
        .len();
    anyhow::ensure!(
        problems.is_empty(),
        "{} in {bad_files} of {}",
        plural(problems.len(), "problem", "problems"),
        plural(paths.len(), "file", "files")
    );
    Ok(())
}

/// `survey load FILE...`: checks every file, then stores all of them in one transaction, or none.
pub fn load(conn: &mut PgConnection, paths: &[impl AsRef<Path>]) -> anyhow::Result<()> {
    let (good, problems) = check_files(paths);
    if !problems.is_empty() {
        print_problems(&problems);
        anyhow::bail!(
            "{}; nothing was stored",
            plural(problems.len(), "problem", "problems")
        );
    }
    let outcomes = surveys::load(conn, &Actor::command_line(), &good)?;
    for (file, outcome) in good.iter().zip(outcomes) {
        match outcome {
            LoadOutcome::Stored { version } => println!(
                "{}: stored survey `{}` version {version} ({})",
                file.name,
                file.survey.id,
                plural(file.survey.questions().count(), "question", "questions")
            ),
            LoadOutcome::Unchanged { version } => println!(
                "{}: survey `{}` unchanged (version {version})",
                file.name, file.survey.id
            ),
        }
    }
    Ok(())
}

/// `survey list`: id, title, versions, question count.
pub fn list(conn: &mut PgConnection) -> anyhow::Result<()> {
    let summaries = surveys::list(conn)?;
    if summaries.is_empty() {
        println!("No surveys yet; load one with `mint-survey survey load surveys/<file>.toml`.");
        return Ok(());
    }
    let id_width = summaries
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    println!(
        "{:<id_width$}  VERSIONS  QUESTIONS  LOADED            TITLE",
        "ID"
    );
    for s in summaries {
        println!(
            "{:<id_width$}  {:>8}  {:>9}  {}  {}",
            s.id,
            s.versions,
            s.questions,
            s.loaded_at.with_timezone(&Berlin).format("%d.%m.%Y %H:%M"),
            s.title
        );
    }
    Ok(())
}
