//! API keys: stored by the SHA-256 of the key, with their account, name and last use.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{api_keys, users};
use super::users::User;
use crate::tokens::token_hash;

diesel::define_sql_function! {
    /// PostgreSQL's `lower`, as the unique index on live names uses it.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// An API key as stored (never the key itself).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    /// Row id.
    pub id: i64,
    /// The account it acts for.
    pub user_id: i64,
    /// Its name, as the audit log shows it ("Website", "CRM").
    pub name: String,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Who made it (the audit log's name of the actor).
    pub created_by: String,
    /// Last used (at most a minute off: see [`touch`]).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked keys are refused.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a new key for an account under the hash of `key`.
pub fn insert(
    conn: &mut PgConnection,
    user_id: i64,
    name: &str,
    key: &str,
    created_by: &str,
) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::user_id.eq(user_id),
            api_keys::name.eq(name),
            api_keys::key_sha256.eq(token_hash(key)),
            api_keys::created_by.eq(created_by),
        ))
        .returning(ApiKey::as_returning())
        .get_result(conn)
}

/// Whether a live key has this name (any case).
pub fn live_name_taken(conn: &mut PgConnection, name: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_keys::table
            .filter(api_keys::revoked_at.is_null())
            .filter(lower(api_keys::name).eq(lower(name))),
    ))
    .get_result(conn)
}

/// Every key with its account, newest first.
pub fn find_all(conn: &mut PgConnection) -> QueryResult<Vec<(ApiKey, User)>> {
    api_keys::table
        .inner_join(users::table)
        .order(api_keys::id.desc())
        .select((ApiKey::as_select(), User::as_select()))
        .load(conn)
}

/// The key with this id.
pub fn find_by_id(conn: &mut PgConnection, id: i64) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(conn)
        .optional()
}

/// The live key of `key` and its enabled account, if there is one.
pub fn find_live(conn: &mut PgConnection, key: &str) -> QueryResult<Option<(ApiKey, User)>> {
    api_keys::table
        .inner_join(users::table)
        .filter(api_keys::key_sha256.eq(token_hash(key)))
        .filter(api_keys::revoked_at.is_null())
        .filter(users::disabled_at.is_null())
        .select((ApiKey::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// Notes a use of the key; written at most once a minute per key, so that a website polling every
/// second does not write a row version per call.
pub fn touch(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(
        api_keys::table.find(id).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(now - chrono::Duration::minutes(1))),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// Revokes a key; false when it was revoked already.
pub fn revoke(conn: &mut PgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<bool> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}
