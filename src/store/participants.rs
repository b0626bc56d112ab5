//! Participants of a wave and their contacts (kept in a table of their own).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::prepared::prepared;
use super::schema::{contacts, participants, regions};
use crate::tokens::{self, SecretKey};

/// A participant as stored (its token exists only as a hash).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = participants)]
pub struct Participant {
    /// Row id: what the token is derived from.
    pub id: i64,
    /// The wave.
    pub wave_id: i64,
    /// The region the participant answers for.
    pub region_id: i64,
    /// The Land the participant answers for.
    pub land_code: String,
    /// Further attributes from the import (`landesnetzwerk`, …), a JSON object of strings.
    pub attributes: serde_json::Value,
    /// Which link is valid: renewing increments it.
    pub token_generation: i32,
    /// The link no longer works.
    pub revoked_at: Option<DateTime<Utc>>,
    /// No more reminders.
    pub opted_out_at: Option<DateTime<Utc>>,
    /// The response was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// The personal link was first opened.
    pub first_visit_at: Option<DateTime<Utc>>,
}

/// A participant's stored attributes (a jsonb object of strings) as conditions and reports read
/// them (conditions a map, reports a sorted one); anything that is not a string is left out.
pub fn attributes_of<C: FromIterator<(String, String)> + Default>(json: &serde_json::Value) -> C {
    json.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

impl Participant {
    /// What conditions may test: the imported attributes (string values) and `land`.
    pub fn condition_attributes(&self) -> crate::survey::answers::Attributes {
        let mut attributes: crate::survey::answers::Attributes = attributes_of(&self.attributes);
        attributes.insert("land".to_owned(), self.land_code.clone());
        attributes
    }

    /// The participant's current personal link.
    pub fn link(&self, public_url: &str, key: &SecretKey) -> String {
        tokens::personal_link(public_url, key, self.id, self.token_generation)
    }
}

/// A participant to add, with the contact it reaches.
#[derive(Debug, Clone)]
pub struct NewParticipant<'a> {
    /// The region.
    pub region_id: i64,
    /// The Land.
    pub land_code: &'a str,
    /// Attributes as a JSON object.
    pub attributes: serde_json::Value,
    /// The contact's address.
    pub email: &'a str,
    /// The contact's name.
    pub name: Option<&'a str>,
}

/// A participant with the names needed to write to them and show them in lists.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ParticipantListing {
    /// The participant.
    pub participant: Participant,
    /// The region's name.
    pub region: String,
    /// The contact's address (`None` after `wave purge-contacts`).
    pub email: Option<String>,
    /// The contact's name.
    pub name: Option<String>,
}

/// Adds participants with their contacts and the hashes of their first tokens: three statements
/// whatever their number (ids drawn from the sequence first, so that each token is known before its
/// row is written). Returns the ids, in the order of `new`.
pub fn insert_all(
    conn: &mut PgConnection,
    wave_id: i64,
    new: &[NewParticipant<'_>],
    key: &SecretKey,
) -> QueryResult<Vec<i64>> {
    use diesel::sql_types::{Array, BigInt, Bytea, Jsonb, Nullable, Text};
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(new.len()).unwrap_or(i64::MAX);
    let ids: Vec<i64> = diesel::sql_query(
        "SELECT nextval(pg_get_serial_sequence('participants', 'id')) AS id
         FROM generate_series(1, $1)",
    )
    .bind::<BigInt, _>(count)
    .load::<Id>(conn)?
    .into_iter()
    .map(|row| row.id)
    .collect();
    let hashes: Vec<Vec<u8>> = ids
        .iter()
        .map(|&id| tokens::token_hash(&tokens::participant_token(key, id, 1)))
        .collect();
    diesel::sql_query(
        "INSERT INTO participants (id, wave_id, region_id, land_code, attributes, token_sha256)
         OVERRIDING SYSTEM VALUE
         SELECT id, $1, region_id, land_code, attributes, token_sha256
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::jsonb[], $6::bytea[])
              AS new (id, region_id, land_code, attributes, token_sha256)",
    )
    .bind::<BigInt, _>(wave_id)
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<BigInt>, _>(new.iter().map(|p| p.region_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(new.iter().map(|p| p.land_code).collect::<Vec<_>>())
    .bind::<Array<Jsonb>, _>(new.iter().map(|p| &p.attributes).collect::<Vec<_>>())
    .bind::<Array<Bytea>, _>(&hashes)
    .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO contacts (participant_id, wave_id, email, name)
         SELECT id, $1, email, name FROM unnest($2::bigint[], $3::text[], $4::text[])
              AS new (id, email, name)",
    )
    .bind::<BigInt, _>(wave_id)
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<Text>, _>(new.iter().map(|p| p.email).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(new.iter().map(|p| p.name).collect::<Vec<_>>())
    .execute(conn)?;
    Ok(ids)
}

/// A drawn participant id.
#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// Every address of a wave with the name of its participant's region (what an import checks its
/// rows against).
pub fn find_addresses(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<(String, String)>> {
    contacts::table
        .inner_join(participants::table.inner_join(regions::table))
        .filter(contacts::wave_id.eq(wave_id))
        .select((contacts::email, regions::name))
        .load(conn)
}

/// Participants of a wave with region and contact, by region name; only the one with `email` if given.
fn load_listings(
    conn: &mut PgConnection,
    wave_id: i64,
    email: Option<&str>,
) -> QueryResult<Vec<ParticipantListing>> {
    let mut query = participants::table
        .inner_join(regions::table)
        .left_join(contacts::table)
        .filter(participants::wave_id.eq(wave_id))
        .select((
            Participant::as_select(),
            regions::name,
            contacts::email.nullable(),
            contacts::name.nullable(),
        ))
        .order((regions::name, participants::id))
        .into_boxed();
    if let Some(email) = email {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(contacts.email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email.to_owned())
                .sql(")"),
        );
    }
    query.load(conn)
}

/// The participant of a wave whose contact has this address (any case).
pub fn find_by_email(
    conn: &mut PgConnection,
    wave_id: i64,
    email: &str,
) -> QueryResult<Option<ParticipantListing>> {
    Ok(load_listings(conn, wave_id, Some(email))?
        .into_iter()
        .next())
}

/// Every participant of a wave, by region name.
pub fn find_by_wave(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<ParticipantListing>> {
    load_listings(conn, wave_id, None)
}

/// The participant a token belongs to (revoked ones included: the caller decides).
pub fn find_by_token(conn: &mut PgConnection, token: &str) -> QueryResult<Option<Participant>> {
    participants::table
        .filter(participants::token_sha256.eq(tokens::token_hash(token)))
        .select(Participant::as_select())
        .first(conn)
        .optional()
}

/// What a personal link leads to: the participant, their wave, their region's name and their
/// response (if they started one).
#[derive(Debug, Clone)]
pub struct Link {
    /// The participant.
    pub participant: Participant,
    /// Their wave.
    pub wave: super::waves::Wave,
    /// Their region's name.
    pub region: String,
    /// Their response, once they gave consent.
    pub response: Option<super::responses::Response>,
    /// The response's answers (the draft of the change while it is reopened).
    pub answers: super::responses::StoredAnswers,
}

/// What the token leads to, in one query (every request through a personal link starts here).
pub fn find_link_by_token(conn: &mut PgConnection, token: &str) -> QueryResult<Option<Link>> {
    use super::responses::{CURRENT_ANSWERS_JSON, Response, StoredAnswers};
    use super::schema::{responses, waves};
    let found = prepared(
        participants::table
            .inner_join(waves::table)
            .inner_join(regions::table)
            .left_join(
                responses::table.on(responses::participant_id.eq(participants::id.nullable())),
            )
            .filter(participants::token_sha256.eq(tokens::token_hash(token)))
            .select((
                Participant::as_select(),
                super::waves::Wave::as_select(),
                regions::name,
                Option::<Response>::as_select(),
                diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    CURRENT_ANSWERS_JSON,
                ),
            )),
    )
    // At most one row (the token, the participant's response: unique), so no LIMIT: with a
    // LIMIT parameter PostgreSQL re-plans the prepared statement on every call.
    .get_result::<(
        Participant,
        super::waves::Wave,
        String,
        Option<Response>,
        Option<String>,
    )>(conn)
    .optional()?;
    found
        .map(|(participant, wave, region, response, answers)| {
            Ok(Link {
                participant,
                wave,
                region,
                response,
                answers: StoredAnswers::from_json(answers.as_deref())?,
            })
        })
        .transpose()
}

/// Makes a new link for a participant (the old one stops working) and lifts a revocation.
pub fn renew_token(conn: &mut PgConnection, id: i64, key: &SecretKey) -> QueryResult<Participant> {
    conn.transaction(|conn| {
        let generation: i32 = diesel::update(participants::table.find(id))
            .set(participants::token_generation.eq(participants::token_generation + 1))
            .returning(participants::token_generation)
            .get_result(conn)?;
        diesel::update(participants::table.find(id))
            .set((
                participants::token_sha256.eq(tokens::token_hash(&tokens::participant_token(
                    key, id, generation,
                ))),
                participants::revoked_at.eq(None::<DateTime<Utc>>),
            ))
            .returning(Participant::as_returning())
            .get_result(conn)
    })
}

/// Records the first openings of participants' links, `(participant, when)`, in one statement
/// (later openings change nothing; a participant named twice keeps one of the times).
///
/// The marks only feed the wave's progress ("geöffnet"), so the commit does not wait for the disk:
/// `synchronous_commit` is off for this statement's transaction (`set_config(…, true)` is
/// `SET LOCAL`). A crash of the machine may lose the marks of its last fraction of a second.
pub fn mark_visited(
    conn: &mut PgConnection,
    visits: &[(i64, DateTime<Utc>)],
) -> QueryResult<usize> {
    use diesel::sql_types::{Array, BigInt, Timestamptz};
    let (ids, times): (Vec<i64>, Vec<DateTime<Utc>>) = visits.iter().copied().unzip();
    diesel::sql_query(
        "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)) \
         UPDATE participants p SET first_visit_at = v.at \
         FROM quick, unnest($1::bigint[], $2::timestamptz[]) AS v(id, at) \
         WHERE p.id = v.id AND p.first_visit_at IS NULL",
    )
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<Timestamptz>, _>(&times)
    .execute(conn)
}

/// How a wave's participants of one Land stand: a row of the wave's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct Progress {
    /// The Land.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub land_code: String,
    /// Participants whose link works.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub participants: i64,
    /// Their invitation went out.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub invited: i64,
    /// They opened their link (or began answering, which needs the link too).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub opened: i64,
    /// They began answering.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub started: i64,
    /// They submitted.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub submitted: i64,
    /// They asked for no more reminders.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub opted_out: i64,
    /// A mail to them failed for good.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub bounced: i64,
}

/// A wave's progress per Land (revoked links left out), in the order of the Land codes.
pub fn find_progress(conn: &mut PgConnection, wave_id: i64) -> QueryResult<Vec<Progress>> {
    diesel::sql_query(
        "SELECT p.land_code,
                count(*) AS participants,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM mail_outbox m WHERE m.participant_id = p.id
                                              AND m.kind = 'invitation' AND m.status = 'sent')) AS invited,
                count(*) FILTER (WHERE p.first_visit_at IS NOT NULL
                                 OR EXISTS (SELECT 1 FROM responses r WHERE r.participant_id = p.id)) AS opened,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM responses r WHERE r.participant_id = p.id)) AS started,
                count(*) FILTER (WHERE p.submitted_at IS NOT NULL) AS submitted,
                count(*) FILTER (WHERE p.opted_out_at IS NOT NULL) AS opted_out,
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM mail_outbox m WHERE m.participant_id = p.id
                                              AND m.status = 'failed')) AS bounced
         FROM participants p
         WHERE p.wave_id = $1 AND p.revoked_at IS NULL
         GROUP BY p.land_code
         ORDER BY p.land_code",
    )
    .bind::<diesel::sql_types::BigInt, _>(wave_id)
    .load(conn)
}

/// Stops a participant's link from working; no more mails go to them.
pub fn revoke(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<Participant> {
    diesel::update(participants::table.find(id))
        .set(participants::revoked_at.eq(now))
        .returning(Participant::as_returning())
        .get_result(conn)
}

/// Records that a participant wants no more reminders for this wave (the first time counts).
pub fn mark_opted_out(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        participants::table
            .find(id)
            .filter(participants::opted_out_at.is_null()),
    )
    .set(participants::opted_out_at.eq(now))
    .execute(conn)
}

/// Participants and submissions of one wave in one Land (revoked links left out).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct LandRate {
    /// The wave.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub wave_id: i64,
    /// The Land code.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub land_code: String,
    /// Participants.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub participants: i64,
    /// Of them submitted.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub submitted: i64,
}

/// Response rate per wave and Land.
pub fn find_rates_per_land(conn: &mut PgConnection) -> QueryResult<Vec<LandRate>> {
    diesel::sql_query(
        "SELECT wave_id, land_code, count(*) AS participants,
                count(submitted_at) AS submitted
         FROM participants WHERE revoked_at IS NULL
         GROUP BY wave_id, land_code ORDER BY wave_id, land_code",
    )
    .load(conn)
}

/// Whether a region of a Land has answered a wave (never what it answered).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct RegionStatus {
    /// The wave's title.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub wave: String,
    /// The region.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub region: String,
    /// Submitted.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub submitted: bool,
}

/// Every region of `land_code` invited to a wave, newest wave first, with whether it submitted.
pub fn find_region_status(
    conn: &mut PgConnection,
    land_code: &str,
) -> QueryResult<Vec<RegionStatus>> {
    diesel::sql_query(
        "SELECT w.title AS wave, r.name AS region, p.submitted_at IS NOT NULL AS submitted
         FROM participants p JOIN regions r ON r.id = p.region_id JOIN waves w ON w.id = p.wave_id
         WHERE p.land_code = $1 AND p.revoked_at IS NULL
         ORDER BY w.created_at DESC, w.id DESC, r.name",
    )
    .bind::<diesel::sql_types::Text, _>(land_code)
    .load(conn)
}
