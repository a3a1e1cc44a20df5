//! A clinic's outgoing webhooks through the whole gateway and its worker,
//! against a local receiver: signed deliveries of real bookings, retries,
//! the delivery log, redelivery, refused addresses (at registration and at
//! delivery, when the name's answer changed), and disabling after failures.

use kernel::Role;
use platform::config::Source;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, fixtures};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A name the tests' fixed answers resolve (`notifications.webhooks.hosts`).
const RECEIVER_NAME: &str = "hooks.clinic.test";

/// A clinic with a vet, a service, an owner's dog, and the clinic's admin; a
/// receiver on loopback.
struct Scene {
    app: TestApp,
    config: Source,
    clinic: String,
    admin: TestUser,
    owner: TestUser,
    vet: TestUser,
    service: String,
    pet: String,
    receiver: MockServer,
}

async fn scene() -> Scene {
    scene_with(|config| config).await
}

/// The scene with its configuration (API and worker alike) `adjust`ed.
async fn scene_with(adjust: fn(Source) -> Source) -> Scene {
    let configure = move |config: &Source| {
        let config = config.clone().with_override("appointments.max_upcoming_per_owner", 100).unwrap();
        let hosts = vec![format!("{RECEIVER_NAME}=127.0.0.1")];
        adjust(config.with_override("notifications.webhooks.hosts", hosts).unwrap())
    };
    let app = TestApp::spawn(|config| crate::modules(&configure(config))).await;
    let config = configure(&app.config);
    let platform_admin = fixtures::admin(&app).await;
    let clinic =
        fixtures::clinic(&app, &platform_admin, fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")).await;
    fixtures::open_every_day(&app, &platform_admin, &clinic, "00:00", "23:59").await;
    let vet = fixtures::vet(&app, &platform_admin, &clinic, "Dr Here", "00:00", "23:59").await;
    let admin = fixtures::staff(&app, &platform_admin, &clinic, Role::ClinicAdmin).await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "40.00" });
    let service = fixtures::service(&app, &platform_admin, &clinic, offer).await;
    let (owner, pet) = fixtures::owner_with_dog(&app, "Rex").await;
    fixtures::register_with_clinic(&app, &owner, &pet, &clinic).await;
    let receiver = MockServer::start().await;
    Scene { app, config, clinic, admin, owner, vet, service, pet, receiver }
}

impl Scene {
    /// Registers `url` for `events` as the clinic's admin; the answer.
    async fn register(&self, url: &str, events: &[&str]) -> Value {
        self.app
            .api(Method::POST, &format!("/clinics/{}/webhooks", self.clinic))
            .by(&self.admin)
            .json(&json!({ "url": url, "events": events, "description": "Practice software" }))
            .expect(201)
            .await
    }

    /// The receiver's URL through its name.
    fn receiver_url(&self) -> String {
        format!("http://{RECEIVER_NAME}:{}/vet-events", self.receiver.address().port())
    }

    /// Books the vet `days` ahead as the owner; the appointment.
    async fn book(&self, days: i64) -> Value {
        let day = chrono::Utc::now() + chrono::Duration::days(days);
        let (from, to) =
            (day.format("%Y-%m-%dT00:00:00Z"), (day + chrono::Duration::days(1)).format("%Y-%m-%dT00:00:00Z"));
        let path = format!("/availability?clinic_id={}&service_id={}&from={from}&to={to}", self.clinic, self.service);
        let slots: Value = self.app.api(Method::GET, &path).expect_json(200).await;
        let booking = json!({ "pet_id": self.pet, "service_id": self.service, "vet_id": self.vet.user_id,
                              "starts_at": slots["slots"][0]["starts_at"] });
        self.app.api(Method::POST, "/appointments").by(&self.owner).json(&booking).expect(201).await
    }

    /// Runs the jobs that are due, on a worker built from the scene's configuration.
    async fn run_jobs(&self) {
        self.run_jobs_with(&self.config).await;
    }

    async fn run_jobs_with(&self, config: &Source) {
        let options = crate::modules(config).worker_options(testkit::worker_options(&self.app)).unwrap();
        testkit::run_due_jobs(options).await;
    }

    /// Makes retries due now and runs them.
    async fn run_retries(&self) {
        testkit::make_jobs_due(&mut self.app.db.connect().await).await;
        self.run_jobs().await;
    }

    async fn deliveries(&self, webhook: &Value) -> Vec<Value> {
        let path =
            format!("/clinics/{}/webhooks/{}/deliveries", self.clinic, webhook["endpoint"]["id"].as_str().unwrap());
        self.app.api(Method::GET, &path).by(&self.admin).expect_json(200).await
    }

    async fn received(&self) -> Vec<Request> {
        self.receiver.received_requests().await.unwrap()
    }
}

fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

fn statuses(delivery: &Value) -> Vec<Value> {
    delivery["log"].as_array().unwrap().iter().map(|attempt| attempt["status_code"].clone()).collect()
}

#[tokio::test]
async fn a_booking_reaches_the_clinic_receiver_signed_the_standard_webhooks_way() {
    let scene = scene().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&scene.receiver).await;
    let webhook = scene.register(&scene.receiver_url(), &["appointment.created", "appointment.cancelled"]).await;
    let secret = webhook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{webhook}");
    assert_eq!(webhook["endpoint"]["events"], json!(["appointment.created", "appointment.cancelled"]));
    let listed: Value = scene
        .app
        .api(Method::GET, &format!("/clinics/{}/webhooks", scene.clinic))
        .by(&scene.admin)
        .expect_json(200)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(secret), "the secret is shown once: {listed}");

    let booked = scene.book(2).await;
    assert!(scene.received().await.is_empty(), "sent by the worker, not the request");
    scene.run_jobs().await;

    let received = scene.received().await;
    assert_eq!(received.len(), 1);
    let delivery = &received[0];
    // The real Svix library (Standard Webhooks) verifies what the platform signed.
    svix::webhooks::Webhook::new(secret).unwrap().verify(&delivery.body, &delivery.headers).unwrap();
    let forged = svix::webhooks::Webhook::new("whsec_c29tZW9uZSBlbHNlJ3Mgc2VjcmV0IGtleSEhIQ==").unwrap();
    assert!(forged.verify(&delivery.body, &delivery.headers).is_err(), "another secret does not verify");
    let body: Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(body["type"], "appointment.created");
    assert_eq!(body["data"]["appointment_id"], booked["id"]);
    assert_eq!(body["data"]["clinic_id"], scene.clinic.as_str());
    assert_eq!(body["data"]["status"], "requested");
    assert!(!String::from_utf8_lossy(&delivery.body).contains('@'), "no contact details");

    let log = scene.deliveries(&webhook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event_id"], header(delivery, "webhook-id"));
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(statuses(&log[0]), vec![json!(204)]);

    // A type it did not subscribe to is not sent; one it did is.
    let appointment = format!("/appointments/{}/transitions", booked["id"].as_str().unwrap());
    let confirm = json!({ "to": "confirmed" });
    scene.app.api(Method::POST, &appointment).by(&scene.vet).json(&confirm).expect(200).await;
    let cancel = json!({ "to": "cancelled", "reason": "The dog is better" });
    scene.app.api(Method::POST, &appointment).by(&scene.vet).json(&cancel).expect(200).await;
    scene.run_jobs().await;
    let types: Vec<String> = scene
        .received()
        .await
        .iter()
        .map(|request| serde_json::from_slice::<Value>(&request.body).unwrap()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["appointment.created", "appointment.cancelled"], "not appointment.changed");

    // A record the clinic adds for its patient is an event too, for an endpoint that asked.
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&scene.receiver).await;
    scene.register(&scene.receiver_url(), &["record.added"]).await;
    let note = json!({ "record_date": "2026-02-02", "clinic_id": scene.clinic, "details": { "type": "note", "text": "Seen" } });
    let record = scene
        .app
        .api(Method::POST, &format!("/pets/{}/records", scene.pet))
        .by(&scene.vet)
        .json(&note)
        .expect(201)
        .await;
    scene.run_jobs().await;
    let last: Value = serde_json::from_slice(&scene.received().await.last().unwrap().body).unwrap();
    assert_eq!(
        (last["type"].clone(), last["data"]["record_id"].clone()),
        (json!("record.added"), record["id"].clone())
    );

    // Only the clinic's admins manage its webhooks.
    let webhooks = format!("/clinics/{}/webhooks", scene.clinic);
    scene.app.api(Method::GET, &webhooks).by(&scene.vet).expect(403).await;
    scene.app.api(Method::GET, &webhooks).by(&scene.owner).expect(403).await;
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_event_once_per_retry_then_no_more() {
    let scene = scene().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).up_to_n_times(2).mount(&scene.receiver).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&scene.receiver).await;
    let webhook = scene.register(&scene.receiver_url(), &["appointment.created"]).await;
    scene.book(2).await;

    scene.run_jobs().await;
    assert_eq!(scene.received().await.len(), 1);
    assert_eq!(scene.deliveries(&webhook).await[0]["status"], "pending", "retried later");
    scene.run_retries().await;
    assert_eq!(scene.received().await.len(), 2);
    scene.run_retries().await;
    assert_eq!(scene.received().await.len(), 3);
    scene.run_retries().await;
    scene.run_retries().await;

    let received = scene.received().await;
    assert_eq!(received.len(), 3, "delivered on the third attempt, then never again");
    let ids: Vec<&str> = received.iter().map(|request| header(request, "webhook-id")).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "every attempt carries the same webhook-id: {ids:?}");
    let log = scene.deliveries(&webhook).await;
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(statuses(&log[0]), vec![json!(500), json!(500), json!(200)]);
    assert_eq!(log[0]["log"][0]["error"], "the receiver answered 500");
}

#[tokio::test]
async fn private_addresses_are_refused_at_registration_and_at_delivery_when_the_answer_changed() {
    let scene = scene_with(|config| {
        let hosts = vec![format!("{RECEIVER_NAME}=127.0.0.1"), "intranet.clinic.test=192.168.1.20".to_owned()];
        config.with_override("notifications.webhooks.hosts", hosts).unwrap()
    })
    .await;
    let webhooks = format!("/clinics/{}/webhooks", scene.clinic);
    for (url, problem) in [
        ("https://10.0.0.7/hooks", "host 10.0.0.7 must resolve to public addresses only"),
        ("https://169.254.169.254/latest/meta-data", "host 169.254.169.254 must resolve to public addresses only"),
        ("https://[fd00::7]/hooks", "host fd00::7 must resolve to public addresses only"),
        ("https://[::ffff:10.0.0.7]/hooks", "must resolve to public addresses only"),
        // An internal name and a missing one are refused alike: no map of the network.
        ("https://intranet.clinic.test/hooks", "host intranet.clinic.test must resolve to public addresses only"),
        ("https://nowhere.invalid/hooks", "host nowhere.invalid must resolve to public addresses only"),
        ("ftp://93.184.216.34/hooks", "must be an https:// URL"),
        ("http://93.184.216.34/hooks", "must be an https:// URL"),
        ("https://user:password@93.184.216.34/hooks", "must not carry a user name or password"),
    ] {
        let body = json!({ "url": url, "events": ["appointment.created"] });
        let refused = scene.app.api(Method::POST, &webhooks).by(&scene.admin).json(&body).expect(422).await;
        let said = refused["error"]["details"]["fields"]["url"][0].as_str().unwrap_or_default();
        assert!(said.contains(problem), "{url}: {refused}");
    }

    // Registered while the name pointed at the (allowed) receiver...
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&scene.receiver).await;
    let webhook = scene.register(&scene.receiver_url(), &["appointment.created"]).await;
    scene.book(2).await;
    // ...delivered once the name answers with the cloud's metadata address.
    let moved = scene
        .config
        .clone()
        .with_override("notifications.webhooks.hosts", vec![format!("{RECEIVER_NAME}=169.254.169.254")])
        .unwrap();
    scene.run_jobs_with(&moved).await;
    assert!(scene.received().await.is_empty(), "nothing reached the private address");
    let log = scene.deliveries(&webhook).await;
    let attempt = &log[0]["log"][0];
    assert_eq!(attempt["status_code"], Value::Null);
    let error = attempt["error"].as_str().unwrap();
    assert!(error.contains("hooks.clinic.test must resolve to public addresses only"), "{attempt}");
    assert!(!error.contains("169.254"), "the refused address is not shown: {attempt}");
    assert_eq!(log[0]["status"], "pending", "retried: the name may come back");
}

#[tokio::test]
async fn redelivery_sends_an_event_again_under_its_id_and_not_while_pending() {
    let scene = scene().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&scene.receiver).await;
    let webhook = scene.register(&scene.receiver_url(), &["appointment.created"]).await;
    scene.book(2).await;
    scene.run_jobs().await;
    let event = scene.deliveries(&webhook).await[0]["event_id"].as_str().unwrap().to_owned();
    let webhook_id = webhook["endpoint"]["id"].as_str().unwrap();
    let redeliver = format!("/clinics/{}/webhooks/{webhook_id}/deliveries/{event}/redeliver", scene.clinic);

    let queued = scene.app.api(Method::POST, &redeliver).by(&scene.admin).expect(202).await;
    assert_eq!(queued["status"], "pending");
    scene.app.api(Method::POST, &redeliver).by(&scene.admin).expect(409).await;
    scene.app.api(Method::POST, &redeliver).by(&scene.vet).expect(403).await;
    let unknown =
        format!("/clinics/{}/webhooks/{webhook_id}/deliveries/{}/redeliver", scene.clinic, uuid::Uuid::now_v7());
    scene.app.api(Method::POST, &unknown).by(&scene.admin).expect(404).await;
    scene.run_jobs().await;

    let received = scene.received().await;
    assert_eq!(received.len(), 2);
    assert_eq!(header(&received[0], "webhook-id"), event);
    assert_eq!(header(&received[1], "webhook-id"), event);
    assert_eq!(received[0].body, received[1].body, "the same event, byte for byte");
    let log = scene.deliveries(&webhook).await;
    assert_eq!((log[0]["status"].clone(), log[0]["attempts"].clone()), (json!("delivered"), json!(2)));
}

#[tokio::test]
async fn an_endpoint_failing_every_delivery_is_disabled_and_the_clinic_admins_are_told() {
    let scene = scene_with(|config| {
        let config = config.with_override("notifications.webhooks.max_attempts", 1).unwrap();
        config.with_override("notifications.webhooks.disable_after_failures", 2).unwrap()
    })
    .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&scene.receiver).await;
    let webhook = scene.register(&scene.receiver_url(), &["appointment.created"]).await;
    let webhook_id = webhook["endpoint"]["id"].as_str().unwrap();
    scene.book(2).await;
    scene.run_jobs().await;
    let listed: Value = scene
        .app
        .api(Method::GET, &format!("/clinics/{}/webhooks", scene.clinic))
        .by(&scene.admin)
        .expect_json(200)
        .await;
    assert_eq!((listed[0]["enabled"].clone(), listed[0]["failures_in_a_row"].clone()), (json!(true), json!(1)));

    scene.book(3).await;
    scene.run_jobs().await; // the second failure disables it...
    scene.run_jobs().await; // ...and the clinic's admins are told.
    let listed: Value = scene
        .app
        .api(Method::GET, &format!("/clinics/{}/webhooks", scene.clinic))
        .by(&scene.admin)
        .expect_json(200)
        .await;
    assert_eq!(listed[0]["enabled"], false, "{listed}");
    assert!(listed[0]["disabled_reason"].as_str().unwrap().contains("2 deliveries in a row"), "{listed}");
    let inbox: Value = scene.app.api(Method::GET, "/notifications").by(&scene.admin).expect_json(200).await;
    let told = inbox["items"].as_array().unwrap().iter().any(|item| item["title"] == "A webhook was disabled");
    assert!(told, "{inbox}");

    // Disabled: a new event is not even queued for it.
    scene.book(4).await;
    scene.run_jobs().await;
    assert_eq!(scene.received().await.len(), 2);
    assert_eq!(scene.deliveries(&webhook).await.len(), 2);
    let failed = scene.deliveries(&webhook).await[0]["event_id"].as_str().unwrap().to_owned();
    let redeliver = format!("/clinics/{}/webhooks/{webhook_id}/deliveries/{failed}/redeliver", scene.clinic);
    scene.app.api(Method::POST, &redeliver).by(&scene.admin).expect(409).await;

    // Enabled again, it receives the next event.
    let enable = format!("/clinics/{}/webhooks/{webhook_id}/enable", scene.clinic);
    let enabled = scene.app.api(Method::POST, &enable).by(&scene.admin).expect(200).await;
    assert_eq!((enabled["enabled"].clone(), enabled["failures_in_a_row"].clone()), (json!(true), json!(0)));
    scene.book(5).await;
    scene.run_jobs().await;
    assert_eq!(scene.received().await.len(), 3);

    // Deleted, it is gone with its log.
    let endpoint = format!("/clinics/{}/webhooks/{webhook_id}", scene.clinic);
    scene.app.api(Method::DELETE, &endpoint).by(&scene.admin).expect(204).await;
    scene.app.api(Method::DELETE, &endpoint).by(&scene.admin).expect(404).await;
    let deliveries = format!("{endpoint}/deliveries");
    scene.app.api(Method::GET, &deliveries).by(&scene.admin).expect(404).await;
}
