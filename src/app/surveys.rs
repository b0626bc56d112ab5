//! Survey definitions: check files (every problem at once, nothing stored), load checked files as
//! new versions (all or none, audited), list the stored surveys.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use diesel::{Connection, PgConnection};

use super::{Actor, operation_error};
use crate::store::surveys::{self as stored, DefinitionSource, LoadOutcome, SurveySummary};
use crate::survey::{self, Diagnostic, Format, Survey};

/// Why surveys could not be loaded or shown.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// No such survey version.
    #[error("there is no version {version} of survey `{id}`")]
    NoSuchVersion {
        /// The survey's id.
        id: String,
        /// The version asked for.
        version: i32,
    },
    /// The database or the machine failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl SurveyError {
    fn german_text(&self) -> String {
        match self {
            SurveyError::NoSuchVersion { id, version } => {
                format!("Die Umfrage „{id}“ hat keine Version {version}.")
            }
            SurveyError::Internal(_) => "Ein unerwarteter Fehler ist aufgetreten.".to_owned(),
        }
    }
}

operation_error!(SurveyError);

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
                    german: format!("die Datei lässt sich nicht lesen: {error}"),
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
                german: format!(
                    "die Umfrage-ID „{}“ steht auch in der Datei {other}",
                    file.survey.id
                ),
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

/// Checks an uploaded definition (`name` says TOML or JSON): the checked file, or every problem.
pub fn check_upload(name: &str, bytes: &[u8]) -> Result<CheckedFile, Vec<Diagnostic>> {
    let survey = survey::parse_definition(name, bytes, Format::from_file_name(name))?;
    Ok(CheckedFile {
        name: name.to_owned(),
        // Valid UTF-8: parse_definition has checked it.
        text: String::from_utf8_lossy(bytes).into_owned(),
        survey,
    })
}

/// Stores checked files in one transaction, all or none (an unchanged file stores no new
/// version); each file is audited as `survey_loaded`.
pub fn load(
    conn: &mut PgConnection,
    actor: &Actor,
    files: &[CheckedFile],
) -> Result<Vec<LoadOutcome>, SurveyError> {
    conn.transaction(|conn| {
        let mut outcomes = Vec::new();
        for file in files {
            let outcome = stored::insert_version_if_changed(
                conn,
                DefinitionSource {
                    survey: &file.survey,
                    source_name: &file.name,
                    source_text: &file.text,
                },
            )?;
            let details = match &outcome {
                LoadOutcome::Stored { version } => format!("Version {version}"),
                LoadOutcome::Unchanged { .. } => "unverändert".to_owned(),
            };
            actor.audit(conn, "survey_loaded", &file.name, &details)?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    })
}

/// A stored version of a survey.
pub fn find_version(
    conn: &mut PgConnection,
    id: &str,
    version: i32,
) -> Result<Survey, SurveyError> {
    stored::find_version(conn, id, version)?
        .map(|v| v.survey)
        .ok_or_else(|| SurveyError::NoSuchVersion {
            id: id.to_owned(),
            version,
        })
}

/// Every stored survey with its versions, question count and latest load.
pub fn list(conn: &mut PgConnection) -> Result<Vec<SurveySummary>, SurveyError> {
    Ok(stored::find_summaries(conn)?)
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
