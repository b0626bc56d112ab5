//! `survey check|load|list`: definition files in, versions out.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use chrono_tz::Europe::Berlin;
use diesel::{Connection, PgConnection};

use crate::store::surveys::{self as stored, DefinitionSource, LoadOutcome};
use crate::survey::{self, Diagnostic, Format, Survey};

/// A definition file that passed the checker.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    /// The path as given.
    pub name: String,
    /// The file's text.
    pub text: String,
    /// The checked survey.
    pub survey: Survey,
}

/// Reads and checks every file; returns the good ones and every problem of the bad ones.
pub fn check_files(paths: &[impl AsRef<Path>]) -> (Vec<CheckedFile>, Vec<Diagnostic>) {
    let mut good: Vec<CheckedFile> = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = match read_limited(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                problems.push(Diagnostic {
                    file: name,
                    line: 1,
                    column: 1,
                    message: format!("cannot read the file: {error}"),
                });
                continue;
            }
        };
        match survey::parse_definition(&name, &bytes, Format::from_file_name(&name)) {
            Ok(survey) => {
                // Valid UTF-8: parse_definition has checked it.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                good.push(CheckedFile { name, text, survey });
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    problems.extend(duplicate_ids(&good));
    (good, problems)
}

/// Reads at most one byte more than a definition may have, so a huge file is not read whole.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(survey::MAX_DEFINITION_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Two files given together must not define the same survey.
fn duplicate_ids(files: &[CheckedFile]) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut problems = Vec::new();
    for file in files {
        if let Some(other) = first.insert(&file.survey.id, &file.name) {
            let (line, column) = id_position(&file.text);
            problems.push(Diagnostic {
                file: file.name.clone(),
                line,
                column,
                message: format!("survey id `{}` is also defined in {other}", file.survey.id),
            });
            first.insert(&file.survey.id, other);
        }
    }
    problems
}

/// Line and column of the survey's top-level `id` key (TOML `id =` or JSON `"id":`).
fn id_position(text: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, line)| {
            let trimmed = line.trim_start();
            let is_id = trimmed
                .strip_prefix("id")
                .is_some_and(|r| r.trim_start().starts_with('='))
                || trimmed.starts_with("\"id\"");
            is_id.then(|| (i + 1, line.len() - trimmed.len() + 1))
        })
        .unwrap_or((1, 1))
}

fn print_problems(problems: &[Diagnostic]) {
    for problem in problems {
        eprintln!("{problem}");
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
    let outcomes = store_files(conn, &good)?;
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

/// Stores checked files in one transaction: all of them, or none.
pub fn store_files(
    conn: &mut PgConnection,
    files: &[CheckedFile],
) -> anyhow::Result<Vec<LoadOutcome>> {
    Ok(conn.transaction(|conn| {
        files
            .iter()
            .map(|file| {
                stored::insert_version_if_changed(
                    conn,
                    DefinitionSource {
                        survey: &file.survey,
                        source_name: &file.name,
                        source_text: &file.text,
                    },
                )
            })
            .collect::<diesel::QueryResult<Vec<_>>>()
    })?)
}

/// `survey list`: id, title, versions, question count.
pub fn list(conn: &mut PgConnection) -> anyhow::Result<()> {
    let summaries = stored::find_summaries(conn)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_position_finds_the_top_level_id_in_toml_and_json() {
        assert_eq!(id_position("# x\nid = \"a\"\n"), (2, 1));
        assert_eq!(id_position("{\n  \"id\": \"a\"\n}"), (2, 3));
        assert_eq!(id_position("identity = 1\nid = 2\n"), (2, 1));
    }
}
