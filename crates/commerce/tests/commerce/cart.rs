//! Carts: one per owner and clinic, each line with what changed since.

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{product, shop};

#[tokio::test]
async fn a_cart_keeps_its_lines_and_shows_what_changed_since() {
    let shop = shop().await;
    let app = &shop.app;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 5).await);
    let leash = fixtures::id_of(&shop.add(product("LEASH-1", "Leash", "15.50"), 1).await);
    shop.put(&shop.owner, &kibble, 2, None).await;
    let cart = shop.put(&shop.owner, &leash, 1, None).await;
    assert_eq!(cart["subtotal"], "55.50");
    assert_eq!(cart["currency"], "EUR");
    assert_eq!(cart["lines"].as_array().unwrap().len(), 2);
    assert!(cart["lines"][0]["issue"].is_null());

    let refused = app
        .api(Method::PUT, &format!("/carts/{}/lines/{leash}", shop.clinic))
        .by(&shop.owner)
        .json(&json!({ "quantity": 2 }))
        .expect(409)
        .await;
    assert_eq!(refused["error"]["details"]["available"], 1);

    let mut dearer = product("KIB-1", "Kibble", "22.00");
    dearer["low_stock_threshold"] = json!(0);
    let path = format!("/clinics/{}/products/{kibble}", shop.clinic);
    app.api(Method::PUT, &path).by(&shop.manager).json(&dearer).expect(200).await;
    let cart = app.api(Method::GET, &format!("/carts/{}", shop.clinic)).by(&shop.owner).expect(200).await;
    let line = &cart["lines"][0];
    assert_eq!(
        (line["issue"].as_str(), line["agreed_price"].as_str(), line["price"].as_str()),
        (Some("price_changed"), Some("20.00"), Some("22.00"))
    );
    let cart = shop.put(&shop.owner, &kibble, 2, None).await;
    assert!(cart["lines"][0]["issue"].is_null(), "setting the line again agrees to the new price");
    assert_eq!(cart["lines"][0]["agreed_price"], "22.00");

    let removed =
        app.api(Method::DELETE, &format!("/carts/{}/lines/{leash}", shop.clinic)).by(&shop.owner).expect(200).await;
    assert_eq!(removed["lines"].as_array().unwrap().len(), 1);
    app.api(Method::DELETE, &format!("/carts/{}/lines/{leash}", shop.clinic)).by(&shop.owner).expect(404).await;

    let stranger = app.user(Role::PetOwner).await;
    let theirs = app.api(Method::GET, &format!("/carts/{}", shop.clinic)).by(&stranger).expect(200).await;
    assert!(theirs["lines"].as_array().unwrap().is_empty(), "a cart is its owner's alone");
    app.api(Method::DELETE, &format!("/carts/{}/lines/{kibble}", shop.clinic)).by(&stranger).expect(404).await;
    let mine = app.api(Method::GET, &format!("/carts/{}", shop.clinic)).by(&shop.owner).expect(200).await;
    assert_eq!(mine["lines"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_prescription_product_goes_in_the_cart_for_one_of_the_callers_pets() {
    let shop = shop().await;
    let app = &shop.app;
    let mut pills = product("RX-1", "Carprofen 50 mg", "19.90");
    pills["prescription_required"] = json!(true);
    pills["drug"] = json!("Carprofen");
    let pills = fixtures::id_of(&shop.add(pills, 10).await);
    let path = format!("/carts/{}/lines/{pills}", shop.clinic);
    let refused = app.api(Method::PUT, &path).by(&shop.owner).json(&json!({ "quantity": 1 })).expect(422).await;
    assert!(refused["error"]["details"]["fields"]["pet_id"].is_array(), "{refused}");
    let (_, someone_elses) = fixtures::owner_with_dog(app, "Bella").await;
    let body = json!({ "quantity": 1, "pet_id": someone_elses });
    app.api(Method::PUT, &path).by(&shop.owner).json(&body).expect(404).await;
    let cart = shop.put(&shop.owner, &pills, 1, Some(&shop.pet)).await;
    assert_eq!(cart["lines"][0]["pet_id"], json!(shop.pet));
    assert_eq!(cart["lines"][0]["prescription_required"], true);
}
