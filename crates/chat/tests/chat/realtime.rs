//! The WebSocket: tickets, events to the conversation's people only, typing
//! and reads, bad frames, slow consumers, replay after a reconnect.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::fixtures::{Socket, app_with, scene, scene_over, send, ticket};

#[tokio::test]
async fn a_ticket_opens_one_socket_once_and_expires() {
    let scene = scene().await;
    let issued = ticket(&scene.app, &scene.owner).await;
    assert_eq!(issued.len(), 43);
    Socket::with_ticket(&scene.app.address, &issued, None).await.unwrap();
    let again = Socket::with_ticket(&scene.app.address, &issued, None).await;
    assert!(again.is_err(), "a used ticket is refused before the upgrade");
    for bad in ["", "not-a-ticket", &"A".repeat(43)] {
        let response = scene.app.get(&format!("/api/v1/chat/ws?ticket={bad}")).await;
        assert_eq!(response.status(), 401, "{bad:?}");
    }
    assert_eq!(scene.app.get("/api/v1/chat/ws").await.status(), 400, "no ticket at all");
    scene.app.api(Method::POST, "/chat/ws-ticket").expect(401).await;
}

#[tokio::test]
async fn an_expired_ticket_is_refused() {
    let scene = scene_over(app_with(|settings| settings.ticket_ttl_secs = 1).await).await;
    let issued = ticket(&scene.app, &scene.owner).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(Socket::with_ticket(&scene.app.address, &issued, None).await.is_err());
}

#[tokio::test]
async fn events_reach_every_socket_of_the_conversations_people_and_no_one_else() {
    let scene = scene().await;
    let conversation = scene.open().await;
    let mut owner = Socket::open(&scene.app, &scene.owner, None).await;
    let mut vet = Socket::open(&scene.app, &scene.vet, None).await;
    let stranger_user = scene.app.user(kernel::Role::PetOwner).await;
    let mut stranger = Socket::open(&scene.app, &stranger_user, None).await;

    let sent = send(&scene.app, &scene.receptionist, &conversation, "Results are in").await;
    for socket in [&mut owner, &mut vet] {
        let event = socket.next_of("message.created").await;
        assert_eq!(event["message"]["id"], sent["id"]);
        assert_eq!(event["conversation_id"], conversation.as_str());
        assert!(event["id"].as_str().unwrap().contains('-'), "a durable event has an id: {event}");
    }

    owner.send(json!({ "type": "typing", "conversation_id": conversation })).await;
    let typing = vet.next_of("typing").await;
    assert_eq!(typing["user_id"], scene.owner.user_id.to_string());
    assert!(typing.get("id").is_none(), "typing is not replayed");

    owner.send(json!({ "type": "read", "conversation_id": conversation, "message_id": sent["id"] })).await;
    let read = vet.next_of("read").await;
    assert_eq!(read["message_id"], sent["id"]);

    owner.send(json!({ "type": "message", "conversation_id": conversation, "body": "On my way", "client_message_id": "0193a7c0-0000-7000-8000-0000000000aa" })).await;
    let created = vet.next_of("message.created").await;
    assert_eq!(created["message"]["body"], "On my way");

    // The stranger saw none of it, and cannot join in.
    assert_eq!(stranger.next_within(Duration::from_millis(300)).await, None);
    stranger
        .send(json!({ "type": "message", "conversation_id": conversation, "body": "let me in", "ref": "r1" }))
        .await;
    let refused = stranger.next().await;
    assert_eq!(
        (refused["type"].clone(), refused["code"].clone(), refused["ref"].clone()),
        (json!("error"), json!("not_found"), json!("r1"))
    );
    let history = scene
        .app
        .api(Method::GET, &format!("/chat/conversations/{conversation}/messages"))
        .by(&scene.owner)
        .expect(200)
        .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2, "nothing stored from the stranger");
}

#[tokio::test]
async fn bad_frames_get_an_error_or_a_close_code_and_other_sockets_carry_on() {
    let scene = scene_over(app_with(|settings| settings.max_frame_bytes = 2048).await).await;
    let conversation = scene.open().await;
    let mut vet = Socket::open(&scene.app, &scene.vet, None).await;
    let mut owner = Socket::open(&scene.app, &scene.owner, None).await;

    owner.send_raw(Message::text("not json")).await;
    assert_eq!(owner.next().await["code"], "malformed");
    owner.send(json!({ "type": "dance", "ref": "x" })).await;
    let unknown = owner.next().await;
    assert_eq!((unknown["code"].clone(), unknown["ref"].clone()), (json!("unknown_type"), json!("x")));
    owner.send(json!({ "type": "message", "conversation_id": conversation, "body": "bell\u{7}" })).await;
    assert_eq!(owner.next().await["code"], "invalid");
    owner.send(json!({ "type": "ping", "ref": "p" })).await;
    assert_eq!(owner.next().await["type"], "pong");

    owner.send_raw(Message::text("x".repeat(4096))).await;
    assert_eq!(owner.closed_with(Duration::from_secs(5)).await, Some(1009));
    let mut binary = Socket::open(&scene.app, &scene.owner, None).await;
    binary.send_raw(Message::binary(vec![1, 2, 3])).await;
    assert_eq!(binary.closed_with(Duration::from_secs(5)).await, Some(1003));

    send(&scene.app, &scene.owner, &conversation, "still works").await;
    assert_eq!(vet.next_of("message.created").await["message"]["body"], "still works");
    let history = scene
        .app
        .api(Method::GET, &format!("/chat/conversations/{conversation}/messages"))
        .by(&scene.owner)
        .expect(200)
        .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1, "no bad frame stored anything");
}

#[tokio::test]
async fn a_reconnect_with_the_last_event_id_replays_what_was_missed_or_asks_for_a_resync() {
    let scene = scene_over(app_with(|settings| settings.replay_events = 3).await).await;
    let conversation = scene.open().await;
    let mut owner = Socket::open(&scene.app, &scene.owner, None).await;
    send(&scene.app, &scene.receptionist, &conversation, "one").await;
    let seen = owner.next_of("message.created").await;
    drop(owner);

    send(&scene.app, &scene.receptionist, &conversation, "two").await;
    send(&scene.app, &scene.receptionist, &conversation, "three").await;
    let mut back = Socket::open(&scene.app, &scene.owner, seen["id"].as_str()).await;
    assert_eq!(back.next().await["message"]["body"], "two");
    let three = back.next().await;
    assert_eq!(three["message"]["body"], "three");
    send(&scene.app, &scene.receptionist, &conversation, "four").await;
    assert_eq!(back.next().await["message"]["body"], "four", "live events follow the replay, none twice");
    drop(back);

    // More missed than the stream keeps: reload over HTTP.
    for text in ["5", "6", "7", "8"] {
        send(&scene.app, &scene.receptionist, &conversation, text).await;
    }
    let mut late = Socket::open(&scene.app, &scene.owner, three["id"].as_str()).await;
    assert_eq!(late.next().await["type"], "resync");
    let mut odd = Socket::open(&scene.app, &scene.owner, Some("12-34")).await;
    assert_eq!(odd.next().await["type"], "resync");
}

#[tokio::test]
async fn a_socket_that_stops_reading_is_closed_as_too_slow_and_others_carry_on() {
    let scene = scene_over(app_with(|settings| settings.outgoing_queue = 8).await).await;
    let conversation = scene.open().await;
    let mut slow = Socket::open(&scene.app, &scene.owner, None).await;
    let mut healthy = Socket::open(&scene.app, &scene.vet, None).await;
    // 32 MB of answer text for the owner fills the kernel's buffers, then the queue.
    let settings: chat::Settings = scene.app.section();
    let bus = chat::realtime::bus::Bus::new(scene.app.state.redis().clone(), Duration::from_secs(2), &settings);
    let part = chat::realtime::events::Event::AssistantDelta {
        conversation_id: conversation.parse().unwrap(),
        reply_to: kernel::MessageId::new(),
        text: "x".repeat(16 * 1024),
    };
    for _ in 0..2048 {
        bus.publish(&[scene.owner.user_id], &part).await;
    }
    send(&scene.app, &scene.receptionist, &conversation, "for the healthy one").await;
    assert_eq!(healthy.next_of("message.created").await["message"]["body"], "for the healthy one");
    assert_eq!(slow.closed_with(Duration::from_secs(20)).await, Some(4008));
}

#[tokio::test]
async fn a_silent_socket_is_closed_after_the_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let scene = scene_over(
        app_with(|settings| {
            settings.ping_interval_secs = 1;
            settings.idle_timeout_secs = 2;
        })
        .await,
    )
    .await;
    let ticket = ticket(&scene.app, &scene.owner).await;
    // A bare TCP client: it upgrades, then never answers a ping (a WebSocket
    // library would answer them as it reads).
    let address = scene.app.address.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let handshake = format!(
        "GET /api/v1/chat/ws?ticket={ticket} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(handshake.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(8), tcp.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server ends the connection");
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 101"));
    // A close frame (0x88) whose code is 4000 (0x0FA0).
    let closed = received.windows(4).any(|frame| frame[0] == 0x88 && frame[2] == 0x0F && frame[3] == 0xA0);
    assert!(closed, "no close frame with code 4000 in {received:?}");
}
