//! Responses and their answers (one row per chosen option, matrix row, number, text or date).
//!
//! A page save replaces that page's answer rows and moves the response on, in one transaction, with a
//! fixed number of statements however many answers the page has (`unnest` of column arrays).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text};

use super::participants::Participant;
use super::prepared::prepared;
use super::schema::answers as stored_answers;
use super::schema::{answer_changes, participants, responses};
use crate::survey::answers::{self, Answer, Answers, Attributes};
use crate::survey::{QuestionKind, Survey};

/// A response as stored.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = responses)]
pub struct Response {
    /// Row id.
    pub id: i64,
    /// The wave.
    pub wave_id: i64,
    /// The participant (personal link), or `None` for an open-link session.
    pub participant_id: Option<i64>,
    /// The Land the response counts for (open link: once the `land` question is answered).
    pub land_code: Option<String>,
    /// The participant's attributes when the response started.
    pub attributes: serde_json::Value,
    /// When the consent was given (nothing is stored before).
    pub consented_at: Option<DateTime<Utc>>,
    /// The page to show when the link is opened again.
    pub current_page: i32,
    /// When it was (last) submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Reopened for changes after submitting (until submitted again).
    pub reopened_at: Option<DateTime<Utc>>,
    /// When it last changed: a page save outside a transaction saves only if it is still as it
    /// was read ([`PagePosition::seen`]).
    pub updated_at: DateTime<Utc>,
}

impl Response {
    /// Whether the questionnaire is shown (not submitted, or reopened for changes).
    pub fn is_editable(&self) -> bool {
        self.submitted_at.is_none() || self.reopened_at.is_some()
    }
}

/// The response of a participant, if one was started.
pub fn find_for_participant(
    conn: &mut PgConnection,
    participant_id: i64,
) -> QueryResult<Option<Response>> {
    responses::table
        .filter(responses::participant_id.eq(participant_id))
        .select(Response::as_select())
        .first(conn)
        .optional()
}

/// The participants of a wave who have a response (begun or submitted).
pub fn find_participants_with_response(
    conn: &mut PgConnection,
    wave_id: i64,
) -> QueryResult<Vec<i64>> {
    responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::participant_id.is_not_null())
        .select(responses::participant_id.assume_not_null())
        .load(conn)
}

/// Submissions of a wave per day (Europe/Berlin), oldest first: personal and open links alike.
pub fn find_submissions_per_day(
    conn: &mut PgConnection,
    wave_id: i64,
) -> QueryResult<Vec<(chrono::NaiveDate, i64)>> {
    #[derive(QueryableByName)]
    struct Day {
        #[diesel(sql_type = diesel::sql_types::Date)]
        day: chrono::NaiveDate,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let days: Vec<Day> = diesel::sql_query(
        "SELECT (submitted_at AT TIME ZONE 'Europe/Berlin')::date AS day, count(*) AS n
         FROM responses WHERE wave_id = $1 AND submitted_at IS NOT NULL AND NOT is_test
         GROUP BY 1 ORDER BY 1",
    )
    .bind::<diesel::sql_types::BigInt, _>(wave_id)
    .load(conn)?;
    Ok(days.into_iter().map(|d| (d.day, d.n)).collect())
}

/// Starts a participant's response with their consent, at `page` (a second call returns the
/// existing one as it is).
pub fn insert_for_participant(
    conn: &mut PgConnection,
    participant: &Participant,
    page: i32,
    now: DateTime<Utc>,
) -> QueryResult<Response> {
    start_for_participant(conn, participant, page, now).map(|(response, _)| response)
}

/// Starts a participant's response with their consent, at `page`, in one statement; returns it
/// with whether this call started it (`false`: it was there already, as it is, perhaps with
/// answers).
pub fn start_for_participant(
    conn: &mut PgConnection,
    participant: &Participant,
    page: i32,
    now: DateTime<Utc>,
) -> QueryResult<(Response, bool)> {
    let inserted = diesel::insert_into(responses::table)
        .values((
            responses::wave_id.eq(participant.wave_id),
            responses::participant_id.eq(participant.id),
            responses::land_code.eq(&participant.land_code),
            responses::attributes.eq(&participant.attributes),
            responses::consented_at.eq(now),
            responses::current_page.eq(page),
        ))
        .on_conflict(responses::participant_id)
        .do_nothing()
        .returning(Response::as_returning())
        .get_result(conn)
        .optional()?;
    match inserted {
        Some(response) => Ok((response, true)),
        None => find_for_participant(conn, participant.id)?
            .map(|response| (response, false))
            .ok_or(diesel::result::Error::NotFound),
    }
}

/// Starts a participant's response with their consent, at `page`, through the personal link with
/// this SHA-256, in one statement, if the link still takes answers (SQL `link_takes_answers`: for
/// a caller that read the link in an earlier request) and no response is there yet; `None`: not
/// started, read the link again.
pub fn start_for_link(
    conn: &mut PgConnection,
    participant_id: i64,
    token_sha256: &[u8],
    page: i32,
    now: DateTime<Utc>,
) -> QueryResult<Option<Response>> {
    prepared(
        diesel::sql_query(
            "INSERT INTO responses (wave_id, participant_id, land_code, attributes, consented_at,
                                    current_page)
             SELECT wave_id, id, land_code, attributes, $3, $4 FROM participants
             WHERE id = $1 AND link_takes_answers($1, $2)
             ON CONFLICT (participant_id) DO NOTHING
             RETURNING id, wave_id, participant_id, land_code, attributes, consented_at,
                       current_page, submitted_at, reopened_at, updated_at",
        )
        .bind::<BigInt, _>(participant_id)
        .bind::<diesel::sql_types::Binary, _>(token_sha256)
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .bind::<diesel::sql_types::Integer, _>(page),
    )
    .get_result(conn)
    .optional()
}

/// Gives an open-link response a new session (a continue link was asked for): only the newest
/// link works. Returns false when the response no longer has session `old` (changed meanwhile).
pub fn rotate_session(
    conn: &mut PgConnection,
    response_id: i64,
    old: &[u8],
    new: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        responses::table
            .find(response_id)
            .filter(responses::session_sha256.eq(old)),
    )
    .set(responses::session_sha256.eq(new))
    .execute(conn)
    .map(|n| n == 1)
}

/// The response of an open-link browser session, if it started one.
pub fn find_for_session(
    conn: &mut PgConnection,
    wave_id: i64,
    session_sha256: &[u8],
) -> QueryResult<Option<Response>> {
    responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::session_sha256.eq(session_sha256))
        .select(Response::as_select())
        // Unique session hash: no LIMIT parameter (see participants::find_link_by_token).
        .get_result(conn)
        .optional()
}

/// Starts an anonymous open-link response with its consent, at `page`.
pub fn insert_for_session(
    conn: &mut PgConnection,
    wave_id: i64,
    session_sha256: &[u8],
    is_test: bool,
    page: i32,
    now: DateTime<Utc>,
) -> QueryResult<Response> {
    diesel::insert_into(responses::table)
        .values((
            responses::wave_id.eq(wave_id),
            responses::session_sha256.eq(session_sha256),
            responses::consented_at.eq(now),
            responses::is_test.eq(is_test),
            responses::current_page.eq(page),
        ))
        .returning(Response::as_returning())
        .get_result(conn)
}

/// Deletes a wave's test-link responses with their answers; returns how many.
pub fn delete_tests(conn: &mut PgConnection, wave_id: i64) -> QueryResult<usize> {
    diesel::delete(
        responses::table
            .filter(responses::wave_id.eq(wave_id))
            .filter(responses::is_test),
    )
    .execute(conn)
}

/// A wave's test-link responses: (begun, submitted).
pub fn count_tests(conn: &mut PgConnection, wave_id: i64) -> QueryResult<(i64, i64)> {
    let rows: Vec<Option<DateTime<Utc>>> = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::is_test)
        .select(responses::submitted_at)
        .load(conn)?;
    let submitted = rows.iter().filter(|s| s.is_some()).count();
    Ok((rows.len() as i64, submitted as i64))
}

/// Records the Land an open-link response counts for.
pub fn set_land(conn: &mut PgConnection, response_id: i64, land_code: &str) -> QueryResult<()> {
    diesel::update(responses::table.find(response_id))
        .set(responses::land_code.eq(land_code))
        .execute(conn)
        .map(drop)
}

/// One stored answer row, as queries read it back.
#[derive(Clone, QueryableByName)]
pub(crate) struct AnswerRow {
    #[diesel(sql_type = Text)]
    pub(crate) question_id: String,
    #[diesel(sql_type = Text)]
    pub(crate) item_id: String,
    #[diesel(sql_type = Text)]
    pub(crate) option_code: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub(crate) text_value: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub(crate) date_value: Option<NaiveDate>,
}

/// The answers of a response, typed by the survey's questions (rows of unknown questions are skipped).
pub fn find_answers(
    conn: &mut PgConnection,
    response_id: i64,
    survey: &Survey,
) -> QueryResult<Answers> {
    read_answers(conn, AnswerTable::Submitted, response_id, survey)
}

/// The two tables that hold answers, with the same columns.
#[derive(Debug, Clone, Copy)]
enum AnswerTable {
    /// `answers`: the submitted (or not yet submitted) version.
    Submitted,
    /// `answer_changes`: the draft of a change to a submitted response.
    Change,
}

fn read_answers(
    conn: &mut PgConnection,
    table: AnswerTable,
    response_id: i64,
    survey: &Survey,
) -> QueryResult<Answers> {
    let sql = match table {
        AnswerTable::Submitted => {
            "SELECT question_id, item_id, option_code, number::text AS number, text_value, date_value
             FROM answers WHERE response_id = $1 ORDER BY question_id, item_id, option_code"
        }
        AnswerTable::Change => {
            "SELECT question_id, item_id, option_code, number::text AS number, text_value, date_value
             FROM answer_changes WHERE response_id = $1 ORDER BY question_id, item_id, option_code"
        }
    };
    let rows: Vec<AnswerRow> =
        prepared(diesel::sql_query(sql).bind::<BigInt, _>(response_id)).load(conn)?;
    Ok(answers_from_rows(survey, rows))
}

/// The answers a respondent works on: the draft of the change while the response is reopened
/// ([`find_change`]), else the stored answers.
pub fn find_current_answers(
    conn: &mut PgConnection,
    response: &Response,
    survey: &Survey,
) -> QueryResult<Answers> {
    if response.reopened_at.is_some() {
        find_change(conn, response.id, survey)
    } else {
        find_answers(conn, response.id, survey)
    }
}

/// The draft of a change to a submitted response (migration create_answer_changes): what the
/// pages saved since "Antworten ändern", not yet submitted.
pub fn find_change(
    conn: &mut PgConnection,
    response_id: i64,
    survey: &Survey,
) -> QueryResult<Answers> {
    read_answers(conn, AnswerTable::Change, response_id, survey)
}

/// The answers a respondent works on (as [`find_current_answers`]) of the response joined as
/// `responses`, as one JSON text (`NULL`: none), to be selected with the response's row: the page
/// requests of a personal link read their link, response and answers in one query. Read them with
/// [`StoredAnswers::from_json`].
pub(crate) const CURRENT_ANSWERS_JSON: &str = "CASE WHEN responses.reopened_at IS NULL \
     THEN (SELECT json_agg(json_build_array(question_id, item_id, option_code, number::text, \
           text_value, date_value) ORDER BY question_id, item_id, option_code)::text \
           FROM answers WHERE response_id = responses.id) \
     ELSE (SELECT json_agg(json_build_array(question_id, item_id, option_code, number::text, \
           text_value, date_value) ORDER BY question_id, item_id, option_code)::text \
           FROM answer_changes WHERE response_id = responses.id) END";

/// A response's answer rows as read with its row ([`CURRENT_ANSWERS_JSON`]), not yet typed by
/// the survey's questions.
#[derive(Clone, Default)]
pub struct StoredAnswers(Vec<AnswerRow>);

impl std::fmt::Debug for StoredAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Answers are personal data: a debug print shows how many, never what.
        write!(f, "StoredAnswers({} rows)", self.0.len())
    }
}

impl StoredAnswers {
    /// Reads the JSON text of [`CURRENT_ANSWERS_JSON`].
    pub(crate) fn from_json(json: Option<&str>) -> QueryResult<Self> {
        #[derive(serde::Deserialize)]
        struct Row(
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<NaiveDate>,
        );
        let Some(json) = json else {
            return Ok(Self::default());
        };
        let rows: Vec<Row> = serde_json::from_str(json)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        Ok(Self(
            rows.into_iter()
                .map(
                    |Row(question_id, item_id, option_code, number, text_value, date_value)| {
                        AnswerRow {
                            question_id,
                            item_id,
                            option_code,
                            number,
                            text_value,
                            date_value,
                        }
                    },
                )
                .collect(),
        ))
    }

    /// The answers, typed by the survey's questions (rows of unknown questions are skipped).
    pub fn typed(self, survey: &Survey) -> Answers {
        answers_from_rows(survey, self.0)
    }
}

/// `answers` as a fresh read of them would give them back (the rows they are stored as, in the
/// order they are read): what a request leaves for the link's next one to start from.
pub fn as_stored(survey: &Survey, answers: &Answers) -> Answers {
    let mut rows: Vec<AnswerRow> = answers
        .iter()
        .flat_map(|(question_id, answer)| {
            rows_of(answer).into_iter().map(
                |(item_id, option_code, number, text_value, date_value)| AnswerRow {
                    question_id: question_id.clone(),
                    item_id,
                    option_code,
                    number,
                    text_value,
                    date_value,
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.question_id, &a.item_id, &a.option_code).cmp(&(
            &b.question_id,
            &b.item_id,
            &b.option_code,
        ))
    });
    answers_from_rows(survey, rows)
}

pub(crate) fn answers_from_rows(
    survey: &Survey,
    rows: impl IntoIterator<Item = AnswerRow>,
) -> Answers {
    let mut answers = Answers::new();
    for row in rows {
        let Some(question) = survey.question(&row.question_id) else {
            continue;
        };
        let entry = answers.get_mut(&row.question_id);
        match (&question.kind, entry) {
            (QuestionKind::Multiple { .. }, Some(Answer::Multiple { codes, other })) => {
                codes.push(row.option_code);
                if row.text_value.is_some() {
                    *other = row.text_value;
                }
            }
            (QuestionKind::Matrix { .. }, Some(Answer::Matrix { rows })) => {
                rows.insert(row.item_id, row.option_code);
            }
            (kind, _) => {
                let answer = match kind {
                    QuestionKind::Single { .. } => Answer::Single {
                        code: row.option_code,
                        other: row.text_value,
                    },
                    QuestionKind::Multiple { .. } => Answer::Multiple {
                        codes: vec![row.option_code],
                        other: row.text_value,
                    },
                    QuestionKind::Matrix { .. } => Answer::Matrix {
                        rows: [(row.item_id, row.option_code)].into_iter().collect(),
                    },
                    QuestionKind::Number { .. } => Answer::Number {
                        value: row.number.unwrap_or_default(),
                    },
                    QuestionKind::Text { .. } | QuestionKind::LongText { .. } => Answer::Text {
                        value: row.text_value.unwrap_or_default(),
                    },
                    QuestionKind::Date { .. } => match row.date_value {
                        Some(value) => Answer::Date { value },
                        None => continue,
                    },
                    QuestionKind::Land => Answer::Land {
                        code: row.option_code,
                    },
                };
                answers.insert(row.question_id, answer);
            }
        }
    }
    // Stored rows come back in code order; put choices and matrix rows back in the survey's order.
    for (id, answer) in answers.iter_mut() {
        match (answer, survey.question(id).map(|q| &q.kind)) {
            (Answer::Multiple { codes, .. }, Some(kind)) => {
                if let Some(choices) = kind.choices() {
                    codes.sort_by_key(|c| choices.options.iter().position(|o| &o.code == c));
                }
            }
            (Answer::Matrix { rows }, Some(QuestionKind::Matrix { items, .. })) => {
                rows.sort_by_cached_key(|item, _| items.iter().position(|i| &i.id == item));
            }
            _ => {}
        }
    }
    answers
}

/// The rows of one answer: (item, option, number, text, date).
type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
);

fn rows_of(answer: &Answer) -> Vec<Row> {
    match answer {
        Answer::Single { code, other } => {
            vec![(String::new(), code.clone(), None, other.clone(), None)]
        }
        Answer::Multiple { codes, other } => codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                (
                    String::new(),
                    code.clone(),
                    None,
                    if i == 0 { other.clone() } else { None },
                    None,
                )
            })
            .collect(),
        Answer::Matrix { rows } => rows
            .iter()
            .map(|(item, code)| (item.clone(), code.clone(), None, None, None))
            .collect(),
        Answer::Number { value } => vec![(
            String::new(),
            String::new(),
            Some(value.clone()),
            None,
            None,
        )],
        Answer::Text { value } => vec![(
            String::new(),
            String::new(),
            None,
            Some(value.clone()),
            None,
        )],
        Answer::Date { value } => vec![(String::new(), String::new(), None, None, Some(*value))],
        Answer::Land { code } => vec![(String::new(), code.clone(), None, None, None)],
    }
}

/// Answer rows as column arrays, bound to one `INSERT … SELECT FROM unnest(…)`.
#[derive(Default)]
struct Columns {
    question: Vec<String>,
    item: Vec<String>,
    option: Vec<String>,
    number: Vec<Option<String>>,
    text: Vec<Option<String>>,
    date: Vec<Option<NaiveDate>>,
}

impl Columns {
    fn push(&mut self, question_id: &str, (item, option, number, text, date): Row) {
        self.question.push(question_id.to_owned());
        self.item.push(item);
        self.option.push(option);
        self.number.push(number);
        self.text.push(text);
        self.date.push(date);
    }
}

/// Replaces the answers to `question_ids` with `answers` (those of them that are answered).
pub fn replace_answers(
    conn: &mut PgConnection,
    response_id: i64,
    question_ids: &[String],
    answers: &Answers,
) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM answers WHERE response_id = $1 AND question_id = ANY($2)")
        .bind::<BigInt, _>(response_id)
        .bind::<Array<Text>, _>(question_ids)
        .execute(conn)?;
    let mut columns = Columns::default();
    for (question_id, answer) in answers.iter().filter(|(id, _)| question_ids.contains(id)) {
        for row in rows_of(answer) {
            columns.push(question_id, row);
        }
    }
    if columns.question.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "INSERT INTO answers (response_id, question_id, item_id, option_code, number, text_value, date_value)
         SELECT $1, q, i, o, n::numeric, t, d FROM unnest($2, $3, $4, $5, $6, $7) AS u(q, i, o, n, t, d)",
    )
    .bind::<BigInt, _>(response_id)
    .bind::<Array<Text>, _>(&columns.question)
    .bind::<Array<Text>, _>(&columns.item)
    .bind::<Array<Text>, _>(&columns.option)
    .bind::<Array<Nullable<Text>>, _>(&columns.number)
    .bind::<Array<Nullable<Text>>, _>(&columns.text)
    .bind::<Array<Nullable<Date>>, _>(&columns.date)
    .execute(conn)
    .map(drop)
}

/// Starts, fills and submits a participant's response in one statement (a whole questionnaire sent
/// as one form, consent included). Returns false, storing nothing, when the participant has a
/// response already (the caller then replaces its answers instead).
pub fn insert_submitted(
    conn: &mut PgConnection,
    participant: &Participant,
    answers: &Answers,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let mut columns = Columns::default();
    for (question_id, answer) in answers {
        for row in rows_of(answer) {
            columns.push(question_id, row);
        }
    }
    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        stored: bool,
    }
    // The function (migration create_submit_response) runs the three statements with plans kept
    // for the session; as one plain statement they would be parsed and planned every time.
    let result: Stored = prepared(
        diesel::sql_query(
            "SELECT submit_response($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS stored",
        )
        .bind::<BigInt, _>(participant.wave_id)
        .bind::<BigInt, _>(participant.id)
        .bind::<Text, _>(&participant.land_code)
        .bind::<diesel::sql_types::Jsonb, _>(&participant.attributes)
        .bind::<diesel::sql_types::Timestamptz, _>(now)
        .bind::<Array<Text>, _>(&columns.question)
        .bind::<Array<Text>, _>(&columns.item)
        .bind::<Array<Text>, _>(&columns.option)
        .bind::<Array<Nullable<Text>>, _>(&columns.number)
        .bind::<Array<Nullable<Text>>, _>(&columns.text)
        .bind::<Array<Nullable<Date>>, _>(&columns.date),
    )
    .get_result(conn)?;
    Ok(result.stored)
}

/// Puts one page's answers into `answers` (all of the response's answers), the way a respondent's
/// "Weiter" does: the page's old answers are replaced by `page_answers` and answers that the change
/// hides are dropped. Returns the ids of the questions whose stored answers are to be replaced.
pub fn apply_page(
    survey: &Survey,
    attributes: &Attributes,
    answers: &mut Answers,
    page: usize,
    page_answers: Answers,
) -> Vec<String> {
    let mut replaced: Vec<String> = survey.pages.get(page).map_or_else(Vec::new, |p| {
        p.questions.iter().map(|q| q.id.clone()).collect()
    });
    for id in &replaced {
        answers.shift_remove(id);
    }
    answers.extend(page_answers);
    replaced.extend(answers::prune_hidden(survey, answers, attributes));
    replaced
}

/// What a page save writes besides the answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagePosition {
    /// The page to show next (`None`: unchanged).
    pub current_page: Option<i32>,
    /// The Land an open-link response now counts for (`None`: unchanged).
    pub land_code: Option<String>,
    /// The response as the caller read it (`None`: whatever it is now, in the caller's
    /// transaction). Nothing is saved if it changed since; and as the reading is then what is
    /// stored, only the stored rows of the questions it had answers to are deleted.
    pub seen: Option<Seen>,
    /// Submit the response with this save: the caller found every required answer in what it read
    /// (needs `seen`; never a reopened response, whose change is submitted in a transaction).
    pub submit: bool,
    /// A move to another page ("Weiter", "Zurück"): the commit need not wait for the disk (a
    /// crash of the database server may lose the last fraction of a second of moves; see the
    /// migration save_page_submits). `false` for "Zwischenspeichern" and whatever submits.
    pub quick: bool,
    /// The SHA-256 of the personal link the caller remembers the response by, without having
    /// read it for this save: nothing is saved unless the link still leads to the response and
    /// takes answers (not renewed or revoked, the wave open).
    pub token_sha256: Option<Vec<u8>>,
}

/// A response as read before a page save: [`Response::updated_at`] and the questions that had
/// answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The questions with answers (the draft's while it is reopened).
    pub answered: Vec<String>,
}

/// Stores a page save in one call (function `save_page`, migrations create_save_page and
/// save_page_submits): the answers to `replaced` become those of `answers`, and `position` is
/// recorded (and the response submitted, if it says so). Returns when the response changed (its new
/// `updated_at`), or `None`, storing nothing, when it may no longer be changed (submitted
/// meanwhile), is gone, or changed since it was `seen`.
pub fn save_page(
    conn: &mut PgConnection,
    response_id: i64,
    replaced: &[String],
    answers: &Answers,
    position: &PagePosition,
) -> QueryResult<Option<DateTime<Utc>>> {
    let mut columns = Columns::default();
    for (question_id, answer) in answers.iter().filter(|(id, _)| replaced.contains(id)) {
        for row in rows_of(answer) {
            columns.push(question_id, row);
        }
    }
    let deleted: Vec<&String> = match &position.seen {
        Some(seen) => (replaced.iter())
            .filter(|id| seen.answered.contains(id))
            .collect(),
        None => replaced.iter().collect(),
    };
    #[derive(QueryableByName)]
    struct Saved {
        #[diesel(sql_type = Nullable<diesel::sql_types::Timestamptz>)]
        saved_at: Option<DateTime<Utc>>,
    }
    let result: Saved = prepared(
        diesel::sql_query(
            "SELECT save_page($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             AS saved_at",
        )
        .bind::<BigInt, _>(response_id)
        .bind::<Array<Text>, _>(&deleted)
        .bind::<Nullable<diesel::sql_types::Integer>, _>(position.current_page)
        .bind::<Nullable<Text>, _>(position.land_code.as_deref())
        .bind::<Array<Text>, _>(&columns.question)
        .bind::<Array<Text>, _>(&columns.item)
        .bind::<Array<Text>, _>(&columns.option)
        .bind::<Array<Nullable<Text>>, _>(&columns.number)
        .bind::<Array<Nullable<Text>>, _>(&columns.text)
        .bind::<Array<Nullable<Date>>, _>(&columns.date)
        .bind::<Nullable<diesel::sql_types::Timestamptz>, _>(
            position.seen.as_ref().map(|seen| seen.updated_at),
        )
        .bind::<diesel::sql_types::Bool, _>(position.submit)
        .bind::<diesel::sql_types::Bool, _>(position.quick)
        .bind::<Nullable<diesel::sql_types::Binary>, _>(position.token_sha256.as_deref()),
    )
    .get_result(conn)?;
    Ok(result.saved_at)
}

/// Remembers the page to show next.
pub fn set_current_page(conn: &mut PgConnection, response_id: i64, page: i32) -> QueryResult<()> {
    diesel::update(responses::table.find(response_id))
        .set((
            responses::current_page.eq(page),
            responses::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(drop)
}

/// Submits the response with the answers stored in `answers` (again: the time is updated); a draft
/// of a change, if any, is dropped. Run it in a transaction.
pub fn mark_submitted(
    conn: &mut PgConnection,
    response: &Response,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(answer_changes::table.filter(answer_changes::response_id.eq(response.id)))
        .execute(conn)?;
    diesel::update(responses::table.find(response.id))
        .set((
            responses::submitted_at.eq(now),
            responses::reopened_at.eq(None::<DateTime<Utc>>),
            responses::updated_at.eq(now),
        ))
        .execute(conn)?;
    if let Some(participant_id) = response.participant_id {
        diesel::update(participants::table.find(participant_id))
            .set(participants::submitted_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// Submits the draft of a change: the response's answers become the draft's, in the caller's
/// transaction, and the response is submitted again. Returns false, changing nothing, when the
/// response is no longer being changed (submitted or discarded meanwhile in another tab).
pub fn submit_change(
    conn: &mut PgConnection,
    response: &Response,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    // The row lock makes a second tab's submit wait, then find the change already submitted.
    let changing: Option<Option<DateTime<Utc>>> = responses::table
        .find(response.id)
        .select(responses::reopened_at)
        .for_update()
        .first(conn)
        .optional()?;
    if !matches!(changing, Some(Some(_))) {
        return Ok(false);
    }
    diesel::delete(stored_answers::table.filter(stored_answers::response_id.eq(response.id)))
        .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO answers (response_id, question_id, item_id, option_code, number, text_value,
                              date_value)
         SELECT response_id, question_id, item_id, option_code, number, text_value, date_value
         FROM answer_changes WHERE response_id = $1",
    )
    .bind::<BigInt, _>(response.id)
    .execute(conn)?;
    mark_submitted(conn, response, now)?;
    Ok(true)
}

/// Drops the draft of a change: the submitted answers stand as they were. Returns false when the
/// response was not being changed.
pub fn discard_change(conn: &mut PgConnection, response_id: i64) -> QueryResult<bool> {
    let reopened = diesel::update(
        responses::table
            .find(response_id)
            .filter(responses::reopened_at.is_not_null()),
    )
    .set((
        responses::reopened_at.eq(None::<DateTime<Utc>>),
        responses::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)?;
    diesel::delete(answer_changes::table.filter(answer_changes::response_id.eq(response_id)))
        .execute(conn)?;
    Ok(reopened == 1)
}

/// Reopens a submitted response for changes, starting again at `page`: its answers are copied
/// into a draft of the change, which the pages then save into; the submitted answers stay what
/// reports see until the change is submitted ([`submit_change`]). Run it in a transaction.
pub fn mark_reopened(
    conn: &mut PgConnection,
    response_id: i64,
    page: i32,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::delete(answer_changes::table.filter(answer_changes::response_id.eq(response_id)))
        .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO answer_changes (response_id, question_id, item_id, option_code, number,
                                     text_value, date_value)
         SELECT response_id, question_id, item_id, option_code, number, text_value, date_value
         FROM answers WHERE response_id = $1",
    )
    .bind::<BigInt, _>(response_id)
    .execute(conn)?;
    diesel::update(responses::table.find(response_id))
        .set((
            responses::reopened_at.eq(now),
            responses::current_page.eq(page),
            responses::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}
