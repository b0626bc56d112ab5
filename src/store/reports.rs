//! Aggregation for reports: the submitted answers of a wave summed per stratum (Land × declared
//! attribute values) in PostgreSQL, and the raw export read response by response.
//!
//! Only submitted responses count; drafts never do. One scan of the wave's answers gives every
//! option count; which questions a response was shown is decided by the survey's own condition
//! code, once per distinct combination of Land, attributes and answers to condition questions (a
//! handful), not once per response.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgRowByRowLoadingMode;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Jsonb, Nullable, Text, Timestamptz};

use crate::report::figures::{Figures, Stratum, Value};
use crate::survey::answers::{self, Answers, Attributes};
use crate::survey::definition::{QuestionKind, Subject, Survey};

use super::responses::{AnswerRow, answers_from_rows};

/// At most this many free-text answers per question go into a report (all are in the raw export).
pub const TEXTS_PER_QUESTION: i64 = 1000;

/// The submitted responses of the wave, test-link responses left out; `$1` wave id. Queries group by
/// `responses.stratum` (Land and attributes in one column with statistics), so PostgreSQL hashes the
/// groups in parallel.
const SUBMITTED: &str = "r.wave_id = $1 AND r.submitted_at IS NOT NULL AND NOT r.is_test";

#[derive(QueryableByName)]
struct ShownRow {
    #[diesel(sql_type = Text)]
    stratum: String,
    #[diesel(sql_type = Text)]
    sig: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    stratum: String,
    #[diesel(sql_type = Text)]
    question_id: String,
    #[diesel(sql_type = Text)]
    item_id: String,
    #[diesel(sql_type = Text)]
    option_code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct NumberRow {
    #[diesel(sql_type = Text)]
    stratum: String,
    #[diesel(sql_type = Text)]
    question_id: String,
    #[diesel(sql_type = Double)]
    value: f64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text)]
    question_id: String,
    #[diesel(sql_type = Text)]
    text_value: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Separates question, item and option in a condition signature (a unit separator never appears
/// in ids or codes), and the answers of a signature from each other.
const SEP: char = '\u{1f}';
const NEXT: char = '\u{1e}';

/// The stratum of a response from its `stratum` column (`<Land code>\x1f<attributes as JSON>`):
/// its Land and the values of the survey's declared attributes.
fn stratum(names: &[String], column: &str) -> Stratum {
    let (land, json) = column.split_once(SEP).unwrap_or((column, "{}"));
    let attributes: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    Stratum {
        land: land.to_owned(),
        attributes: names
            .iter()
            .map(|k| {
                attributes
                    .get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .collect(),
    }
}

/// Aggregates the submitted responses of a wave (which answered `survey`).
pub fn find_figures(
    conn: &mut PgConnection,
    wave_id: i64,
    survey: &Survey,
) -> QueryResult<Figures> {
    let names: Vec<String> = survey.attributes.keys().cloned().collect();
    let mut figures = Figures::default();
    shown_per_stratum(conn, wave_id, survey, &names, &mut figures)?;
    figures.invited = find_invited(conn, wave_id)?;
    let counts: Vec<CountRow> = diesel::sql_query(format!(
        "SELECT r.stratum, a.question_id, a.item_id, a.option_code, count(*) AS n
         FROM answers a JOIN responses r ON r.id = a.response_id
         WHERE {SUBMITTED} AND a.option_code <> ''
         GROUP BY 1, 2, 3, 4"
    ))
    .bind::<BigInt, _>(wave_id)
    .load(conn)?;
    for row in counts {
        let stratum = stratum(&names, &row.stratum);
        let key = (row.question_id, row.item_id, row.option_code, stratum);
        *figures.counts.entry(key).or_default() += count(row.n);
    }
    let has_numbers = survey
        .questions()
        .any(|(_, q)| matches!(q.kind, QuestionKind::Number { .. }));
    if has_numbers {
        let numbers: Vec<NumberRow> = diesel::sql_query(format!(
            "SELECT r.stratum, a.question_id, a.number::float8 AS value, count(*) AS n
             FROM answers a JOIN responses r ON r.id = a.response_id
             WHERE {SUBMITTED} AND a.number IS NOT NULL
             GROUP BY 1, 2, 3"
        ))
        .bind::<BigInt, _>(wave_id)
        .load(conn)?;
        for row in numbers {
            let stratum = stratum(&names, &row.stratum);
            let distribution = figures
                .numbers
                .entry((row.question_id, stratum))
                .or_default();
            *distribution.entry(Value(row.value)).or_default() += count(row.n);
        }
    }
    let texts: Vec<TextRow> = diesel::sql_query(format!(
        "SELECT question_id, text_value, total FROM (
             SELECT a.question_id, btrim(a.text_value) AS text_value,
                    row_number() OVER (PARTITION BY a.question_id ORDER BY btrim(a.text_value)) AS k,
                    count(*) OVER (PARTITION BY a.question_id) AS total
             FROM answers a JOIN responses r ON r.id = a.response_id
             WHERE {SUBMITTED} AND a.text_value IS NOT NULL AND btrim(a.text_value) <> ''
         ) t WHERE k <= $2 ORDER BY question_id, k"
    ))
    .bind::<BigInt, _>(wave_id)
    .bind::<BigInt, _>(TEXTS_PER_QUESTION)
    .load(conn)?;
    for row in texts {
        figures
            .text_totals
            .insert(row.question_id.clone(), count(row.total));
        figures
            .texts
            .entry(row.question_id)
            .or_default()
            .push(row.text_value);
    }
    Ok(figures)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Counts the submitted responses per stratum and, per aggregated question, those that were shown
/// it: responses are grouped by stratum and by their answers to the condition questions (the
/// "signature"), and the survey's own condition code decides once per group.
fn shown_per_stratum(
    conn: &mut PgConnection,
    wave_id: i64,
    survey: &Survey,
    names: &[String],
    figures: &mut Figures,
) -> QueryResult<()> {
    let condition_questions = condition_questions(survey);
    let query = if condition_questions.is_empty() {
        format!(
            "SELECT r.stratum, '' AS sig, count(*) AS n
             FROM responses r WHERE {SUBMITTED} GROUP BY 1"
        )
    } else {
        format!(
            "SELECT r.stratum, coalesce(s.sig, '') AS sig, count(*) AS n
             FROM responses r LEFT JOIN (
                 SELECT a.response_id,
                        string_agg(a.question_id || chr(31) || a.item_id || chr(31) || a.option_code,
                                   chr(30) ORDER BY a.question_id, a.item_id, a.option_code) AS sig
                 FROM answers a JOIN responses r ON r.id = a.response_id
                 WHERE {SUBMITTED} AND a.question_id = ANY($2)
                 GROUP BY a.response_id
             ) s ON s.response_id = r.id
             WHERE {SUBMITTED} GROUP BY 1, 2"
        )
    };
    let rows: Vec<ShownRow> = diesel::sql_query(query)
        .bind::<BigInt, _>(wave_id)
        .bind::<Array<Text>, _>(&condition_questions)
        .load(conn)?;
    let aggregated: Vec<&str> = survey
        .questions()
        .filter(|(_, q)| aggregated(q))
        .map(|(_, q)| q.id.as_str())
        .collect();
    for row in rows {
        let stratum = stratum(names, &row.stratum);
        let mut attributes: Attributes = names
            .iter()
            .zip(&stratum.attributes)
            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
            .collect();
        attributes.insert("land".to_owned(), stratum.land.clone());
        let answers = signature_answers(survey, &row.sig);
        let shown = answers::shown_questions(survey, &answers, &attributes);
        let ids = aggregated.iter().copied().filter(|id| shown.contains(id));
        figures.add_shown(&stratum, ids, count(row.n));
    }
    Ok(())
}

/// Whether reports count the question per Land (choice and number questions; free texts are only
/// listed, dates and the Land question only exported raw).
fn aggregated(question: &crate::survey::definition::Question) -> bool {
    question.kind.choices().is_some() || matches!(question.kind, QuestionKind::Number { .. })
}

/// The questions that the conditions of aggregated questions (and of their pages) look at.
fn condition_questions(survey: &Survey) -> Vec<String> {
    let mut ids: Vec<String> = survey
        .pages
        .iter()
        .flat_map(|page| {
            let on_page = page.questions.iter().filter(|q| aggregated(q));
            let questions: Vec<_> = on_page.flat_map(|q| &q.show_if).collect();
            let page_conditions = if page.questions.iter().any(aggregated) {
                page.show_if.iter().collect()
            } else {
                Vec::new()
            };
            questions.into_iter().chain(page_conditions)
        })
        .filter_map(|c| match &c.subject {
            Subject::Question { question, .. } => Some(question.clone()),
            Subject::Attribute { .. } => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn signature_answers(survey: &Survey, sig: &str) -> Answers {
    let rows = sig
        .split(NEXT)
        .filter(|e| !e.is_empty())
        .filter_map(|entry| {
            let mut parts = entry.split(SEP);
            Some(AnswerRow {
                question_id: parts.next()?.to_owned(),
                item_id: parts.next()?.to_owned(),
                option_code: parts.next()?.to_owned(),
                number: None,
                text_value: None,
                date_value: None,
            })
        });
    answers_from_rows(survey, rows)
}

/// One submitted response for the raw export.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The response's id.
    pub id: i64,
    /// Its Land code.
    pub land_code: Option<String>,
    /// Its attributes.
    pub attributes: BTreeMap<String, String>,
    /// When it was (last) submitted.
    pub submitted_at: DateTime<Utc>,
    /// The answers.
    pub answers: Answers,
}

#[derive(QueryableByName)]
struct RawRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    land_code: Option<String>,
    #[diesel(sql_type = Jsonb)]
    attributes: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    submitted_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    question_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    item_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    option_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    text_value: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    date_value: Option<chrono::NaiveDate>,
}

/// Calls `each` with every submitted response of the wave, in id order, reading row by row so
/// that memory stays flat however many responses there are.
pub fn for_each_response<E: From<diesel::result::Error>>(
    conn: &mut PgConnection,
    wave_id: i64,
    survey: &Survey,
    mut each: impl FnMut(RawResponse) -> Result<(), E>,
) -> Result<(), E> {
    let query = diesel::sql_query(
        "SELECT r.id, r.land_code, r.attributes, r.submitted_at, a.question_id, a.item_id,
                a.option_code, a.number::text AS number, a.text_value, a.date_value
         FROM responses r LEFT JOIN answers a ON a.response_id = r.id
         WHERE r.wave_id = $1 AND r.submitted_at IS NOT NULL AND NOT r.is_test
         ORDER BY r.id, a.question_id, a.item_id, a.option_code",
    )
    .bind::<BigInt, _>(wave_id);
    let rows = query.load_iter::<RawRow, PgRowByRowLoadingMode>(conn)?;
    let mut current: Option<(RawResponse, Vec<AnswerRow>)> = None;
    for row in rows {
        let row = row?;
        if current.as_ref().is_some_and(|(r, _)| r.id != row.id)
            && let Some((response, answer_rows)) = current.take()
        {
            each(finish(survey, response, answer_rows))?;
        }
        let (_, answer_rows) = current.get_or_insert_with(|| {
            let attributes = super::participants::attributes_of(&row.attributes);
            let response = RawResponse {
                id: row.id,
                land_code: row.land_code.clone(),
                attributes,
                submitted_at: row.submitted_at,
                answers: Answers::new(),
            };
            (response, Vec::new())
        });
        if let Some(question_id) = row.question_id {
            answer_rows.push(AnswerRow {
                question_id,
                item_id: row.item_id.unwrap_or_default(),
                option_code: row.option_code.unwrap_or_default(),
                number: row.number,
                text_value: row.text_value,
                date_value: row.date_value,
            });
        }
    }
    if let Some((response, answer_rows)) = current {
        each(finish(survey, response, answer_rows))?;
    }
    Ok(())
}

fn finish(survey: &Survey, mut response: RawResponse, rows: Vec<AnswerRow>) -> RawResponse {
    response.answers = answers_from_rows(survey, rows);
    response
}

#[derive(QueryableByName)]
struct InvitedRow {
    #[diesel(sql_type = Text)]
    land_code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Participants per Land whose personal link was given out and not revoked before they submitted
/// (the denominator of the response rate; a purged contact still counts).
fn find_invited(conn: &mut PgConnection, wave_id: i64) -> QueryResult<BTreeMap<String, u64>> {
    let rows: Vec<InvitedRow> = diesel::sql_query(
        "SELECT land_code, count(*) AS n FROM participants
         WHERE wave_id = $1 AND (revoked_at IS NULL OR submitted_at IS NOT NULL)
         GROUP BY land_code",
    )
    .bind::<BigInt, _>(wave_id)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| (row.land_code, count(row.n)))
        .collect())
}

/// The report of a wave, built from its submitted responses (with the survey it answered).
pub fn find_report(
    conn: &mut PgConnection,
    wave: &super::waves::Wave,
) -> QueryResult<(Survey, crate::report::Report)> {
    let version = super::surveys::find_by_id(conn, wave.survey_version_id)?;
    let figures = find_figures(conn, wave.id, &version.survey)?;
    let day = |t: Option<DateTime<Utc>>| {
        t.map(|t| {
            t.with_timezone(&chrono_tz::Europe::Berlin)
                .format("%d.%m.%Y")
                .to_string()
        })
    };
    let last_day = wave.closes_at.or(wave.closed_at).map(|t| {
        crate::time::format_deadline(t)
            .chars()
            .take(10)
            .collect::<String>()
    });
    let period = match (day(wave.opens_at.or(wave.opened_at)), last_day) {
        (Some(from), Some(to)) => format!("{from} – {to}"),
        (Some(from), None) => format!("ab {from}"),
        (None, Some(to)) => format!("bis {to}"),
        (None, None) => String::new(),
    };
    let info = crate::report::WaveInfo {
        slug: wave.slug.clone(),
        title: wave.title.clone(),
        survey_title: version.survey.title.clone(),
        period,
        threshold: u64::try_from(wave.suppress_below).unwrap_or(5),
    };
    let report = crate::report::build::build(&version.survey, info, &figures);
    Ok((version.survey, report))
}
