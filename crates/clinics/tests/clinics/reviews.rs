//! Reviews, answers, moderation, and the rating aggregates.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{admin, app, clinic, profile, staff};

/// Records a completed visit of `owner` at `clinic`, as scheduling does.
async fn visited(app: &TestApp, clinic: &str, owner: &TestUser) {
    let mut connection = app.db.connect().await;
    let clinic = kernel::ClinicId(clinic.parse().unwrap());
    clinics::visits::record(&mut connection, clinic, owner.user_id, chrono::Utc::now()).await.unwrap();
}

fn rating(clinic: &Value) -> (i64, Option<f64>, Vec<i64>) {
    let rating = &clinic["rating"];
    let distribution = rating["distribution"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).collect();
    (rating["count"].as_i64().unwrap(), rating["average"].as_f64(), distribution)
}

#[tokio::test]
async fn aggregates_follow_new_reviews_edits_and_hides() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let manager = staff(&app, &admin, &id, Role::ClinicAdmin).await;
    let mine = format!("/api/v1/clinics/{id}/reviews/mine");
    let (ada, bob) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    visited(&app, &id, &ada).await;
    visited(&app, &id, &bob).await;
    let first = expect(
        app.call(Method::PUT, &mine, &ada.token, Some(json!({ "rating": 5, "body": "Kind and quick." }))).await,
        200,
    )
    .await;
    expect(app.call(Method::PUT, &mine, &bob.token, Some(json!({ "rating": 2, "body": "Long wait." }))).await, 200)
        .await;
    let clinic_path = format!("/api/v1/clinics/{id}");
    assert_eq!(rating(&expect(app.get(&clinic_path).await, 200).await), (2, Some(3.5), vec![0, 1, 0, 0, 1]));

    // One review per owner: writing again edits it.
    let edited =
        expect(app.call(Method::PUT, &mine, &ada.token, Some(json!({ "rating": 4, "body": "Kind." }))).await, 200)
            .await;
    assert_eq!(edited["id"], first["id"]);
    assert_eq!(rating(&expect(app.get(&clinic_path).await, 200).await), (2, Some(3.0), vec![0, 1, 0, 1, 0]));

    let bobs = expect(app.get(&format!("/api/v1/clinics/{id}/reviews")).await, 200).await;
    let bobs_id = bobs["items"].as_array().unwrap().iter().find(|review| review["rating"] == 2).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let review_path = format!("/api/v1/clinics/{id}/reviews/{bobs_id}");
    let answer = json!({ "text": "Sorry, we now text you when the vet is ready." });
    let answered =
        expect(app.call(Method::PUT, &format!("{review_path}/response"), &manager.token, Some(answer)).await, 200)
            .await;
    assert!(answered["response"].as_str().unwrap().starts_with("Sorry"));
    let flag = json!({ "text": "The owner never visited." });
    expect(app.call(Method::POST, &format!("{review_path}/flag"), &manager.token, Some(flag.clone())).await, 200).await;
    expect(app.call(Method::POST, &format!("{review_path}/flag"), &bob.token, Some(flag)).await, 403).await;

    let hide = json!({ "hidden": true });
    expect(app.call(Method::PUT, &format!("{review_path}/visibility"), &manager.token, Some(hide.clone())).await, 403)
        .await;
    expect(app.call(Method::PUT, &format!("{review_path}/visibility"), &admin.token, Some(hide)).await, 200).await;
    assert_eq!(rating(&expect(app.get(&clinic_path).await, 200).await), (1, Some(4.0), vec![0, 0, 0, 1, 0]));
    let public = expect(app.get(&format!("/api/v1/clinics/{id}/reviews")).await, 200).await;
    assert_eq!(public["items"].as_array().unwrap().len(), 1, "hidden reviews are not public");
    let staff_view =
        expect(app.call(Method::GET, &format!("/api/v1/clinics/{id}/reviews"), &manager.token, None).await, 200).await;
    assert_eq!(staff_view["items"].as_array().unwrap().len(), 2);
    assert!(!public.to_string().contains("@example.com"), "authors' emails must not show");

    // Editing does not lift the hold.
    let edit = json!({ "rating": 3, "body": "Better now." });
    let still_hidden = expect(app.call(Method::PUT, &mine, &bob.token, Some(edit)).await, 200).await;
    assert_eq!(still_hidden["hidden"], true);
    assert_eq!(rating(&expect(app.get(&clinic_path).await, 200).await), (1, Some(4.0), vec![0, 0, 0, 1, 0]));

    let restore = json!({ "hidden": false });
    expect(app.call(Method::PUT, &format!("{review_path}/visibility"), &admin.token, Some(restore)).await, 200).await;
    assert_eq!(rating(&expect(app.get(&clinic_path).await, 200).await), (2, Some(3.5), vec![0, 0, 1, 1, 0]));
}

#[tokio::test]
async fn out_of_range_ratings_abusive_text_and_staff_reviews_are_refused() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let mine = format!("/api/v1/clinics/{id}/reviews/mine");
    let owner = app.user(Role::PetOwner).await;
    visited(&app, &id, &owner).await;
    for rating in [0, 6] {
        expect(app.call(Method::PUT, &mine, &owner.token, Some(json!({ "rating": rating }))).await, 422).await;
    }
    let too_long = json!({ "rating": 1, "body": "x".repeat(2001) });
    expect(app.call(Method::PUT, &mine, &owner.token, Some(too_long)).await, 422).await;
    let stranger_vet = app.user(Role::Veterinarian).await;
    let draft = json!({ "rating": 5, "vet_id": stranger_vet.user_id });
    expect(app.call(Method::PUT, &mine, &owner.token, Some(draft)).await, 404).await;
    // Links and shouting runs are held, hidden, for a moderator: they do not count.
    for body in ["Visit https://spam.example now", "AWFUL!!!!!!!!"] {
        let held =
            expect(app.call(Method::PUT, &mine, &owner.token, Some(json!({ "rating": 1, "body": body }))).await, 200)
                .await;
        assert_eq!((held["hidden"].as_bool(), held["flagged"].as_bool()), (Some(true), Some(true)), "{body}");
    }
    let vet = staff(&app, &admin, &id, Role::Veterinarian).await;
    expect(app.call(Method::PUT, &mine, &vet.token, Some(json!({ "rating": 5 }))).await, 403).await;
    let clinic = expect(app.get(&format!("/api/v1/clinics/{id}")).await, 200).await;
    assert_eq!(clinic["rating"]["count"], 0);
}

#[tokio::test]
async fn reviews_from_visits_are_verified_and_others_are_held_or_refused() {
    let app = app().await;
    let admin = admin(&app).await;
    let id = clinic(&app, &admin, profile("Happy Paws", 48.86, 2.34, "Europe/Paris")).await;
    let mine = format!("/api/v1/clinics/{id}/reviews/mine");
    let (client, stranger) = (app.user(Role::PetOwner).await, app.user(Role::PetOwner).await);
    visited(&app, &id, &client).await;
    let verified =
        expect(app.call(Method::PUT, &mine, &client.token, Some(json!({ "rating": 5, "body": "Great." }))).await, 200)
            .await;
    assert_eq!((verified["verified_visit"].as_bool(), verified["hidden"].as_bool()), (Some(true), Some(false)));
    let held = expect(
        app.call(Method::PUT, &mine, &stranger.token, Some(json!({ "rating": 1, "body": "Awful." }))).await,
        200,
    )
    .await;
    assert_eq!((held["verified_visit"].as_bool(), held["hidden"].as_bool()), (Some(false), Some(true)));
    let shown = expect(app.get(&format!("/api/v1/clinics/{id}")).await, 200).await;
    assert_eq!((shown["rating"]["count"].as_i64(), shown["rating"]["verified_count"].as_i64()), (Some(1), Some(1)));

    // A clinic that refuses unverified reviews: 403, and nothing stored.
    let mut strict = profile("Happy Paws", 48.86, 2.34, "Europe/Paris");
    strict["refuse_unverified_reviews"] = json!(true);
    expect(app.call(Method::PUT, &format!("/api/v1/clinics/{id}"), &admin.token, Some(strict)).await, 200).await;
    let newcomer = app.user(Role::PetOwner).await;
    let draft = json!({ "rating": 1, "body": "Never been." });
    expect(app.call(Method::PUT, &mine, &newcomer.token, Some(draft)).await, 403).await;
    let all =
        expect(app.call(Method::GET, &format!("/api/v1/clinics/{id}/reviews"), &admin.token, None).await, 200).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "the refused review was not stored");
}
