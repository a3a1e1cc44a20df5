//! Chat across two real `gateway serve` processes sharing Postgres and Redis:
//! events sent through one reach sockets held by the other, a socket that
//! stops reading is closed without the process's memory growing, and a
//! reconnect replays what was missed.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, fixtures};
use tokio_tungstenite::tungstenite::Message;

use crate::process::Served;

type Stream = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket of `user` on the gateway at `base_url` (resuming after `last_event_id`).
async fn socket(base_url: &str, user: &TestUser, last_event_id: Option<&str>) -> Stream {
    let client = reqwest::Client::new();
    let issued: Value = client
        .post(format!("{base_url}/api/v1/chat/ws-ticket"))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut url =
        format!("{}/api/v1/chat/ws?ticket={}", base_url.replacen("http", "ws", 1), issued["ticket"].as_str().unwrap());
    if let Some(last) = last_event_id {
        url.push_str(&format!("&last_event_id={last}"));
    }
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The next text frame of `kind` within 5 s.
async fn next_of(stream: &mut Stream, kind: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let frame =
            tokio::time::timeout_at(deadline, stream.next()).await.expect("a frame within 5 s").unwrap().unwrap();
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == kind {
                return value;
            }
        }
    }
}

/// `VmRSS` of a process, in kilobytes.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Two gateways over the App's database, trusting its tokens.
async fn two_gateways(app: &TestApp) -> (Served, Served) {
    let environment = [
        ("VET__DATABASE__URL", app.db.url().to_owned()),
        ("VET__AUTH__JWKS_URL", format!("{}/.well-known/jwks.json", app.jwks.uri())),
        ("VET__RATE_LIMIT__KEY_PREFIX", format!("rl-{}", app.db.name())),
        ("VET__CHAT__OUTGOING_QUEUE", "16".to_owned()),
    ];
    (Served::start(&environment).await, Served::start(&environment).await)
}

#[tokio::test(flavor = "multi_thread")]
async fn events_cross_instances_a_slow_socket_is_closed_with_flat_memory_and_a_reconnect_replays() {
    let app = TestApp::spawn(crate::modules).await;
    let admin = fixtures::admin(&app).await;
    let clinic =
        fixtures::clinic(&app, &admin, fixtures::clinic_profile("Two Rivers", 45.76, 4.83, "Europe/Paris")).await;
    let receptionist = fixtures::staff(&app, &admin, &clinic, Role::Receptionist).await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    fixtures::register_with_clinic(&app, &owner, &pet, &clinic).await;
    let (a, b) = two_gateways(&app).await;
    let client = reqwest::Client::new();
    let call = |base: &str, method: Method, path: &str, user: &TestUser, body: Value| {
        client.request(method, format!("{base}/api/v1{path}")).bearer_auth(&user.token).json(&body).send()
    };

    let opened =
        call(&a.base_url, Method::POST, "/chat/conversations", &owner, json!({ "clinic_id": clinic, "pet_id": pet }));
    let conversation: Value = opened.await.unwrap().json().await.unwrap();
    let conversation = conversation["id"].as_str().unwrap().to_owned();
    let mut desk_on_b = socket(&b.base_url, &receptionist, None).await;
    let mut owner_on_a = socket(&a.base_url, &owner, None).await;

    // A message posted through A reaches the socket held by B.
    let path = format!("/chat/conversations/{conversation}/messages");
    let sent = call(&a.base_url, Method::POST, &path, &owner, json!({ "body": "Rex is limping" })).await.unwrap();
    assert_eq!(sent.status(), 201);
    let created = next_of(&mut desk_on_b, "message.created").await;
    assert_eq!(created["message"]["body"], "Rex is limping");
    let seen = next_of(&mut owner_on_a, "message.created").await;

    // Typing and read receipts on A's socket reach B's.
    owner_on_a
        .send(Message::text(json!({ "type": "typing", "conversation_id": conversation }).to_string()))
        .await
        .unwrap();
    assert_eq!(next_of(&mut desk_on_b, "typing").await["user_id"], owner.user_id.to_string());
    desk_on_b
        .send(Message::text(
            json!({ "type": "read", "conversation_id": conversation, "message_id": created["message"]["id"] })
                .to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(next_of(&mut owner_on_a, "read").await["user_id"], receptionist.user_id.to_string());
    drop(owner_on_a);

    // Missed while disconnected, replayed on reconnect (through the other instance).
    call(&b.base_url, Method::POST, &path, &receptionist, json!({ "body": "Come at 4?" })).await.unwrap();
    let mut owner_on_b = socket(&b.base_url, &owner, seen["id"].as_str()).await;
    let replayed = next_of(&mut owner_on_b, "message.created").await;
    assert_eq!(replayed["message"]["body"], "Come at 4?");

    // The desk stops reading; 64 MB of events for it go through B.
    let before = rss_kb(b.child.id());
    let settings: chat::Settings = app.section();
    let bus = chat::realtime::bus::Bus::new(app.state.redis().clone(), Duration::from_secs(2), &settings);
    let part = chat::realtime::events::Event::AssistantDelta {
        conversation_id: conversation.parse().unwrap(),
        reply_to: kernel::MessageId::new(),
        text: "x".repeat(32 * 1024),
    };
    for _ in 0..2048 {
        bus.publish(&[receptionist.user_id], &part).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kb(b.child.id());
    assert!(
        after < before + 32 * 1024,
        "B's memory grew from {before} kB to {after} kB for a socket that does not read"
    );
    let mut code = None;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(30), desk_on_b.next()).await {
        if let Message::Close(close) = frame {
            code = close.map(|close| u16::from(close.code));
            break;
        }
    }
    assert_eq!(code, Some(4008), "the slow socket is closed as too slow");

    // B still serves the others.
    call(&a.base_url, Method::POST, &path, &receptionist, json!({ "body": "Still here" })).await.unwrap();
    assert_eq!(next_of(&mut owner_on_b, "message.created").await["message"]["body"], "Still here");
}
