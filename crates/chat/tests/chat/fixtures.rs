//! The App over the chat routes (with clinics, pets and uploads), a scene of
//! a clinic, its staff and an owner with a dog in its care, and a WebSocket
//! client.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures::{self, clinic_profile};
use testkit::{TestApp, TestUser};
use tokio_tungstenite::tungstenite::Message;

/// A server over the chat, clinics, pets and media routes.
pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

/// Like [`app`], with `adjust` applied to `[chat]`.
pub async fn app_with(adjust: impl FnOnce(&mut chat::Settings)) -> TestApp {
    TestApp::spawn(|config| {
        let uploads = media::Uploads::from_settings(config.section().unwrap()).unwrap();
        let (clinics, pets): (clinics::Settings, pets::Settings) =
            (config.section().unwrap(), config.section().unwrap());
        let mut settings: chat::Settings = config.section().unwrap();
        adjust(&mut settings);
        let chat = chat::Chat::new(settings);
        move |routes: &mut platform::Routes| {
            clinics::routes(routes, &clinics, &uploads);
            pets::routes(routes, &pets, &uploads);
            media::routes(routes, &uploads);
            chat::routes(routes, &chat, &uploads);
        }
    })
    .await
}

/// An emergency-capable clinic in Lyon, open around the clock, with a receptionist and a vet; an owner whose dog Rex is
/// registered there.
pub struct Scene {
    pub app: TestApp,
    pub admin: TestUser,
    pub clinic: String,
    pub receptionist: TestUser,
    pub vet: TestUser,
    pub owner: TestUser,
    pub pet: String,
}

/// The scene over [`app`].
pub async fn scene() -> Scene {
    scene_over(app().await).await
}

/// The scene over `app`.
pub async fn scene_over(app: TestApp) -> Scene {
    let admin = fixtures::admin(&app).await;
    let mut profile = clinic_profile("Croix-Rousse Vets", 45.77, 4.83, "Europe/Paris");
    profile["emergency_capable"] = json!(true);
    let clinic = fixtures::clinic(&app, &admin, profile).await;
    fixtures::open_every_day(&app, &admin, &clinic, "00:00", "23:59").await;
    let receptionist = fixtures::staff(&app, &admin, &clinic, Role::Receptionist).await;
    let vet = fixtures::staff(&app, &admin, &clinic, Role::Veterinarian).await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    fixtures::register_with_clinic(&app, &owner, &pet, &clinic).await;
    Scene { app, admin, clinic, receptionist, vet, owner, pet }
}

impl Scene {
    /// The owner opens a conversation with the clinic about Rex.
    pub async fn open(&self) -> String {
        let body = json!({ "clinic_id": self.clinic, "pet_id": self.pet, "subject": "Rex's ear" });
        let created = self.app.api(Method::POST, "/chat/conversations").by(&self.owner).json(&body).expect(201).await;
        fixtures::id_of(&created)
    }

    /// The owner opens an assistant conversation about Rex.
    pub async fn open_assistant(&self) -> String {
        let body = json!({ "kind": "assistant", "pet_id": self.pet });
        let created = self.app.api(Method::POST, "/chat/conversations").by(&self.owner).json(&body).expect(201).await;
        fixtures::id_of(&created)
    }
}

/// `user` sends `text` to `conversation`; the answer's `message`.
pub async fn send(app: &TestApp, user: &TestUser, conversation: &str, text: &str) -> Value {
    let path = format!("/chat/conversations/{conversation}/messages");
    let sent = app.api(Method::POST, &path).by(user).json(&json!({ "body": text })).expect(201).await;
    sent["message"].clone()
}

/// Runs the due jobs (the assistant's answers) with the chat's worker options.
pub async fn run_jobs(app: &TestApp, settings: chat::Settings) {
    let chat = chat::Chat::new(settings);
    let options = chat::worker_options(testkit::worker_options(app), &chat).unwrap();
    let options = notifications::worker_options(options, &app.section()).unwrap();
    testkit::run_due_jobs(options).await;
}

/// A WebSocket client.
pub struct Socket {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

/// A fresh ticket for `user`.
pub async fn ticket(app: &TestApp, user: &TestUser) -> String {
    let issued = app.api(Method::POST, "/chat/ws-ticket").by(user).expect(201).await;
    issued["ticket"].as_str().unwrap().to_owned()
}

impl Socket {
    /// Opens a socket as `user` (resuming after `last_event_id`).
    pub async fn open(app: &TestApp, user: &TestUser, last_event_id: Option<&str>) -> Self {
        let ticket = ticket(app, user).await;
        Self::with_ticket(&app.address, &ticket, last_event_id).await.unwrap()
    }

    /// Opens a socket on the gateway at `address` (`http://…`) with `ticket`.
    pub async fn with_ticket(
        address: &str,
        ticket: &str,
        last_event_id: Option<&str>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut url = format!("{}/api/v1/chat/ws?ticket={ticket}", address.replacen("http", "ws", 1));
        if let Some(last) = last_event_id {
            url.push_str(&format!("&last_event_id={last}"));
        }
        let (stream, _) = tokio_tungstenite::connect_async(url).await?;
        Ok(Self { stream })
    }

    /// Sends a text frame.
    pub async fn send(&mut self, frame: Value) {
        self.stream.send(Message::text(frame.to_string())).await.unwrap();
    }

    /// Sends a raw frame.
    pub async fn send_raw(&mut self, frame: Message) {
        self.stream.send(frame).await.unwrap();
    }

    /// The next JSON frame within 5 s (pings are skipped).
    pub async fn next(&mut self) -> Value {
        self.next_within(Duration::from_secs(5)).await.expect("a frame within 5 s")
    }

    /// The next JSON frame within `wait`, if any.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.stream.next()).await.ok()??.ok()?;
            match frame {
                Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
                Message::Close(close) => {
                    return Some(json!({ "type": "closed", "code": close.map(|close| u16::from(close.code)) }));
                }
                _ => continue,
            }
        }
    }

    /// The next frame of `kind` within 5 s, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// The close code the server ends the connection with, within `wait`
    /// (`None`: closed without a code, or not closed in time).
    pub async fn closed_with(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(Message::Close(close)))) => return close.map(|close| u16::from(close.code)),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) | Err(_) => return None,
            }
        }
    }
}
