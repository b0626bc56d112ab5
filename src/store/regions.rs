//! MINT-Regionen, matched by name regardless of case.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};

use super::schema::regions;

/// A region as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = regions)]
pub struct Region {
    /// Row id.
    pub id: i64,
    /// The region's name.
    pub name: String,
    /// Its home Land (where the coordinating office is).
    pub land_code: String,
}

/// Creates the regions (name, home Land) whose names do not exist yet in any case, in one
/// statement; of names equal but for case, the first wins. Returns how many were created.
pub fn insert_missing(conn: &mut PgConnection, new: &[(&str, &str)]) -> QueryResult<usize> {
    if new.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "INSERT INTO regions (name, land_code)
         SELECT name, land_code FROM unnest($1::text[], $2::text[]) WITH ORDINALITY
              AS new (name, land_code, position)
         ORDER BY position
         ON CONFLICT ((lower(name))) DO NOTHING",
    )
    .bind::<Array<Text>, _>(new.iter().map(|(name, _)| *name).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(new.iter().map(|(_, land)| *land).collect::<Vec<_>>())
    .execute(conn)
}

/// The ids of the regions named `names` (any case), keyed by the names as given; names of no
/// region are left out.
pub fn find_ids(conn: &mut PgConnection, names: &[&str]) -> QueryResult<HashMap<String, i64>> {
    let found: Vec<NamedId> = diesel::sql_query(
        "SELECT given.name, regions.id
         FROM unnest($1::text[]) AS given (name)
         JOIN regions ON lower(regions.name) = lower(given.name)",
    )
    .bind::<Array<Text>, _>(names)
    .load(conn)?;
    Ok(found.into_iter().map(|r| (r.name, r.id)).collect())
}

/// A region's id by the name it was asked for.
#[derive(QueryableByName)]
struct NamedId {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    id: i64,
}
