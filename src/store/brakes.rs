//! What the brakes count: events (a failed link look-up, an open-link start, a failed login) of a
//! kind under a key (a client address, an account, an account and address), with their time.
//! Counting here instead of in a process's memory makes the limits hold for the installation,
//! whatever number of `serve` processes runs against the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

use super::schema::brake_events;

/// Records an event and returns how many of its kind and key happened within the last
/// `window_seconds`, this one included: one round trip.
pub fn record(
    conn: &mut PgConnection,
    kind: &str,
    key: &str,
    window_seconds: f64,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    // The inserted row is not visible to the statement's own SELECT: hence the + 1.
    diesel::sql_query(
        "WITH added AS (INSERT INTO brake_events (kind, key) VALUES ($1, $2))
         SELECT count(*) + 1 AS n FROM brake_events
         WHERE kind = $1 AND key = $2 AND at > now() - make_interval(secs => $3)",
    )
    .bind::<Text, _>(kind)
    .bind::<Text, _>(key)
    .bind::<Double, _>(window_seconds)
    .get_result::<Count>(conn)
    .map(|c| c.n)
}

/// How many events of this kind and key happened since `since`, and the time of the latest.
pub fn recent(
    conn: &mut PgConnection,
    kind: &str,
    key: &str,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    brake_events::table
        .filter(brake_events::kind.eq(kind))
        .filter(brake_events::key.eq(key))
        .filter(brake_events::at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(brake_events::at),
        ))
        .first(conn)
}

/// Records an event without counting.
pub fn add(conn: &mut PgConnection, kind: &str, key: &str, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::insert_into(brake_events::table)
        .values((
            brake_events::kind.eq(kind),
            brake_events::key.eq(key),
            brake_events::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether an event of this kind and key happened since `since`.
pub fn exists(
    conn: &mut PgConnection,
    kind: &str,
    key: &str,
    since: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        brake_events::table
            .filter(brake_events::kind.eq(kind))
            .filter(brake_events::key.eq(key))
            .filter(brake_events::at.gt(since)),
    ))
    .get_result(conn)
}

/// Deletes what no brake looks at any more: events older than a day, except `keep` kinds, which
/// are kept for 90 days. Returns how many rows went.
pub fn purge(conn: &mut PgConnection, keep: &[&str]) -> QueryResult<usize> {
    let now = Utc::now();
    let short = diesel::delete(
        brake_events::table
            .filter(brake_events::at.lt(now - chrono::Duration::days(1)))
            .filter(brake_events::kind.ne_all(keep)),
    )
    .execute(conn)?;
    let long = diesel::delete(
        brake_events::table.filter(brake_events::at.lt(now - chrono::Duration::days(90))),
    )
    .execute(conn)?;
    Ok(short + long)
}
