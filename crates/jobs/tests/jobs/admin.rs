//! `/api/v1/admin/jobs`: depth, dead jobs, retry, discard.

use jobs::{EnqueueOptions, enqueue};
use kernel::Role;
use platform::Routes;
use serde_json::Value;
use testkit::TestApp;

use crate::fixtures::{AlwaysFails, count};

async fn app() -> TestApp {
    TestApp::spawn(|_| |routes: &mut Routes| jobs::routes(routes)).await
}

/// A dead job, as a failing provider leaves it: its one attempt ran and failed.
async fn dead_job(app: &TestApp) -> i64 {
    let mut connection = app.db.connect().await;
    let id = enqueue(&mut connection, &AlwaysFails {}, EnqueueOptions { max_attempts: Some(1), ..Default::default() })
        .await
        .unwrap();
    testkit::run_due_jobs(testkit::worker_options(app).define_job::<AlwaysFails>()).await;
    id
}

#[tokio::test]
async fn admins_see_depth_and_dead_jobs_and_can_retry_or_discard_them() {
    let app = app().await;
    let admin = app.user(Role::PlatformAdmin).await;
    let first = dead_job(&app).await;
    let second = dead_job(&app).await;

    let stats: Value = app.get_with_token(&admin.token, "/api/v1/admin/jobs/stats").await.json().await.unwrap();
    assert_eq!(stats, serde_json::json!([{ "kind": "test_always_fails", "state": "dead", "count": 2 }]));

    let dead: Value = app.get_with_token(&admin.token, "/api/v1/admin/jobs/dead?limit=1").await.json().await.unwrap();
    assert_eq!(dead["items"][0]["id"], second);
    assert_eq!(dead["items"][0]["last_error"], "the provider answered 503");
    let cursor = dead["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get_with_token(&admin.token, &format!("/api/v1/admin/jobs/dead?cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"][0]["id"], first);

    let retry = app.client.post(app.url(&format!("/api/v1/admin/jobs/dead/{first}/retry"))).bearer_auth(&admin.token);
    assert_eq!(retry.send().await.unwrap().status(), 204);
    let discard = app.client.delete(app.url(&format!("/api/v1/admin/jobs/dead/{second}"))).bearer_auth(&admin.token);
    assert_eq!(discard.send().await.unwrap().status(), 204);
    let again = app.client.delete(app.url(&format!("/api/v1/admin/jobs/dead/{second}"))).bearer_auth(&admin.token);
    assert_eq!(again.send().await.unwrap().status(), 404);

    let mut connection = app.db.connect().await;
    let queued = "SELECT count(*) AS count FROM graphile_worker.jobs WHERE attempts = 0";
    assert_eq!(count(&mut connection, queued).await, 1);
    let audited = "SELECT count(*) AS count FROM audit_log WHERE action IN ('job.retried', 'job.discarded')";
    assert_eq!(count(&mut connection, audited).await, 2);
}

#[tokio::test]
async fn other_roles_get_403() {
    let app = app().await;
    let vet = app.user(Role::Veterinarian).await;
    assert_eq!(app.get_with_token(&vet.token, "/api/v1/admin/jobs/stats").await.status(), 403);
    assert_eq!(app.get_with_token(&vet.token, "/api/v1/admin/jobs/dead").await.status(), 403);
}
