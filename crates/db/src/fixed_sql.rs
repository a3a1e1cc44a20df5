//! SQL text the DSL cannot say (a system column, an `ARRAY(…)` subquery),
//! written once in the code, as an expression of the DSL.
//!
//! Diesel's own `dsl::sql` marks every statement it appears in as unsafe to
//! cache, since its text may vary: each such statement is parsed and planned
//! again on every call. A fixed text cannot vary, so [`fixed_sql`] leaves the
//! statement in the connection's prepared-statement cache (keyed by its SQL,
//! as for any dynamically built query).

use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::{QueryResult, expression::is_aggregate};

/// A fixed SQL expression of type `ST` (see the [module](self)).
#[derive(Debug, Clone, Copy)]
pub struct FixedSql<ST> {
    sql: &'static str,
    sql_type: PhantomData<ST>,
}

/// `sql`, a fixed SQL expression of type `ST` that keeps its statement cacheable.
pub const fn fixed_sql<ST>(sql: &'static str) -> FixedSql<ST> {
    FixedSql { sql, sql_type: PhantomData }
}

impl<ST: TypedExpressionType> Expression for FixedSql<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for FixedSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

/// No static id: two texts of one type are two statements, so the cache keys
/// the statement by its SQL.
impl<ST> QueryId for FixedSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, GroupBy> ValidGrouping<GroupBy> for FixedSql<ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST: TypedExpressionType, QuerySource> AppearsOnTable<QuerySource> for FixedSql<ST> {}

impl<ST: TypedExpressionType, QuerySource> SelectableExpression<QuerySource> for FixedSql<ST> {}
