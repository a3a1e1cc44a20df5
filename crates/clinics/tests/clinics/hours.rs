//! Opening hours and "open now" in each clinic's own time zone.

use chrono::{DateTime, Utc};
use kernel::{ClinicId, Role};
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{admin, app, clinic, profile, staff};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn open(app: &testkit::TestApp, clinic: &str, instant: &str) -> bool {
    let mut connection = app.db.connect().await;
    let id = ClinicId(clinic.parse().unwrap());
    clinics::service::clinics::is_open_at(&mut connection, id, at(instant)).await.unwrap()
}

#[tokio::test]
async fn open_now_is_read_in_each_clinics_zone_with_exceptions_and_daylight_saving() {
    let app = app().await;
    let admin = admin(&app).await;
    let new_york = clinic(&app, &admin, profile("Manhattan Vets", 40.7128, -74.0060, "America/New_York")).await;
    let tokyo = clinic(&app, &admin, profile("Shibuya Animal Clinic", 35.6580, 139.7016, "Asia/Tokyo")).await;
    let weekdays = |opens: &str, closes: &str, days: std::ops::RangeInclusive<i16>| {
        days.map(|weekday| json!({ "weekday": weekday, "opens": opens, "closes": closes })).collect::<Vec<_>>()
    };
    let mut new_york_week = weekdays("09:00", "17:00", 1..=5);
    new_york_week.push(json!({ "weekday": 7, "opens": "09:00", "closes": "12:00" }));
    // Friday night emergency hours, closing on Saturday morning.
    new_york_week.push(json!({ "weekday": 5, "opens": "20:00", "closes": "02:00" }));
    let new_york_hours = json!({
        "weekly": new_york_week,
        "exceptions": [{ "date": "2026-11-26", "note": "Thanksgiving" }],
    });
    let tokyo_hours = json!({
        "weekly": weekdays("09:00", "18:00", 1..=6),
        // Split special hours; the bare date beside them does not close the day.
        "exceptions": [
            { "date": "2026-11-27", "opens": "12:00", "closes": "15:00", "note": "staff training" },
            { "date": "2026-11-27" },
            { "date": "2026-11-27", "opens": "16:00", "closes": "17:00" },
        ],
    });
    for (id, hours) in [(&new_york, new_york_hours), (&tokyo, tokyo_hours)] {
        expect(app.call(Method::PUT, &format!("/api/v1/clinics/{id}/hours"), &admin.token, Some(hours)).await, 200)
            .await;
    }

    // The same instants, two zones: Wednesday 10:00 in New York is Thursday 00:00 in Tokyo.
    assert!(open(&app, &new_york, "2026-11-25T15:00:00Z").await);
    assert!(!open(&app, &tokyo, "2026-11-25T15:00:00Z").await);
    // Wednesday 20:00 in New York is Thursday 10:00 in Tokyo.
    assert!(!open(&app, &new_york, "2026-11-26T01:00:00Z").await);
    assert!(open(&app, &tokyo, "2026-11-26T01:00:00Z").await);
    // Thanksgiving closes New York on a Thursday morning.
    assert!(!open(&app, &new_york, "2026-11-26T15:00:00Z").await);
    // Tokyo's special hours on Friday 27th: closed at 11:00, open at 13:00.
    assert!(!open(&app, &tokyo, "2026-11-27T02:00:00Z").await);
    assert!(open(&app, &tokyo, "2026-11-27T04:00:00Z").await);
    assert!(!open(&app, &tokyo, "2026-11-27T06:30:00Z").await, "15:30 is between the two intervals");
    assert!(open(&app, &tokyo, "2026-11-27T07:30:00Z").await, "16:30 is in the second interval");
    // DST starts in New York on Sunday 2026-03-08: 13:30Z is 09:30 EDT (open),
    // 16:30Z is 12:30 EDT (closed); a fixed UTC-5 offset would get both wrong.
    assert!(open(&app, &new_york, "2026-03-08T13:30:00Z").await);
    assert!(!open(&app, &new_york, "2026-03-08T16:30:00Z").await);
    assert!(!open(&app, &new_york, "2026-03-07T15:00:00Z").await, "Saturdays are closed");
    // Friday's overnight interval: Saturday 01:00 local is open, 03:00 is not.
    assert!(open(&app, &new_york, "2026-11-28T06:00:00Z").await);
    assert!(!open(&app, &new_york, "2026-11-28T08:00:00Z").await);

    let hours = expect(app.get(&format!("/api/v1/clinics/{new_york}/hours")).await, 200).await;
    assert_eq!(hours["weekly"].as_array().unwrap().len(), 7);
    assert_eq!(
        hours["exceptions"][0],
        json!({ "date": "2026-11-26", "opens": null, "closes": null, "note": "Thanksgiving" })
    );
}

fn good_again() -> serde_json::Value {
    json!({ "weekly": [{ "weekday": 1, "opens": "08:00", "closes": "12:00" }], "exceptions": [] })
}

#[tokio::test]
async fn malformed_hours_are_refused_and_the_old_ones_kept() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let manager = staff(&app, &admin, &id, Role::ClinicAdmin).await;
    let path = format!("/api/v1/clinics/{id}/hours");
    let good = json!({ "weekly": [{ "weekday": 1, "opens": "08:00", "closes": "12:00" }], "exceptions": [] });
    expect(app.call(Method::PUT, &path, &manager.token, Some(good)).await, 200).await;
    let not_a_time = json!({ "weekly": [{ "weekday": 2, "opens": "8am", "closes": "09:00" }], "exceptions": [] });
    expect(app.call(Method::PUT, &path, &manager.token, Some(not_a_time)).await, 422).await;
    let to_midnight = json!({ "weekly": [], "exceptions": [{ "date": "2026-12-24", "opens": "10:00" }] });
    let saved = expect(app.call(Method::PUT, &path, &manager.token, Some(to_midnight.clone())).await, 200).await;
    assert_eq!(saved["exceptions"][0]["closes"], "00:00", "open until midnight");
    expect(app.call(Method::PUT, &path, &manager.token, Some(good_again())).await, 200).await;
    let closed_but_garbled = json!({ "weekly": [], "exceptions": [{ "date": "2026-12-25", "closes": "08:14*" }] });
    expect(app.call(Method::PUT, &path, &manager.token, Some(closed_but_garbled)).await, 422).await;
    let bad_day = json!({ "weekly": [{ "weekday": 8, "opens": "08:00", "closes": "12:00" }], "exceptions": [] });
    expect(app.call(Method::PUT, &path, &manager.token, Some(bad_day)).await, 422).await;
    let hours = expect(app.get(&path).await, 200).await;
    assert_eq!(hours["weekly"][0]["opens"], "08:00", "a refused update must not change the stored hours");
}

/// Search's "open now" is SQL (`clinic_is_open`); booking reads the same hours
/// in Rust (`clinics::schedule`). Over split, overnight and exceptional hours
/// and a daylight-saving change, every quarter hour, they must agree.
#[tokio::test]
async fn the_sql_and_the_rust_readings_of_opening_hours_agree() {
    use diesel::QueryableByName;
    use diesel::sql_types::{Bool, Timestamptz};
    use diesel_async::RunQueryDsl;

    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Night Owls", 40.7128, -74.0060, "America/New_York")).await;
    let interval =
        |weekday: i16, opens: &str, closes: &str| json!({ "weekday": weekday, "opens": opens, "closes": closes });
    let hours = json!({
        "weekly": [
            interval(1, "08:00", "12:00"), interval(1, "14:00", "18:00"),
            interval(2, "09:00", "17:00"), interval(3, "09:00", "17:00"), interval(4, "09:00", "17:00"),
            // Friday night into Saturday, and a Sunday night shift across the clocks going back.
            interval(5, "20:00", "02:00"), interval(6, "10:00", "14:00"), interval(7, "01:00", "03:00"),
        ],
        "exceptions": [
            { "date": "2026-11-03", "note": "Election day" },
            { "date": "2026-11-04", "opens": "10:00", "closes": "11:00" },
            { "date": "2026-11-04", "opens": "13:00", "closes": "15:00" },
        ],
    });
    expect(app.call(Method::PUT, &format!("/api/v1/clinics/{id}/hours"), &admin.token, Some(hours)).await, 200).await;

    let mut connection = app.db.connect().await;
    let clinic = clinics::scheduling::clinic(&mut connection, ClinicId(id.parse().unwrap())).await.unwrap();
    // New York leaves daylight saving time on Sunday 1 November 2026.
    let (from, to) = (at("2026-10-29T00:00:00Z"), at("2026-11-09T00:00:00Z"));
    let rust = clinics::scheduling::opening_hours(&mut connection, &clinic, from, to).await.unwrap().open(
        clinic.zone,
        from,
        to,
    );

    #[derive(QueryableByName)]
    struct Reading {
        #[diesel(sql_type = Timestamptz)]
        at: DateTime<Utc>,
        #[diesel(sql_type = Bool)]
        open: bool,
    }
    let sql: Vec<Reading> = diesel::sql_query(
        "SELECT t AS at, clinic_is_open(c.id, c.time_zone, c.open_24_7, t) AS open \
         FROM clinics c, generate_series($2, $3 - interval '1 minute', interval '15 minutes') AS t \
         WHERE c.id = $1 ORDER BY t",
    )
    .bind::<diesel::sql_types::Uuid, _>(clinic.id)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .load(&mut connection)
    .await
    .unwrap();
    assert_eq!(sql.len(), 11 * 24 * 4);
    let disagreements: Vec<String> = sql
        .iter()
        .filter(|reading| reading.open != rust.covers((reading.at, reading.at + chrono::Duration::minutes(1))))
        .map(|reading| format!("{} (SQL says {})", reading.at.with_timezone(&clinic.zone), reading.open))
        .collect();
    assert!(disagreements.is_empty(), "the readings disagree at {disagreements:#?}");
    let open = sql.iter().filter(|reading| reading.open).count();
    assert!(open > 100 && open < sql.len() / 2, "{open} open quarter hours: the scene is not a trivial one");
}

/// A clinic's `open_now` in search and on its page: read from the hours the
/// gateway keeps per version of the clinic's row.
async fn shown_open_now(app: &testkit::TestApp, id: &str) -> (bool, bool) {
    let page = expect(app.get("/api/v1/clinics?q=Round%20the%20Clock%20Vets").await, 200).await;
    let found = page["items"].as_array().unwrap().iter().find(|item| item["id"] == id).unwrap().clone();
    let clinic = expect(app.get(&format!("/api/v1/clinics/{id}")).await, 200).await;
    (found["open_now"].as_bool().unwrap(), clinic["open_now"].as_bool().unwrap())
}

/// The kept hours are never stale: every change to them, through the API or
/// straight in the tables, moves the clinic's row version and shows at once;
/// and a search that knows them sends no statement to read them.
#[tokio::test]
async fn open_now_follows_every_change_to_the_hours_and_a_repeated_search_reads_them_once() {
    use diesel_async::RunQueryDsl;

    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Round the Clock Vets", 51.5072, -0.1276, "Europe/London")).await;
    let path = format!("/api/v1/clinics/{id}/hours");
    let whole_days: Vec<_> =
        (1..=7).map(|weekday| json!({ "weekday": weekday, "opens": "00:00", "closes": "00:00" })).collect();
    let around_the_clock = json!({ "weekly": whole_days, "exceptions": [] });
    expect(app.call(Method::PUT, &path, &admin.token, Some(around_the_clock.clone())).await, 200).await;
    assert_eq!(shown_open_now(&app, &id).await, (true, true));

    let before = db::spans::statements_sent();
    expect(app.get("/api/v1/clinics?q=Round%20the%20Clock%20Vets").await, 200).await;
    let sent = db::spans::statements_sent() - before;
    assert!(sent <= 2, "a search of known hours sent {sent} statements, not the connection's check and itself");

    // Straight in the table, behind the service's back: the trigger moves the row.
    let mut connection = app.db.connect().await;
    diesel::sql_query("DELETE FROM clinic_opening_hours WHERE clinic_id = $1")
        .bind::<diesel::sql_types::Uuid, _>(id.parse::<uuid::Uuid>().unwrap())
        .execute(&mut connection)
        .await
        .unwrap();
    assert_eq!(shown_open_now(&app, &id).await, (false, false), "closed once its hours are gone");

    expect(app.call(Method::PUT, &path, &admin.token, Some(around_the_clock)).await, 200).await;
    assert_eq!(shown_open_now(&app, &id).await, (true, true));
    // Closed yesterday, today and tomorrow (in UTC, so in London too), whatever the week says.
    let today = Utc::now().date_naive();
    let closed: Vec<_> = [today.pred_opt().unwrap(), today, today.succ_opt().unwrap()]
        .iter()
        .map(|date| json!({ "date": date.to_string(), "note": "closed" }))
        .collect();
    let whole_days: Vec<_> =
        (1..=7).map(|weekday| json!({ "weekday": weekday, "opens": "00:00", "closes": "00:00" })).collect();
    let hours = json!({ "weekly": whole_days, "exceptions": closed });
    expect(app.call(Method::PUT, &path, &admin.token, Some(hours)).await, 200).await;
    assert_eq!(shown_open_now(&app, &id).await, (false, false), "closed by its exceptions");
}

/// What availability and booking read of a clinic and its services (its row
/// version, a service's staff and rooms: SQL the DSL cannot say) stays a
/// prepared statement of the connection, not parsed and planned per call.
#[tokio::test]
async fn the_scheduling_reads_stay_prepared_on_the_connection() {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;

    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Prepared Paws", 48.86, 2.34, "Europe/Paris")).await;
    let id = ClinicId(id.parse().unwrap());
    let mut connection = app.db.connect().await;
    for _ in 0..2 {
        clinics::scheduling::clinic(&mut connection, id).await.unwrap();
        clinics::scheduling::services(&mut connection, &[]).await.unwrap();
    }

    #[derive(QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let prepared: Vec<Prepared> =
        diesel::sql_query("SELECT statement FROM pg_prepared_statements").load(&mut connection).await.unwrap();
    for text in ["xmin", "clinic_service_staff"] {
        assert!(
            prepared.iter().any(|prepared| prepared.statement.contains(text)),
            "no prepared statement reads {text}: {:#?}",
            prepared.iter().map(|prepared| &prepared.statement).collect::<Vec<_>>()
        );
    }
}
