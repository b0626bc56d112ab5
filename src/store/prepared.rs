//! Hand-written SQL that PostgreSQL prepares once per connection.
//!
//! diesel keeps a prepared statement per connection for queries built with its DSL, but never for
//! `sql_query`: it cannot know whether the text was put together from values (an `IN` list of
//! varying length), so such a query is parsed and planned on every call. The respondent's hot path
//! (reading a response's answers, saving a page: several times per page) runs fixed texts, for which
//! that work is wasted (bench/submit.sh, page by page). [`prepared`] marks a query as one fixed text:
//! diesel then caches it by its SQL and bind types like a DSL query.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// A query whose SQL text never depends on its values, so its prepared statement may be reused.
#[derive(Debug, Clone, Copy)]
#[must_use = "Queries are only executed when calling `load`, `get_result` or similar."]
pub struct Prepared<Q>(Q);

/// Marks `query` (a `sql_query` with its binds) as a fixed text: call it only with a `&'static str`
/// (or otherwise constant) SQL text; the binds may vary freely.
pub fn prepared<Q>(query: Q) -> Prepared<Q> {
    Prepared(query)
}

impl<Q, DB> QueryFragment<DB> for Prepared<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        // The statement cache's key is the SQL text with the bind types, and the text is fixed.
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // No static id: diesel keys the cache by the SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Prepared<Q> {}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::pg::Pg;
    use diesel::sql_types::BigInt;

    #[test]
    fn a_marked_query_may_be_cached_and_keeps_its_text() {
        let plain = diesel::sql_query("SELECT $1 AS n").bind::<BigInt, _>(7_i64);
        assert!(!plain.is_safe_to_cache_prepared(&Pg).unwrap());
        let marked = prepared(plain.clone());
        assert!(marked.is_safe_to_cache_prepared(&Pg).unwrap());
        assert_eq!(
            diesel::debug_query::<Pg, _>(&marked).to_string(),
            diesel::debug_query::<Pg, _>(&plain).to_string()
        );
    }
}
