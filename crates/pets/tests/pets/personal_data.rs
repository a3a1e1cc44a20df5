//! The pets part of a person's data: exported, then erased (pets passed on
//! or archived, clinical records kept), twice.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use pets::personal_data::PersonalData;
use platform::personal_data::Holder;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, expect};

use crate::files::png;
use crate::fixtures::{app, clinic, dog, pet, record, register, staff, vaccination};

/// `by` invites someone (`{"user_id"}` or `{"email"}`) to co-own `pet`; the invitation's id.
async fn invite(app: &TestApp, by: &TestUser, pet: &str, invitee: Value) -> String {
    let path = format!("/api/v1/pets/{pet}/co-owners");
    let invitation = expect(app.call(Method::POST, &path, &by.token, Some(invitee)).await, 202).await;
    invitation["id"].as_str().unwrap().to_owned()
}

/// `who` is invited by `by` and accepts: they co-own `pet`.
async fn co_own(app: &TestApp, by: &TestUser, pet: &str, who: &TestUser) {
    let invitation = invite(app, by, pet, json!({ "user_id": who.user_id })).await;
    let accept = format!("/api/v1/pet-invitations/{invitation}/accept");
    expect(app.call(Method::POST, &accept, &who.token, None).await, 204).await;
}

async fn audit_actions(connection: &mut diesel_async::AsyncPgConnection, pet: &str) -> Vec<String> {
    use db::schema::audit_log;
    audit_log::table
        .filter(audit_log::target_id.eq(pet))
        .filter(audit_log::action.like("pet.owner_erased%").or(audit_log::action.eq("pet.co_owner_removed")))
        .select(audit_log::action)
        .order(audit_log::id)
        .load(connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_erased_owners_pets_pass_to_the_eldest_co_owner_or_are_archived_and_records_stay() {
    let app = app().await;
    let (alice, carol, dave, eve) = (
        app.user(Role::PetOwner).await,
        app.user(Role::PetOwner).await,
        app.user(Role::PetOwner).await,
        app.user(Role::PetOwner).await,
    );
    let here = clinic(&app, "Here").await;
    let vet = staff(&app, here, Role::Veterinarian).await;
    // Rex: Alice's, co-owned by Carol, then by Dave.
    let rex = pet(&app, &alice, dog("Rex")).await;
    co_own(&app, &alice, &rex, &carol).await;
    co_own(&app, &alice, &rex, &dave).await;
    // Bella: Alice's alone, with a photo, a weight, a vet's record (with an
    // addendum and a pending reminder) and an open invitation.
    let bella = pet(&app, &alice, dog("Bella")).await;
    let bella_path = format!("/api/v1/pets/{bella}");
    let photo = expect(app.upload(&alice, "pet_photo", "bella.png", png(64, 64)).await, 201).await;
    let photo_id = photo["id"].as_str().unwrap().to_owned();
    let set_photo = Some(json!({ "media_id": photo_id }));
    expect(app.call(Method::PUT, &format!("{bella_path}/photo"), &alice.token, set_photo).await, 200).await;
    let weight = Some(json!({ "value": "9.5", "unit": "kg" }));
    expect(app.call(Method::POST, &format!("{bella_path}/weights"), &alice.token, weight).await, 201).await;
    register(&app, &alice, &bella, here).await;
    let in_a_year = (chrono::Utc::now().date_naive() + chrono::Duration::days(365)).to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    let written = record(&app, &vet, &bella, vaccination("Rabies", &today, Some(&in_a_year), Some(here))).await;
    let record_path = format!("{bella_path}/records/{}", written["id"].as_str().unwrap());
    let addendum = Some(json!({ "body": "No reaction after an hour." }));
    expect(app.call(Method::POST, &format!("{record_path}/addenda"), &vet.token, addendum).await, 201).await;
    let sent = invite(&app, &alice, &bella, json!({ "email": "sitter@example.com" })).await;
    // Eve's Tom is co-owned by Alice; Eve's Mia waits for Alice (by email); Eve's Leo for someone else.
    let tom = pet(&app, &eve, dog("Tom")).await;
    co_own(&app, &eve, &tom, &alice).await;
    let mia = pet(&app, &eve, dog("Mia")).await;
    let received = invite(&app, &eve, &mia, json!({ "email": format!("{}@example.com", alice.subject) })).await;
    let leo = pet(&app, &eve, dog("Leo")).await;
    let unrelated = invite(&app, &eve, &leo, json!({ "email": "someone.else@example.com" })).await;

    let holder = PersonalData;
    let mut connection = app.db.connect().await;
    assert_eq!(holder.section(), "pets");
    assert_eq!(holder.size(&mut connection, alice.user_id).await.unwrap(), 3 + 1, "three pets, one record");

    let export = holder.export(&mut connection, alice.user_id).await.unwrap();
    let exported = |id: &str| {
        export["pets"].as_array().unwrap().iter().find(|entry| entry["pet"]["id"] == id).cloned().unwrap_or_default()
    };
    assert_eq!(export["pets"].as_array().unwrap().len(), 3, "{export}");
    let (rex_export, bella_export, tom_export) = (exported(&rex), exported(&bella), exported(&tom));
    assert_eq!(rex_export["pet"]["profile"]["name"], "Rex", "{export}");
    assert_eq!(rex_export["pet"]["relation"], "primary_owner");
    assert_eq!(rex_export["co_owner_ids"], json!([carol.user_id, dave.user_id]));
    assert_eq!(
        (tom_export["pet"]["relation"].as_str(), tom_export["pet"]["profile"]["name"].as_str()),
        (Some("co_owner"), Some("Tom"))
    );
    assert_eq!(bella_export["pet"]["current_weight_kg"], "9.500");
    assert_eq!(bella_export["weights"][0]["weight_kg"], "9.500");
    assert_eq!(bella_export["clinic_ids"], json!([here]));
    let records = bella_export["records"].as_array().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0]["id"].clone(), records[0]["details"]["vaccine"].as_str()),
        (written["id"].clone(), Some("Rabies"))
    );
    assert_eq!(records[0]["addenda"][0]["body"], "No reaction after an hour.");
    assert!(!export.to_string().contains("muzzle"), "the clinic's staff note is not the owner's data");
    assert_eq!(bella_export["reminders"][0]["status"], "pending");
    assert_eq!(export["invitations_sent"][0]["id"], sent.as_str());
    assert_eq!(export["invitations_sent"].as_array().unwrap().len(), 1);
    assert_eq!(export["invitations_received"][0]["id"], received.as_str());
    assert_eq!(export["invitations_received"][0]["pet_name"], "Mia");
    assert!(!export.to_string().contains("Leo"), "another person's invitation was exported");

    let now = chrono::Utc::now();
    holder.erase(&mut connection, alice.user_id, now).await.unwrap();
    holder.erase(&mut connection, alice.user_id, now).await.unwrap();

    // Rex passed to Carol, the eldest co-owner; Dave still co-owns it; Alice is gone.
    let rex_path = format!("/api/v1/pets/{rex}");
    let carols = expect(app.call(Method::GET, &rex_path, &carol.token, None).await, 200).await;
    assert_eq!((carols["relation"].as_str(), carols["is_active"].as_bool()), (Some("primary_owner"), Some(true)));
    let owners = expect(app.call(Method::GET, &format!("{rex_path}/co-owners"), &carol.token, None).await, 200).await;
    let owner_ids: Vec<&str> =
        owners.as_array().unwrap().iter().map(|owner| owner["user_id"].as_str().unwrap()).collect();
    assert_eq!(owner_ids, [carol.user_id.to_string(), dave.user_id.to_string()]);
    expect(app.call(Method::GET, &rex_path, &alice.token, None).await, 404).await;
    assert_eq!(audit_actions(&mut connection, &rex).await, ["pet.owner_erased_transferred"], "once, not per run");

    // Bella is archived: inactive, reminders stopped, photo gone; the clinic keeps its record.
    let archived = expect(app.call(Method::GET, &bella_path, &vet.token, None).await, 200).await;
    assert_eq!((archived["is_active"].as_bool(), archived["photo_id"].is_null()), (Some(false), true));
    let reminders =
        expect(app.call(Method::GET, &format!("{bella_path}/reminders"), &vet.token, None).await, 200).await;
    assert_eq!(reminders[0]["status"], "cancelled");
    let photo_deleted: Option<chrono::DateTime<chrono::Utc>> = db::schema::media::table
        .find(kernel::MediaId(photo_id.parse().unwrap()))
        .select(db::schema::media::deleted_at)
        .first(&mut connection)
        .await
        .unwrap();
    assert!(photo_deleted.is_some(), "the photo was released");
    let kept = expect(app.call(Method::GET, &record_path, &vet.token, None).await, 200).await;
    assert_eq!(kept["addenda"][0]["body"], "No reaction after an hour.");
    let weights = expect(app.call(Method::GET, &format!("{bella_path}/weights"), &vet.token, None).await, 200).await;
    assert_eq!(weights["items"].as_array().unwrap().len(), 1);
    assert_eq!(audit_actions(&mut connection, &bella).await, ["pet.owner_erased_archived"]);

    // Tom is Eve's alone; Alice's invitations are gone, Eve's other one stays.
    let toms_owners =
        expect(app.call(Method::GET, &format!("/api/v1/pets/{tom}/co-owners"), &eve.token, None).await, 200).await;
    assert_eq!(toms_owners.as_array().unwrap().len(), 1, "{toms_owners}");
    assert_eq!(audit_actions(&mut connection, &tom).await, ["pet.co_owner_removed"]);
    let invitations: Vec<uuid::Uuid> =
        db::schema::pet_invitations::table.select(db::schema::pet_invitations::id).load(&mut connection).await.unwrap();
    assert_eq!(invitations, [unrelated.parse::<uuid::Uuid>().unwrap()]);

    let after = holder.export(&mut connection, alice.user_id).await.unwrap();
    let left: Vec<&str> =
        after["pets"].as_array().unwrap().iter().map(|entry| entry["pet"]["id"].as_str().unwrap()).collect();
    assert_eq!(left, [bella.as_str()], "only the archived pet still names her: {after}");
    assert_eq!((after["invitations_sent"].clone(), after["invitations_received"].clone()), (json!([]), json!([])));
}
