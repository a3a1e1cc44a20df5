//! The assistant: rules with no model, a streamed model answer, fallback on a
//! model error or timeout, no doses, the daily limit, staff summaries.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use testkit::ModelServer;

use crate::fixtures::{Scene, Socket, app_with, run_jobs, scene, scene_over};

/// The scene with the assistant pointed at `model` (timeout `timeout_ms`).
async fn scene_with_model(model: &ModelServer, timeout_ms: u64) -> (Scene, chat::Settings) {
    let base_url = model.base_url();
    let adjust = move |settings: &mut chat::Settings| {
        settings.assistant.base_url = Some(base_url.clone());
        settings.assistant.timeout_ms = timeout_ms;
    };
    let app = app_with(adjust.clone()).await;
    let mut settings: chat::Settings = app.section();
    adjust(&mut settings);
    (scene_over(app).await, settings)
}

/// The owner asks `question` in a new assistant conversation; the stored answer after the jobs ran.
async fn ask(scene: &Scene, settings: chat::Settings, question: &str) -> (String, serde_json::Value) {
    let conversation = scene.open_assistant().await;
    let path = format!("/chat/conversations/{conversation}/messages");
    let sent = scene.app.api(Method::POST, &path).by(&scene.owner).json(&json!({ "body": question })).expect(201).await;
    assert_eq!(sent["reply"], json!(null), "no red flag: answered by the job");
    run_jobs(&scene.app, settings).await;
    let history = scene.app.api(Method::GET, &path).by(&scene.owner).expect(200).await;
    let answer = history["items"][0].clone();
    assert_eq!(answer["reply_to_id"], sent["message"]["id"]);
    (conversation, answer)
}

#[tokio::test]
async fn with_no_model_the_rules_answer_with_the_caveat_and_never_a_dose() {
    let scene = scene().await;
    let (_, answer) = ask(&scene, scene.app.section(), "Rex has been vomiting since this morning").await;
    assert_eq!((answer["generated_by"].clone(), answer["model"].clone()), (json!("rules"), json!(null)));
    assert!(answer["body"].as_str().unwrap().starts_with("About Rex:"), "{answer}");
    assert!(answer["caveat"].as_str().unwrap().contains("not a diagnosis"));
    let (_, dose) = ask(&scene, scene.app.section(), "How many mg of meloxicam can I give him?").await;
    assert!(dose["body"].as_str().unwrap().contains("can't give medication doses"), "{dose}");
}

#[tokio::test]
async fn a_models_answer_streams_to_the_socket_and_is_stored_with_its_provenance() {
    let model = ModelServer::answering(&["Ear ", "mites ", "are common; ", "ask your vet."]).await;
    let (scene, settings) = scene_with_model(&model, 5000).await;
    let mut socket = Socket::open(&scene.app, &scene.owner, None).await;
    let (conversation, answer) = ask(&scene, settings, "Why does Rex scratch his ear?").await;
    let mut streamed = String::new();
    while streamed.len() < answer["body"].as_str().unwrap().len() {
        let part = socket.next_of("assistant.delta").await;
        assert_eq!(part["conversation_id"], conversation.as_str());
        streamed.push_str(part["text"].as_str().unwrap());
    }
    assert_eq!(streamed, "Ear mites are common; ask your vet.");
    assert_eq!(answer["body"], streamed.as_str());
    assert_eq!((answer["generated_by"].clone(), answer["model"].clone()), (json!("model"), json!("gpt-4o-mini")));
    let created = socket.next_of("message.created").await;
    assert_eq!(created["message"]["id"], answer["id"]);

    // What the model was told: the pet as its owner sees it, the rules, the question.
    let asked = &model.requests().await[0];
    let system = asked["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("Never give medication doses") && system.contains("Rex"), "{system}");
    assert_eq!(asked["messages"].as_array().unwrap().last().unwrap()["content"], "Why does Rex scratch his ear?");
    assert_eq!(asked["stream"], true);
}

#[tokio::test]
async fn a_model_error_or_timeout_falls_back_to_the_rules_within_the_timeout() {
    let failing = ModelServer::failing(500).await;
    let (scene, settings) = scene_with_model(&failing, 5000).await;
    let (_, answer) = ask(&scene, settings, "Is chicken good food for him?").await;
    assert_eq!(answer["generated_by"], "rules");

    let slow = ModelServer::slow(Duration::from_secs(10)).await;
    let (scene, settings) = scene_with_model(&slow, 300).await;
    let started = Instant::now();
    let (_, answer) = ask(&scene, settings, "Is chicken good food for him?").await;
    assert_eq!(answer["generated_by"], "rules");
    assert!(started.elapsed() < Duration::from_secs(5), "answered by the rules after the 300 ms timeout");
}

#[tokio::test]
async fn a_model_answer_giving_a_dose_is_replaced_by_the_rules() {
    let model = ModelServer::answering(&["Give him 5 mg ", "twice a day."]).await;
    let (scene, settings) = scene_with_model(&model, 5000).await;
    let (_, answer) = ask(&scene, settings, "He seems in pain after his walk").await;
    assert_eq!(answer["generated_by"], "rules");
    assert!(!answer["body"].as_str().unwrap().contains("5 mg"));
}

#[tokio::test]
async fn the_daily_limit_answers_429_and_stores_nothing() {
    let scene = scene_over(app_with(|settings| settings.assistant.daily_limit = 2).await).await;
    let conversation = scene.open_assistant().await;
    let path = format!("/chat/conversations/{conversation}/messages");
    for question in ["one?", "two?"] {
        scene.app.api(Method::POST, &path).by(&scene.owner).json(&json!({ "body": question })).expect(201).await;
    }
    let limited = scene.app.api(Method::POST, &path).by(&scene.owner).json(&json!({ "body": "three?" })).send().await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
    let history = scene.app.api(Method::GET, &path).by(&scene.owner).expect(200).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn staff_get_a_summary_owners_do_not() {
    let scene = scene().await;
    let conversation = scene.open().await;
    crate::fixtures::send(&scene.app, &scene.owner, &conversation, "Rex collapsed after his walk").await;
    crate::fixtures::send(&scene.app, &scene.vet, &conversation, "Bring him in now.").await;
    let path = format!("/chat/conversations/{conversation}/summary");
    scene.app.api(Method::POST, &path).by(&scene.owner).expect(403).await;
    let summary = scene.app.api(Method::POST, &path).by(&scene.vet).expect(200).await;
    assert_eq!(summary["generated_by"], "rules");
    assert_eq!(summary["red_flags"][0]["code"], "collapse");
    assert!(summary["summary"].as_str().unwrap().contains("Bring him in now."), "{summary}");
}
