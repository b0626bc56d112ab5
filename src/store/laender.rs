//! The 16 Länder, seeded by a migration.

use diesel::prelude::*;

use super::schema::laender;

/// A Land: ISO 3166-2:DE code and German short name.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = laender)]
pub struct Land {
    /// `DE-TH`.
    pub code: String,
    /// `Thüringen`.
    pub name: String,
}

/// All 16 Länder in ISO order.
pub fn find_all(conn: &mut PgConnection) -> QueryResult<Vec<Land>> {
    laender::table
        .order(laender::position)
        .select(Land::as_select())
        .load(conn)
}
