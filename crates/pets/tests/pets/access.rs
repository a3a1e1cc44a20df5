//! Who sees and changes what (RELIABILITY 11, 14, 15 for pets and records).

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{Patient, app, clinic, dog, patient, pet, record, register, staff, vaccination};

#[tokio::test]
async fn owner_cannot_see_change_or_list_another_owners_pet_or_records() {
    let app = app().await;
    let (alice, bob) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let rex = pet(&app, &alice, dog("Rex")).await;
    let note = record(
        &app,
        &alice,
        &rex,
        json!({ "record_date": "2026-01-05", "details": { "type": "note", "text": "Ate a sock." } }),
    )
    .await;
    let record_path = format!("/api/v1/pets/{rex}/records/{}", note["id"].as_str().unwrap());
    let pet_path = format!("/api/v1/pets/{rex}");

    let attempts = [
        (Method::GET, pet_path.clone(), None),
        (Method::PUT, pet_path.clone(), Some(dog("Stolen"))),
        (Method::DELETE, pet_path.clone(), None),
        (Method::GET, format!("{pet_path}/records"), None),
        (Method::GET, record_path.clone(), None),
        (
            Method::PUT,
            record_path.clone(),
            Some(json!({ "record_date": "2026-01-05", "details": { "type": "note", "text": "Edited." } })),
        ),
        (Method::POST, format!("{record_path}/addenda"), Some(json!({ "body": "Mine now." }))),
        (Method::GET, format!("{record_path}/history"), None),
        (Method::POST, format!("{pet_path}/weights"), Some(json!({ "value": "1", "unit": "kg" }))),
        (Method::GET, format!("{pet_path}/co-owners"), None),
        (Method::POST, format!("{pet_path}/co-owners"), Some(json!({ "user_id": bob.user_id }))),
        (Method::GET, format!("{pet_path}/vaccinations"), None),
        (Method::GET, format!("{pet_path}/reminders"), None),
        (Method::GET, format!("{pet_path}/clinics"), None),
    ];
    for (method, path, body) in attempts {
        let response = app.call(method.clone(), &path, &bob.token, body).await;
        let envelope = expect(response, 404).await;
        assert_eq!(envelope["error"]["code"], "NOT_FOUND", "{method} {path}");
    }
    let listed = expect(app.call(Method::GET, "/api/v1/pets", &bob.token, None).await, 200).await;
    assert_eq!(listed["items"], json!([]));
    let unknown = format!("/api/v1/pets/{}", kernel::PetId::new());
    let missing = expect(app.call(Method::GET, &unknown, &bob.token, None).await, 404).await;
    let foreign = expect(app.call(Method::GET, &pet_path, &bob.token, None).await, 404).await;
    assert_eq!(missing["error"]["message"], foreign["error"]["message"], "another's pet looks exactly like no pet");

    let shown = expect(app.call(Method::GET, &pet_path, &alice.token, None).await, 200).await;
    assert_eq!(shown["profile"]["name"], "Rex", "nothing changed");
    let timeline = expect(app.call(Method::GET, &format!("{pet_path}/records"), &alice.token, None).await, 200).await;
    assert_eq!(timeline["items"][0]["details"]["text"], "Ate a sock.");
    assert!(timeline["items"][0]["addenda"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn clinic_staff_see_a_pet_only_with_a_care_relationship() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let rex = pet(&app, &owner, dog("Rex")).await;
    let (here, elsewhere) = (clinic(&app, "Here").await, clinic(&app, "Elsewhere").await);
    let vet = staff(&app, here, Role::Veterinarian).await;
    let other_vet = staff(&app, elsewhere, Role::Veterinarian).await;
    let receptionist = staff(&app, here, Role::Receptionist).await;
    let path = format!("/api/v1/pets/{rex}");

    expect(app.call(Method::GET, &path, &vet.token, None).await, 404).await;
    let draft = vaccination("Rabies", "2026-01-10", Some("2027-01-10"), Some(here));
    expect(app.call(Method::POST, &format!("{path}/records"), &vet.token, Some(draft.clone())).await, 404).await;

    register(&app, &owner, &rex, here).await;
    let seen = expect(app.call(Method::GET, &path, &vet.token, None).await, 200).await;
    assert_eq!(seen["relation"], "clinic_staff");
    expect(app.call(Method::GET, &path, &other_vet.token, None).await, 404).await;
    expect(app.call(Method::PUT, &path, &vet.token, Some(dog("Renamed"))).await, 403).await;
    expect(app.call(Method::POST, &format!("{path}/records"), &receptionist.token, Some(draft.clone())).await, 403)
        .await;
    let mut for_elsewhere = draft.clone();
    for_elsewhere["clinic_id"] = json!(elsewhere);
    expect(app.call(Method::POST, &format!("{path}/records"), &vet.token, Some(for_elsewhere)).await, 403).await;
    let written = record(&app, &vet, &rex, draft).await;
    assert_eq!(written["clinic_id"], here.to_string());
    assert_eq!(written["author_id"], vet.user_id.to_string());

    let patients = expect(
        app.call(Method::GET, &format!("/api/v1/clinics/{here}/patients?q=re"), &receptionist.token, None).await,
        200,
    )
    .await;
    assert_eq!(patients["items"][0]["pet_id"], rex.as_str());
    expect(app.call(Method::GET, &format!("/api/v1/clinics/{here}/patients"), &other_vet.token, None).await, 403).await;
    expect(app.call(Method::GET, &format!("/api/v1/clinics/{here}/patients"), &owner.token, None).await, 403).await;

    expect(app.call(Method::DELETE, &format!("{path}/clinics/{here}"), &owner.token, None).await, 204).await;
    expect(app.call(Method::GET, &path, &vet.token, None).await, 404).await;
}

#[tokio::test]
async fn owners_never_see_staff_notes_or_anyones_contact_details() {
    let app = app().await;
    let Patient { owner, rex, here, vet } = patient(&app).await;
    let written = record(&app, &vet, &rex, vaccination("Rabies", "2026-01-10", Some("2027-01-10"), Some(here))).await;
    assert_eq!(written["staff_note"], "Nervous with needles; muzzle advised.", "the clinic sees its note");
    let record_path = format!("/api/v1/pets/{rex}/records/{}", written["id"].as_str().unwrap());

    for path in [record_path.clone(), format!("/api/v1/pets/{rex}/records"), format!("{record_path}/history")] {
        let body = expect(app.call(Method::GET, &path, &owner.token, None).await, 200).await.to_string();
        assert!(!body.contains("muzzle"), "{path} shows the staff note to the owner: {body}");
        assert!(!body.contains("@example.com"), "{path} shows an email: {body}");
    }
    for path in [format!("/api/v1/pets/{rex}/co-owners"), format!("/api/v1/clinics/{here}/patients")] {
        let body = expect(app.call(Method::GET, &path, &vet.token, None).await, 200).await.to_string();
        assert!(!body.contains("@example.com"), "{path} shows an email: {body}");
    }
}
