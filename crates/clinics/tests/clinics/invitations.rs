//! Inviting an email that has no account yet (it gets an email saying how to
//! sign up), accepting after sign-up, and members told in the app.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::{SmtpServer, TestApp, TestUser, expect};

use crate::fixtures::{admin, app, app_with, clinic, profile, staff};

/// A user who signed up with `email` (the provider's webhook sets it).
async fn signed_up_as(app: &TestApp, email: &str) -> TestUser {
    let user = app.user(Role::Veterinarian).await;
    let mut connection = app.db.connect().await;
    diesel::update(db::schema::users::table.find(user.user_id))
        .set(db::schema::users::email.eq(email))
        .execute(&mut connection)
        .await
        .unwrap();
    user
}

#[tokio::test]
async fn an_invited_email_joins_the_staff_only_when_its_owner_accepts() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let manager = staff(&app, &admin, &id, Role::ClinicAdmin).await;
    let invite = json!({ "email": "New.Vet@Example.com", "role": "veterinarian" });
    let staff_path = format!("/api/v1/clinics/{id}/staff");
    let invitation = expect(app.call(Method::POST, &staff_path, &manager.token, Some(invite)).await, 202).await;
    assert_eq!(
        (invitation["email"].as_str(), invitation["role"].as_str()),
        (Some("new.vet@example.com"), Some("veterinarian"))
    );
    let listed =
        expect(app.call(Method::GET, &format!("/api/v1/clinics/{id}/invitations"), &manager.token, None).await, 200)
            .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let invitee = signed_up_as(&app, "new.vet@example.com").await;
    let stranger = app.user(Role::Veterinarian).await;
    let mine = expect(app.call(Method::GET, "/api/v1/staff-invitations", &invitee.token, None).await, 200).await;
    assert_eq!(mine[0]["id"], invitation["id"]);
    let theirs = expect(app.call(Method::GET, "/api/v1/staff-invitations", &stranger.token, None).await, 200).await;
    assert_eq!(theirs, json!([]), "invitations are only shown to their addressee");
    let accept = format!("/api/v1/staff-invitations/{}/accept", invitation["id"].as_str().unwrap());
    expect(app.call(Method::POST, &accept, &stranger.token, None).await, 404).await;

    let status_path = format!("/api/v1/clinics/{id}/emergency-status");
    let status = json!({ "status": "limited", "note": null });
    expect(app.call(Method::PUT, &status_path, &invitee.token, Some(status.clone())).await, 403).await;
    expect(app.call(Method::POST, &accept, &invitee.token, None).await, 204).await;
    expect(app.call(Method::PUT, &status_path, &invitee.token, Some(status)).await, 200).await;
    expect(app.call(Method::POST, &accept, &invitee.token, None).await, 404).await;
    let members = expect(app.call(Method::GET, &staff_path, &manager.token, None).await, 200).await;
    assert!(members.as_array().unwrap().iter().any(|member| member["user_id"] == invitee.user_id.to_string()));
}

#[tokio::test]
async fn a_revoked_or_expired_invitation_cannot_be_accepted_and_others_cannot_revoke() {
    let app = app_with(|settings| settings.invitation_ttl_days = 0).await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let other = clinic(&app, &admin, profile("Other", 48.86, 2.34, "Europe/Paris")).await;
    let other_manager = staff(&app, &admin, &other, Role::ClinicAdmin).await;
    let invite = json!({ "email": "late@example.com", "role": "receptionist" });
    let staff_path = format!("/api/v1/clinics/{id}/staff");
    let expired = expect(app.call(Method::POST, &staff_path, &admin.token, Some(invite)).await, 202).await;
    let invitee = signed_up_as(&app, "late@example.com").await;
    let accept = format!("/api/v1/staff-invitations/{}/accept", expired["id"].as_str().unwrap());
    expect(app.call(Method::POST, &accept, &invitee.token, None).await, 404).await;
    let mine = expect(app.call(Method::GET, "/api/v1/staff-invitations", &invitee.token, None).await, 200).await;
    assert_eq!(mine, json!([]), "an expired invitation is not offered");

    let revoke = format!("/api/v1/clinics/{id}/invitations/{}", expired["id"].as_str().unwrap());
    expect(app.call(Method::DELETE, &revoke, &other_manager.token, None).await, 403).await;
    expect(app.call(Method::DELETE, &revoke, &admin.token, None).await, 204).await;
    expect(app.call(Method::DELETE, &revoke, &admin.token, None).await, 404).await;
}

async fn run_jobs(app: &TestApp, smtp: &SmtpServer) {
    let settings = smtp.configure(&app.config).section().unwrap();
    let options = notifications::worker_options(testkit::worker_options(app), &settings).unwrap();
    testkit::run_due_jobs(options).await;
}

#[tokio::test]
async fn a_staff_invitation_emails_an_address_without_an_account_and_tells_a_member_in_the_app() {
    let app = app().await;
    let smtp = SmtpServer::start().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let staff = format!("/api/v1/clinics/{id}/staff");

    let newcomer = json!({ "email": "new.vet@example.com", "role": "veterinarian" });
    expect(app.call(Method::POST, &staff, &admin.token, Some(newcomer)).await, 202).await;
    run_jobs(&app, &smtp).await;
    let messages = smtp.messages();
    let mail = messages.iter().find(|message| message.contains("new.vet@example.com")).expect("the invitation email");
    assert!(mail.contains("to join Happy Paws as veterinarian"), "{mail}");
    assert!(mail.contains("sign up in the app"), "{mail}");

    let member = app.user(Role::PetOwner).await;
    let addition = json!({ "email": format!("{}@example.com", member.subject), "role": "receptionist" });
    expect(app.call(Method::POST, &staff, &admin.token, Some(addition)).await, 200).await;
    let mut connection = app.db.connect().await;
    let titles: Vec<String> = db::schema::notifications::table
        .filter(db::schema::notifications::recipient_id.eq(member.user_id))
        .select(db::schema::notifications::title)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(titles, ["You are now staff of Happy Paws"]);
}
