//! A person's emergency data, exported and erased (twice: erasure is idempotent).

use platform::personal_data::Holder;

use crate::fixtures::{north_of_pet, scene};

#[tokio::test]
async fn an_owners_cases_and_a_vets_times_on_call_are_exported_then_erased() {
    let scene = scene().await;
    let vet = scene.vet_available(north_of_pet(1.0), 10.0).await;
    let case = scene.open_case().await;
    let holder = emergency::personal_data::PersonalData;
    let mut connection = scene.app.db.connect().await;

    let owners = holder.export(&mut connection, scene.owner.user_id).await.unwrap();
    assert_eq!(owners["cases"][0]["id"], case["id"]);
    assert!(owners["cases"][0]["description"].as_str().unwrap().contains("chocolate"));
    let vets = holder.export(&mut connection, vet.user_id).await.unwrap();
    assert_eq!(vets["on_call"][0]["kind"], "available_now");
    assert_eq!(vets["offers"][0]["case_id"], case["id"]);
    assert!(holder.size(&mut connection, vet.user_id).await.unwrap() >= 2);

    for _ in 0..2 {
        holder.erase(&mut connection, scene.owner.user_id, chrono::Utc::now()).await.unwrap();
        holder.erase(&mut connection, vet.user_id, chrono::Utc::now()).await.unwrap();
    }
    assert_eq!(holder.size(&mut connection, scene.owner.user_id).await.unwrap(), 0);
    assert_eq!(holder.size(&mut connection, vet.user_id).await.unwrap(), 0);
    let path = format!("/emergency-requests/{}", case["id"].as_str().unwrap());
    scene.app.api(reqwest::Method::GET, &path).by(&scene.owner).expect(404).await;
}
