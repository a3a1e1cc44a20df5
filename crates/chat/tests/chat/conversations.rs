//! Opening, listing, archiving; who sees a conversation (everyone else: 404).

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{scene, send};

#[tokio::test]
async fn an_owner_and_the_clinic_see_the_conversation_with_its_last_message_and_unread_count() {
    let scene = scene().await;
    let conversation = scene.open().await;
    send(&scene.app, &scene.owner, &conversation, "Rex keeps shaking his head.").await;
    let reply = send(&scene.app, &scene.receptionist, &conversation, "Bring him in at 3 pm?").await;

    let mine = scene.app.api(Method::GET, "/chat/conversations").by(&scene.owner).expect(200).await;
    let listed = &mine["items"][0];
    assert_eq!(listed["id"], conversation.as_str());
    assert_eq!(listed["last_message"]["id"], reply["id"]);
    assert_eq!(listed["unread"], 1, "the clinic's reply is unread: {listed}");
    let roles: Vec<&str> =
        listed["participants"].as_array().unwrap().iter().map(|p| p["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["owner", "staff"]);

    // Any staff member of the clinic sees it, even one who never wrote.
    let theirs = scene.app.api(Method::GET, "/chat/conversations").by(&scene.vet).expect(200).await;
    assert_eq!(theirs["items"][0]["id"], conversation.as_str());
    assert_eq!(theirs["items"][0]["unread"], 2);

    let read = json!({ "message_id": reply["id"] });
    let path = format!("/chat/conversations/{conversation}/read");
    scene.app.api(Method::POST, &path).by(&scene.owner).json(&read).expect(204).await;
    let mine =
        scene.app.api(Method::GET, &format!("/chat/conversations/{conversation}")).by(&scene.owner).expect(200).await;
    assert_eq!(mine["unread"], 0);
}

#[tokio::test]
async fn staff_open_a_conversation_with_a_patients_owner_and_co_owners_join() {
    let scene = scene().await;
    let co_owner = scene.app.user(Role::PetOwner).await;
    let invite = json!({ "email": format!("{}@example.com", co_owner.subject) });
    let invited = scene
        .app
        .api(Method::POST, &format!("/pets/{}/co-owners", scene.pet))
        .by(&scene.owner)
        .json(&invite)
        .expect(202)
        .await;
    let invitation = fixtures::id_of(&invited);
    scene.app.api(Method::POST, &format!("/pet-invitations/{invitation}/accept")).by(&co_owner).expect(204).await;

    let body = json!({ "clinic_id": scene.clinic, "pet_id": scene.pet, "subject": "Lab results" });
    let opened = scene.app.api(Method::POST, "/chat/conversations").by(&scene.vet).json(&body).expect(201).await;
    assert_eq!(opened["owner_id"], scene.owner.user_id.to_string());
    let roles: Vec<&str> =
        opened["participants"].as_array().unwrap().iter().map(|p| p["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["owner", "co_owner"]);
    let path = format!("/chat/conversations/{}", opened["id"].as_str().unwrap());
    scene.app.api(Method::GET, &path).by(&co_owner).expect(200).await;

    // Not a patient of the clinic: no conversation about it.
    let (_, stray) = fixtures::owner_with_dog(&scene.app, "Stray").await;
    let body = json!({ "clinic_id": scene.clinic, "pet_id": stray });
    scene.app.api(Method::POST, "/chat/conversations").by(&scene.vet).json(&body).expect(404).await;
}

#[tokio::test]
async fn strangers_other_owners_and_other_clinics_get_404_on_every_conversation_route() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let message = send(&scene.app, &scene.owner, &conversation, "Hello").await;
    let message = message["id"].as_str().unwrap();
    let other_clinic =
        fixtures::clinic(&scene.app, &scene.admin, fixtures::clinic_profile("Elsewhere", 48.85, 2.35, "Europe/Paris"))
            .await;
    let other_staff = fixtures::staff(&scene.app, &scene.admin, &other_clinic, Role::ClinicAdmin).await;
    let other_owner = scene.app.user(Role::PetOwner).await;
    let platform_admin = scene.app.user(Role::PlatformAdmin).await;

    for outsider in [&other_owner, &other_staff, &platform_admin] {
        let base = format!("/chat/conversations/{conversation}");
        let calls = [
            (Method::GET, base.clone(), None),
            (Method::PUT, format!("{base}/archived"), Some(json!({ "archived": true }))),
            (Method::POST, format!("{base}/summary"), None),
            (Method::GET, format!("{base}/messages"), None),
            (Method::POST, format!("{base}/messages"), Some(json!({ "body": "hi" }))),
            (Method::PATCH, format!("{base}/messages/{message}"), Some(json!({ "body": "edited" }))),
            (Method::DELETE, format!("{base}/messages/{message}"), None),
            (Method::GET, format!("{base}/messages/{message}/attachment"), None),
            (Method::POST, format!("{base}/read"), Some(json!({ "message_id": message }))),
        ];
        for (method, path, body) in calls {
            let call = scene.app.api(method.clone(), &path).by(outsider);
            let call = match body {
                Some(body) => call.json(&body),
                None => call,
            };
            let answer = call.expect(404).await;
            assert_eq!(answer["error"]["code"], "NOT_FOUND", "{method} {path}");
        }
        let listed = scene.app.api(Method::GET, "/chat/conversations").by(outsider).expect(200).await;
        assert_eq!(listed["items"], json!([]));
    }
    // Nothing the outsiders tried changed the conversation.
    let history = scene
        .app
        .api(Method::GET, &format!("/chat/conversations/{conversation}/messages"))
        .by(&scene.owner)
        .expect(200)
        .await;
    assert_eq!(history["items"][0]["body"], "Hello");
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn archiving_hides_a_conversation_until_it_is_reopened_or_a_message_arrives() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let path = format!("/chat/conversations/{conversation}/archived");
    let archived =
        scene.app.api(Method::PUT, &path).by(&scene.owner).json(&json!({ "archived": true })).expect(200).await;
    assert_eq!(archived["archived"], true);
    let open = scene.app.api(Method::GET, "/chat/conversations").by(&scene.owner).expect(200).await;
    assert_eq!(open["items"], json!([]));
    let listed = scene.app.api(Method::GET, "/chat/conversations?archived=true").by(&scene.owner).expect(200).await;
    assert_eq!(listed["items"][0]["id"], conversation.as_str());

    let reopened =
        scene.app.api(Method::PUT, &path).by(&scene.receptionist).json(&json!({ "archived": false })).expect(200).await;
    assert_eq!(reopened["archived"], false);
    scene.app.api(Method::PUT, &path).by(&scene.owner).json(&json!({ "archived": true })).expect(200).await;
    send(&scene.app, &scene.receptionist, &conversation, "Any news?").await;
    let open = scene.app.api(Method::GET, "/chat/conversations").by(&scene.owner).expect(200).await;
    assert_eq!(open["items"][0]["archived"], false);
}

#[tokio::test]
async fn conversations_are_listed_newest_activity_first_a_page_at_a_time() {
    let scene = scene().await;
    let first = scene.open().await;
    let second = scene.open().await;
    let third = scene.open().await;
    send(&scene.app, &scene.owner, &first, "bump").await;
    let page = scene.app.api(Method::GET, "/chat/conversations?limit=2").by(&scene.owner).expect(200).await;
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|item| item["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [first.as_str(), third.as_str()]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = scene
        .app
        .api(Method::GET, &format!("/chat/conversations?limit=2&cursor={cursor}"))
        .by(&scene.owner)
        .expect(200)
        .await;
    assert_eq!(rest["items"][0]["id"], second.as_str());
    assert_eq!(rest["next_cursor"], json!(null));
}

#[tokio::test]
async fn bad_conversation_requests_are_422_naming_the_field() {
    let scene = scene().await;
    let cases = [
        (json!({ "kind": "clinic" }), "request"),
        (json!({ "kind": "assistant" }), "request"),
        (json!({ "clinic_id": scene.clinic, "subject": "bad\u{7}" }), "subject"),
        (json!({ "clinic_id": scene.clinic, "subject": "x".repeat(201) }), "subject"),
        (json!({ "clinic_id": scene.clinic, "owner_id": scene.vet.user_id }), "owner_id"),
    ];
    for (body, field) in cases {
        let answer = scene.app.api(Method::POST, "/chat/conversations").by(&scene.owner).json(&body).expect(422).await;
        assert!(answer["error"]["details"]["fields"].get(field).is_some(), "{body}: {answer}");
    }
    let (_, other_pet) = fixtures::owner_with_dog(&scene.app, "NotYours").await;
    let body = json!({ "kind": "assistant", "pet_id": other_pet });
    scene.app.api(Method::POST, "/chat/conversations").by(&scene.owner).json(&body).expect(404).await;
}
