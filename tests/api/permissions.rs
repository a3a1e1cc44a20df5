//! Who may call what: every mounted route, called by every kind of caller on
//! one seeded world, as a reviewed table (`snapshots/api__permissions__*.snap`).
//! A route mounted without a row, or any status that changes, fails the test
//! until the table is reviewed again (`cargo insta review`).
//!
//! Callers, from the least to the most privileged: anonymous, another owner,
//! a vet of another clinic, the clinic's receptionist, its clinic admin, its
//! API key (every scope), the pet's owner, a platform admin. Ids in paths are the world's (the owner's
//! pet, its record, reminder and co-owner, the clinic, its vet, service, room
//! and review, the owner's appointment, upload, and conversation with the
//! clinic and its message, the owner's emergency case offered to the vet and
//! the vet's time on call, the clinic's product and the owner's paid order of it and its invoice, the
//! clinic's wellness plan with the pet enrolled, the owner's repeat order,
//! the clinic's webhook and the booking's event pending for it, the clinic's
//! draft campaign and the owner's unsubscribe link for it);
//! other ids are unknown
//! ones. Every write sends a valid body ([`body`]), so a caller who may write
//! gets a 2xx (or the business answer: 409 for a slot someone else just took,
//! 422 for an upload that is not theirs) where a refused one gets 401, 403 or
//! 404. Reads come first, then writes, then deletions, and erasing one's own
//! account last.

use std::fmt::Write;

use kernel::Role;
use platform::auth::api_keys::Scope;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, fixtures};

const UNKNOWN_ID: &str = "01936b2e-0000-7000-8000-000000000000";

/// A PDF's first bytes: enough for the upload's type sniffing.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

struct World {
    clinic: String,
    vet: TestUser,
    service: String,
    room: String,
    review: String,
    spare_staff: TestUser,
    pet: String,
    co_owner: TestUser,
    record: String,
    reminder: String,
    time_off: String,
    owner: TestUser,
    appointment: String,
    upload: String,
    conversation: String,
    message: String,
    /// The owner's emergency case for the pet, offered to the vet.
    case: String,
    /// The vet's "available now" on call.
    on_call: String,
    /// A product of the clinic, in stock.
    product: String,
    /// The owner's order of it, paid at the clinic.
    order: String,
    /// The order's invoice.
    invoice: String,
    /// The clinic's wellness plan, the pet enrolled in it (its first period unpaid).
    plan: String,
    /// The owner's repeat order of the product for the pet.
    autoship: String,
    /// Free whole-hour slots two and three days after the appointment's, three per caller.
    slots: Vec<Value>,
    /// Another API key of the clinic (the one the key caller uses is never revoked).
    api_key: String,
    /// The clinic's webhook, and the event the booking sent it (still pending).
    webhook: String,
    webhook_event: String,
    /// The clinic's draft campaign, and the owner's unsubscribe link token for it.
    campaign: String,
    unsubscribe_token: String,
    callers: Vec<(&'static str, Option<TestUser>)>,
}

async fn free_slots(app: &TestApp, clinic: &str, service: &str, days_ahead: i64) -> Vec<Value> {
    let day = chrono::Utc::now() + chrono::Duration::days(days_ahead);
    let (from, to) = (day.format("%Y-%m-%dT00:00:00Z"), (day + chrono::Duration::days(1)).format("%Y-%m-%dT00:00:00Z"));
    let slots: Value = app
        .api(Method::GET, &format!("/availability?clinic_id={clinic}&service_id={service}&from={from}&to={to}"))
        .expect_json(200)
        .await;
    slots["slots"].as_array().unwrap().iter().map(|slot| slot["starts_at"].clone()).collect()
}

/// Whole-hour starts only: a 30-minute booking at one cannot overlap another.
fn on_the_hour(slots: Vec<Value>) -> Vec<Value> {
    slots.into_iter().filter(|slot| slot.as_str().is_some_and(|text| text.ends_with(":00:00Z"))).collect()
}

async fn world(app: &TestApp) -> World {
    let admin = fixtures::admin(app).await;
    let clinic = fixtures::clinic(app, &admin, fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")).await;
    let elsewhere = fixtures::clinic(app, &admin, fixtures::clinic_profile("There", 45.76, 4.84, "Europe/Paris")).await;
    fixtures::open_every_day(app, &admin, &clinic, "00:00", "23:59").await;
    let vet = fixtures::vet(app, &admin, &clinic, "Dr Here", "00:00", "23:59").await;
    let vet_elsewhere = fixtures::vet(app, &admin, &elsewhere, "Dr There", "09:00", "17:00").await;
    let desk = fixtures::staff(app, &admin, &clinic, Role::Receptionist).await;
    let clinic_admin = fixtures::staff(app, &admin, &clinic, Role::ClinicAdmin).await;
    let spare_staff = fixtures::staff(app, &admin, &clinic, Role::Receptionist).await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "40.00" });
    let service = fixtures::service(app, &admin, &clinic, offer).await;
    let room: Value = app
        .api(Method::POST, &format!("/clinics/{clinic}/rooms"))
        .by(&admin)
        .json(&json!({ "name": "Room 1", "capacity": 1 }))
        .expect_json(201)
        .await;
    let (owner, pet) = fixtures::owner_with_dog(app, "Rex").await;
    fixtures::register_with_clinic(app, &owner, &pet, &clinic).await;
    let co_owner = app.user(Role::PetOwner).await;
    let invitation: Value = app
        .api(Method::POST, &format!("/pets/{pet}/co-owners"))
        .by(&owner)
        .json(&json!({ "user_id": co_owner.user_id }))
        .expect_json(202)
        .await;
    app.api(Method::POST, &format!("/pet-invitations/{}/accept", fixtures::id_of(&invitation)))
        .by(&co_owner)
        .expect(204)
        .await;
    let due = (chrono::Utc::now() + chrono::Duration::days(60)).format("%Y-%m-%d").to_string();
    let vaccination = json!({ "record_date": "2026-02-01", "clinic_id": clinic,
                              "details": { "type": "vaccination", "vaccine": "Rabies", "next_due": due } });
    let record: Value =
        app.api(Method::POST, &format!("/pets/{pet}/records")).by(&vet).json(&vaccination).expect_json(201).await;
    let reminders: Value = app.api(Method::GET, &format!("/pets/{pet}/reminders")).by(&owner).expect_json(200).await;
    let review: Value = app
        .api(Method::PUT, &format!("/clinics/{clinic}/reviews/mine"))
        .by(&owner)
        .json(&json!({ "rating": 5, "body": "Kind and careful" }))
        .expect_json(200)
        .await;
    let starts = chrono::Utc::now() + chrono::Duration::days(40);
    let absence = json!({ "starts_at": starts, "ends_at": starts + chrono::Duration::hours(2), "clinic_id": clinic });
    let time_off: Value = app
        .api(Method::POST, &format!("/vets/{}/time-off", vet.user_id))
        .by(&vet)
        .json(&absence)
        .expect_json(201)
        .await;
    let upload = testkit::expect(app.upload(&owner, "record_attachment", "lab.pdf", PDF.to_vec()).await, 201).await;
    let (other_owner, _) = fixtures::owner_with_dog(app, "Bello").await;
    let booking_slots = free_slots(app, &clinic, &service, 2).await;
    let booking = json!({ "pet_id": pet, "service_id": service, "vet_id": vet.user_id, "starts_at": booking_slots[0] });
    let hook = json!({ "url": "http://127.0.0.1:9/vet-events", "events": ["appointment.created"] });
    let webhook: Value = app
        .api(Method::POST, &format!("/clinics/{clinic}/webhooks"))
        .by(&clinic_admin)
        .json(&hook)
        .expect_json(201)
        .await;
    let webhook = webhook["endpoint"]["id"].as_str().unwrap().to_owned();
    let booked: Value = app.api(Method::POST, "/appointments").by(&owner).json(&booking).expect_json(201).await;
    let deliveries: Value = app
        .api(Method::GET, &format!("/clinics/{clinic}/webhooks/{webhook}/deliveries"))
        .by(&clinic_admin)
        .expect_json(200)
        .await;
    let webhook_event = deliveries[0]["event_id"].as_str().unwrap().to_owned();
    let conversation: Value = app
        .api(Method::POST, "/chat/conversations")
        .by(&owner)
        .json(&json!({ "clinic_id": clinic, "pet_id": pet }))
        .expect_json(201)
        .await;
    let conversation = fixtures::id_of(&conversation);
    let sent: Value = app
        .api(Method::POST, &format!("/chat/conversations/{conversation}/messages"))
        .by(&owner)
        .json(&json!({ "body": "Rex is limping" }))
        .expect_json(201)
        .await;
    let available = json!({
        "available": true, "clinic_id": clinic,
        "location": { "latitude": 48.86, "longitude": 2.35 }, "radius_km": 20.0,
    });
    let on_call: Value =
        app.api(Method::PUT, "/vets/me/on-call/available-now").by(&vet).json(&available).expect_json(200).await;
    let emergency = json!({
        "pet_id": pet, "description": "Rex is choking",
        "location": { "latitude": 48.855, "longitude": 2.35 }, "triage": { "breathing": "struggling" },
    });
    let case: Value = app.api(Method::POST, "/emergency-requests").by(&owner).json(&emergency).expect_json(201).await;
    let (product, order, invoice) = shop(app, &clinic, &clinic_admin, &owner).await;
    let (plan, autoship) = plan_and_autoship(app, &clinic, &clinic_admin, &owner, &pet, &product).await;
    let draft = json!({ "name": "News", "subject": "News", "body": "Hello.", "audience": {} });
    let campaign: Value = app
        .api(Method::POST, &format!("/clinics/{clinic}/campaigns"))
        .by(&clinic_admin)
        .json(&draft)
        .expect_json(201)
        .await;
    let campaign = fixtures::id_of(&campaign);
    let outreach: outreach::Settings = app.section();
    let unsubscribe_token =
        outreach::unsubscribe::token(&outreach, kernel::CampaignId(campaign.parse().unwrap()), owner.user_id);
    let clinic_key = api_key(app, &clinic, &clinic_admin, &Scope::ALL).await;
    let spare_key = api_key(app, &clinic, &clinic_admin, &[Scope::AppointmentsRead]).await;
    let callers = vec![
        ("anonymous", None),
        ("other_owner", Some(other_owner)),
        ("vet_elsewhere", Some(vet_elsewhere)),
        ("receptionist", Some(desk)),
        ("clinic_admin", Some(clinic_admin)),
        ("clinic_key", Some(clinic_key)),
        ("owner", Some(owner.clone())),
        ("platform_admin", Some(admin)),
    ];
    let mut slots = on_the_hour(free_slots(app, &clinic, &service, 4).await);
    slots.extend(on_the_hour(free_slots(app, &clinic, &service, 5).await));
    World {
        slots,
        api_key: spare_key.subject,
        webhook,
        webhook_event,
        campaign,
        unsubscribe_token,
        clinic,
        vet,
        service,
        room: fixtures::id_of(&room),
        review: fixtures::id_of(&review),
        spare_staff,
        pet,
        co_owner,
        record: fixtures::id_of(&record),
        reminder: reminders[0]["id"].as_str().unwrap().to_owned(),
        time_off: fixtures::id_of(&time_off),
        owner,
        appointment: fixtures::id_of(&booked),
        upload: fixtures::id_of(&upload),
        message: sent["message"]["id"].as_str().unwrap().to_owned(),
        conversation,
        case: fixtures::id_of(&case),
        on_call: fixtures::id_of(&on_call),
        product,
        order,
        invoice,
        plan,
        autoship,
        callers,
    }
}

/// An API key of `clinic` with `scopes`, made by its admin, as a caller: its
/// account's id, its key id as the subject, the key as the token.
async fn api_key(app: &TestApp, clinic: &str, clinic_admin: &TestUser, scopes: &[Scope]) -> TestUser {
    let request = json!({ "name": format!("Integration {}", scopes.len()), "scopes": scopes });
    let issued: Value = app
        .api(Method::POST, &format!("/clinics/{clinic}/api-keys"))
        .by(clinic_admin)
        .json(&request)
        .expect_json(201)
        .await;
    TestUser {
        user_id: issued["key"]["acts_as"].as_str().unwrap().parse().unwrap(),
        subject: issued["key"]["id"].as_str().unwrap().to_owned(),
        token: issued["secret"].as_str().unwrap().to_owned(),
    }
}

/// The clinic's plan, the pet enrolled in it (paid at the desk, not yet),
/// and the owner's monthly repeat order of `product` for the pet.
async fn plan_and_autoship(
    app: &TestApp,
    clinic: &str,
    clinic_admin: &TestUser,
    owner: &TestUser,
    pet: &str,
    product: &str,
) -> (String, String) {
    let draft = json!({ "species": "dog", "name": "World plan", "billing_period": "month", "price": "30.00" });
    let plan: Value =
        app.api(Method::POST, &format!("/clinics/{clinic}/plans")).by(clinic_admin).json(&draft).expect_json(201).await;
    let plan = fixtures::id_of(&plan);
    app.api(Method::POST, &format!("/pets/{pet}/plan")).by(owner).json(&json!({ "plan_id": plan })).expect(201).await;
    let repeat = json!({ "product_id": product, "pet_id": pet, "quantity": 1, "every_days": 30 });
    let autoship: Value = app.api(Method::POST, "/autoship").by(owner).json(&repeat).expect_json(201).await;
    (plan, fixtures::id_of(&autoship))
}

/// The clinic sells a product (100 in stock); the owner orders one and pays
/// at the clinic. Returns the ids of the product, the order and its invoice.
async fn shop(app: &TestApp, clinic: &str, clinic_admin: &TestUser, owner: &TestUser) -> (String, String, String) {
    let draft = json!({ "sku": "WORLD-1", "name": "Kibble", "price": "20.00" });
    let product: Value = app
        .api(Method::POST, &format!("/clinics/{clinic}/products"))
        .by(clinic_admin)
        .json(&draft)
        .expect_json(201)
        .await;
    let product = fixtures::id_of(&product);
    let received = json!({ "change": 100, "reason": "received" });
    let stock = format!("/clinics/{clinic}/products/{product}/stock-adjustments");
    app.api(Method::POST, &stock).by(clinic_admin).json(&received).expect(200).await;
    let line = format!("/carts/{clinic}/lines/{product}");
    app.api(Method::PUT, &line).by(owner).json(&json!({ "quantity": 1 })).expect(200).await;
    let order: Value = app
        .api(Method::POST, &format!("/carts/{clinic}/checkout"))
        .by(owner)
        .header("Idempotency-Key", "world")
        .json(&json!({}))
        .expect_json(201)
        .await;
    let order = fixtures::id_of(&order);
    let payment = format!("/clinics/{clinic}/orders/{order}/payment");
    app.api(Method::POST, &payment).by(clinic_admin).json(&json!({ "method": "card" })).expect(200).await;
    let invoices: Value = app.api(Method::GET, "/invoices").by(owner).expect_json(200).await;
    (product, order, invoices["items"][0]["id"].as_str().unwrap().to_owned())
}

/// `path` with the world's ids in place of its parameters.
fn concrete(world: &World, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let mut concrete = Vec::new();
    for (index, segment) in segments.iter().enumerate() {
        let previous = index.checked_sub(1).map_or("", |before| segments[before]);
        let value = match (*segment, previous) {
            ("{id}", "pets") => world.pet.clone(),
            ("{id}", "clinics") | ("{clinic_id}", _) => world.clinic.clone(),
            ("{id}", "appointments") => world.appointment.clone(),
            ("{id}", "vets") => world.vet.user_id.to_string(),
            ("{id}", "users") => world.owner.user_id.to_string(),
            ("{id}", "media") => world.upload.clone(),
            ("{id}", "conversations") => world.conversation.clone(),
            ("{id}", "emergency-requests") => world.case.clone(),
            ("{id}", "shifts") | ("{entry_id}", _) => world.on_call.clone(),
            ("{id}", "products") | ("{product_id}", _) => world.product.clone(),
            ("{id}", "orders") | ("{order_id}", _) => world.order.clone(),
            ("{id}", "invoices") | ("{invoice_id}", _) => world.invoice.clone(),
            ("{plan_id}", _) => world.plan.clone(),
            ("{id}", "autoship") => world.autoship.clone(),
            ("{class}", _) => "standard".to_owned(),
            ("{message_id}", _) => world.message.clone(),
            ("{id}", "dead") => "1".to_owned(),
            ("{user_id}", "staff") => world.spare_staff.user_id.to_string(),
            ("{user_id}", "co-owners") => world.co_owner.user_id.to_string(),
            ("{service_id}", _) => world.service.clone(),
            ("{room_id}", _) => world.room.clone(),
            ("{review_id}", _) => world.review.clone(),
            ("{record_id}", _) => world.record.clone(),
            ("{reminder_id}", _) => world.reminder.clone(),
            ("{time_off_id}", _) => world.time_off.clone(),
            ("{key_id}", _) => world.api_key.clone(),
            ("{webhook_id}", _) => world.webhook.clone(),
            ("{event_id}", _) => world.webhook_event.clone(),
            ("{campaign_id}", _) => world.campaign.clone(),
            ("{token}", _) => world.unsubscribe_token.clone(),
            (parameter, _) if parameter.starts_with('{') => UNKNOWN_ID.to_owned(),
            (literal, _) => literal.to_owned(),
        };
        concrete.push(value);
    }
    concrete.join("/")
}

/// A valid body for the write `method path` by the `caller`-th caller: what
/// one caller creates does not collide with what another does (names, slots,
/// times differ), so each answer is about that caller's permission.
fn body(world: &World, method: &Method, path: &str, caller: usize) -> Value {
    let slot = |offset: usize| world.slots[3 * caller + offset].clone();
    let later = |days: i64| chrono::Utc::now() + chrono::Duration::days(days + i64::try_from(caller).unwrap());
    let hours: Vec<Value> =
        (1..=7).map(|weekday| json!({ "weekday": weekday, "starts": "00:00", "ends": "23:59" })).collect();
    let week: Vec<Value> =
        (1..=7).map(|weekday| json!({ "weekday": weekday, "opens": "00:00", "closes": "23:59" })).collect();
    let offer = json!({ "kind": "consultation", "name": format!("Consultation {caller}"), "duration_minutes": 30, "price": "40.00" });
    let note = json!({ "record_date": "2026-02-02", "clinic_id": world.clinic, "details": { "type": "note", "text": "Seen" } });
    match (method.as_str(), path.trim_start_matches(platform::routes::API_PREFIX)) {
        ("PUT", "/admin/users/{id}/role") => json!({ "role": "pet_owner" }),
        ("POST", "/clinics/{id}/campaigns") | ("PUT", "/clinics/{id}/campaigns/{campaign_id}") => {
            json!({ "name": format!("News {caller}"), "subject": "News", "body": "Hello.", "audience": { "species": ["dog"] } })
        }
        ("POST", "/clinics/{id}/campaigns/{campaign_id}/schedule") => json!({}),
        ("POST", "/clinics/{id}/webhooks") => {
            json!({ "url": "http://127.0.0.1:9/vet-events", "events": ["order.paid"] })
        }
        ("POST", "/clinics/{id}/api-keys") => json!({ "name": format!("Key {caller}"), "scopes": ["patients:read"] }),
        ("POST", "/chat/conversations") => json!({ "clinic_id": world.clinic }),
        ("POST", "/chat/conversations/{id}/messages") => json!({ "body": format!("Hello from caller {caller}") }),
        ("PATCH", "/chat/conversations/{id}/messages/{message_id}") => json!({ "body": "Rex is limping less" }),
        ("POST", "/chat/conversations/{id}/read") => json!({ "message_id": world.message }),
        ("PUT", "/chat/conversations/{id}/archived") => json!({ "archived": false }),
        ("POST", "/clinics/{id}/on-call") => json!({
            "vet_id": world.vet.user_id, "starts_at": later(30), "ends_at": later(30) + chrono::Duration::hours(4),
            "radius_km": 10.0,
        }),
        ("POST", "/emergency-requests") => json!({
            "pet_id": world.pet, "description": "Rex is choking", "location": { "latitude": 48.855, "longitude": 2.35 },
        }),
        ("POST", "/emergency-requests/{id}/decline") => json!({ "reason": "in surgery" }),
        ("POST", "/product-categories") => json!({ "name": format!("Category {caller}") }),
        ("POST", "/clinics/{id}/products") => {
            json!({ "sku": format!("SKU-{caller}"), "name": "Leash", "price": "15.00" })
        }
        ("PUT", "/clinics/{id}/products/{product_id}") => {
            json!({ "sku": "WORLD-1", "name": "Kibble", "price": "20.00" })
        }
        ("POST", "/clinics/{id}/products/{product_id}/stock-adjustments") => {
            json!({ "change": 1, "reason": "received" })
        }
        ("PUT", "/clinics/{id}/tax-rates/{class}") => json!({ "rate": "0.2" }),
        ("PUT", "/carts/{clinic_id}/lines/{product_id}") => json!({ "quantity": 1 }),
        ("POST", "/clinics/{id}/orders/{order_id}/payment") => json!({ "method": "cash" }),
        ("POST", "/clinics/{id}/orders/{order_id}/refunds") => json!({ "amount": "1.00" }),
        ("POST", "/clinics/{id}/sales-reports") => json!({ "from": "2026-11-01", "to": "2026-11-30" }),
        ("POST", "/clinics/{id}/plans") => {
            json!({ "species": "dog", "name": format!("Plan {caller}"), "billing_period": "month", "price": "10.00" })
        }
        ("PUT", "/clinics/{id}/plans/{plan_id}") => {
            json!({ "species": "dog", "name": "World plan", "billing_period": "month", "price": "30.00" })
        }
        ("POST", "/pets/{id}/plan") | ("PUT", "/pets/{id}/plan") => json!({ "plan_id": world.plan }),
        ("POST", "/autoship") => {
            json!({ "product_id": world.product, "pet_id": world.pet, "quantity": 1, "every_days": 30 })
        }
        ("PUT", "/clinics/{id}/invoices/{invoice_id}/lines") => {
            json!({ "lines": [{ "description": "Visit", "quantity": 1, "unit_price": "10.00" }] })
        }
        ("POST", "/emergency-requests/{id}/progress") => json!({ "status": "en_route" }),
        ("POST", "/vets/me/on-call/shifts") => json!({
            "clinic_id": world.clinic, "starts_at": later(20), "ends_at": later(20) + chrono::Duration::hours(4),
            "radius_km": 10.0,
        }),
        ("PUT", "/vets/me/on-call/available-now") => json!({
            "available": true, "clinic_id": world.clinic, "location": { "latitude": 48.86, "longitude": 2.35 },
            "radius_km": 5.0,
        }),
        ("POST", "/appointment-series") => json!({
            "pet_id": world.pet, "service_id": world.service, "vet_id": world.vet.user_id,
            "first_starts_at": slot(0), "interval_weeks": 1, "count": 2,
        }),
        ("POST", "/appointments") => {
            json!({ "pet_id": world.pet, "service_id": world.service, "vet_id": world.vet.user_id, "starts_at": slot(1) })
        }
        ("POST", "/appointments/{id}/reschedule") => json!({ "starts_at": slot(2) }),
        ("POST", "/appointments/{id}/transitions") => json!({ "to": "confirmed" }),
        ("POST", "/clinics") | ("PUT", "/clinics/{id}") => {
            fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")
        }
        ("PUT", "/clinics/{id}/emergency-status") => json!({ "status": "accepting" }),
        ("PUT", "/clinics/{id}/hours") => json!({ "weekly": week, "exceptions": [] }),
        ("PUT", "/clinics/{id}/photo" | "/pets/{id}/photo" | "/vets/{id}/photo")
        | ("POST", "/pets/{id}/records/{record_id}/attachments")
        | ("PUT", "/clinics/{id}/products/{product_id}/image") => json!({ "media_id": UNKNOWN_ID }),
        ("PUT", "/clinics/{id}/reviews/mine") => json!({ "rating": 4 }),
        ("POST", "/clinics/{id}/reviews/{review_id}/flag") => json!({ "text": "Not about this clinic" }),
        ("PUT", "/clinics/{id}/reviews/{review_id}/response") => json!({ "text": "Thank you" }),
        ("PUT", "/clinics/{id}/reviews/{review_id}/visibility") => json!({ "hidden": false }),
        ("POST", "/clinics/{id}/rooms") => json!({ "name": format!("Room {}", caller + 2), "capacity": 1 }),
        ("POST", "/clinics/{id}/services") | ("PUT", "/clinics/{id}/services/{service_id}") => offer,
        ("POST", "/clinics/{id}/staff") => {
            json!({ "email": format!("newcomer{caller}@example.com"), "role": "receptionist" })
        }
        ("POST", "/notifications/devices") => json!({ "platform": "web", "token": format!("device-token-{caller}") }),
        ("PUT", "/notifications/preferences") => {
            json!({ "channels": [{ "category": "marketing", "channel": "email", "enabled": false }] })
        }
        ("POST", "/pets") | ("PUT", "/pets/{id}") => fixtures::pet_profile("Rex", "dog"),
        ("POST", "/pets/{id}/clinics") => json!({ "clinic_id": world.clinic }),
        ("POST", "/pets/{id}/co-owners") => json!({ "email": format!("friend{caller}@example.com") }),
        ("POST", "/pets/{id}/records") | ("PUT", "/pets/{id}/records/{record_id}") => note,
        ("POST", "/pets/{id}/records/{record_id}/addenda") => json!({ "body": "Checked again" }),
        ("POST", "/pets/{id}/reminders/{reminder_id}/snooze") => json!({ "days": 7 }),
        // Not a co-owner: a caller who may transfer gets 422, the world stays.
        ("POST", "/pets/{id}/transfer") => json!({ "user_id": world.vet.user_id }),
        ("POST", "/pets/{id}/weights") => json!({ "value": "12.5", "unit": "kg" }),
        ("PUT", "/vets/me") => json!({ "display_name": "Dr Here" }),
        ("PUT", "/vets/{id}/clinics/{clinic_id}/hours") => json!({ "hours": hours }),
        ("POST", "/vets/{id}/time-off") => {
            json!({ "starts_at": later(50), "ends_at": later(50) + chrono::Duration::hours(1), "clinic_id": world.clinic })
        }
        ("POST", "/waitlist") => {
            json!({ "pet_id": world.pet, "service_id": world.service, "from": later(10), "to": later(11) })
        }
        _ => json!({}),
    }
}

/// How an operation ranks in the table's order: reads, writes, deletions,
/// then erasing one's own account (after which a caller can do nothing).
fn rank(method: &Method, path: &str) -> u8 {
    match *method {
        Method::GET => 0,
        Method::DELETE if path.ends_with("/users/me") => 3,
        Method::DELETE => 2,
        _ => 1,
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_table_says() {
    // Every caller books for the one pet: the owner's anti-hoarding limit would
    // answer for them instead of their permission.
    let modules = |config: &platform::config::Source| {
        crate::modules(&config.clone().with_override("appointments.max_upcoming_per_owner", 100).unwrap())
    };
    let app = TestApp::spawn_with(modules, |settings| settings.rate_limit.enabled = false).await;
    let world = world(&app).await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut operations: Vec<(Method, String)> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path.clone()));
            }
        }
    }
    operations.sort_by(|(a, pa), (b, pb)| (rank(a, pa), pa).cmp(&(rank(b, pb), pb)));

    let mut table = String::new();
    for (method, path) in &operations {
        let url = app.url(&concrete(&world, path));
        let mut row = format!("{:<6} {path}", method.as_str());
        for (index, (name, caller)) in world.callers.iter().enumerate() {
            let mut request = app.client.request(method.clone(), &url);
            if let Some(caller) = caller {
                request = request.bearer_auth(&caller.token);
            }
            if path == "/api/v1/media" {
                let part = reqwest::multipart::Part::bytes(PDF).file_name("lab.pdf");
                request = app.client.post(format!("{url}?purpose=record_attachment"));
                if let Some(caller) = caller {
                    request = request.bearer_auth(&caller.token);
                }
                request = request.multipart(reqwest::multipart::Form::new().part("file", part));
            } else if *method != Method::GET && *method != Method::DELETE {
                request = request.json(&body(&world, method, path, index));
            }
            if path.ends_with("/checkout") || path.ends_with("/refunds") {
                request = request.header("Idempotency-Key", format!("caller-{index}"));
            }
            let status = request.send().await.unwrap().status().as_u16();
            assert!(status < 500, "{method} {path} as {name}: {status}");
            write!(row, " {name}={status}").unwrap();
        }
        table.push_str(&row);
        table.push('\n');
    }
    insta::assert_snapshot!("permissions", table);
}
