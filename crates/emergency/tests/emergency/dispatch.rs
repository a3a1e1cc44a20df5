//! Routing end to end: first accept wins among twenty vets; rounds, a wider
//! radius and the fallback, each step reaching the SMS and push fakes; vets
//! off shift, out of their radius or busy never offered.

use chrono::{Duration, Utc};
use futures_util::StreamExt;
use futures_util::future::join_all;
use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::{FCM_PATH, MessagingApis, TWILIO_PATH, fixtures};

use crate::fixtures::{app_with, north_of_pet, offered_vets, reachable, rows, run_jobs, scene_over, settings};

#[tokio::test]
async fn of_twenty_vets_accepting_at_once_exactly_one_wins() {
    let scene = scene_over(app_with(settings(|settings| settings.offers_per_round = 20)).await).await;
    let mut vets = Vec::new();
    for index in 0..20 {
        vets.push(scene.vet_available(north_of_pet(0.2 * f64::from(index)), 10.0).await);
    }
    let case = scene.open_case().await;
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(offered_vets(&scene.app, &id).await.len(), 20);
    let path = format!("/emergency-requests/{id}/accept");
    let answers = join_all(vets.iter().map(|vet| scene.app.api(Method::POST, &path).by(vet).send())).await;
    let statuses: Vec<u16> = answers.iter().map(|answer| answer.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|&&status| status == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&status| status == 409).count(), 19, "{statuses:?}");
    let winner = &vets[statuses.iter().position(|&status| status == 200).unwrap()];

    let seen = scene.case_as(&scene.owner, &id).await;
    assert_eq!(seen["status"], "accepted");
    assert_eq!(seen["responder"]["vet_id"], winner.user_id.to_string());
    assert_eq!(seen["responder"]["clinic_name"], "Bellecour Urgences");
    let conversation = seen["conversation_id"].as_str().expect("a conversation was opened");
    let messages = scene
        .app
        .api(Method::GET, &format!("/chat/conversations/{conversation}/messages"))
        .by(&scene.owner)
        .expect(200)
        .await;
    assert!(messages["items"][0]["body"].as_str().unwrap().contains("dark chocolate"), "{messages}");
    let told = rows(
        &scene.app,
        &format!("SELECT title AS value FROM notifications WHERE recipient_id = '{}'", scene.owner.user_id),
    )
    .await;
    assert!(told.iter().any(|title| title.contains("is taking Rex's emergency")), "{told:?}");
    assert!(offered_vets(&scene.app, &id).await.is_empty(), "the other offers were withdrawn");

    let summary = scene.case_as(winner, &id).await;
    assert!(summary["patient"]["description"].as_str().unwrap().contains("dog"), "{summary}");
    let care = rows(&scene.app, &format!("SELECT source AS value FROM pet_care WHERE pet_id = '{}'", scene.pet)).await;
    assert_eq!(care, vec!["emergency"], "the vet's clinic may now see Rex's records");
    scene.app.api(Method::GET, &format!("/pets/{}/records", scene.pet)).by(winner).expect(200).await;
}

#[tokio::test]
async fn rounds_widen_the_radius_then_send_the_owner_to_an_emergency_clinic() {
    let rounds = settings(|settings| {
        settings.offers_per_round = 1;
        settings.radius_steps_km = vec![5.0, 15.0];
    });
    let scene = scene_over(app_with(rounds.clone()).await).await;
    let apis = MessagingApis::start().await;
    apis.accept_everything().await;
    let app = &scene.app;
    reachable(app, &scene.owner, "+33600000001").await;
    let first = scene.vet_available(north_of_pet(2.0), 10.0).await;
    let second = scene.vet_available(north_of_pet(4.0), 10.0).await;
    let wider = scene.vet_available(north_of_pet(10.0), 20.0).await;
    let out_of_radius = scene.vet_available(north_of_pet(3.0), 1.0).await;
    let off_shift = fixtures::staff(app, &scene.admin, &scene.clinic, Role::Veterinarian).await;
    let later = Utc::now() + Duration::hours(3);
    let shift = json!({ "clinic_id": scene.clinic, "starts_at": later, "ends_at": later + Duration::hours(8), "radius_km": 30.0 });
    app.api(Method::POST, "/vets/me/on-call/shifts").by(&off_shift).json(&shift).expect(201).await;
    let busy = scene.vet_available(north_of_pet(0.5), 10.0).await;
    let other = scene.neighbours_case(0.5).await;
    app.api(Method::POST, &format!("/emergency-requests/{other}/accept")).by(&busy).expect(200).await;
    for (vet, phone) in [(&first, "+33600000011"), (&second, "+33600000012"), (&wider, "+33600000013")] {
        reachable(app, vet, phone).await;
    }

    let case = scene.open_case().await;
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(offered_vets(app, &id).await, vec![first.user_id.to_string()], "round 1: the nearest");
    run_jobs(app, &rounds, &apis).await;
    assert!(apis.bodies_to(TWILIO_PATH).await.iter().any(|sms| sms.contains("%2B33600000011")), "round 1 by SMS");

    testkit::make_jobs_due(&mut app.db.connect().await).await;
    run_jobs(app, &rounds, &apis).await;
    assert_eq!(offered_vets(app, &id).await, vec![second.user_id.to_string()], "round 2: the next nearest");
    assert_eq!(scene.case_as(&scene.owner, &id).await["search_radius_km"], 5.0);
    testkit::make_jobs_due(&mut app.db.connect().await).await;
    run_jobs(app, &rounds, &apis).await;
    assert_eq!(offered_vets(app, &id).await, vec![wider.user_id.to_string()], "round 3: a wider radius");
    assert_eq!(scene.case_as(&scene.owner, &id).await["search_radius_km"], 15.0);
    testkit::make_jobs_due(&mut app.db.connect().await).await;
    run_jobs(app, &rounds, &apis).await;

    run_jobs(app, &rounds, &apis).await; // the owner's messages, enqueued by the last round
    let ended = scene.case_as(&scene.owner, &id).await;
    assert_eq!(ended["status"], "expired");
    assert_eq!(ended["round"], 3);
    assert_eq!(ended["fallback_clinics"][0]["name"], "Bellecour Urgences");
    assert_eq!(ended["fallback_clinics"][0]["phone"], "+33140000000");
    let sms = apis.bodies_to(TWILIO_PATH).await;
    for phone in ["%2B33600000012", "%2B33600000013", "%2B33600000001"] {
        assert!(sms.iter().any(|body| body.contains(phone)), "an SMS to {phone}: {sms:?}");
    }
    assert!(apis.bodies_to(FCM_PATH).await.len() >= 4, "every step also went by push");
    let ever_offered =
        rows(app, &format!("SELECT vet_id::text AS value FROM emergency_offers WHERE case_id = '{id}'")).await;
    for never in [&out_of_radius, &off_shift, &busy] {
        assert!(!ever_offered.contains(&never.user_id.to_string()), "{} was offered", never.subject);
    }
    let audit = rows(app, &format!("SELECT action AS value FROM audit_log WHERE target_id = '{id}'")).await;
    assert!(audit.contains(&"emergency.expired".to_owned()), "{audit:?}");
    testkit::make_jobs_due(&mut app.db.connect().await).await;
    run_jobs(app, &rounds, &apis).await;
    assert_eq!(scene.case_as(&scene.owner, &id).await["status"], "expired", "a late deadline changes nothing");
}

#[tokio::test]
async fn a_vet_declines_and_the_next_round_starts_at_once_then_the_case_runs_to_resolved() {
    let scene = scene_over(app_with(settings(|settings| settings.offers_per_round = 1)).await).await;
    let app = &scene.app;
    let near = scene.vet_available(north_of_pet(1.0), 10.0).await;
    let next = scene.vet_available(north_of_pet(2.0), 10.0).await;
    let case = scene.open_case().await;
    let path = format!("/emergency-requests/{}", case["id"].as_str().unwrap());
    app.api(Method::POST, &format!("{path}/accept")).by(&next).expect(404).await;
    app.api(Method::POST, &format!("{path}/decline"))
        .by(&near)
        .json(&json!({ "reason": "in surgery" }))
        .expect(204)
        .await;
    app.api(Method::POST, &format!("{path}/decline")).by(&near).json(&json!({ "reason": "again" })).expect(409).await;
    let accepted = app.api(Method::POST, &format!("{path}/accept")).by(&next).expect(200).await;
    assert_eq!(accepted["round"], 2);
    let report = |status: &str| json!({ "status": status });
    app.api(Method::POST, &format!("{path}/progress")).by(&scene.owner).json(&report("en_route")).expect(403).await;
    app.api(Method::POST, &format!("{path}/progress")).by(&next).json(&report("en_route")).expect(200).await;
    app.api(Method::POST, &format!("{path}/progress")).by(&next).json(&report("resolved")).expect(422).await;
    app.api(Method::POST, &format!("{path}/progress")).by(&next).json(&report("at_clinic")).expect(200).await;
    app.api(Method::POST, &format!("{path}/cancel")).by(&scene.owner).expect(409).await;
    let resolved = json!({ "status": "resolved", "outcome": "Induced vomiting; home tonight." });
    let done = app.api(Method::POST, &format!("{path}/progress")).by(&next).json(&resolved).expect(200).await;
    assert_eq!(done["status"], "resolved");
    app.api(Method::POST, &format!("{path}/progress")).by(&next).json(&report("en_route")).expect(409).await;
    let audit = rows(
        app,
        &format!("SELECT action AS value FROM audit_log WHERE target_id = '{}'", case["id"].as_str().unwrap()),
    )
    .await;
    for action in ["emergency.requested", "emergency.declined", "emergency.accepted", "emergency.progressed"] {
        assert!(audit.iter().any(|logged| logged == action), "{action} in {audit:?}");
    }
}

#[tokio::test]
async fn the_owner_follows_the_case_live_on_the_chat_socket() {
    let scene = scene_over(app_with(settings(|_| {})).await).await;
    let app = &scene.app;
    let vet = scene.vet_available(north_of_pet(1.0), 10.0).await;
    let case = scene.open_case().await;
    let ticket = app.api(Method::POST, "/chat/ws-ticket").by(&scene.owner).expect(201).await;
    let url =
        format!("{}/api/v1/chat/ws?ticket={}", app.address.replace("http", "ws"), ticket["ticket"].as_str().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    app.api(Method::POST, &format!("/emergency-requests/{}/accept", case["id"].as_str().unwrap()))
        .by(&vet)
        .expect(200)
        .await;
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let frame = socket.next().await.unwrap().unwrap();
            let Ok(text) = frame.into_text() else { continue };
            let event: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            if event["type"] == "emergency.updated" {
                return event;
            }
        }
    })
    .await
    .expect("an emergency.updated event within 10 s");
    assert_eq!(event["case_id"], case["id"]);
    assert_eq!(event["status"], "accepted");
}

#[tokio::test]
async fn within_the_nearest_kilometre_the_vet_with_fewer_offers_waiting_goes_first() {
    let scene = scene_over(app_with(settings(|settings| settings.offers_per_round = 1)).await).await;
    let app = &scene.app;
    let loaded = scene.vet_available(north_of_pet(1.2), 10.0).await;
    let idle = scene.vet_available(north_of_pet(1.6), 10.0).await;
    let other = scene.neighbours_case(1.2).await;
    assert_eq!(offered_vets(app, &other).await, vec![loaded.user_id.to_string()], "at 0 km, the nearer of two idle");

    let case = scene.open_case().await;
    let offered = offered_vets(app, case["id"].as_str().unwrap()).await;
    assert_eq!(offered, vec![idle.user_id.to_string()], "both 1 km away: the one with no offer waiting");
}

#[tokio::test]
async fn a_vet_who_left_the_clinic_is_not_offered_its_cases() {
    let scene = scene_over(app_with(settings(|settings| settings.offers_per_round = 1)).await).await;
    let app = &scene.app;
    let left = scene.vet_available(north_of_pet(0.5), 10.0).await;
    let stays = scene.vet_available(north_of_pet(3.0), 10.0).await;
    app.api(Method::DELETE, &format!("/clinics/{}/staff/{}", scene.clinic, left.user_id))
        .by(&scene.admin)
        .expect(204)
        .await;
    let case = scene.open_case().await;
    let offered = offered_vets(app, case["id"].as_str().unwrap()).await;
    assert_eq!(offered, vec![stays.user_id.to_string()], "the nearer vet no longer works there");
}
