//! SQL text the DSL cannot say (a system column, an `ARRAY(…)` subquery, a
//! search assembled from optional filters), with bound values, in statements
//! that stay prepared.
//!
//! Diesel's own `dsl::sql` and `sql_query` mark every statement they appear in
//! as unsafe to cache, since their text may vary: each is parsed and planned
//! again on every call, which for a search over `earthdistance` costs more than
//! running it. [`Sql`] keeps its values out of its text (`$1`, `$2`, … are
//! bound, each where it appears), so equal texts are one statement, and the
//! connection's statement cache keys it by its SQL as it does any query built
//! at run time.

use std::marker::PhantomData;

use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, TypedExpressionType, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::{QueryResult, result::Error};

/// SQL text of type `ST` whose `$n` placeholders are the values bound with
/// [`Sql::bind`] or [`Sql::placeholder`], in order; `$` means nothing else in it. Untyped, it is a
/// whole query, loaded as `QueryableByName` rows; typed, an expression of the DSL.
pub struct Sql<'a, ST = Untyped> {
    text: String,
    binds: Vec<Box<dyn QueryFragment<Pg> + Send + 'a>>,
    sql_type: PhantomData<ST>,
}

impl<'a> Sql<'a, Untyped> {
    /// A whole statement, `text`, with no value bound yet.
    pub fn query(text: impl Into<String>) -> Self {
        Self { text: text.into(), binds: Vec::new(), sql_type: PhantomData }
    }
}

impl<'a, ST: TypedExpressionType> Sql<'a, ST> {
    /// An expression of type `ST`, `text`, with no value bound yet.
    pub fn expression(text: impl Into<String>) -> Self {
        Self { text: text.into(), binds: Vec::new(), sql_type: PhantomData }
    }
}

impl<'a, ST> Sql<'a, ST> {
    /// Appends `text`.
    #[must_use]
    pub fn sql(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    /// Binds `value` as the next placeholder (`$1` first), which the text
    /// already names.
    #[must_use]
    pub fn bind<BT, V>(mut self, value: V) -> Self
    where
        Pg: HasSqlType<BT>,
        V: ToSql<BT, Pg> + Send + 'a,
        BT: Send + 'a,
    {
        self.placeholder::<BT, V>(value);
        self
    }

    /// Binds `value` as the next placeholder and returns it (`$n`), for text
    /// still to be written.
    pub fn placeholder<BT, V>(&mut self, value: V) -> String
    where
        Pg: HasSqlType<BT>,
        V: ToSql<BT, Pg> + Send + 'a,
        BT: Send + 'a,
    {
        self.binds.push(Box::new(Bind::<BT, V> { value, sql_type: PhantomData }));
        format!("${}", self.binds.len())
    }
}

impl<ST> std::fmt::Debug for Sql<'_, ST> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Sql").field("text", &self.text).field("binds", &self.binds.len()).finish()
    }
}

impl<ST> QueryFragment<Pg> for Sql<'_, ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.text.as_str();
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
            let bind = rest[at + 1..at + 1 + digits]
                .parse::<usize>()
                .ok()
                .and_then(|number| self.binds.get(number.checked_sub(1)?))
                .ok_or_else(|| Error::QueryBuilderError(format!("`{}` binds no value", &rest[at..]).into()))?;
            bind.walk_ast(out.reborrow())?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// No static id: the cache keys the statement by its SQL.
impl<ST> QueryId for Sql<'_, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql<'_, Untyped> {
    type SqlType = Untyped;
}

impl<ST: TypedExpressionType> Expression for Sql<'_, ST> {
    type SqlType = ST;
}

impl<ST, GroupBy> ValidGrouping<GroupBy> for Sql<'_, ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<ST: TypedExpressionType, QuerySource> AppearsOnTable<QuerySource> for Sql<'_, ST> {}

impl<ST: TypedExpressionType, QuerySource> SelectableExpression<QuerySource> for Sql<'_, ST> {}

/// A value bound as a parameter of type `ST`.
struct Bind<ST, V> {
    value: V,
    sql_type: PhantomData<ST>,
}

impl<ST, V> QueryFragment<Pg> for Bind<ST, V>
where
    Pg: HasSqlType<ST>,
    V: ToSql<ST, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, V>(&self.value)
    }
}
