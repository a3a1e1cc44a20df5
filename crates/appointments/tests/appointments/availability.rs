//! Free slots: the vet's hours, the clinic's exceptions, bookings and time
//! off, and daylight saving in Europe/Berlin.

use chrono::{NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use testkit::expect;

use crate::fixtures::{BERLIN, Scene, berlin_at};

fn starts(availability: &Value) -> Vec<String> {
    availability["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| slot["local_start"].as_str().unwrap().to_owned())
        .collect()
}

fn range_path(scene: &Scene, from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>) -> String {
    let (from, to) = (
        from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    format!(
        "/api/v1/availability?clinic_id={}&service_id={}&vet_id={}&from={from}&to={to}",
        scene.clinic, scene.service, scene.vet.user_id
    )
}

#[tokio::test]
async fn nine_oclock_stays_nine_oclock_across_the_spring_change_in_berlin() {
    let scene = Scene::with(|settings| settings.horizon_days = 400).await;
    // Clocks go forward in Berlin on Sunday 28 March 2027.
    let local = |day: u32| NaiveDate::from_ymd_opt(2027, 3, day).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let at = |day: u32| local(day).and_local_timezone(BERLIN).unwrap().with_timezone(&Utc);
    let found = expect(scene.app.get(&range_path(&scene, at(27), at(30))).await, 200).await;
    assert_eq!(found["time_zone"], "Europe/Berlin");
    let slots = starts(&found);
    for day in ["2027-03-27", "2027-03-28", "2027-03-29"] {
        let of_day: Vec<&String> = slots.iter().filter(|start| start.starts_with(day)).collect();
        assert_eq!(of_day.first().map(|start| &start[11..]), Some("09:00"), "{day}: {of_day:?}");
        // 09:00-17:00 with 30 minutes and 10 of clean-up on a 15-minute grid.
        assert_eq!(of_day.last().map(|start| &start[11..]), Some("16:15"), "{day}");
        assert_eq!(of_day.len(), 30, "{day}");
    }
    let utc_of = |local_start: &str| {
        found["slots"].as_array().unwrap().iter().find(|slot| slot["local_start"] == local_start).unwrap()["starts_at"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(utc_of("2027-03-27T09:00"), "2027-03-27T08:00:00Z", "CET is UTC+1");
    assert_eq!(utc_of("2027-03-29T09:00"), "2027-03-29T07:00:00Z", "CEST is UTC+2");
}

#[tokio::test]
async fn bookings_time_off_and_closed_days_take_slots_away() {
    let scene = Scene::new().await;
    let path = range_path(&scene, berlin_at(3, "00:00"), berlin_at(4, "00:00"));
    let before = starts(&expect(scene.app.get(&path).await, 200).await);
    assert_eq!(before.len(), 30);
    expect(scene.book(&scene.owner, scene.booking(berlin_at(3, "10:00"))).await, 201).await;
    let after = starts(&expect(scene.app.get(&path).await, 200).await);
    let taken: Vec<&String> = before.iter().filter(|start| !after.contains(start)).collect();
    // 10:00 holds 10:00-10:40: every start whose 40 minutes overlap it is gone.
    let times: Vec<&str> = taken.iter().map(|start| &start[11..]).collect();
    assert_eq!(times, ["09:30", "09:45", "10:00", "10:15", "10:30"]);

    let off = json!({ "starts_at": berlin_at(3, "13:00"), "ends_at": berlin_at(3, "17:00"), "reason": "training" });
    expect(
        scene
            .app
            .call(Method::POST, &format!("/api/v1/vets/{}/time-off", scene.vet.user_id), &scene.vet.token, Some(off))
            .await,
        201,
    )
    .await;
    let with_time_off = starts(&expect(scene.app.get(&path).await, 200).await);
    assert!(with_time_off.iter().all(|start| &start[11..] < "13:00"), "{with_time_off:?}");

    let closed_day = berlin_at(3, "12:00").with_timezone(&BERLIN).date_naive();
    let week: Vec<Value> = (1..=7).map(|day| json!({ "weekday": day, "opens": "07:00", "closes": "20:00" })).collect();
    let hours = json!({ "weekly": week, "exceptions": [{ "date": closed_day, "note": "inventory" }] });
    expect(
        scene
            .app
            .call(Method::PUT, &format!("/api/v1/clinics/{}/hours", scene.clinic), &scene.admin.token, Some(hours))
            .await,
        200,
    )
    .await;
    assert!(starts(&expect(scene.app.get(&path).await, 200).await).is_empty(), "the clinic is closed that day");
}

#[tokio::test]
async fn a_range_must_run_forwards_and_stay_short() {
    let scene = Scene::new().await;
    expect(scene.app.get(&range_path(&scene, berlin_at(4, "00:00"), berlin_at(3, "00:00"))).await, 422).await;
    expect(scene.app.get(&range_path(&scene, berlin_at(1, "00:00"), berlin_at(40, "00:00"))).await, 422).await;
    let mut other = range_path(&scene, berlin_at(1, "00:00"), berlin_at(2, "00:00"));
    other = other.replace(&scene.vet.user_id.to_string(), &kernel::UserId::new().to_string());
    expect(scene.app.get(&other).await, 404).await;
}

#[tokio::test]
async fn dates_outside_the_calendar_are_422_naming_the_field_never_500() {
    let scene = Scene::new().await;
    let base = format!(
        "/api/v1/availability?clinic_id={}&service_id={}&vet_id={}",
        scene.clinic, scene.service, scene.vet.user_id
    );
    for (from, to, field) in [
        ("+262000-01-01T00:00:00Z", "+262000-01-02T00:00:00Z", "from"),
        ("-4800-01-01T00:00:00Z", "-4800-01-02T00:00:00Z", "from"),
        ("2026-01-01T00:00:00Z", "+262000-01-02T00:00:00Z", "to"),
    ] {
        let from = from.replace('+', "%2B");
        let to = to.replace('+', "%2B");
        let refused = expect(scene.app.get(&format!("{base}&from={from}&to={to}")).await, 422).await;
        assert!(refused["error"]["details"]["fields"][field].is_array(), "{refused}");
    }
    let calendar = format!(
        "/api/v1/clinics/{}/calendar?from=%2B262000-01-01T00:00:00Z&to=%2B262000-01-02T00:00:00Z",
        scene.clinic
    );
    let refused = expect(scene.app.call(Method::GET, &calendar, &scene.receptionist.token, None).await, 422).await;
    assert!(refused["error"]["details"]["fields"]["from"].is_array(), "{refused}");
    let mut far = scene.booking(berlin_at(3, "10:00"));
    far["starts_at"] = json!("+200000-01-01T10:00:00Z");
    let refused = expect(scene.book(&scene.owner, far).await, 422).await;
    assert!(refused["error"]["details"]["fields"]["starts_at"].is_array(), "{refused}");
}

/// Statements one search of a week sends at most once the clinic's hours are
/// known: BEGIN of a read-only snapshot (one round trip with the setting
/// that plans its statements once), the service (with its clinic, the vets
/// who perform it and its rooms, in one query), the vets' weekly hours with
/// their time off, the bookings, COMMIT (7 before the vets came with the
/// service, 6 before the clinic did, 5 before the time off came with the
/// hours, 3 before the reads went into a snapshot: planning them took three
/// times as long as running them, which the two round trips more save, see
/// `db::snapshot`). Lower it as availability gets leaner (issue 20).
const AVAILABILITY_STATEMENTS: u64 = 5;

/// Round trips those statements take: the hours and the bookings are
/// pipelined (5 before).
const AVAILABILITY_ROUND_TRIPS: u64 = 4;

#[tokio::test]
async fn an_availability_search_sends_a_bounded_number_of_statements() {
    let scene = Scene::new().await;
    let path = range_path(&scene, berlin_at(3, "00:00"), berlin_at(10, "00:00"));
    assert!(!starts(&expect(scene.app.get(&path).await, 200).await).is_empty());
    let (before, trips_before) = (db::spans::statements_sent(), db::spans::round_trips());
    expect(scene.app.get(&path).await, 200).await;
    let sent = db::spans::statements_sent() - before;
    let trips = db::spans::round_trips() - trips_before;
    eprintln!("an availability search sent {sent} statements in {trips} round trips");
    assert!(sent <= AVAILABILITY_STATEMENTS, "an availability search sent {sent} statements");
    assert!(trips <= AVAILABILITY_ROUND_TRIPS, "an availability search took {trips} round trips");
}

/// Searches and bookings read the appointments holding a vet's time from
/// the index of those alone, also under the generic plan a transaction makes
/// (with the statuses bound, that plan could not use it and walked every
/// completed appointment of the days around the slots instead), without
/// visiting the table: the index carries every column the query reads.
#[tokio::test]
async fn the_time_held_is_read_through_the_index_of_holding_appointments() {
    use appointments::availability::holding;
    use db::schema::appointments as booked;
    use diesel::prelude::*;
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

    let scene = Scene::new().await;
    let mut connection = scene.app.db.connect().await;
    let vet = scene.vet.user_id;
    let from = Utc::now();
    let nobody = kernel::AppointmentId(uuid::Uuid::nil());
    holding(nobody, from, from + chrono::Duration::days(1))
        .filter(booked::vet_id.eq_any(vec![vet]))
        .select((booked::vet_id, booked::blocks))
        .load::<(kernel::UserId, kernel::Range)>(&mut connection)
        .await
        .unwrap();

    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Statement {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    // The text the connection prepared, planned again as a transaction plans it.
    let prepared: Statement = diesel::sql_query(
        "SELECT statement FROM pg_prepared_statements \
         WHERE statement LIKE 'SELECT \"appointments\".\"vet_id\", \"appointments\".\"blocks\" FROM%'",
    )
    .get_result(&mut connection)
    .await
    .unwrap();
    let probe = format!("SET plan_cache_mode = force_generic_plan; PREPARE probe AS {}", prepared.statement);
    connection.batch_execute(&probe).await.unwrap();
    // The parameters in the order the query binds them: the appointment left
    // out, the range's end, its start less the longest booking, its start, the vets.
    let explain = format!(
        "EXPLAIN EXECUTE probe('{}', now() + interval '1 day', now() - interval '1 day', now(), ARRAY['{}']::uuid[])",
        nobody.0, vet.0
    );
    let plan: Vec<Line> = diesel::sql_query(explain).load(&mut connection).await.unwrap();
    let plan: Vec<String> = plan.into_iter().map(|line| line.line).collect();
    assert!(plan.iter().any(|line| line.contains("Index Only Scan using appointments_holding_idx")), "{plan:#?}");
}
