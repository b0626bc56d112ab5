//! Surveys and their versions.
//!
//! A version holds the checked definition as JSON. Loading stores a new version only when the
//! definition's content differs from the newest stored one (formatting and comments of the file
//! do not count), so `survey load` can be run on every start without growing the history.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::{survey_versions, surveys};
use crate::survey::Survey;

/// A definition file to store: the checked survey and the text it was read from.
#[derive(Debug, Clone, Copy)]
pub struct DefinitionSource<'a> {
    /// The checked definition.
    pub survey: &'a Survey,
    /// The file's name, as given on the command line or uploaded.
    pub source_name: &'a str,
    /// The file's text, kept so that admins can see exactly what was loaded.
    pub source_text: &'a str,
}

/// What loading one definition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadOutcome {
    /// A new version was stored (version 1: the survey is new).
    Stored {
        /// The new version's number.
        version: i32,
    },
    /// The content equals the newest stored version; nothing was stored.
    Unchanged {
        /// The newest version's number.
        version: i32,
    },
}

/// A stored version of a survey.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVersion {
    /// Row id, what waves refer to.
    pub id: i64,
    /// 1, 2, … per survey.
    pub version: i32,
    /// The definition as stored.
    pub survey: Survey,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
}

/// One line of `survey list`.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveySummary {
    /// The survey's id.
    pub id: String,
    /// Title of the newest version.
    pub title: String,
    /// Number of versions stored.
    pub versions: i32,
    /// Questions in the newest version.
    pub questions: usize,
    /// When the newest version was loaded.
    pub loaded_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = survey_versions)]
struct NewVersion<'a> {
    survey_id: &'a str,
    version: i32,
    title: &'a str,
    definition: serde_json::Value,
    content_sha256: Vec<u8>,
    source_name: &'a str,
    source_text: &'a str,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = survey_versions)]
struct VersionRow {
    id: i64,
    survey_id: String,
    version: i32,
    definition: serde_json::Value,
    loaded_at: DateTime<Utc>,
}

impl VersionRow {
    fn into_stored(self) -> QueryResult<StoredVersion> {
        let survey = serde_json::from_value(self.definition).map_err(|e| {
            diesel::result::Error::DeserializationError(
                format!(
                    "stored definition of `{}` v{}: {e}",
                    self.survey_id, self.version
                )
                .into(),
            )
        })?;
        Ok(StoredVersion {
            id: self.id,
            version: self.version,
            survey,
            loaded_at: self.loaded_at,
        })
    }
}

/// The canonical JSON of a definition and its SHA-256: equal content, equal hash.
fn canonical(survey: &Survey) -> QueryResult<(serde_json::Value, Vec<u8>)> {
    let json = serde_json::to_value(survey)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let digest = Sha256::digest(json.to_string().as_bytes()).to_vec();
    Ok((json, digest))
}

/// Stores a new version of the definition unless its content equals the newest one.
///
/// Run it inside a transaction with its siblings when several files are loaded at once: the
/// survey's row is locked, so concurrent loads of the same survey number their versions in turn.
pub fn insert_version_if_changed(
    conn: &mut PgConnection,
    source: DefinitionSource<'_>,
) -> QueryResult<LoadOutcome> {
    let survey = source.survey;
    diesel::insert_into(surveys::table)
        .values(surveys::id.eq(&survey.id))
        .on_conflict_do_nothing()
        .execute(conn)?;
    surveys::table
        .find(&survey.id)
        .select(surveys::id)
        .for_update()
        .first::<String>(conn)?;
    let newest: Option<(i32, Vec<u8>)> = survey_versions::table
        .filter(survey_versions::survey_id.eq(&survey.id))
        .order(survey_versions::version.desc())
        .select((survey_versions::version, survey_versions::content_sha256))
        .first(conn)
        .optional()?;
    let (definition, hash) = canonical(survey)?;
    if let Some((version, newest_hash)) = &newest
        && *newest_hash == hash
    {
        return Ok(LoadOutcome::Unchanged { version: *version });
    }
    let version = newest.map_or(1, |(v, _)| v + 1);
    diesel::insert_into(survey_versions::table)
        .values(NewVersion {
            survey_id: &survey.id,
            version,
            title: &survey.title,
            definition,
            content_sha256: hash,
            source_name: source.source_name,
            source_text: source.source_text,
        })
        .execute(conn)?;
    Ok(LoadOutcome::Stored { version })
}

/// One version of a survey.
pub fn find_version(
    conn: &mut PgConnection,
    survey_id: &str,
    version: i32,
) -> QueryResult<Option<StoredVersion>> {
    survey_versions::table
        .filter(survey_versions::survey_id.eq(survey_id))
        .filter(survey_versions::version.eq(version))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .map(VersionRow::into_stored)
        .transpose()
}

/// A stored version by its row id (what a wave pins).
pub fn find_by_id(conn: &mut PgConnection, id: i64) -> QueryResult<StoredVersion> {
    survey_versions::table
        .find(id)
        .select(VersionRow::as_select())
        .first(conn)?
        .into_stored()
}

/// The newest version of a survey.
pub fn find_latest(conn: &mut PgConnection, survey_id: &str) -> QueryResult<Option<StoredVersion>> {
    survey_versions::table
        .filter(survey_versions::survey_id.eq(survey_id))
        .order(survey_versions::version.desc())
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .map(VersionRow::into_stored)
        .transpose()
}

/// Every survey with its newest version, ordered by id.
pub fn find_summaries(conn: &mut PgConnection) -> QueryResult<Vec<SurveySummary>> {
    let newest: Vec<VersionRow> = survey_versions::table
        .distinct_on(survey_versions::survey_id)
        .order((survey_versions::survey_id, survey_versions::version.desc()))
        .select(VersionRow::as_select())
        .load(conn)?;
    newest
        .into_iter()
        .map(|row| {
            let stored = row.into_stored()?;
            Ok(SurveySummary {
                id: stored.survey.id.clone(),
                title: stored.survey.title.clone(),
                versions: stored.version,
                questions: stored.survey.questions().count(),
                loaded_at: stored.loaded_at,
            })
        })
        .collect()
}
