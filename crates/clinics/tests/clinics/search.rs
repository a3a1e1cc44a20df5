//! Geographic and filtered search.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::expect;

use crate::fixtures::{admin, app, clinic, profile, staff};

const PARIS: (f64, f64) = (48.8566, 2.3522);

/// Great-circle kilometres (haversine, mean earth radius): the reference.
fn haversine_km((lat1, lng1): (f64, f64), (lat2, lng2): (f64, f64)) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let (dphi, dlambda) = ((lat2 - lat1).to_radians(), (lng2 - lng1).to_radians());
    let a = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * 6371.0088 * a.sqrt().asin()
}

fn names(page: &Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|item| item["profile"]["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn nearest_first_with_distances_within_a_tenth_of_a_percent_and_the_radius_excludes_farther_ones() {
    let app = app().await;
    let admin = admin(&app).await;
    let places = [
        ("Eiffel", (48.8584, 2.2945)),
        ("Orleans", (47.9030, 1.9093)),
        ("Louvre", (48.8606, 2.3376)),
        ("Versailles", (48.8049, 2.1204)),
    ];
    for (name, (latitude, longitude)) in places {
        clinic(&app, &admin, profile(name, latitude, longitude, "Europe/Paris")).await;
    }
    let near = format!("/api/v1/clinics?near={},{}&radius_km=50", PARIS.0, PARIS.1);
    let page = expect(app.get(&near).await, 200).await;
    assert_eq!(names(&page), ["Louvre", "Eiffel", "Versailles"], "Orleans is ~111 km away");
    for item in page["items"].as_array().unwrap() {
        let location = &item["profile"]["location"];
        let point = (location["latitude"].as_f64().unwrap(), location["longitude"].as_f64().unwrap());
        let expected = haversine_km(PARIS, point);
        let actual = item["distance_km"].as_f64().unwrap();
        assert!(
            (actual - expected).abs() / expected < 0.001,
            "{}: {actual} km vs {expected} km",
            item["profile"]["name"]
        );
    }
    // The walk reached Orleans, past the radius: it saw every clinic within,
    // so the search is one statement (and the connection's check).
    let before = db::spans::statements_sent();
    expect(app.get(&near).await, 200).await;
    let sent = db::spans::statements_sent() - before;
    assert!(sent <= 2, "a search whose walk left the radius sent {sent} statements");
    let wide = expect(app.get(&format!("/api/v1/clinics?near={},{}&radius_km=150", PARIS.0, PARIS.1)).await, 200).await;
    assert_eq!(names(&wide).last(), Some(&"Orleans"));

    // Keyset pages follow the distance order.
    let first = expect(app.get(&format!("{near}&limit=2")).await, 200).await;
    assert_eq!(names(&first), ["Louvre", "Eiffel"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = expect(app.get(&format!("{near}&limit=2&cursor={cursor}")).await, 200).await;
    assert_eq!(names(&second), ["Versailles"]);
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn filters_by_service_species_text_emergency_readiness_and_opening() {
    let app = app().await;
    let admin = admin(&app).await;
    let dental = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let mut emergency = profile("Night Vets", 48.85, 2.35, "Europe/Paris");
    emergency["emergency_capable"] = json!(true);
    emergency["open_24_7"] = json!(true);
    let emergency = clinic(&app, &admin, emergency).await;
    let manager = staff(&app, &admin, &dental, Role::ClinicAdmin).await;
    let service = json!({ "kind": "dental", "name": "Scale and polish", "duration_minutes": 45, "price": "89.50", "species": ["cat"] });
    let path = format!("/api/v1/clinics/{dental}/services");
    let numeric_price = json!({ "kind": "dental", "name": "Scale", "duration_minutes": 45, "price": 89.5 });
    expect(app.call(Method::POST, &path, &manager.token, Some(numeric_price)).await, 400).await;
    let stranger = json!({ "kind": "dental", "name": "Scale", "duration_minutes": 45, "price": "1.00", "staff": [kernel::UserId::new()] });
    expect(app.call(Method::POST, &path, &manager.token, Some(stranger)).await, 422).await;
    let services = expect(app.call(Method::POST, &path, &manager.token, Some(service)).await, 201).await;
    assert_eq!(services[0]["offer"]["price"], "89.50");
    assert_eq!(services[0]["currency"], "EUR");

    let search = |query: &str| format!("/api/v1/clinics?near=48.8566,2.3522&{query}");
    assert_eq!(names(&expect(app.get(&search("service=dental")).await, 200).await), ["Happy Paws"]);
    assert_eq!(names(&expect(app.get(&search("species=cat")).await, 200).await), ["Happy Paws"]);
    assert!(names(&expect(app.get(&search("species=dog")).await, 200).await).is_empty());
    assert_eq!(names(&expect(app.get(&search("q=polish")).await, 200).await), ["Happy Paws"], "service names match");
    assert_eq!(names(&expect(app.get(&search("q=nigth%20vets")).await, 200).await), ["Night Vets"], "trigram match");
    assert_eq!(names(&expect(app.get(&search("emergency=true")).await, 200).await), ["Night Vets"]);
    let open = expect(app.get(&search("open_now=true")).await, 200).await;
    assert_eq!(names(&open), ["Night Vets"], "Happy Paws has no hours yet; Night Vets is 24/7");
    assert_eq!(open["items"][0]["open_now"], true);

    let diverting = json!({ "status": "diverting", "note": "both surgeons in theatre" });
    let nurse = staff(&app, &admin, &emergency, Role::Receptionist).await;
    let status_path = format!("/api/v1/clinics/{emergency}/emergency-status");
    let updated = expect(app.call(Method::PUT, &status_path, &nurse.token, Some(diverting)).await, 200).await;
    assert_eq!(updated["emergency_status"], "diverting");
    assert!(names(&expect(app.get(&search("emergency=true")).await, 200).await).is_empty());
}

#[tokio::test]
async fn bad_search_parameters_are_refused() {
    let app = app().await;
    expect(app.get("/api/v1/clinics?near=91,2").await, 422).await;
    expect(app.get("/api/v1/clinics?near=paris").await, 422).await;
    expect(app.get("/api/v1/clinics?near=48.8,2.3&radius_km=5000").await, 422).await;
    expect(app.get("/api/v1/clinics?radius_km=5").await, 200).await;
    expect(app.get("/api/v1/clinics?service=astrology").await, 400).await;
}

/// 5 000 clinics on a grid over central France (lat 43–48, lng -1–2), then
/// `more` SQL, then `ANALYZE`.
async fn grid_of_clinics(connection: &mut diesel_async::AsyncPgConnection, more: &str) {
    use diesel_async::SimpleAsyncConnection;
    connection
        .batch_execute(&format!(
            "INSERT INTO clinics (id, name, address_line1, city, country, latitude, longitude, time_zone, currency) \
             SELECT gen_random_uuid(), 'Clinic ' || n, 'Street', 'City', 'FR', 43 + (n % 100) * 0.05, \
                    -1 + (n / 100) * 0.06, 'Europe/Paris', 'EUR' FROM generate_series(1, 5000) AS n; \
             {more} ANALYZE clinics;"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_nearest_search_walks_the_spatial_index_not_the_table() {
    let app = app().await;
    let mut connection = app.db.connect().await;
    grid_of_clinics(&mut connection, "").await;
    let filter =
        clinics::api::ClinicSearch { near: Some("46.0,1.5".into()), radius_km: Some(100.0), ..Default::default() };
    let page = kernel::PageRequest::new(Some(20), None).unwrap();
    let plan = clinics::service::search::explain_clinics(&mut connection, &kernel::Valid::new(filter).unwrap(), &page)
        .await
        .unwrap();
    let walk = plan.lines().find(|line| line.contains("Index Scan using clinics_location_idx"));
    let read: usize = walk
        .and_then(|line| line.rsplit("rows=").next())
        .and_then(|rows| rows.split(' ').next())
        .and_then(|rows| rows.parse().ok())
        .unwrap_or_else(|| panic!("the plan does not walk the spatial index:\n{plan}"));
    assert!(plan.contains("Order By: "), "the index is not walked in distance order:\n{plan}");
    assert!(!plan.contains("Sort Key") && !plan.contains("Seq Scan on clinics"), "{plan}");
    assert_eq!(read, 21, "the walk stops at the page and the one after it:\n{plan}");
}

#[tokio::test]
async fn a_filter_matching_only_beyond_the_walk_still_finds_its_clinic() {
    let app = app().await;
    let mut connection = app.db.connect().await;
    // The nearest 500 of the grid lie within about 65 km of the point; the
    // only emergency-ready clinic 95 km away.
    grid_of_clinics(
        &mut connection,
        "INSERT INTO clinics (id, name, address_line1, city, country, latitude, longitude, time_zone, currency, \
                              emergency_capable) \
         VALUES (gen_random_uuid(), 'Far emergency', 'Street', 'City', 'FR', 46.85, 1.5, 'Europe/Paris', 'EUR', true);",
    )
    .await;
    let page = expect(app.get("/api/v1/clinics?near=46.0,1.5&radius_km=100&emergency=true").await, 200).await;
    assert_eq!(names(&page), ["Far emergency"]);
}

#[tokio::test]
async fn pages_walk_exactly_the_clinics_of_one_sorted_search_ties_included() {
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let app = app().await;
    let mut connection = app.db.connect().await;
    // 300 clinics spread over about 150 km around Paris, thinning outwards,
    // and two buildings of 12 clinics each at the very same point: pages end
    // among equal distances, where the index walk alone has no id order.
    connection
        .batch_execute(
            "INSERT INTO clinics (id, name, address_line1, city, country, latitude, longitude, time_zone, currency) \
             SELECT gen_random_uuid(), 'Ring ' || n, 'Street', 'City', 'FR', \
                    48.8566 + sin(n) * (n / 300.0) ^ 2 * 1.3, 2.3522 + cos(n) * (n / 300.0) ^ 2 * 2.0, \
                    'Europe/Paris', 'EUR' FROM generate_series(1, 300) AS n; \
             INSERT INTO clinics (id, name, address_line1, city, country, latitude, longitude, time_zone, currency) \
             SELECT gen_random_uuid(), 'Shared ' || n, 'Street', 'City', 'FR', 48.86 + (n % 2) * 0.1, 2.36, \
                    'Europe/Paris', 'EUR' FROM generate_series(1, 24) AS n; ANALYZE clinics;",
        )
        .await
        .unwrap();
    let reference: Vec<String> = diesel::sql_query(
        "SELECT id::text AS id FROM clinics WHERE distance_km(48.8566, 2.3522, latitude, longitude) <= 120 \
         ORDER BY location <-> ll_to_earth(48.8566, 2.3522), id",
    )
    .load::<Id>(&mut connection)
    .await
    .unwrap()
    .into_iter()
    .map(|row| row.id)
    .collect();
    assert!(reference.len() > 224 && reference.len() < 324, "{} within 120 km", reference.len());
    for limit in [3, 5, 7, 100] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_deref().map(|cursor| format!("&cursor={cursor}")).unwrap_or_default();
            let path = format!("/api/v1/clinics?near=48.8566,2.3522&radius_km=120&limit={limit}{after}");
            let page = expect(app.get(&path).await, 200).await;
            seen.extend(page["items"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, reference, "pages of {limit}");
    }
}

#[tokio::test]
async fn subnormal_coordinates_are_stored_rounded_and_searchable() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Null Island", -5e-324, 3.0e-182, "UTC")).await;
    let shown = expect(app.get(&format!("/api/v1/clinics/{id}")).await, 200).await;
    assert_eq!(shown["profile"]["location"], json!({ "latitude": 0.0, "longitude": 0.0 }));
    let page = expect(app.get("/api/v1/clinics?near=-0,0&radius_km=0.1").await, 200).await;
    assert_eq!(names(&page), ["Null Island"]);
}

/// `earth_point` is `ll_to_earth`'s point as a cube, and Postgres inlines it
/// into a prepared statement's generic plan: no SQL function is called (and
/// its body parsed and planned) per statement, as `ll_to_earth` would be.
#[tokio::test]
async fn earth_point_is_the_point_of_ll_to_earth_inlined_into_the_plan() {
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Same {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        same: bool,
    }
    let app = app().await;
    let mut connection = app.db.connect().await;
    connection
        .batch_execute(
            "SET plan_cache_mode = force_generic_plan; PREPARE point_of(float8, float8) AS \
             SELECT earth_point($1, $2) = ll_to_earth($1, $2)::cube AS same",
        )
        .await
        .unwrap();
    for (latitude, longitude) in [(48.8566, 2.3522), (-33.8688, 151.2093), (0.0, -180.0), (90.0, 0.0)] {
        let same: Same = diesel::sql_query(format!("EXECUTE point_of({latitude}, {longitude})"))
            .get_result(&mut connection)
            .await
            .unwrap();
        assert!(same.same, "({latitude}, {longitude})");
    }
    let plan: Vec<Line> =
        diesel::sql_query("EXPLAIN (VERBOSE) EXECUTE point_of(1, 2)").load(&mut connection).await.unwrap();
    let plan = plan.into_iter().map(|line| line.line).collect::<Vec<_>>().join("\n");
    assert!(plan.contains("ll_to_earth($1, $2)"), "the plan is generic:\n{plan}");
    assert!(!plan.contains("earth_point("), "earth_point is called, not inlined:\n{plan}");
}
