//! Strangers get 404: another owner, another clinic's staff.

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{product, shop};

#[tokio::test]
async fn another_owner_and_another_clinics_staff_get_404_on_an_order() {
    let shop = shop().await;
    let app = &shop.app;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, 1, None).await;
    let order = shop.checkout(&shop.owner, "k", 201).await;
    let id = order["id"].as_str().unwrap();

    let stranger = app.user(Role::PetOwner).await;
    let other =
        fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await;
    let their_admin = fixtures::staff(app, &shop.admin, &other, Role::ClinicAdmin).await;
    for outsider in [&stranger, &their_admin] {
        app.api(Method::GET, &format!("/orders/{id}")).by(outsider).expect(404).await;
        app.api(Method::POST, &format!("/orders/{id}/cancel")).by(outsider).json(&json!({})).expect(404).await;
        let theirs = app.api(Method::GET, "/orders").by(outsider).expect(200).await;
        assert!(theirs["items"].as_array().unwrap().is_empty());
    }
    let through_their_clinic = format!("/clinics/{other}/orders/{id}/payment");
    app.api(Method::POST, &through_their_clinic).by(&their_admin).json(&json!({ "method": "cash" })).expect(404).await;
    let theirs = app.api(Method::GET, &format!("/clinics/{other}/orders")).by(&their_admin).expect(200).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    app.api(Method::GET, &format!("/orders/{id}")).by(&shop.vet).expect(200).await;
    app.api(Method::GET, &format!("/orders/{id}")).by(&shop.admin).expect(200).await;
    app.api(Method::POST, &format!("/orders/{id}/cancel")).by(&shop.vet).json(&json!({})).expect(404).await;
    assert_eq!(
        app.api(Method::GET, &format!("/orders/{id}")).by(&shop.owner).expect(200).await["status"],
        "pending_payment"
    );
}
