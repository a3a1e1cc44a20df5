//! The clinics part of a person's data: a vet who also reviews a clinic as an
//! owner, exported, then erased (the vet row stays, without identity).

use chrono::{Duration, Utc};
use clinics::personal_data::{FORMER_VET_NAME, PersonalData};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use platform::personal_data::Holder;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures::{service, vet};
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{admin, app, clinic, profile, staff};
use crate::photos::upload;

const EMAIL: &str = "erin@example.com";

/// A pet owner whose provider account has `email` (set after they were invited).
async fn owner_with_email(app: &TestApp, email: &str) -> TestUser {
    let user = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    diesel::update(db::schema::users::table.find(user.user_id))
        .set(db::schema::users::email.eq(email))
        .execute(&mut connection)
        .await
        .unwrap();
    user
}

async fn review(app: &TestApp, clinic: &str, author: &TestUser, rating: i64) {
    let mut connection = app.db.connect().await;
    let id = kernel::ClinicId(clinic.parse().unwrap());
    clinics::visits::record(&mut connection, id, author.user_id, Utc::now()).await.unwrap();
    let draft = json!({ "rating": rating, "body": format!("{rating} stars.") });
    let path = format!("/api/v1/clinics/{clinic}/reviews/mine");
    expect(app.call(Method::PUT, &path, &author.token, Some(draft)).await, 200).await;
}

fn rating(clinic: &Value) -> (i64, Option<f64>, Value) {
    let rating = &clinic["rating"];
    (rating["count"].as_i64().unwrap(), rating["average"].as_f64(), rating["distribution"].clone())
}

#[tokio::test]
async fn a_vets_reviews_visits_memberships_invitations_and_profile_are_exported_then_erased() {
    let app = app().await;
    let admin = admin(&app).await;
    let home = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let reviewed = clinic(&app, &admin, profile("Other Paws", 48.87, 2.35, "Europe/Paris")).await;
    let manager = staff(&app, &admin, &reviewed, Role::ClinicAdmin).await;
    let invitations = format!("/api/v1/clinics/{reviewed}/invitations");
    let invite = |email: &str| json!({ "email": email, "role": "receptionist" });
    let reviewed_staff = format!("/api/v1/clinics/{reviewed}/staff");
    expect(app.call(Method::POST, &reviewed_staff, &manager.token, Some(invite(EMAIL))).await, 202).await;
    expect(app.call(Method::POST, &reviewed_staff, &manager.token, Some(invite("kept@example.com"))).await, 202).await;

    let person = owner_with_email(&app, EMAIL).await;
    let home_staff = format!("/api/v1/clinics/{home}/staff");
    let addition = json!({ "email": EMAIL, "role": "veterinarian" });
    expect(app.call(Method::POST, &home_staff, &admin.token, Some(addition)).await, 200).await;
    let colleague = vet(&app, &admin, &home, "Dr Kept", "08:00", "12:00").await;
    let profile = json!({
        "display_name": "Dr Erin", "bio": "Cats and rabbits.", "license_number": "FR-12345",
        "license_region": "Ile-de-France", "specialties": ["dentistry"], "languages": ["fr"], "on_call": true,
    });
    expect(app.call(Method::PUT, "/api/v1/vets/me", &person.token, Some(profile)).await, 200).await;
    let week = json!({ "hours": [
        { "weekday": 1, "starts": "08:00", "ends": "12:00" },
        { "weekday": 3, "starts": "14:00", "ends": "18:00" },
    ] });
    let hours = format!("/api/v1/vets/{}/clinics/{home}/hours", person.user_id);
    expect(app.call(Method::PUT, &hours, &person.token, Some(week)).await, 200).await;
    let time_off = format!("/api/v1/vets/{}/time-off", person.user_id);
    let now = Utc::now();
    for (starts, reason) in [(now - Duration::days(10), "Flu"), (now + Duration::days(10), "Holiday")] {
        let away = json!({ "starts_at": starts, "ends_at": starts + Duration::days(2), "reason": reason });
        expect(app.call(Method::POST, &time_off, &person.token, Some(away)).await, 201).await;
    }
    let offer = json!({ "kind": "consultation", "name": "Check-up", "duration_minutes": 30, "price": "40.00",
                        "staff": [person.user_id, colleague.user_id] });
    service(&app, &admin, &home, offer).await;
    let photo = upload(&app, &person, "vet_photo").await;
    let set_photo = format!("/api/v1/vets/{}/photo", person.user_id);
    expect(app.call(Method::PUT, &set_photo, &person.token, Some(json!({ "media_id": photo }))).await, 200).await;
    review(&app, &reviewed, &person, 1).await;
    let other_owner = app.user(Role::PetOwner).await;
    review(&app, &reviewed, &other_owner, 5).await;
    let reviewed_path = format!("/api/v1/clinics/{reviewed}");
    assert_eq!(rating(&expect(app.get(&reviewed_path).await, 200).await), (2, Some(3.0), json!([1, 0, 0, 0, 1])));

    let holder = PersonalData;
    assert_eq!(holder.section(), "clinics");
    let mut connection = app.db.connect().await;
    // A review, a membership, a visit, an invitation, the profile, two hours, two time off.
    assert_eq!(holder.size(&mut connection, person.user_id).await.unwrap(), 9);
    let export = holder.export(&mut connection, person.user_id).await.unwrap();
    assert_eq!(export["reviews"].as_array().unwrap().len(), 1, "{export}");
    let written = &export["reviews"][0];
    assert_eq!((written["clinic_id"].as_str(), written["rating"].as_i64()), (Some(reviewed.as_str()), Some(1)));
    assert_eq!((written["body"].as_str(), written["verified_visit"].as_bool()), (Some("1 stars."), Some(true)));
    assert_eq!(export["memberships"].as_array().unwrap().len(), 1);
    assert_eq!(export["memberships"][0]["clinic_id"], home.as_str());
    assert_eq!(export["memberships"][0]["role"], "veterinarian");
    assert_eq!(export["visits"].as_array().unwrap().len(), 1);
    assert_eq!(export["visits"][0]["clinic_id"], reviewed.as_str());
    let invited = export["invitations"].as_array().unwrap();
    assert_eq!(invited.len(), 1, "only invitations to the person's email: {export}");
    assert_eq!(
        (invited[0]["email"].as_str(), invited[0]["clinic_id"].as_str()),
        (Some(EMAIL), Some(reviewed.as_str()))
    );
    let vet_profile = &export["vet_profile"];
    assert_eq!(vet_profile["display_name"], "Dr Erin");
    assert_eq!(
        (vet_profile["bio"].as_str(), vet_profile["license_number"].as_str()),
        (Some("Cats and rabbits."), Some("FR-12345"))
    );
    assert_eq!(vet_profile["photo_id"], photo.as_str());
    assert_eq!(
        vet_profile["working_hours"][1],
        json!({ "clinic_id": home, "weekday": 3, "starts": "14:00", "ends": "18:00" })
    );
    let reasons: Vec<&str> =
        vet_profile["time_off"].as_array().unwrap().iter().map(|entry| entry["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["Flu", "Holiday"]);

    holder.erase(&mut connection, person.user_id, now).await.unwrap();
    holder.erase(&mut connection, person.user_id, now).await.unwrap();
    let erased = holder.export(&mut connection, person.user_id).await.unwrap();
    for part in ["reviews", "memberships", "visits", "invitations"] {
        assert_eq!(erased[part], json!([]), "{part} remain: {erased}");
    }
    let vet_profile = &erased["vet_profile"];
    assert_eq!(vet_profile["display_name"], FORMER_VET_NAME, "the vet row stays, without identity");
    assert_eq!((vet_profile["bio"].as_str(), vet_profile["on_call"].as_bool()), (Some(""), Some(false)));
    for field in ["license_number", "license_region", "photo_id"] {
        assert!(vet_profile[field].is_null(), "{field} remains: {vet_profile}");
    }
    assert_eq!((vet_profile["specialties"].clone(), vet_profile["languages"].clone()), (json!([]), json!([])));
    assert_eq!(vet_profile["working_hours"], json!([]));
    let past = vet_profile["time_off"].as_array().unwrap();
    assert_eq!(past.len(), 1, "only past time off stays: {vet_profile}");
    let ended = chrono::DateTime::parse_from_rfc3339(past[0]["ends_at"].as_str().unwrap()).unwrap();
    assert!(past[0]["reason"].is_null() && ended < now, "past time off keeps its dates only: {past:?}");

    // What others see follows: the rating, the clinic's vets and services, invitations, the profile.
    assert_eq!(rating(&expect(app.get(&reviewed_path).await, 200).await), (1, Some(5.0), json!([0, 0, 0, 0, 1])));
    let public = expect(app.get(&format!("{reviewed_path}/reviews")).await, 200).await;
    assert_eq!(public["items"].as_array().unwrap().len(), 1);
    let shown = expect(app.get(&format!("/api/v1/vets/{}", person.user_id)).await, 200).await;
    assert_eq!(
        (shown["profile"]["display_name"].as_str(), shown["clinic_ids"].clone()),
        (Some(FORMER_VET_NAME), json!([]))
    );
    expect(app.get(&format!("/api/v1/vets/{}/photo", person.user_id)).await, 404).await;
    let at_home = expect(app.get(&format!("/api/v1/vets?clinic_id={home}")).await, 200).await;
    let names: Vec<&str> = at_home["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|vet| vet["profile"]["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dr Kept"]);
    let services =
        expect(app.call(Method::GET, &format!("/api/v1/clinics/{home}/services"), &admin.token, None).await, 200).await;
    assert_eq!(services[0]["offer"]["staff"], json!([colleague.user_id]));
    let members = expect(app.call(Method::GET, &home_staff, &admin.token, None).await, 200).await;
    assert!(!members.to_string().contains(&person.user_id.to_string()), "still staff: {members}");
    let open = expect(app.call(Method::GET, &invitations, &manager.token, None).await, 200).await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["email"], "kept@example.com");
    let kept_hours = format!("/api/v1/vets/{}/clinics/{home}/hours", colleague.user_id);
    assert_eq!(expect(app.get(&kept_hours).await, 200).await["hours"].as_array().unwrap().len(), 7);
}
