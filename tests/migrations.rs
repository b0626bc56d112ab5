//! The migrations: up, down and up again; the seeded Länder; schema.rs against the real tables.

use std::collections::BTreeSet;

use diesel::prelude::*;
use mint_survey::store::{self, laender};
use mint_survey::survey::LAENDER;

use crate::helpers::db::TestDb;

#[test]
fn migrations_run_up_down_and_up_again() {
    let db = TestDb::empty();
    let mut conn = db.conn();
    let applied = store::run_migrations(&mut conn).unwrap();
    assert!(applied.len() >= 3, "{applied:?}");
    assert_eq!(store::revert_migrations(&mut conn).unwrap(), applied.len());
    assert!(columns(&mut conn).is_empty(), "down.sql left tables behind");
    assert_eq!(store::run_migrations(&mut conn).unwrap(), applied);
    assert!(store::run_migrations(&mut conn).unwrap().is_empty());
}

#[test]
fn the_sixteen_laender_are_seeded_in_iso_order() {
    let db = TestDb::new();
    let found = laender::find_all(&mut db.conn()).unwrap();
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|l| (l.code.as_str(), l.name.as_str()))
        .collect();
    assert_eq!(found, LAENDER);
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    udt_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

fn columns(conn: &mut PgConnection) -> Vec<Column> {
    diesel::sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable = 'YES' AS nullable
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
         ORDER BY table_name, ordinal_position",
    )
    .load(conn)
    .unwrap()
}

/// `(table, column, diesel type)` from `src/store/schema.rs`.
fn schema_rs() -> BTreeSet<(String, String, String)> {
    let text = include_str!("../src/store/schema.rs");
    let mut found = BTreeSet::new();
    let mut table = None;
    for line in text.lines().map(str::trim) {
        if let Some(head) = line.strip_suffix('{').map(str::trim) {
            if let Some((name, _pk)) = head.split_once(' ') {
                table = Some(name.to_owned());
            }
        } else if let (Some(t), true, Some((column, kind))) =
            (&table, line.ends_with(','), line.split_once(" -> "))
        {
            found.insert((
                t.clone(),
                column.to_owned(),
                kind.trim_end_matches(',').to_owned(),
            ));
        }
    }
    found
}

fn diesel_type(udt: &str, nullable: bool) -> String {
    let base = match udt {
        "int2" => "Int2",
        "int4" => "Int4",
        "int8" => "Int8",
        "text" => "Text",
        "bool" => "Bool",
        "jsonb" => "Jsonb",
        "bytea" => "Bytea",
        "timestamptz" => "Timestamptz",
        "date" => "Date",
        "uuid" => "Uuid",
        "float8" => "Float8",
        "numeric" => "Numeric",
        other => panic!("add the diesel type of `{other}` to this test"),
    };
    if nullable {
        format!("Nullable<{base}>")
    } else {
        base.to_owned()
    }
}

#[test]
fn schema_rs_matches_the_migrated_tables() {
    let db = TestDb::new();
    let from_db: BTreeSet<(String, String, String)> = columns(&mut db.conn())
        .into_iter()
        .map(|c| {
            (
                c.table_name,
                c.column_name,
                diesel_type(&c.udt_name, c.nullable),
            )
        })
        .collect();
    assert_eq!(
        schema_rs(),
        from_db,
        "src/store/schema.rs is out of date: run `diesel print-schema > src/store/schema.rs`"
    );
}
