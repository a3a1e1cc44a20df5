//! A campaign to 10,000 clients starts in a fixed number of statements: its
//! recipients frozen in one insert, its 100 batches enqueued in one call.
//! The time and memory it took are printed for the record (targets belong
//! in benchmarks, not in a timed test).

use std::time::Instant;

use diesel_async::SimpleAsyncConnection;
use kernel::CampaignId;
use reqwest::Method;
use serde_json::json;

use crate::fixtures::scene;

const CLIENTS: usize = 10_000;

/// Statements the start sends whatever the audience: BEGIN; the campaign's
/// lock; the clients; the consenting ones; the recipients; the batch jobs;
/// the campaign's counts; COMMIT; and the connection's check.
const START_STATEMENTS: u64 = 9;

#[tokio::test]
async fn a_campaign_to_ten_thousand_clients_starts_in_a_fixed_number_of_statements() {
    let scene = scene().await;
    // Volume through SQL: 10,000 accounts, dogs in the clinic's care and
    // opted-in choices, the same rows the API writes one by one.
    let mut connection = scene.app.db.connect().await;
    connection
        .batch_execute(&format!(
            "INSERT INTO users (id, clerk_id, email) \
               SELECT gen_random_uuid(), 'user_bulk_' || n, 'bulk' || n || '@example.com' FROM generate_series(1, {CLIENTS}) n; \
             INSERT INTO pets (id, primary_owner_id, name, species) \
               SELECT gen_random_uuid(), id, 'Dog', 'dog' FROM users WHERE clerk_id LIKE 'user_bulk_%'; \
             INSERT INTO pet_care (pet_id, clinic_id, source) \
               SELECT pets.id, '{clinic}', 'registration' FROM pets JOIN users ON users.id = pets.primary_owner_id \
               WHERE users.clerk_id LIKE 'user_bulk_%'; \
             INSERT INTO notification_preferences (user_id, category, channel, enabled) \
               SELECT id, 'marketing', 'email', true FROM users WHERE clerk_id LIKE 'user_bulk_%';",
            clinic = scene.clinic
        ))
        .await
        .unwrap();
    let campaign = scene.campaign(json!({ "species": ["dog"] })).await;
    assert_eq!(scene.preview(&campaign).await, (CLIENTS as i64, CLIENTS as i64));
    let path = format!("{}/schedule", scene.campaign_path(&campaign));
    let later = json!({ "send_at": chrono::Utc::now() + chrono::Duration::hours(1) });
    scene.app.api(Method::POST, &path).by(&scene.admin).json(&later).expect(200).await;

    let settings: outreach::Settings = scene.config.section().unwrap();
    let id = CampaignId(campaign.parse().unwrap());
    let mut connection = db::connect(scene.app.state.db()).await.unwrap();
    let start = outreach::service::sending::start;
    // Before its time (a job left from an earlier schedule): nothing starts.
    assert_eq!(start(&mut connection, &settings, id, chrono::Utc::now()).await.unwrap(), 0);
    // Grown past the limit since it was scheduled: back to draft, nothing sent.
    let smaller = outreach::Settings { max_audience: CLIENTS as i64 - 1, ..settings.clone() };
    let at_send_time = chrono::Utc::now() + chrono::Duration::hours(2);
    assert_eq!(start(&mut connection, &smaller, id, at_send_time).await.unwrap(), 0);
    assert_eq!(scene.get_campaign(&campaign).await["status"], "draft");
    scene.app.api(Method::POST, &path).by(&scene.admin).json(&later).expect(200).await;
    let (statements, rss) = (db::spans::statements_sent(), resident_kib());
    let started = Instant::now();
    let recipients = start(&mut connection, &settings, id, at_send_time).await.unwrap();
    let elapsed = started.elapsed();
    let sent = db::spans::statements_sent() - statements;
    eprintln!(
        "a campaign to {recipients} recipients started in {elapsed:?}, {sent} statements, resident memory {} KiB more",
        resident_kib().saturating_sub(rss)
    );
    assert_eq!(recipients, CLIENTS);
    assert!(sent <= START_STATEMENTS, "{sent} statements, more than {START_STATEMENTS}");

    let batches: i64 = diesel_async::RunQueryDsl::get_result(
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM graphile_worker.jobs WHERE task_identifier = 'outreach_send_campaign_batch')",
        )),
        &mut connection,
    )
    .await
    .unwrap();
    assert_eq!(batches, 100, "10,000 recipients in batches of 100");
    assert_eq!(scene.get_campaign(&campaign).await["counts"]["pending"], 10_000);
}

/// The process's resident memory (Linux), in KiB.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_default()
}
