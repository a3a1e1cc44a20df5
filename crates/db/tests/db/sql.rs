//! `db::Sql`: values bound where their placeholders stand, a placeholder
//! without a value refused, statements kept prepared.

use db::Sql;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use testkit::TestDb;

#[derive(QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = BigInt)]
    sum: i64,
    #[diesel(sql_type = Text)]
    words: String,
}

#[derive(QueryableByName)]
struct Prepared {
    #[diesel(sql_type = Text)]
    statement: String,
}

#[tokio::test]
async fn values_are_bound_where_their_placeholders_stand_and_the_statement_stays_prepared() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    for (first, second) in [(20, 2), (1, 1)] {
        let mut query = Sql::query("SELECT ");
        let (a, b, word) = (
            query.placeholder::<BigInt, _>(first),
            query.placeholder::<BigInt, _>(second),
            query.placeholder::<Text, _>("x"),
        );
        let query = query.sql(&format!("{a} + {a} + {b} AS sum, {word} || {word} AS words /* sql test */"));
        let row: Row = query.get_result(&mut connection).await.unwrap();
        assert_eq!(row, Row { sum: 2 * first + second, words: "xx".to_owned() });
    }
    let fixed: Row = Sql::query("SELECT $2::bigint - $1 AS sum, $3 AS words /* sql test */")
        .bind::<BigInt, _>(1_i64)
        .bind::<BigInt, _>(43_i64)
        .bind::<Text, _>("fixed")
        .get_result(&mut connection)
        .await
        .unwrap();
    assert_eq!(fixed, Row { sum: 42, words: "fixed".to_owned() });

    let prepared: Vec<Prepared> =
        diesel::sql_query("SELECT statement FROM pg_prepared_statements").load(&mut connection).await.unwrap();
    let ours = prepared.iter().filter(|prepared| prepared.statement.contains("/* sql test */")).count();
    assert_eq!(ours, 2, "each text is one prepared statement, whatever its values");
}

#[tokio::test]
async fn a_placeholder_without_a_value_is_an_error() {
    let database = TestDb::new().await;
    let mut connection = database.connect().await;
    for text in ["SELECT $1::bigint AS sum, 'a' AS words", "SELECT $0::bigint AS sum, '$' AS words"] {
        let result = Sql::query(text).get_result::<Row>(&mut connection).await;
        assert!(matches!(result, Err(diesel::result::Error::QueryBuilderError(_))), "{text}: {result:?}");
    }
}
