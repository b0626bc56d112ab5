//! `staff_mails`: the outbox of mails to staff accounts (a new account's password link, a forgotten
//! password's link). A row names the password link by id; the link itself is derived at sending.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4, Nullable, Text};

use super::schema::staff_mails;

/// Attempts after which a mail the server keeps deferring is given up.
pub const MAX_ATTEMPTS: i32 = 5;

/// The two kinds of staff mail, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffMailKind {
    /// A new account's link to set its first password.
    Welcome,
    /// A forgotten password's link.
    Reset,
}

impl StaffMailKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffMailKind::Welcome => "welcome",
            StaffMailKind::Reset => "reset",
        }
    }

    fn parse(text: &str) -> StaffMailKind {
        if text == "reset" {
            StaffMailKind::Reset
        } else {
            StaffMailKind::Welcome
        }
    }
}

/// Queues a mail with the password link `password_token_id` to account `user_id`.
pub fn insert(
    conn: &mut PgConnection,
    user_id: i64,
    kind: StaffMailKind,
    password_token_id: i64,
) -> QueryResult<i64> {
    diesel::insert_into(staff_mails::table)
        .values((
            staff_mails::user_id.eq(user_id),
            staff_mails::kind.eq(kind.as_str()),
            staff_mails::password_token_id.eq(password_token_id),
        ))
        .returning(staff_mails::id)
        .get_result(conn)
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    password_token_id: i64,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Nullable<Text>)]
    land_code: Option<String>,
}

/// A queued staff mail, locked until the caller's transaction ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The outbox row.
    pub id: i64,
    /// Which mail.
    pub kind: StaffMailKind,
    /// The password link's row (its token is derived from it).
    pub password_token_id: i64,
    /// Attempts so far.
    pub attempts: i32,
    /// The account.
    pub user_id: i64,
    /// Its address.
    pub email: String,
    /// Its role, as stored.
    pub role: String,
    /// A coordinator's Land.
    pub land_code: Option<String>,
}

/// Claims the oldest queued staff mail (`None` when none is free).
pub fn claim_next(conn: &mut PgConnection) -> QueryResult<Option<Claimed>> {
    let row: Option<ClaimedRow> = diesel::sql_query(
        "WITH claimed AS (
             SELECT id FROM staff_mails WHERE status = 'queued'
             ORDER BY id LIMIT 1
             FOR UPDATE SKIP LOCKED
         )
         SELECT m.id, m.kind, m.password_token_id, m.attempts, u.id AS user_id, u.email, u.role,
                u.land_code
         FROM claimed JOIN staff_mails m ON m.id = claimed.id JOIN users u ON u.id = m.user_id",
    )
    .get_result(conn)
    .optional()?;
    Ok(row.map(|r| Claimed {
        id: r.id,
        kind: StaffMailKind::parse(&r.kind),
        password_token_id: r.password_token_id,
        attempts: r.attempts,
        user_id: r.user_id,
        email: r.email,
        role: r.role,
        land_code: r.land_code,
    }))
}

/// The mail went out.
pub fn mark_sent(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(staff_mails::table.find(id))
        .set((
            staff_mails::status.eq("sent"),
            staff_mails::sent_at.eq(now),
            staff_mails::attempts.eq(staff_mails::attempts + 1),
            staff_mails::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

/// The mail did not go out: `failed` for good, or still queued for the next run.
pub fn mark_attempt(
    conn: &mut PgConnection,
    id: i64,
    error: &str,
    failed: bool,
) -> QueryResult<()> {
    diesel::update(staff_mails::table.find(id))
        .set((
            staff_mails::status.eq(if failed { "failed" } else { "queued" }),
            staff_mails::attempts.eq(staff_mails::attempts + 1),
            staff_mails::last_error.eq(error),
        ))
        .execute(conn)
        .map(drop)
}

/// The state of the latest staff mail of each account that has one: (user id, status, error).
pub fn find_latest(conn: &mut PgConnection) -> QueryResult<Vec<(i64, String, Option<String>)>> {
    staff_mails::table
        .distinct_on(staff_mails::user_id)
        .order((staff_mails::user_id, staff_mails::id.desc()))
        .select((
            staff_mails::user_id,
            staff_mails::status,
            staff_mails::last_error,
        ))
        .load(conn)
}
