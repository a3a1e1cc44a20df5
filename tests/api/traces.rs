//! OpenTelemetry traces reach a collector: a request continues an incoming
//! `traceparent`; its database statements are its children; the job it
//! enqueued is linked to it.

use platform::config::OtlpProtocol;
use reqwest::Method;
use serde_json::json;
use testkit::{OtlpReceiver, TestApp, fixtures};

const INCOMING_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const INCOMING_SPAN: &str = "00f067aa0ba902b7";
const ENQUEUING_TRACE: &str = "5bf92f3577b34da6a3ce929d0e0e4737";

#[tokio::test(flavor = "multi_thread")]
async fn request_query_and_job_spans_reach_the_collector_in_one_trace() {
    let collector = OtlpReceiver::start().await;
    let app = TestApp::spawn_with(crate::modules, |settings| {
        settings.telemetry.otlp_endpoint = Some(collector.endpoint());
        settings.telemetry.otlp_protocol = OtlpProtocol::HttpJson;
    })
    .await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;

    app.api(Method::GET, &format!("/pets/{pet}"))
        .by(&owner)
        .header("traceparent", &format!("00-{INCOMING_TRACE}-{INCOMING_SPAN}-01"))
        .expect(200)
        .await;
    // Inviting a member notifies them: delivery jobs that read the database.
    let friend = app.user(kernel::Role::PetOwner).await;
    app.api(Method::POST, &format!("/pets/{pet}/co-owners"))
        .by(&owner)
        .header("traceparent", &format!("00-{ENQUEUING_TRACE}-{INCOMING_SPAN}-01"))
        .json(&json!({ "user_id": friend.user_id }))
        .expect(202)
        .await;
    testkit::run_due_jobs(crate::modules(&app.config).worker_options(testkit::worker_options(&app)).unwrap()).await;
    tokio::task::spawn_blocking(platform::telemetry::flush).await.unwrap();
    let spans = collector.spans().await;

    let request = spans
        .iter()
        .find(|span| span.name == "GET /api/v1/pets/{id}" && span.trace_id == INCOMING_TRACE)
        .unwrap_or_else(|| panic!("no request span continuing the incoming trace in {spans:#?}"));
    assert_eq!(request.parent_span_id, INCOMING_SPAN, "the request span is not the caller's child");
    assert!(
        spans.iter().any(|span| span.name == "db.query" && span.parent_span_id == request.span_id),
        "no database statement is a child of the request span"
    );
    let invitation = spans
        .iter()
        .find(|span| span.name == "POST /api/v1/pets/{id}/co-owners" && span.trace_id == ENQUEUING_TRACE)
        .unwrap_or_else(|| panic!("no span for the invitation request in {spans:#?}"));
    let job = spans
        .iter()
        .find(|span| span.links.iter().any(|(trace, _)| trace == ENQUEUING_TRACE))
        .unwrap_or_else(|| panic!("no job run linked to the request that enqueued it in {spans:#?}"));
    let job_runs: Vec<_> =
        spans.iter().filter(|span| span.links.iter().any(|(trace, _)| trace == ENQUEUING_TRACE)).collect();
    assert!(
        spans
            .iter()
            .any(|span| span.name == "db.query" && job_runs.iter().any(|job| span.parent_span_id == job.span_id)),
        "the jobs' statements are not their children: {job_runs:?} in {spans:#?}"
    );
    assert_ne!(invitation.span_id, job.span_id);
}
