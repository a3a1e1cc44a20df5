//! Vet profiles, search, working hours and time off.

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{admin, app, clinic, profile, staff};

#[tokio::test]
async fn vets_publish_profiles_and_are_found_by_specialty_language_clinic_and_distance() {
    let app = app().await;
    let admin = admin(&app).await;
    let paris = clinic(&app, &admin, profile("Paris Vets", 48.8566, 2.3522, "Europe/Paris")).await;
    let lyon = clinic(&app, &admin, profile("Lyon Vets", 45.7640, 4.8357, "Europe/Paris")).await;
    let okafor = staff(&app, &admin, &paris, Role::Veterinarian).await;
    let martin = staff(&app, &admin, &lyon, Role::Veterinarian).await;
    let okafor_profile = json!({ "display_name": "Dr Okafor", "specialties": ["Dentistry"], "languages": ["en", "fr"], "on_call": true });
    let martin_profile = json!({ "display_name": "Dr Martin", "specialties": ["surgery"], "languages": ["fr"] });
    expect(app.call(Method::PUT, "/api/v1/vets/me", &okafor.token, Some(okafor_profile)).await, 200).await;
    expect(app.call(Method::PUT, "/api/v1/vets/me", &martin.token, Some(martin_profile)).await, 200).await;
    let owner = app.user(Role::PetOwner).await;
    let not_a_vet = json!({ "display_name": "Me" });
    expect(app.call(Method::PUT, "/api/v1/vets/me", &owner.token, Some(not_a_vet)).await, 403).await;

    let names = |page: &serde_json::Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|vet| vet["profile"]["display_name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let nearest = expect(app.get("/api/v1/vets?near=48.85,2.35&radius_km=500").await, 200).await;
    assert_eq!(names(&nearest), ["Dr Okafor", "Dr Martin"]);
    assert!(nearest["items"][0]["distance_km"].as_f64().unwrap() < 1.0);
    assert_eq!(names(&expect(app.get("/api/v1/vets?specialty=dentistry").await, 200).await), ["Dr Okafor"]);
    assert_eq!(names(&expect(app.get("/api/v1/vets?language=en").await, 200).await), ["Dr Okafor"]);
    assert_eq!(names(&expect(app.get(&format!("/api/v1/vets?clinic_id={lyon}")).await, 200).await), ["Dr Martin"]);
    assert_eq!(names(&expect(app.get("/api/v1/vets?near=48.85,2.35&radius_km=50").await, 200).await), ["Dr Okafor"]);
    let one = expect(app.get(&format!("/api/v1/vets/{}", okafor.user_id)).await, 200).await;
    assert_eq!(one["clinic_ids"], json!([paris]));
}

#[tokio::test]
async fn working_hours_and_time_off_refuse_overlaps_and_strangers() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Paris Vets", 48.8566, 2.3522, "Europe/Paris")).await;
    let other = clinic(&app, &admin, profile("Elsewhere", 48.9, 2.4, "Europe/Paris")).await;
    let vet = staff(&app, &admin, &id, Role::Veterinarian).await;
    let desk = staff(&app, &admin, &id, Role::Receptionist).await;
    let stranger = staff(&app, &admin, &other, Role::ClinicAdmin).await;
    expect(app.call(Method::PUT, "/api/v1/vets/me", &vet.token, Some(json!({ "display_name": "Dr Vet" }))).await, 200)
        .await;

    let hours = format!("/api/v1/vets/{}/clinics/{id}/hours", vet.user_id);
    let week = json!({ "hours": [
        { "weekday": 1, "starts": "08:00", "ends": "12:00" },
        { "weekday": 1, "starts": "13:00", "ends": "17:00" },
    ] });
    expect(app.call(Method::PUT, &hours, &desk.token, Some(week)).await, 200).await;
    let overlapping = json!({ "hours": [
        { "weekday": 2, "starts": "20:00", "ends": "08:00" },
        { "weekday": 3, "starts": "07:00", "ends": "15:00" },
    ] });
    expect(app.call(Method::PUT, &hours, &vet.token, Some(overlapping)).await, 422).await;
    expect(app.call(Method::PUT, &hours, &stranger.token, Some(json!({ "hours": [] }))).await, 403).await;
    let stored = expect(app.get(&hours).await, 200).await;
    assert_eq!(stored["hours"].as_array().unwrap().len(), 2, "the refused week must not replace the stored one");
    let night_shift = json!({ "hours": [{ "weekday": 5, "starts": "20:00", "ends": "08:00" }] });
    let saved = expect(app.call(Method::PUT, &hours, &vet.token, Some(night_shift)).await, 200).await;
    assert_eq!(saved["hours"][0], json!({ "weekday": 5, "starts": "20:00", "ends": "08:00" }));

    let time_off = format!("/api/v1/vets/{}/time-off", vet.user_id);
    let holiday = json!({ "starts_at": "2026-12-24T00:00:00Z", "ends_at": "2027-01-02T00:00:00Z", "reason": "holiday", "clinic_id": id });
    let booked = expect(app.call(Method::POST, &time_off, &vet.token, Some(holiday)).await, 201).await;
    let clash = json!({ "starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-03T00:00:00Z" });
    let refused = expect(app.call(Method::POST, &time_off, &desk.token, Some(clash)).await, 409).await;
    assert_eq!(refused["error"]["details"]["field"], "starts_at", "{refused}");
    let backwards = json!({ "starts_at": "2027-02-02T00:00:00Z", "ends_at": "2027-02-01T00:00:00Z" });
    expect(app.call(Method::POST, &time_off, &vet.token, Some(backwards)).await, 422).await;
    let adjacent = json!({ "starts_at": "2027-01-02T00:00:00Z", "ends_at": "2027-01-03T00:00:00Z" });
    expect(app.call(Method::POST, &time_off, &vet.token, Some(adjacent)).await, 201).await;
    expect(app.call(Method::GET, &time_off, &stranger.token, None).await, 403).await;
    let listed = expect(app.call(Method::GET, &time_off, &desk.token, None).await, 200).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let cancel = format!("{time_off}/{}", booked["id"].as_str().unwrap());
    expect(app.call(Method::DELETE, &cancel, &vet.token, None).await, 204).await;
    expect(app.call(Method::DELETE, &cancel, &vet.token, None).await, 404).await;
}

#[tokio::test]
async fn a_clinics_desk_sees_and_cancels_only_its_own_time_off_of_a_shared_vet() {
    let app = app().await;
    let admin = admin(&app).await;
    let paris = clinic(&app, &admin, profile("Paris Vets", 48.8566, 2.3522, "Europe/Paris")).await;
    let lyon = clinic(&app, &admin, profile("Lyon Vets", 45.76, 4.84, "Europe/Paris")).await;
    let vet = staff(&app, &admin, &paris, Role::Veterinarian).await;
    let to_lyon = json!({ "email": format!("{}@example.com", vet.subject), "role": "veterinarian" });
    expect(app.call(Method::POST, &format!("/api/v1/clinics/{lyon}/staff"), &admin.token, Some(to_lyon)).await, 200)
        .await;
    expect(app.call(Method::PUT, "/api/v1/vets/me", &vet.token, Some(json!({ "display_name": "Dr Two" }))).await, 200)
        .await;
    let paris_desk = staff(&app, &admin, &paris, Role::Receptionist).await;
    let time_off = format!("/api/v1/vets/{}/time-off", vet.user_id);
    let period = |day: u32| json!({ "starts_at": format!("2027-03-{day:02}T08:00:00Z"), "ends_at": format!("2027-03-{day:02}T18:00:00Z") });

    // The desk books for its own clinic (the default); the vet books for Lyon and in general.
    let at_paris = expect(app.call(Method::POST, &time_off, &paris_desk.token, Some(period(1))).await, 201).await;
    assert_eq!(at_paris["clinic_id"], paris.as_str());
    let mut for_lyon = period(1);
    for_lyon["clinic_id"] = json!(lyon);
    let at_lyon = expect(app.call(Method::POST, &time_off, &vet.token, Some(for_lyon.clone())).await, 201).await;
    let general = expect(app.call(Method::POST, &time_off, &vet.token, Some(period(5))).await, 201).await;
    assert!(general["clinic_id"].is_null());
    expect(app.call(Method::POST, &time_off, &paris_desk.token, Some(for_lyon)).await, 422).await;

    let seen = expect(app.call(Method::GET, &time_off, &paris_desk.token, None).await, 200).await;
    let ids: Vec<&str> = seen.as_array().unwrap().iter().map(|entry| entry["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [at_paris["id"].as_str().unwrap(), general["id"].as_str().unwrap()], "not Lyon's");
    let all = expect(app.call(Method::GET, &time_off, &vet.token, None).await, 200).await;
    assert_eq!(all.as_array().unwrap().len(), 3);

    let entry = |view: &serde_json::Value| format!("{time_off}/{}", view["id"].as_str().unwrap());
    expect(app.call(Method::DELETE, &entry(&at_lyon), &paris_desk.token, None).await, 404).await;
    expect(app.call(Method::DELETE, &entry(&general), &paris_desk.token, None).await, 403).await;
    expect(app.call(Method::DELETE, &entry(&at_paris), &paris_desk.token, None).await, 204).await;
    let left = expect(app.call(Method::GET, &time_off, &vet.token, None).await, 200).await;
    assert_eq!(left.as_array().unwrap().len(), 2, "Lyon's and the general entry stay");
}
