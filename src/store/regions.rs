//! MINT-Regionen, matched by name regardless of case.

use diesel::prelude::*;

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

/// The region of this name (any case), if it exists.
pub fn find_by_name(conn: &mut PgConnection, name: &str) -> QueryResult<Option<Region>> {
    regions::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(name) = lower(")
                .bind::<diesel::sql_types::Text, _>(name)
                .sql(")"),
        )
        .select(Region::as_select())
        .first(conn)
        .optional()
}

/// The region of this name, created with `land_code` as its home Land when it does not exist yet.
/// Returns the region and whether it was created.
pub fn find_or_insert(
    conn: &mut PgConnection,
    name: &str,
    land_code: &str,
) -> QueryResult<(Region, bool)> {
    if let Some(region) = find_by_name(conn, name)? {
        return Ok((region, false));
    }
    let region = diesel::insert_into(regions::table)
        .values((regions::name.eq(name), regions::land_code.eq(land_code)))
        .returning(Region::as_returning())
        .get_result(conn)?;
    Ok((region, true))
}
