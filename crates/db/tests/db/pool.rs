//! The pool's connections: each plans a prepared statement once, even one
//! whose `LIMIT` is a parameter (Postgres would plan that one on every call).

use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer};
use diesel_async::RunQueryDsl;
use testkit::TestDb;

#[derive(QueryableByName)]
struct Plans {
    #[diesel(sql_type = BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = BigInt)]
    custom_plans: i64,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = Integer)]
    n: i32,
}

#[tokio::test]
async fn a_pooled_connection_plans_a_statement_with_a_limit_parameter_once() {
    let database = TestDb::new().await;
    let settings = db::PoolSettings {
        url: database.url().to_owned(),
        max_size: 1,
        wait_timeout: Duration::from_secs(5),
        create_timeout: Duration::from_secs(5),
        recycle_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
    };
    let pool = db::build_pool(&settings).unwrap();
    let mut connection = db::connect(&pool).await.unwrap();
    for limit in [1, 2, 3, 1, 2, 3, 1, 2] {
        let rows: Vec<Number> =
            db::Sql::query("SELECT n FROM generate_series(1, 100) AS n ORDER BY n LIMIT $1 /* plans */")
                .bind::<BigInt, _>(limit)
                .load(&mut connection)
                .await
                .unwrap();
        assert_eq!(rows.len(), usize::try_from(limit).unwrap());
        assert_eq!(rows[0].n, 1);
    }
    let plans: Plans = diesel::sql_query(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%/* plans */'",
    )
    .get_result(&mut connection)
    .await
    .unwrap();
    assert_eq!((plans.generic_plans, plans.custom_plans), (8, 0), "planned once, for every limit");
}
