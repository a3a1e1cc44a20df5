//! Who may change what (RELIABILITY 11-15 for clinics and staff).

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{admin, app, clinic, profile, staff};

#[tokio::test]
async fn staff_of_one_clinic_cannot_touch_another_and_receptionists_cannot_edit_the_profile() {
    let app = app().await;
    let admin = admin(&app).await;
    let x = clinic(&app, &admin, profile("Clinic X", 48.86, 2.34, "Europe/Paris")).await;
    let y = clinic(&app, &admin, profile("Clinic Y", 48.87, 2.35, "Europe/Paris")).await;
    let receptionist = staff(&app, &admin, &x, Role::Receptionist).await;
    let manager_x = staff(&app, &admin, &x, Role::ClinicAdmin).await;
    let manager_y = staff(&app, &admin, &y, Role::ClinicAdmin).await;

    let edit = profile("Renamed", 48.87, 2.35, "Europe/Paris");
    for (who, clinic) in [(&receptionist, &y), (&manager_x, &y), (&receptionist, &x)] {
        let response =
            app.call(Method::PUT, &format!("/api/v1/clinics/{clinic}"), &who.token, Some(edit.clone())).await;
        expect(response, 403).await;
    }
    let add = json!({ "email": format!("{}@example.com", receptionist.subject), "role": "clinic_admin" });
    let response = app.call(Method::POST, &format!("/api/v1/clinics/{y}/staff"), &receptionist.token, Some(add)).await;
    expect(response, 403).await;
    let remove = format!("/api/v1/clinics/{y}/staff/{}", manager_y.user_id);
    expect(app.call(Method::DELETE, &remove, &manager_x.token, None).await, 403).await;
    expect(app.call(Method::GET, &format!("/api/v1/clinics/{y}/staff"), &receptionist.token, None).await, 403).await;
    let clinic_y = expect(app.get(&format!("/api/v1/clinics/{y}")).await, 200).await;
    assert_eq!(clinic_y["profile"]["name"], "Clinic Y", "nothing changed");

    let renamed = app.call(Method::PUT, &format!("/api/v1/clinics/{x}"), &manager_x.token, Some(edit)).await;
    assert_eq!(expect(renamed, 200).await["profile"]["name"], "Renamed");
    let owner = app.user(Role::PetOwner).await;
    let create = app.call(Method::POST, "/api/v1/clinics", &owner.token, Some(profile("Mine", 1.0, 1.0, "UTC"))).await;
    expect(create, 403).await;
    expect(app.get(&format!("/api/v1/clinics/{}", kernel::ClinicId::new())).await, 404).await;
}

#[tokio::test]
async fn staff_changes_are_audited_take_effect_at_once_and_keep_one_clinic_admin() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let manager = staff(&app, &admin, &id, Role::ClinicAdmin).await;
    let vet = app.user(Role::Veterinarian).await;

    // Not yet staff: the vet cannot set the emergency status.
    let status = json!({ "status": "limited", "note": null });
    let status_path = format!("/api/v1/clinics/{id}/emergency-status");
    expect(app.call(Method::PUT, &status_path, &vet.token, Some(status.clone())).await, 403).await;
    let add = json!({ "email": format!("{}@example.com", vet.subject), "role": "veterinarian" });
    let members =
        expect(app.call(Method::POST, &format!("/api/v1/clinics/{id}/staff"), &manager.token, Some(add)).await, 200)
            .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert!(!members.to_string().contains("@example.com"), "the staff list must not expose emails");
    expect(app.call(Method::PUT, &status_path, &vet.token, Some(status.clone())).await, 200).await;

    let remove = format!("/api/v1/clinics/{id}/staff/{}", vet.user_id);
    expect(app.call(Method::DELETE, &remove, &manager.token, None).await, 204).await;
    expect(app.call(Method::PUT, &status_path, &vet.token, Some(status)).await, 403).await;
    let last_admin = format!("/api/v1/clinics/{id}/staff/{}", manager.user_id);
    expect(app.call(Method::DELETE, &last_admin, &admin.token, None).await, 409).await;
    let unknown = json!({ "email": "nobody@example.com", "role": "receptionist" });
    expect(app.call(Method::POST, &format!("/api/v1/clinics/{id}/staff"), &manager.token, Some(unknown)).await, 202)
        .await;

    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut connection = app.db.connect().await;
    let actions: Vec<String> = db::schema::audit_log::table
        .filter(db::schema::audit_log::target_id.eq(&id))
        .select(db::schema::audit_log::action)
        .order(db::schema::audit_log::id)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        actions,
        ["clinic.created", "clinic.staff_added", "clinic.staff_added", "clinic.staff_removed", "clinic.staff_invited"]
    );
}

#[tokio::test]
async fn server_owned_fields_in_bodies_are_refused_and_nothing_changes() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    for (field, value) in
        [("id", json!(kernel::ClinicId::new())), ("rating_count", json!(999)), ("is_active", json!(false))]
    {
        let mut body = profile("Hacked", 48.86, 2.34, "Europe/Paris");
        body[field] = value;
        expect(app.call(Method::PUT, &format!("/api/v1/clinics/{id}"), &admin.token, Some(body)).await, 400).await;
    }
    let mut bad = profile("Bad", 95.0, 2.34, "Mars/Olympus");
    bad["currency"] = json!("euro");
    let refused = expect(app.call(Method::POST, "/api/v1/clinics", &admin.token, Some(bad)).await, 422).await;
    let fields =
        refused["error"]["details"]["fields"].as_object().map(|fields| fields.keys().cloned().collect::<Vec<_>>());
    assert!(refused.to_string().contains("time_zone") && refused.to_string().contains("currency"), "{fields:?}");
    let clinic = expect(app.get(&format!("/api/v1/clinics/{id}")).await, 200).await;
    assert_eq!((clinic["profile"]["name"].as_str(), clinic["rating"]["count"].as_i64()), (Some("Happy Paws"), Some(0)));
}
