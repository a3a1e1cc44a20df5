//! `Idempotency-Key`: the work and its stored answer commit together.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;
use testkit::{TestApp, TestUser};

use crate::probe;

async fn app() -> TestApp {
    TestApp::spawn_with(probe::mount, |settings| {
        settings.server.request_timeout_secs = 1;
        settings.database.max_connections = 12;
    })
    .await
}

async fn note(
    app: &TestApp,
    caller: &TestUser,
    key: &str,
    pause_ms: u64,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/probe/notes?pause_ms={pause_ms}")))
        .bearer_auth(&caller.token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// How many times the work ran to its commit.
async fn executions(app: &TestApp) -> i64 {
    use db::schema::audit_log;
    let mut connection = app.db.connect().await;
    audit_log::table.filter(audit_log::action.eq("probe.noted")).count().get_result(&mut connection).await.unwrap()
}

#[tokio::test]
async fn work_cut_off_by_the_deadline_leaves_nothing_behind_and_the_retry_runs_it_once() {
    let app = app().await;
    let owner = app.user(kernel::Role::PetOwner).await;
    let body = json!({ "text": "hello" });
    // The work writes, then the deadline (1 s) cuts the request off before it answers.
    let cut_off = note(&app, &owner, "note-1", 3_000, body.clone()).await;
    assert_eq!(cut_off.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(executions(&app).await, 0, "the work's write went with its answer");

    let retry = note(&app, &owner, "note-1", 0, body.clone()).await;
    assert_eq!(retry.status(), StatusCode::CREATED, "the key was not left claimed without an answer");
    let answer: serde_json::Value = retry.json().await.unwrap();
    let replay = note(&app, &owner, "note-1", 0, body).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<serde_json::Value>().await.unwrap(), answer);
    assert_eq!(executions(&app).await, 1);
}

#[tokio::test]
async fn requests_racing_with_one_key_run_the_work_once_and_share_its_answer() {
    let app = app().await;
    let owner = app.user(kernel::Role::PetOwner).await;
    let body = json!({ "text": "once" });
    // The work holds its transaction open for 300 ms while the others arrive.
    let racing = (0..6).map(|_| note(&app, &owner, "note-2", 300, body.clone()));
    let responses = futures_util::future::join_all(racing).await;
    let mut answers = Vec::new();
    let mut replayed = 0;
    for response in responses {
        assert_eq!(response.status(), StatusCode::CREATED);
        replayed += usize::from(response.headers().contains_key("idempotent-replayed"));
        answers.push(response.json::<serde_json::Value>().await.unwrap());
    }
    assert_eq!(replayed, 5, "one request ran the work, the others replayed it");
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "{answers:?}");
    assert_eq!(executions(&app).await, 1);
}
