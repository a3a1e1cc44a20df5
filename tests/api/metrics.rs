//! `/metrics` on its own listener: requests by route template (never a raw
//! path or id), the database pool, the job queue and its runs, notifications.

use kernel::Role;
use notifications::{Notification, notify};
use reqwest::Method;
use testkit::{TestApp, fixtures};

const UNKNOWN_PET: &str = "01936b2e-0000-7000-8000-000000000000";

/// The sample of `name` whose labels include every one of `labels`, if any.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} ")))
        .find(|line| labels.iter().all(|(label, value)| line.contains(&format!("{label}=\"{value}\""))))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_show_requests_by_route_template_the_pool_jobs_and_notifications() {
    let app = TestApp::spawn(crate::modules).await;
    let exporter = platform::metrics::Exporter::bind(app.state.clone(), vec![jobs::metrics::sampler()]).unwrap();
    let url = format!("http://127.0.0.1:{}/metrics", exporter.port());
    exporter.spawn();

    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    for _ in 0..3 {
        app.api(Method::GET, &format!("/pets/{pet}")).by(&owner).expect(200).await;
    }
    app.api(Method::GET, &format!("/pets/{UNKNOWN_PET}")).by(&owner).expect(404).await;
    app.api(Method::GET, "/no/such/route").expect(404).await;

    let mut connection = app.db.connect().await;
    let user = platform::users::provision_local(&mut connection, "user_metrics", "metrics@example.com", Role::PetOwner)
        .await
        .unwrap();
    let notice = Notification::account_notice("Welcome", "Your account is ready.");
    notify(&mut connection, user, &notice).await.unwrap();
    testkit::run_due_jobs(crate::modules(&app.config).worker_options(testkit::worker_options(&app)).unwrap()).await;
    // One job left waiting, for the queue's depth.
    let later =
        jobs::EnqueueOptions { run_at: Some(chrono::Utc::now() + chrono::Duration::hours(1)), ..Default::default() };
    jobs::enqueue(&mut connection, &accounts::jobs::ExpireDataExports {}, later).await.unwrap();

    let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
    let pets = [("route", "/api/v1/pets/{id}"), ("method", "GET"), ("status", "200")];
    assert_eq!(sample(&text, "http_requests_total", &pets), Some(3.0), "{text}");
    let missing = [("route", "/api/v1/pets/{id}"), ("status", "404")];
    assert_eq!(sample(&text, "http_requests_total", &missing), Some(1.0));
    assert_eq!(sample(&text, "http_requests_total", &[("route", "-"), ("status", "404")]), Some(1.0));
    assert!(
        sample(&text, "http_request_duration_seconds_bucket", &[("route", "/api/v1/pets/{id}"), ("le", "+Inf")])
            .is_some()
    );
    for raw in [pet.as_str(), UNKNOWN_PET, "/no/such/route"] {
        assert!(!text.contains(raw), "a raw path or id ({raw}) became a label");
    }
    assert!(sample(&text, "http_requests_in_flight", &[]).is_some());
    assert!(sample(&text, "db_pool_max_connections", &[]).is_some_and(|size| size >= 1.0));
    assert!(sample(&text, "db_pool_idle_connections", &[]).is_some());
    assert!(sample(&text, "db_pool_waiters", &[]).is_some());
    assert!(sample(&text, "db_pool_wait_seconds_count", &[]).is_some_and(|count| count >= 1.0));
    let sent = [("channel", "email"), ("outcome", "sent")];
    assert_eq!(sample(&text, "notifications_sent_total", &sent), Some(1.0), "{text}");
    let delivery = [("task", "notifications_deliver")];
    assert!(sample(&text, "jobs_completed_total", &delivery).is_some_and(|count| count >= 1.0));
    assert!(sample(&text, "job_duration_seconds_count", &delivery).is_some_and(|count| count >= 1.0));
    let waiting = [("task", "accounts_expire_data_exports"), ("state", "scheduled")];
    assert_eq!(sample(&text, "jobs", &waiting), Some(1.0), "{text}");
}
