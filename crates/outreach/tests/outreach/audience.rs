//! An audience chooses the clinic's clients by species, last visit,
//! vaccination due and wellness plan, each asked of the crate that owns it.

use kernel::{ClinicId, Role};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::scene;

#[tokio::test]
async fn an_audience_chooses_clients_by_species_last_visit_vaccination_and_plan() {
    let scene = scene().await;
    let vet = testkit::fixtures::staff(&scene.app, &scene.platform_admin, &scene.clinic, Role::Veterinarian).await;
    // Ann: a dog, lapsed, a vaccination due in 10 days, in a plan.
    // Bob: a cat, seen yesterday. Cy: a dog, never seen, a vaccination due in 100 days.
    // Dee: a cat, lapsed, not opted in.
    let (ann, anns_dog) = scene.client("dog", true).await;
    let (bob, _) = scene.client("cat", true).await;
    let (_, cys_dog) = scene.client("dog", true).await;
    let (dee, _) = scene.client("cat", false).await;
    // Eve: co-owner of Ann's dog (never seen herself).
    let eve = scene.app.user(Role::PetOwner).await;
    let invitation: Value = scene
        .app
        .api(Method::POST, &format!("/pets/{anns_dog}/co-owners"))
        .by(&ann)
        .json(&json!({ "user_id": eve.user_id }))
        .expect_json(202)
        .await;
    let accept = format!("/pet-invitations/{}/accept", testkit::fixtures::id_of(&invitation));
    scene.app.api(Method::POST, &accept).by(&eve).expect(204).await;
    crate::fixtures::opt_in(&scene.app, &eve).await;
    let today = chrono::Utc::now().date_naive();
    for (pet, due_in) in [(&anns_dog, 10), (&cys_dog, 100)] {
        let due = today + chrono::Duration::days(due_in);
        let record = json!({ "record_date": today - chrono::Duration::days(300), "clinic_id": scene.clinic,
                             "details": { "type": "vaccination", "vaccine": "Rabies", "next_due": due } });
        scene.app.api(Method::POST, &format!("/pets/{pet}/records")).by(&vet).json(&record).expect(201).await;
    }
    let clinic: ClinicId = scene.clinic.parse().unwrap();
    let mut connection = scene.app.db.connect().await;
    for (owner, days_ago) in [(&ann, 400), (&bob, 1), (&dee, 200)] {
        let at = chrono::Utc::now() - chrono::Duration::days(days_ago);
        clinics::visits::record(&mut connection, clinic, owner.user_id, at).await.unwrap();
    }
    enrol_in_a_plan(&scene, &ann, &anns_dog).await;

    let campaign = scene.campaign(json!({})).await;
    let lapsed_since = (today - chrono::Duration::days(30)).to_string();
    for (audience, expected) in [
        (json!({}), (5, 4)),
        (json!({ "species": ["cat"] }), (2, 1)),
        (json!({ "species": ["dog", "cat"] }), (5, 4)),
        (json!({ "last_visit_before": lapsed_since }), (2, 1)),
        (json!({ "vaccination_due_within_days": 30 }), (2, 2)),
        (json!({ "vaccination_due_within_days": 365 }), (3, 3)),
        (json!({ "active_plan": true }), (2, 2)),
        (json!({ "active_plan": false }), (3, 2)),
        (json!({ "species": ["cat"], "last_visit_before": lapsed_since }), (1, 0)),
        (json!({ "species": ["dog"], "vaccination_due_within_days": 30, "active_plan": true }), (2, 2)),
    ] {
        let edit = json!({ "name": "Audience", "subject": "News", "body": "Hello.", "audience": audience });
        scene.app.api(Method::PUT, &scene.campaign_path(&campaign)).by(&scene.admin).json(&edit).expect(200).await;
        assert_eq!(scene.preview(&campaign).await, expected, "{audience}");
    }
}

/// Enrols `pet` in a new plan of the clinic, paid at the desk: active.
async fn enrol_in_a_plan(scene: &crate::fixtures::Scene, owner: &testkit::TestUser, pet: &str) {
    let draft = json!({ "species": "dog", "name": "Wellness", "billing_period": "month", "price": "30.00" });
    let plan: Value = scene
        .app
        .api(Method::POST, &format!("/clinics/{}/plans", scene.clinic))
        .by(&scene.admin)
        .json(&draft)
        .expect_json(201)
        .await;
    let enrolment = json!({ "plan_id": plan["id"] });
    let enrolled: Value =
        scene.app.api(Method::POST, &format!("/pets/{pet}/plan")).by(owner).json(&enrolment).expect_json(201).await;
    let order = enrolled["unpaid_order_id"].as_str().unwrap();
    let payment = format!("/clinics/{}/orders/{order}/payment", scene.clinic);
    scene.app.api(Method::POST, &payment).by(&scene.admin).json(&json!({ "method": "card" })).expect(200).await;
    let enrolled: Value = scene.app.api(Method::GET, &format!("/pets/{pet}/plan")).by(owner).expect_json(200).await;
    assert_eq!(enrolled["status"], "active", "{enrolled}");
}
