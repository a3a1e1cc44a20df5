//! Writing, sending and unsubscribing: only clients who opted in receive a
//! campaign (through the real SMTP server), each email carries a one-click
//! unsubscribe that works without signing in, once, idempotently.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{address_of, scene};

/// The messages received for `address`.
fn to(messages: &[String], address: &str) -> Vec<String> {
    messages.iter().filter(|message| message.contains(&format!("To: {address}"))).cloned().collect()
}

fn header(message: &str, name: &str) -> Option<String> {
    let parsed = mailparse::parse_mail(message.as_bytes()).unwrap();
    parsed.headers.iter().find(|header| header.get_key().eq_ignore_ascii_case(name)).map(|header| header.get_value())
}

fn text_of(message: &str) -> String {
    let parsed = mailparse::parse_mail(message.as_bytes()).unwrap();
    parsed.subparts.iter().find(|part| part.ctype.mimetype == "text/plain").unwrap().get_body().unwrap()
}

#[tokio::test]
async fn only_clients_who_opted_in_receive_a_campaign_and_unsubscribe_in_one_click() {
    let scene = scene().await;
    let (ann, _) = scene.client("dog", true).await;
    let (bob, _) = scene.client("cat", false).await;
    let (cy, _) = scene.client("dog", true).await;
    // Opted in, but a client of another clinic only.
    let elsewhere = testkit::fixtures::clinic(
        &scene.app,
        &scene.platform_admin,
        testkit::fixtures::clinic_profile("Elsewhere", 45.76, 4.84, "Europe/Paris"),
    )
    .await;
    let (dee, dees_dog) = testkit::fixtures::owner_with_dog(&scene.app, "Dee's dog").await;
    testkit::fixtures::register_with_clinic(&scene.app, &dee, &dees_dog, &elsewhere).await;
    crate::fixtures::opt_in(&scene.app, &dee).await;

    let campaign = scene.campaign(json!({})).await;
    assert_eq!(scene.preview(&campaign).await, (3, 2), "Ann, Bob and Cy match; Bob did not opt in");
    assert!(scene.get_campaign(&campaign).await["counts"].is_null(), "no counts before sending");
    scene.send_now(&campaign).await;

    let messages = scene.campaign_mail();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(to(&messages, &address_of(&bob)).is_empty(), "no consent, no campaign");
    assert!(to(&messages, &address_of(&dee)).is_empty(), "not a client of this clinic");
    let ann_mail = to(&messages, &address_of(&ann)).pop().unwrap();
    assert_eq!(to(&messages, &address_of(&cy)).len(), 1);
    assert_eq!(header(&ann_mail, "Subject").as_deref(), Some("Spring vaccination week"));
    assert!(header(&ann_mail, "From").unwrap().contains("Happy Paws"), "the clinic is the author");
    let body = text_of(&ann_mail);
    assert!(body.contains("Book a booster before April.") && body.contains("We are open on Saturdays too."), "{body}");
    let list_unsubscribe = header(&ann_mail, "List-Unsubscribe").expect("a List-Unsubscribe header");
    assert_eq!(header(&ann_mail, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let link = list_unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    assert!(body.contains(&link), "the text carries the same link");
    let path = format!("/api/v1{}", link.split_once("/api/v1").unwrap().1);

    let sent = scene.get_campaign(&campaign).await;
    assert_eq!(sent["status"], "sent");
    let counts = &sent["counts"];
    assert_eq!(
        [
            &counts["audience"],
            &counts["without_consent"],
            &counts["recipients"],
            &counts["sent"],
            &counts["unsubscribed"]
        ],
        [&json!(3), &json!(1), &json!(2), &json!(2), &json!(0)],
        "{sent}"
    );

    // The link's page asks before it acts, without signing in.
    let page = scene.app.client.get(scene.app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains(r#"<form method="post">"#));
    // One click (RFC 8058), without a token; again, the same answer and no second count.
    for _ in 0..2 {
        let done = scene
            .app
            .client
            .post(scene.app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 200);
        let done: Value = done.json().await.unwrap();
        assert_eq!((done["unsubscribed"].clone(), done["clinic_name"].clone()), (json!(true), json!("Happy Paws")));
    }
    assert_eq!(scene.get_campaign(&campaign).await["counts"]["unsubscribed"], 1);
    let choices: Value = scene.app.api(Method::GET, "/notifications/preferences").by(&ann).expect_json(200).await;
    let marketing_on = choices["channels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|choice| choice["category"] == "marketing" && choice["enabled"] == true);
    assert!(!marketing_on, "{choices}");

    // A forged or altered link is not one.
    let (head, tail) = path.split_at(path.len() - 1);
    let altered = format!("{head}{}", if tail == "0" { "1" } else { "0" });
    for bad in [altered.as_str(), "/api/v1/unsubscribe/nothing", "/api/v1/unsubscribe/00"] {
        let refused = scene.app.client.post(scene.app.url(bad)).send().await.unwrap();
        assert_eq!(refused.status(), 404, "{bad}");
    }

    // The next campaign reaches Cy only.
    let next = scene.campaign(json!({})).await;
    assert_eq!(scene.preview(&next).await, (3, 1));
    scene.send_now(&next).await;
    let messages = scene.campaign_mail();
    assert_eq!((to(&messages, &address_of(&ann)).len(), to(&messages, &address_of(&cy)).len()), (1, 2));
}

#[tokio::test]
async fn a_campaign_is_edited_until_it_sends_and_cancelled_before_it_does() {
    let scene = scene().await;
    let (owner, _) = scene.client("dog", true).await;
    let campaign = scene.campaign(json!({ "species": ["dog"] })).await;
    let path = scene.campaign_path(&campaign);
    let edit =
        json!({ "name": "Spring", "subject": "Boosters", "body": "Come in.", "audience": { "species": ["cat"] } });
    let edited = scene.app.api(Method::PUT, &path).by(&scene.admin).json(&edit).expect(200).await;
    assert_eq!(edited["audience"]["species"], json!(["cat"]));
    assert_eq!(scene.preview(&campaign).await, (0, 0));

    // Only the clinic's admins write campaigns; a bad audience or a past time is 422.
    scene.app.api(Method::GET, &scene.campaigns()).by(&owner).expect(403).await;
    let bad = json!({ "name": "x", "subject": "y", "body": "z", "audience": { "vaccination_due_within_days": 9999 } });
    scene.app.api(Method::POST, &scene.campaigns()).by(&scene.admin).json(&bad).expect(422).await;
    let past = json!({ "send_at": "2020-01-01T00:00:00Z" });
    scene.app.api(Method::POST, &format!("{path}/schedule")).by(&scene.admin).json(&past).expect(422).await;

    // Scheduled for later, then cancelled: it never starts.
    let later = json!({ "send_at": chrono::Utc::now() + chrono::Duration::days(2) });
    let scheduled =
        scene.app.api(Method::POST, &format!("{path}/schedule")).by(&scene.admin).json(&later).expect(200).await;
    assert_eq!(scheduled["status"], "scheduled");
    scene.app.api(Method::POST, &format!("{path}/cancel")).by(&scene.admin).expect(200).await;
    scene.app.api(Method::POST, &format!("{path}/cancel")).by(&scene.admin).expect(409).await;
    scene.app.api(Method::PUT, &path).by(&scene.admin).json(&edit).expect(409).await;
    testkit::make_jobs_due(&mut scene.app.db.connect().await).await;
    scene.run_jobs().await;
    assert_eq!(scene.get_campaign(&campaign).await["status"], "cancelled");
    assert!(scene.campaign_mail().is_empty());

    let listed: Value = scene.app.api(Method::GET, &scene.campaigns()).by(&scene.admin).expect_json(200).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let unknown = scene.campaign_path(&uuid::Uuid::now_v7().to_string());
    scene.app.api(Method::GET, &unknown).by(&scene.admin).expect(404).await;
    // A platform admin may write for any clinic, but not for one that does not exist.
    let draft = json!({ "name": "x", "subject": "y", "body": "z" });
    let nowhere = format!("/clinics/{}/campaigns", uuid::Uuid::now_v7());
    scene.app.api(Method::POST, &nowhere).by(&scene.platform_admin).json(&draft).expect(404).await;
}

#[tokio::test]
async fn a_recipient_in_quiet_hours_gets_the_campaign_when_they_end() {
    let scene = scene().await;
    let (awake, _) = scene.client("dog", true).await;
    let (asleep, _) = scene.client("dog", true).await;
    let (leaving, _) = scene.client("dog", true).await;
    // Quiet from two hours ago to two hours ahead, in their zone (UTC: none set).
    let now = chrono::Utc::now();
    let quiet = json!({
        "channels": [{ "category": "marketing", "channel": "email", "enabled": true }],
        "quiet_hours": { "start": (now - chrono::Duration::hours(2)).format("%H:%M").to_string(),
                         "end": (now + chrono::Duration::hours(2)).format("%H:%M").to_string() },
    });
    for sleeper in [&asleep, &leaving] {
        scene.app.api(Method::PUT, "/notifications/preferences").by(sleeper).json(&quiet).expect(200).await;
    }

    let campaign = scene.campaign(json!({})).await;
    scene.send_now(&campaign).await;
    let messages = scene.campaign_mail();
    assert_eq!((to(&messages, &address_of(&awake)).len(), to(&messages, &address_of(&asleep)).len()), (1, 0));
    let counts = scene.get_campaign(&campaign).await["counts"].clone();
    assert_eq!((counts["sent"].clone(), counts["pending"].clone()), (json!(1), json!(2)), "{counts}");

    // One unsubscribes (from an earlier email's link) before their quiet hours end.
    let settings: outreach::Settings = scene.config.section().unwrap();
    let id = kernel::CampaignId(campaign.parse().unwrap());
    let link = format!("/api/v1/unsubscribe/{}", outreach::unsubscribe::token(&settings, id, leaving.user_id));
    assert_eq!(scene.app.client.post(scene.app.url(&link)).send().await.unwrap().status(), 200);

    // When the quiet hours end, it goes to the other one only.
    testkit::make_jobs_due(&mut scene.app.db.connect().await).await;
    scene.run_jobs().await;
    let messages = scene.campaign_mail();
    assert_eq!((to(&messages, &address_of(&asleep)).len(), to(&messages, &address_of(&leaving)).len()), (1, 0));
    let counts = scene.get_campaign(&campaign).await["counts"].clone();
    assert_eq!(
        [&counts["sent"], &counts["failed"], &counts["pending"], &counts["unsubscribed"]],
        [&json!(2), &json!(1), &json!(0), &json!(1)],
        "the unsubscribed one's email was skipped: {counts}"
    );
}
