//! Messages: stored once per client id, text rules, edit window, tombstones,
//! history both ways, audit, attachments, missed-message notifications.

use chrono::{Datelike, Duration};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::json;

use crate::fixtures::{scene, send};

#[tokio::test]
async fn a_resent_client_message_id_is_stored_once() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let path = format!("/chat/conversations/{conversation}/messages");
    let body = json!({ "body": "Is he due a booster?", "client_message_id": "0193a7c0-0000-7000-8000-000000000001" });
    let first = scene.app.api(Method::POST, &path).by(&scene.owner).json(&body).expect(201).await;
    let again = scene.app.api(Method::POST, &path).by(&scene.owner).json(&body).expect(200).await;
    assert_eq!(first["message"]["id"], again["message"]["id"]);
    let history = scene.app.api(Method::GET, &path).by(&scene.owner).expect(200).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    // The same client id from someone else is their own message.
    scene.app.api(Method::POST, &path).by(&scene.receptionist).json(&body).expect(201).await;
}

#[tokio::test]
async fn text_too_long_with_control_characters_or_empty_is_422_and_nothing_is_stored() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let path = format!("/chat/conversations/{conversation}/messages");
    for body in [
        json!({ "body": "x".repeat(4001) }),
        json!({ "body": "bell\u{7}" }),
        json!({ "body": "nul\u{0}" }),
        json!({ "body": "  " }),
        json!({}),
    ] {
        let refused = scene.app.api(Method::POST, &path).by(&scene.owner).json(&body).expect(422).await;
        assert_eq!(refused["error"]["code"], "VALIDATION_ERROR", "{refused}");
    }
    scene.app.api(Method::POST, &path).by(&scene.owner).json(&json!({ "body": "x".repeat(4000) })).expect(201).await;
    scene
        .app
        .api(Method::POST, &path)
        .by(&scene.owner)
        .json(&json!({ "body": "line one\nline\ttwo" }))
        .expect(201)
        .await;
    let history = scene.app.api(Method::GET, &path).by(&scene.owner).expect(200).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_message_is_edited_by_its_sender_within_the_window_and_deleted_to_a_tombstone_both_audited() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let message = send(&scene.app, &scene.owner, &conversation, "He ate a sock").await;
    let path = format!("/chat/conversations/{conversation}/messages/{}", message["id"].as_str().unwrap());
    scene.app.api(Method::PATCH, &path).by(&scene.receptionist).json(&json!({ "body": "no" })).expect(403).await;
    let edited = scene
        .app
        .api(Method::PATCH, &path)
        .by(&scene.owner)
        .json(&json!({ "body": "He ate two socks" }))
        .expect(200)
        .await;
    assert_eq!(edited["body"], "He ate two socks");
    assert!(edited["edited_at"].is_string());

    scene.app.clock.advance(Duration::minutes(16));
    let late = scene.app.api(Method::PATCH, &path).by(&scene.owner).json(&json!({ "body": "three" })).expect(409).await;
    assert_eq!(late["error"]["details"]["reason"], "edit_window_passed");

    scene.app.api(Method::DELETE, &path).by(&scene.owner).expect(204).await;
    let history = scene
        .app
        .api(Method::GET, &format!("/chat/conversations/{conversation}/messages"))
        .by(&scene.vet)
        .expect(200)
        .await;
    let tombstone = &history["items"][0];
    assert_eq!((tombstone["deleted"].clone(), tombstone["body"].clone()), (json!(true), json!("")));
    scene.app.api(Method::DELETE, &path).by(&scene.owner).expect(404).await;

    let mut connection = scene.app.db.connect().await;
    use db::schema::audit_log;
    let actions: Vec<(String, serde_json::Value)> = audit_log::table
        .filter(audit_log::target_id.eq(message["id"].as_str().unwrap()))
        .order(audit_log::id)
        .select((audit_log::action, audit_log::changes))
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        actions.iter().map(|(action, _)| action.as_str()).collect::<Vec<_>>(),
        ["chat.message_edited", "chat.message_deleted"]
    );
    assert!(!actions[0].1.to_string().contains("sock"), "the audit log keeps no message text: {}", actions[0].1);
}

#[tokio::test]
async fn history_pages_go_back_from_the_end_and_forward_from_a_cursor() {
    let scene = scene().await;
    let conversation = scene.open().await;
    for number in 1..=5 {
        send(&scene.app, &scene.owner, &conversation, &format!("message {number}")).await;
    }
    let path = format!("/chat/conversations/{conversation}/messages");
    let bodies = |page: &serde_json::Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|item| item["body"].as_str().unwrap().to_owned()).collect()
    };
    let newest = scene.app.api(Method::GET, &format!("{path}?limit=2")).by(&scene.owner).expect(200).await;
    assert_eq!(bodies(&newest), ["message 5", "message 4"]);
    let cursor = newest["next_cursor"].as_str().unwrap();
    let older =
        scene.app.api(Method::GET, &format!("{path}?limit=2&cursor={cursor}")).by(&scene.owner).expect(200).await;
    assert_eq!(bodies(&older), ["message 3", "message 2"]);
    let oldest =
        scene.app.api(Method::GET, &format!("{path}?limit=2&direction=newer")).by(&scene.owner).expect(200).await;
    assert_eq!(bodies(&oldest), ["message 1", "message 2"]);
    let cursor = oldest["next_cursor"].as_str().unwrap();
    let newer = scene
        .app
        .api(Method::GET, &format!("{path}?limit=2&direction=newer&cursor={cursor}"))
        .by(&scene.owner)
        .expect(200)
        .await;
    assert_eq!(bodies(&newer), ["message 3", "message 4"]);
    scene.app.api(Method::GET, &format!("{path}?direction=sideways")).by(&scene.owner).expect(400).await;
}

#[tokio::test]
async fn an_attachment_is_an_upload_of_the_sender_served_to_the_conversations_people_only() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let uploaded =
        testkit::expect(scene.app.upload(&scene.owner, "chat_attachment", "lab.pdf", pdf.clone()).await, 201).await;
    let upload = uploaded["id"].as_str().unwrap();
    let path = format!("/chat/conversations/{conversation}/messages");
    // Someone else's upload cannot be attached.
    let refused = scene
        .app
        .api(Method::POST, &path)
        .by(&scene.receptionist)
        .json(&json!({ "attachment_id": upload }))
        .expect(422)
        .await;
    assert!(refused["error"]["details"]["fields"]["attachment_id"].is_array());
    let sent =
        scene.app.api(Method::POST, &path).by(&scene.owner).json(&json!({ "attachment_id": upload })).expect(201).await;
    let file = format!("{path}/{}/attachment", sent["message"]["id"].as_str().unwrap());
    let served = scene.app.api(Method::GET, &file).by(&scene.vet).send().await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap().to_vec(), pdf);
    let stranger = scene.app.user(kernel::Role::PetOwner).await;
    scene.app.api(Method::GET, &file).by(&stranger).expect(404).await;
}

#[tokio::test]
async fn a_participant_with_no_socket_is_notified_once_per_conversation_in_the_window() {
    let scene = scene().await;
    let conversation = scene.open().await;
    send(&scene.app, &scene.receptionist, &conversation, "We have the results.").await;
    send(&scene.app, &scene.receptionist, &conversation, "Call us back.").await;
    let mut connection = scene.app.db.connect().await;
    use db::schema::notifications;
    let count = || {
        notifications::table
            .filter(notifications::recipient_id.eq(scene.owner.user_id))
            .filter(notifications::category.eq("chat"))
            .count()
    };
    assert_eq!(count().get_result::<i64>(&mut connection).await.unwrap(), 1);
    scene.app.clock.advance(Duration::minutes(6));
    send(&scene.app, &scene.receptionist, &conversation, "Still there?").await;
    assert_eq!(count().get_result::<i64>(&mut connection).await.unwrap(), 2);
}

#[tokio::test]
async fn the_partition_job_creates_the_months_ahead_once() {
    let scene = scene().await;
    let mut connection = scene.app.db.connect().await;
    let month = |ahead: u32| {
        let date = chrono::Utc::now().date_naive().with_day(1).unwrap() + chrono::Months::new(ahead);
        format!("chat_messages_{}", date.format("%Y_%m"))
    };
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let exists = |name: String| {
        diesel::sql_query("SELECT to_regclass($1) IS NOT NULL AS found").bind::<diesel::sql_types::Text, _>(name)
    };
    assert!(!exists(month(5)).get_result::<Found>(&mut connection).await.unwrap().found);
    chat::jobs::prepare_partitions(&mut connection, 5).await.unwrap();
    chat::jobs::prepare_partitions(&mut connection, 5).await.unwrap();
    for ahead in 0..=5 {
        assert!(exists(month(ahead)).get_result::<Found>(&mut connection).await.unwrap().found, "{}", month(ahead));
    }
    // A message lands in its month's partition, not the default one.
    send(&scene.app, &scene.owner, &scene.open().await, "partitioned").await;
    let stray: i64 = diesel::sql_query("SELECT count(*) AS count FROM chat_messages_default")
        .get_result::<Count>(&mut connection)
        .await
        .unwrap()
        .count;
    assert_eq!(stray, 0);
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}
