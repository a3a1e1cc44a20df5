//! Co-owners: invitations, acceptance, removal, transfer.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::expect;

use crate::fixtures::{app, dog, pet};

#[tokio::test]
async fn a_co_owner_shares_the_pet_until_removed() {
    let app = app().await;
    let (alice, carol) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let rex = pet(&app, &alice, dog("Rex")).await;
    let path = format!("/api/v1/pets/{rex}");

    let by_email = json!({ "email": format!("{}@EXAMPLE.com", carol.subject) });
    let invitation =
        expect(app.call(Method::POST, &format!("{path}/co-owners"), &alice.token, Some(by_email)).await, 202).await;
    let nobody = json!({ "email": "nobody@example.com" });
    let unknown =
        expect(app.call(Method::POST, &format!("{path}/co-owners"), &alice.token, Some(nobody)).await, 202).await;
    assert_eq!(
        invitation.as_object().unwrap().keys().collect::<Vec<_>>(),
        unknown.as_object().unwrap().keys().collect::<Vec<_>>(),
        "an unknown email is answered the same way as a known one"
    );
    expect(app.call(Method::GET, &path, &carol.token, None).await, 404).await;
    let mine = expect(app.call(Method::GET, "/api/v1/pet-invitations", &carol.token, None).await, 200).await;
    assert_eq!((mine[0]["id"].clone(), mine[0]["pet_name"].as_str()), (invitation["id"].clone(), Some("Rex")));
    let accept = format!("/api/v1/pet-invitations/{}/accept", invitation["id"].as_str().unwrap());
    expect(app.call(Method::POST, &accept, &alice.token, None).await, 404).await;
    expect(app.call(Method::POST, &accept, &carol.token, None).await, 204).await;

    let shared = expect(app.call(Method::GET, &path, &carol.token, None).await, 200).await;
    assert_eq!(shared["relation"], "co_owner");
    let weight = json!({ "value": "12", "unit": "kg" });
    expect(app.call(Method::POST, &format!("{path}/weights"), &carol.token, Some(weight)).await, 201).await;
    expect(app.call(Method::DELETE, &path, &carol.token, None).await, 403).await;
    let invite_more = json!({ "email": "more@example.com" });
    expect(app.call(Method::POST, &format!("{path}/co-owners"), &carol.token, Some(invite_more)).await, 403).await;
    let owners = expect(app.call(Method::GET, &format!("{path}/co-owners"), &carol.token, None).await, 200).await;
    assert_eq!(owners.as_array().unwrap().len(), 2);
    let listed = expect(app.call(Method::GET, "/api/v1/pets", &carol.token, None).await, 200).await;
    assert_eq!(listed["items"][0]["id"], rex.as_str());

    let remove = format!("{path}/co-owners/{}", carol.user_id);
    expect(app.call(Method::DELETE, &remove, &alice.token, None).await, 204).await;
    expect(app.call(Method::GET, &path, &carol.token, None).await, 404).await;
    expect(
        app.call(Method::POST, &format!("{path}/weights"), &carol.token, Some(json!({ "value": "1", "unit": "kg" })))
            .await,
        404,
    )
    .await;
    let listed = expect(app.call(Method::GET, "/api/v1/pets", &carol.token, None).await, 200).await;
    assert_eq!(listed["items"], json!([]));

    let mut connection = app.db.connect().await;
    let actions: Vec<String> = db::schema::audit_log::table
        .filter(db::schema::audit_log::target_id.eq(&rex))
        .select(db::schema::audit_log::action)
        .order(db::schema::audit_log::id)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        actions,
        ["pet.created", "pet.co_owner_invited", "pet.co_owner_invited", "pet.co_owner_added", "pet.co_owner_removed"]
    );
}

#[tokio::test]
async fn primary_ownership_passes_only_to_a_co_owner() {
    let app = app().await;
    let (alice, carol, dave) =
        (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let rex = pet(&app, &alice, dog("Rex")).await;
    let path = format!("/api/v1/pets/{rex}");
    let transfer = |user: kernel::UserId| Some(json!({ "user_id": user }));
    expect(app.call(Method::POST, &format!("{path}/transfer"), &alice.token, transfer(dave.user_id)).await, 422).await;

    let invitation = expect(
        app.call(Method::POST, &format!("{path}/co-owners"), &alice.token, Some(json!({ "user_id": carol.user_id })))
            .await,
        202,
    )
    .await;
    let accept = format!("/api/v1/pet-invitations/{}/accept", invitation["id"].as_str().unwrap());
    expect(app.call(Method::POST, &accept, &dave.token, None).await, 404).await;
    expect(app.call(Method::POST, &accept, &carol.token, None).await, 204).await;
    expect(app.call(Method::POST, &format!("{path}/transfer"), &carol.token, transfer(carol.user_id)).await, 403).await;
    expect(app.call(Method::POST, &format!("{path}/transfer"), &alice.token, transfer(carol.user_id)).await, 204).await;

    let now_carols = expect(app.call(Method::GET, &path, &carol.token, None).await, 200).await;
    assert_eq!(
        (now_carols["relation"].as_str(), now_carols["primary_owner_id"].as_str()),
        (Some("primary_owner"), Some(carol.user_id.to_string().as_str()))
    );
    let alices_view = expect(app.call(Method::GET, &path, &alice.token, None).await, 200).await;
    assert_eq!(alices_view["relation"], "co_owner");
    let leave = format!("{path}/co-owners/{}", alice.user_id);
    expect(app.call(Method::DELETE, &leave, &alice.token, None).await, 204).await;
    expect(app.call(Method::GET, &path, &alice.token, None).await, 404).await;
}

#[tokio::test]
async fn an_invitation_reaches_a_member_in_the_app_and_an_address_by_email() {
    let app = app().await;
    let smtp = testkit::SmtpServer::start().await;
    let (alice, carol) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let id = pet(&app, &alice, dog("Rex")).await;
    let co_owners = format!("/api/v1/pets/{id}/co-owners");
    let to_carol = json!({ "user_id": carol.user_id });
    expect(app.call(Method::POST, &co_owners, &alice.token, Some(to_carol)).await, 202).await;
    let to_stranger = json!({ "email": "future.owner@example.com" });
    expect(app.call(Method::POST, &co_owners, &alice.token, Some(to_stranger)).await, 202).await;

    let mut connection = app.db.connect().await;
    let bodies: Vec<String> = db::schema::notifications::table
        .filter(db::schema::notifications::recipient_id.eq(carol.user_id))
        .select(db::schema::notifications::body)
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(bodies[0].contains("to share the care of Rex") && bodies[0].contains("accept it under Invitations"));

    let settings = smtp.configure(&app.config).section().unwrap();
    testkit::run_due_jobs(notifications::worker_options(testkit::worker_options(&app), &settings).unwrap()).await;
    let messages = smtp.messages();
    let mail = messages.iter().find(|message| message.contains("future.owner@example.com")).expect("an email");
    assert!(mail.contains("sign up in the app"), "{mail}");
}

/// The owner's list merges the pets they own and co-own, newest first, page by
/// page without gaps or repeats, and leaves deleted ones out even where they
/// are the newest of either kind.
#[tokio::test]
async fn the_list_pages_through_owned_and_co_owned_pets_without_the_deleted_ones() {
    let app = app().await;
    let (alice, bob) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    let mut alive = Vec::new();
    for (owner, name) in [(&alice, "A1"), (&bob, "B1"), (&alice, "A2"), (&bob, "B2"), (&alice, "A3"), (&bob, "B3")] {
        alive.push((pet(&app, owner, dog(name)).await, owner.user_id));
    }
    let mut connection = app.db.connect().await;
    for (id, owner) in &alive {
        if *owner == bob.user_id {
            diesel::sql_query("INSERT INTO pet_co_owners (pet_id, user_id) VALUES ($1, $2)")
                .bind::<diesel::sql_types::Uuid, _>(id.parse::<uuid::Uuid>().unwrap())
                .bind::<diesel::sql_types::Uuid, _>(alice.user_id.0)
                .execute(&mut connection)
                .await
                .unwrap();
        }
    }
    // The newest owned and the newest co-owned pet are deleted.
    for (id, owner) in [&alive[4], &alive[5]] {
        let token = if *owner == alice.user_id { &alice.token } else { &bob.token };
        expect(app.call(Method::DELETE, &format!("/api/v1/pets/{id}"), token, None).await, 204).await;
    }
    let mut expected: Vec<String> = alive[..4].iter().map(|(id, _)| id.clone()).collect();
    expected.sort_by(|a, b| b.cmp(a));

    let (mut listed, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/pets?limit=1&cursor={cursor}"),
            None => "/api/v1/pets?limit=1".to_owned(),
        };
        let page = expect(app.call(Method::GET, &path, &alice.token, None).await, 200).await;
        listed.extend(page["items"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(listed, expected);
}
