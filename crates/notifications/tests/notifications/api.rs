//! The inbox, preferences and devices endpoints.

use kernel::Role;
use notifications::{Category, Notification, Template, notify};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{app, appointment, call, deliveries_of, expect};

const PREFERENCES: &str = "/api/v1/notifications/preferences";

fn choice(preferences: &Value, category: &str, channel: &str) -> Value {
    preferences["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["category"] == category && entry["channel"] == channel)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn the_inbox_lists_filters_pages_and_marks_read_only_the_callers_notifications() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let other = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    for pet in ["Rex", "Mia", "Tom"] {
        notify(&mut connection, owner.user_id, &appointment(pet)).await.unwrap();
    }
    let foreign = notify(&mut connection, other.user_id, &appointment("Not yours")).await.unwrap();

    let first = expect(call(&app, Method::GET, "/api/v1/notifications?limit=2", &owner.token, None).await, 200).await;
    let titles: Vec<&str> =
        first["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2);
    assert!(titles[0].contains("Tom") && titles[1].contains("Mia"), "newest first: {titles:?}");
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = format!("/api/v1/notifications?limit=2&cursor={cursor}");
    let rest = expect(call(&app, Method::GET, &next, &owner.token, None).await, 200).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["items"][0]["title"].as_str().unwrap().contains("Rex"));
    assert_eq!(rest["items"][0]["data"]["appointment_id"], "0193f1a2");

    let newest = first["items"][0]["id"].as_str().unwrap();
    let read = format!("/api/v1/notifications/{newest}/read");
    expect(call(&app, Method::POST, &read, &owner.token, None).await, 204).await;
    expect(call(&app, Method::POST, &read, &owner.token, None).await, 204).await;
    let unread =
        expect(call(&app, Method::GET, "/api/v1/notifications?unread=true", &owner.token, None).await, 200).await;
    assert_eq!(unread["items"].as_array().unwrap().len(), 2);
    let count =
        expect(call(&app, Method::GET, "/api/v1/notifications/unread-count", &owner.token, None).await, 200).await;
    assert_eq!(count["unread"], 2);

    let steal = format!("/api/v1/notifications/{foreign}/read");
    expect(call(&app, Method::POST, &steal, &owner.token, None).await, 404).await;
    let marked =
        expect(call(&app, Method::POST, "/api/v1/notifications/read-all", &owner.token, None).await, 200).await;
    assert_eq!(marked["marked"], 2);
    let count =
        expect(call(&app, Method::GET, "/api/v1/notifications/unread-count", &other.token, None).await, 200).await;
    assert_eq!(count["unread"], 1, "another user's inbox must be untouched");
}

#[tokio::test]
async fn defaults_lock_emergencies_on_and_keep_marketing_off() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let preferences = expect(call(&app, Method::GET, PREFERENCES, &owner.token, None).await, 200).await;
    assert_eq!(preferences["channels"].as_array().unwrap().len(), 7 * 4);
    assert_eq!(choice(&preferences, "marketing", "email")["enabled"], false);
    assert_eq!(
        choice(&preferences, "emergency", "sms"),
        json!({ "category": "emergency", "channel": "sms", "enabled": true, "locked": true })
    );
    assert_eq!(choice(&preferences, "appointment", "email")["locked"], false);
    assert_eq!((preferences["quiet_hours"].clone(), preferences["time_zone"].clone()), (Value::Null, json!("UTC")));

    for category in ["emergency", "account"] {
        let off =
            json!({ "channels": [{ "category": category, "channel": "push", "enabled": false }], "quiet_hours": null });
        expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(off)).await, 400).await;
    }
    let preferences = expect(call(&app, Method::GET, PREFERENCES, &owner.token, None).await, 200).await;
    assert_eq!(choice(&preferences, "emergency", "push")["enabled"], true);
}

#[tokio::test]
async fn choices_decide_the_channels_and_replace_the_previous_set() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let choices = json!({
        "channels": [
            { "category": "appointment", "channel": "sms", "enabled": false },
            { "category": "appointment", "channel": "in_app", "enabled": false },
            { "category": "marketing", "channel": "email", "enabled": true },
            { "category": "marketing", "channel": "in_app", "enabled": true },
        ],
        "quiet_hours": { "start": "22:00", "end": "07:00" },
    });
    let saved = expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(choices)).await, 200).await;
    assert_eq!(choice(&saved, "appointment", "sms")["enabled"], false);
    assert_eq!(choice(&saved, "marketing", "email")["enabled"], true);
    assert_eq!(saved["quiet_hours"], json!({ "start": "22:00", "end": "07:00" }));

    let mut connection = app.db.connect().await;
    let phone = platform::users::ProfileChanges { phone: Some(Some("+33612345678".to_owned())), ..Default::default() };
    platform::users::update_profile(&mut connection, owner.user_id, &phone).await.unwrap();
    notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    let announcement = Notification {
        category: Category::Marketing,
        template: Template::Announcement,
        data: json!({ "headline": "Winter check-ups", "details": "10% off in December." }),
        sender: None,
        attachments: Vec::new(),
    };
    notify(&mut connection, owner.user_id, &announcement).await.unwrap();
    let channels: Vec<String> =
        deliveries_of(&mut connection, owner.user_id).await.into_iter().map(|row| row.0).collect();
    assert_eq!(channels, ["email", "email", "push"], "appointment email + push (SMS off), marketing email only");
    let inbox = expect(call(&app, Method::GET, "/api/v1/notifications", &owner.token, None).await, 200).await;
    let titles: Vec<&str> =
        inbox["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Winter check-ups"], "in-app is off for appointments, on for marketing");

    // PUT replaces: an empty set returns every choice to its default.
    let reset = json!({ "channels": [], "quiet_hours": null });
    let reset = expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(reset)).await, 200).await;
    assert_eq!(choice(&reset, "appointment", "sms")["enabled"], true);
    assert_eq!(reset["quiet_hours"], Value::Null);
}

#[tokio::test]
async fn malformed_preferences_are_refused_and_nothing_changes() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let bad_time = json!({ "channels": [], "quiet_hours": { "start": "25:00", "end": "07:00" } });
    expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(bad_time)).await, 422).await;
    let unknown_channel =
        json!({ "channels": [{ "category": "chat", "channel": "fax", "enabled": true }], "quiet_hours": null });
    expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(unknown_channel)).await, 400).await;
    let extra_field = json!({ "channels": [], "quiet_hours": null, "user_id": owner.user_id });
    expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(extra_field)).await, 400).await;
    let preferences = expect(call(&app, Method::GET, PREFERENCES, &owner.token, None).await, 200).await;
    assert_eq!(choice(&preferences, "chat", "email")["enabled"], false);
    assert_eq!(preferences["quiet_hours"], Value::Null);
}

#[tokio::test]
async fn a_pair_listed_twice_keeps_the_last_choice_and_an_empty_quiet_period_is_none() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let twice = json!({ "channels": [
        { "category": "chat", "channel": "email", "enabled": true },
        { "category": "chat", "channel": "email", "enabled": false },
        { "category": "order", "channel": "sms", "enabled": true },
    ], "quiet_hours": { "start": "22:00", "end": "22:00" } });
    let saved = expect(call(&app, Method::PUT, PREFERENCES, &owner.token, Some(twice)).await, 200).await;
    assert_eq!(choice(&saved, "chat", "email")["enabled"], false);
    assert_eq!(choice(&saved, "order", "sms")["enabled"], true);
    assert_eq!(saved["quiet_hours"], Value::Null);
}

#[tokio::test]
async fn devices_are_registered_moved_capped_and_removed_by_their_owner_only() {
    let app = app().await;
    let owner = app.user(Role::PetOwner).await;
    let other = app.user(Role::PetOwner).await;
    let devices = "/api/v1/notifications/devices";
    let register = |token: &str| json!({ "token": token, "platform": "ios" });
    let device = expect(call(&app, Method::POST, devices, &owner.token, Some(register("phone-1"))).await, 201).await;
    assert_eq!(device["platform"], "ios");
    assert!(device.get("token").is_none(), "the token is not echoed");

    let path = format!("{devices}/{}", device["id"].as_str().unwrap());
    expect(call(&app, Method::DELETE, &path, &other.token, None).await, 404).await;
    // The same phone signed in as another user: the token moves.
    expect(call(&app, Method::POST, devices, &other.token, Some(register("phone-1"))).await, 201).await;
    expect(call(&app, Method::DELETE, &path, &owner.token, None).await, 404).await;
    expect(call(&app, Method::DELETE, &path, &other.token, None).await, 204).await;

    for n in 0..12 {
        expect(call(&app, Method::POST, devices, &owner.token, Some(register(&format!("tablet-{n}")))).await, 201)
            .await;
    }
    let mut connection = app.db.connect().await;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let kept: Vec<String> = db::schema::push_devices::table
        .filter(db::schema::push_devices::user_id.eq(owner.user_id))
        .select(db::schema::push_devices::token)
        .order(db::schema::push_devices::id.asc())
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(kept.len(), 10);
    assert_eq!(kept[0], "tablet-2", "the oldest devices are dropped");

    let empty = json!({ "token": "", "platform": "ios" });
    expect(call(&app, Method::POST, devices, &owner.token, Some(empty)).await, 422).await;
    let unknown = json!({ "token": "x", "platform": "blackberry" });
    expect(call(&app, Method::POST, devices, &owner.token, Some(unknown)).await, 400).await;
}

#[tokio::test]
async fn the_delivery_log_is_for_platform_admins_only() {
    let app = app().await;
    let path = "/api/v1/admin/notifications/deliveries";
    for role in [Role::PetOwner, Role::Veterinarian, Role::Receptionist, Role::ClinicAdmin] {
        let user = app.user(role).await;
        expect(call(&app, Method::GET, path, &user.token, None).await, 403).await;
    }
    let admin = app.user(Role::PlatformAdmin).await;
    let owner = app.user(Role::PetOwner).await;
    let mut connection = app.db.connect().await;
    notify(&mut connection, owner.user_id, &appointment("Rex")).await.unwrap();
    let filtered = format!("{path}?recipient_id={}&status=pending", owner.user_id);
    let log = expect(call(&app, Method::GET, &filtered, &admin.token, None).await, 200).await;
    let channels: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|item| item["channel"].as_str().unwrap()).collect();
    assert_eq!(channels.len(), 3, "email, SMS and push: {channels:?}");
    expect(call(&app, Method::GET, &format!("{path}?channel=fax"), &admin.token, None).await, 400).await;
}
