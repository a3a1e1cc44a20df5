//! The plan of the nearest-20 clinic search, for `make bench`.
//!
//! `cargo run --release -p clinics --example search_plan -- <database-url> <lat,lng>`
//! prints `EXPLAIN (ANALYZE, BUFFERS)` of exactly the query the API runs, so
//! the benchmark shows the GiST index scan and how few rows it touches.

#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark program")]

use clinics::api::ClinicSearch;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use kernel::PageRequest;

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args().skip(1);
    let url = arguments.next().expect("usage: search_plan <database-url> <lat,lng>");
    let near = arguments.next().unwrap_or_else(|| "48.8566,2.3522".to_owned());
    let mut connection = AsyncPgConnection::establish(&url).await.expect("connect to the bench database");
    let filter = ClinicSearch { near: Some(near), ..Default::default() };
    let page = PageRequest::new(Some(20), None).expect("a valid page");
    let filter = kernel::Valid::new(filter).expect("a valid search");
    let plan = clinics::service::search::explain_clinics(&mut connection, &filter, &page).await.expect("explain");
    println!("{plan}");
}
