//! Profiles, validation, weights, soft delete.

use diesel_async::RunQueryDsl;
use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{app, dog, pet};

#[tokio::test]
async fn an_owner_registers_edits_lists_and_deletes_a_pet() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let mut profile = dog("Rex");
    profile["microchip"] = json!("250269604512345");
    profile["alerts"] = json!([{ "kind": "allergy", "name": "Penicillin", "severity": "severe" }]);
    let id = pet(&app, &owner, profile.clone()).await;
    let path = format!("/api/v1/pets/{id}");

    let shown = expect(app.call(Method::GET, &path, &owner.token, None).await, 200).await;
    assert_eq!(shown["profile"]["name"], "Rex");
    assert_eq!(shown["relation"], "primary_owner");
    assert_eq!(shown["primary_owner_id"], owner.user_id.to_string());
    assert_eq!(shown["profile"]["alerts"][0]["severity"], "severe");
    insta::assert_json_snapshot!("pet_view", shown, {
        ".id" => "[pet id]",
        ".primary_owner_id" => "[owner id]",
        ".created_at" => "[time]",
        ".updated_at" => "[time]",
    });

    profile["name"] = json!("Rex the Second");
    profile["neuter_status"] = json!("neutered");
    let edited = expect(app.call(Method::PUT, &path, &owner.token, Some(profile)).await, 200).await;
    assert_eq!(
        (edited["profile"]["name"].as_str(), edited["profile"]["neuter_status"].as_str()),
        (Some("Rex the Second"), Some("neutered"))
    );

    let second = pet(&app, &owner, dog("Bella")).await;
    let listed = expect(app.call(Method::GET, "/api/v1/pets?limit=1", &owner.token, None).await, 200).await;
    assert_eq!(listed["items"][0]["id"], second.as_str(), "newest first");
    let cursor = listed["next_cursor"].as_str().unwrap();
    let rest =
        expect(app.call(Method::GET, &format!("/api/v1/pets?limit=1&cursor={cursor}"), &owner.token, None).await, 200)
            .await;
    assert_eq!(rest["items"][0]["id"], id.as_str());
    assert!(rest["next_cursor"].is_null());

    expect(app.call(Method::DELETE, &path, &owner.token, None).await, 204).await;
    expect(app.call(Method::GET, &path, &owner.token, None).await, 404).await;
    let listed = expect(app.call(Method::GET, "/api/v1/pets", &owner.token, None).await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "a deleted pet leaves the owner's list");
}

#[tokio::test]
async fn server_owned_fields_in_a_body_are_refused_and_nothing_changes() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let other = app.user(Role::PetOwner).await;
    let id = pet(&app, &owner, dog("Rex")).await;
    let path = format!("/api/v1/pets/{id}");
    for (field, value) in [
        ("owner_id", json!(other.user_id)),
        ("primary_owner_id", json!(other.user_id)),
        ("id", json!(kernel::PetId::new())),
        ("is_active", json!(false)),
        ("current_weight_kg", json!("90.000")),
    ] {
        let mut body = dog("Hacked");
        body[field] = value;
        expect(app.call(Method::PUT, &path, &owner.token, Some(body.clone())).await, 400).await;
        expect(app.call(Method::POST, "/api/v1/pets", &owner.token, Some(body)).await, 400).await;
    }
    let shown = expect(app.call(Method::GET, &path, &owner.token, None).await, 200).await;
    assert_eq!((shown["profile"]["name"].as_str(), shown["is_active"].as_bool()), (Some("Rex"), Some(true)));
    let listed = expect(app.call(Method::GET, "/api/v1/pets", &owner.token, None).await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "no refused request created a pet");
}

#[tokio::test]
async fn bad_profiles_are_422_and_a_microchip_belongs_to_one_pet() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let cases = [
        ("name", json!("   ")),
        ("species", json!("dragon")),
        ("microchip", json!("12345")),
        ("birth_date", json!("2999-01-01")),
        ("deceased_on", json!("2020-01-01")),
    ];
    for (field, value) in cases {
        let mut body = dog("Rex");
        body[field] = value;
        let status = app.call(Method::POST, "/api/v1/pets", &owner.token, Some(body)).await.status().as_u16();
        assert!(status == 422 || status == 400, "{field}: {status}");
    }
    let mut all_wrong = dog("   ");
    all_wrong["microchip"] = json!("12345");
    all_wrong["birth_date"] = json!("2999-01-01");
    let refused = expect(app.call(Method::POST, "/api/v1/pets", &owner.token, Some(all_wrong)).await, 422).await;
    insta::assert_json_snapshot!("invalid_profile", refused, {
        ".error.request_id" => "[request id]",
        ".error.timestamp" => "[time]",
    });
    let mut chipped = dog("Rex");
    chipped["microchip"] = json!("250269604512345");
    pet(&app, &owner, chipped.clone()).await;
    let refused = expect(app.call(Method::POST, "/api/v1/pets", &owner.token, Some(chipped)).await, 409).await;
    assert_eq!(refused["error"]["details"]["constraint"], "pets_microchip_key");
}

#[tokio::test]
async fn weights_are_stored_in_kilograms_and_the_latest_is_current() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let id = pet(&app, &owner, dog("Rex")).await;
    let weights = format!("/api/v1/pets/{id}/weights");
    let shown = async |pet: &str| {
        expect(app.call(Method::GET, &format!("/api/v1/pets/{pet}"), &owner.token, None).await, 200).await
    };
    let registered = shown(&id).await["updated_at"].clone();
    let earlier = json!({ "value": "22", "unit": "lb", "measured_at": "2026-01-10T09:00:00Z" });
    let saved = expect(app.call(Method::POST, &weights, &owner.token, Some(earlier)).await, 201).await;
    assert_eq!(saved["weight_kg"], "9.979", "22 lb");
    let later = json!({ "value": 10.5, "unit": "kg", "measured_at": "2026-02-10T09:00:00Z" });
    expect(app.call(Method::POST, &weights, &owner.token, Some(later)).await, 201).await;
    // The pet's view changed with its current weight; a backdated weighing changes neither.
    let reweighed = shown(&id).await["updated_at"].clone();
    assert_ne!(reweighed, registered, "a new current weight is a change to the pet");
    let backdated = json!({ "value": "9500", "unit": "g", "measured_at": "2025-12-01T09:00:00Z" });
    expect(app.call(Method::POST, &weights, &owner.token, Some(backdated)).await, 201).await;
    assert_eq!(shown(&id).await["updated_at"], reweighed, "a backdated weighing leaves the pet as it was");

    assert_eq!(shown(&id).await["current_weight_kg"], "10.500", "the most recent measurement, not the last entered");
    let history = expect(app.call(Method::GET, &weights, &owner.token, None).await, 200).await;
    let kilograms: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|w| w["weight_kg"].as_str().unwrap()).collect();
    assert_eq!(kilograms, ["10.500", "9.979", "9.500"]);
    let listed = expect(app.call(Method::GET, "/api/v1/pets", &owner.token, None).await, 200).await;
    assert_eq!(listed["items"][0]["current_weight_kg"], "10.500", "the list shows the same current weight");

    // The pet's row keeps its current weight whichever way a weighing
    // changes: corrected, moved to another pet or removed in the database.
    let other = pet(&app, &owner, dog("Bella")).await;
    let current = async |pet: &str| shown(pet).await["current_weight_kg"].clone();
    let mut connection = app.db.connect().await;
    let mut change = async |sql: String| diesel::sql_query(sql).execute(&mut connection).await.unwrap();
    change(format!(
        "UPDATE pet_weights SET measured_at = '2026-03-01T00:00:00Z' WHERE pet_id = '{id}' AND weight_kg = 9.5"
    ))
    .await;
    assert_eq!(current(&id).await, "9.500", "a weighing corrected to be the latest");
    change(format!("UPDATE pet_weights SET pet_id = '{other}' WHERE pet_id = '{id}' AND weight_kg = 9.5")).await;
    assert_eq!((current(&id).await, current(&other).await), (json!("10.500"), json!("9.500")), "moved");
    change(format!("DELETE FROM pet_weights WHERE pet_id IN ('{id}', '{other}') AND weight_kg IN (10.5, 9.5)")).await;
    assert_eq!((current(&id).await, current(&other).await), (json!("9.979"), json!(null)), "removed");
    for bad in [
        json!({ "value": "0", "unit": "kg" }),
        json!({ "value": "5", "unit": "kg", "measured_at": "2999-01-01T00:00:00Z" }),
    ] {
        expect(app.call(Method::POST, &weights, &owner.token, Some(bad)).await, 422).await;
    }
}

#[tokio::test]
async fn dates_outside_a_pets_life_are_422_naming_the_field_never_500() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    for birth_date in ["-4800-01-01", "0000-01-01", "1950-06-01", "+30000-01-01"] {
        let mut profile = dog("Rex");
        profile["birth_date"] = json!(birth_date);
        let refused = expect(app.call(Method::POST, "/api/v1/pets", &owner.token, Some(profile)).await, 422).await;
        assert!(refused["error"]["details"]["fields"]["birth_date"].is_array(), "{birth_date}: {refused}");
    }
    let id = pet(&app, &owner, dog("Rex")).await;
    let records = format!("/api/v1/pets/{id}/records");
    let cases = [
        (json!({ "record_date": "2020-01-01", "details": { "type": "note", "text": "before birth" } }), "record_date"),
        (json!({ "record_date": "-4800-01-01", "details": { "type": "note", "text": "ancient" } }), "record_date"),
        (
            json!({ "record_date": "2026-01-05", "details": {
                "type": "vaccination", "vaccine": "Rabies", "next_due": "+30000-01-01" } }),
            "details.next_due",
        ),
        (
            json!({ "record_date": "2026-01-05", "details": {
                "type": "medication", "drug": "Meloxicam", "dose": "1", "unit": "ml",
                "start_date": "-262000-01-01", "end_date": "2026-01-10" } }),
            "details.start_date",
        ),
    ];
    for (record, field) in cases {
        let refused = expect(app.call(Method::POST, &records, &owner.token, Some(record)).await, 422).await;
        assert!(refused["error"]["details"]["fields"][field].is_array(), "{field}: {refused}");
    }
    let timeline = format!("{records}?from=-4800-01-01");
    let refused = expect(app.call(Method::GET, &timeline, &owner.token, None).await, 422).await;
    assert!(refused["error"]["details"]["fields"]["from"].is_array(), "{refused}");
    let weights = format!("/api/v1/pets/{id}/weights");
    let ancient = json!({ "value": 10, "unit": "kg", "measured_at": "-4800-01-01T00:00:00Z" });
    expect(app.call(Method::POST, &weights, &owner.token, Some(ancient)).await, 422).await;
}
