//! Opening a case: validation, one case under way per pet, `Idempotency-Key`,
//! the assistant's draft, who may see it, the owner calling it off.

use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{PET_AT, north_of_pet, offered_vets, scene};

#[tokio::test]
async fn an_owner_opens_a_case_offered_at_once_to_the_nearest_vet_on_call() {
    let scene = scene().await;
    let vet = scene.vet_available(north_of_pet(3.0), 20.0).await;
    let case = scene.open_case().await;
    assert_eq!(case["status"], "offered");
    assert_eq!(case["triage_level"], 1, "dark chocolate is on the dangerous list");
    assert_eq!(case["round"], 1);
    assert_eq!(case["offers_pending"], 1);
    assert!(case["patient"].is_null(), "the owner is not shown the clinical summary");
    let id = case["id"].as_str().unwrap();
    assert_eq!(offered_vets(&scene.app, id).await, vec![vet.user_id.to_string()]);
    let offers = scene.app.api(Method::GET, "/vets/me/emergency-offers").by(&vet).expect(200).await;
    assert_eq!(offers[0]["id"], id);
    assert_eq!(offers[0]["your_offer"]["status"], "pending");
    let distance = offers[0]["your_offer"]["distance_km"].as_f64().unwrap();
    assert!((2.9..3.1).contains(&distance), "{distance}");
}

#[tokio::test]
async fn a_second_request_for_the_same_pet_is_409_naming_the_open_case() {
    let scene = scene().await;
    scene.vet_available(north_of_pet(5.0), 10.0).await;
    let first = scene.open_case().await;
    let second =
        scene.app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&scene.request()).expect(409).await;
    assert_eq!(second["error"]["details"]["case_id"], first["id"]);
}

#[tokio::test]
async fn bad_coordinates_missing_location_and_unknown_pets_are_refused() {
    let scene = scene().await;
    let app = &scene.app;
    let mut far_north = scene.request();
    far_north["location"] = json!({ "latitude": 91.0, "longitude": 4.8 });
    app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&far_north).expect(422).await;
    let mut nowhere = scene.request();
    nowhere["location"] = serde_json::Value::Null;
    let refused = app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&nowhere).expect(422).await;
    assert!(refused["error"]["details"]["fields"]["location"].is_array(), "{refused}");
    let mut unknown = scene.request();
    unknown["pet_id"] = json!(uuid::Uuid::now_v7());
    app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&unknown).expect(404).await;
    let (stranger, _) = fixtures::owner_with_dog(app, "Other").await;
    app.api(Method::POST, "/emergency-requests").by(&stranger).json(&scene.request()).expect(404).await;
    let mut written_as_a_float = scene.request();
    written_as_a_float["triage_level"] = json!(2.0);
    let case =
        app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&written_as_a_float).expect(201).await;
    assert_eq!(case["triage_level"], 1, "2.0 is the level 2, and the table says 1");
    let mut level_nine = scene.request();
    level_nine["triage_level"] = json!(9);
    app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&level_nine).expect(422).await;
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_gets_the_first_case() {
    let scene = scene().await;
    let send = || {
        scene
            .app
            .api(Method::POST, "/emergency-requests")
            .by(&scene.owner)
            .header("Idempotency-Key", "rex-chocolate-1")
            .json(&scene.request())
    };
    let first = send().expect(201).await;
    let again = send().expect(201).await;
    assert_eq!(first["id"], again["id"]);
}

#[tokio::test]
async fn the_assistants_draft_is_a_valid_request() {
    let scene = scene().await;
    let draft = chat::api::EmergencyDraft {
        pet_id: scene.pet.parse().unwrap(),
        description: "Rex collapsed".to_owned(),
        symptoms: vec!["collapse or unresponsiveness".to_owned()],
        triage_level: 1,
        location: Some(chat::api::Location { latitude: PET_AT.0, longitude: PET_AT.1 }),
    };
    let case = scene.app.api(Method::POST, "/emergency-requests").by(&scene.owner).json(&draft).expect(201).await;
    assert_eq!(case["triage_level"], 1, "no answers, but the assistant's red flag counts");
    assert_eq!(case["symptoms"], json!(["collapse or unresponsiveness"]));
}

#[tokio::test]
async fn strangers_and_vets_not_offered_get_404() {
    let scene = scene().await;
    let app = &scene.app;
    let offered = scene.vet_available(north_of_pet(2.0), 10.0).await;
    let too_far = scene.vet_available(north_of_pet(40.0), 10.0).await;
    let case = scene.open_case().await;
    let path = format!("/emergency-requests/{}", case["id"].as_str().unwrap());
    let (stranger, _) = fixtures::owner_with_dog(app, "Other").await;
    app.api(Method::GET, &path).by(&stranger).expect(404).await;
    app.api(Method::GET, &path).by(&too_far).expect(404).await;
    app.api(Method::POST, &format!("{path}/accept")).by(&too_far).expect(404).await;
    app.api(Method::POST, &format!("{path}/cancel")).by(&stranger).expect(404).await;
    let seen = app.api(Method::GET, &path).by(&offered).expect(200).await;
    assert_eq!(seen["your_offer"]["status"], "pending");
    assert!(seen["patient"].is_null(), "the clinical summary waits for an accept");
    app.api(Method::POST, &format!("{path}/cancel")).by(&offered).expect(403).await;
}

#[tokio::test]
async fn the_owner_calls_the_case_off_and_the_offers_are_withdrawn() {
    let scene = scene().await;
    let vet = scene.vet_available(north_of_pet(1.0), 10.0).await;
    let case = scene.open_case().await;
    let path = format!("/emergency-requests/{}", case["id"].as_str().unwrap());
    let cancelled = scene.app.api(Method::POST, &format!("{path}/cancel")).by(&scene.owner).expect(200).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["offers_pending"], 0);
    let late = scene.app.api(Method::POST, &format!("{path}/accept")).by(&vet).expect(409).await;
    assert_eq!(late["error"]["details"]["status"], "cancelled");
    scene.app.api(Method::POST, &format!("{path}/cancel")).by(&scene.owner).expect(409).await;
    // Over, so Rex may have a new case.
    scene.open_case().await;
}
