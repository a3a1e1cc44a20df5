//! The catalog: clinic admins keep it, anyone searches what is on sale.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures;

use crate::fixtures::{product, shop};

fn skus(page: &Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|item| item["sku"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_shop_finds_products_by_words_and_filters_and_pages_through_them() {
    let shop = shop().await;
    let app = &shop.app;
    let food =
        app.api(Method::POST, "/product-categories").by(&shop.admin).json(&json!({ "name": "Food" })).expect(201).await;
    let food = fixtures::id_of(&food);
    let dry = json!({ "name": "Dry food", "parent_id": food });
    let dry =
        fixtures::id_of(&app.api(Method::POST, "/product-categories").by(&shop.admin).json(&dry).expect(201).await);
    let mut kibble = product("KIB-1", "Senior kibble for large dogs", "42.50");
    kibble["category_id"] = json!(dry);
    kibble["description"] = json!("Chicken and rice, for joints.");
    kibble["tax_class"] = json!("reduced");
    shop.add(kibble, 5).await;
    let mut cat_food = product("CAT-1", "Kitten kibble", "18.00");
    cat_food["species"] = json!(["cat"]);
    cat_food["category_id"] = json!(food);
    shop.add(cat_food, 0).await;
    let mut leash = product("LEASH-1", "Leather leash", "25.00");
    leash["species"] = json!([]);
    shop.add(leash, 2).await;

    let clinic = &shop.clinic;
    let search = |query: String| async move {
        app.api(Method::GET, &format!("/products?clinic_id={clinic}&{query}")).expect(200).await
    };
    assert_eq!(skus(&search("q=kibble".into()).await), ["CAT-1", "KIB-1"], "newest first");
    assert_eq!(skus(&search("q=chicken%20joints".into()).await), ["KIB-1"], "the description is searched");
    assert_eq!(skus(&search("q=kib-1".into()).await), ["KIB-1"], "and the SKU");
    assert_eq!(
        skus(&search(format!("category={food}")).await),
        ["CAT-1", "KIB-1"],
        "a category holds its subcategories"
    );
    assert_eq!(skus(&search(format!("category={dry}")).await), ["KIB-1"]);
    assert_eq!(
        skus(&search("species=dog".into()).await),
        ["LEASH-1", "KIB-1"],
        "a product for all species is for dogs"
    );
    assert_eq!(skus(&search("min_price=20&max_price=30".into()).await), ["LEASH-1"]);
    assert_eq!(skus(&search("in_stock=true".into()).await), ["LEASH-1", "KIB-1"]);
    let first = search("limit=2".into()).await;
    assert_eq!(skus(&first), ["LEASH-1", "CAT-1"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = search(format!("limit=2&cursor={cursor}")).await;
    assert_eq!(skus(&second), ["KIB-1"]);
    assert!(second["next_cursor"].is_null());

    let found = &search("q=senior".into()).await["items"][0];
    assert_eq!((found["price"].as_str(), found["currency"].as_str()), (Some("42.50"), Some("EUR")));
    assert_eq!((found["in_stock"].as_i64(), found["tax_class"].as_str()), (Some(5), Some("reduced")));
    let bad = app.api(Method::GET, "/products?min_price=1.005").expect(422).await;
    assert!(bad["error"]["details"]["fields"]["min_price"].is_array(), "{bad}");
    app.api(Method::GET, "/products?min_price=").expect(400).await;
}

#[tokio::test]
async fn only_the_clinics_admins_keep_its_catalog_and_a_sku_is_unique_in_it() {
    let shop = shop().await;
    let app = &shop.app;
    let path = format!("/clinics/{}/products", shop.clinic);
    let draft = product("SKU-1", "Chew toy", "4.99");
    app.api(Method::POST, &path).by(&shop.vet).json(&draft).expect(403).await;
    app.api(Method::POST, &path).by(&shop.owner).json(&draft).expect(403).await;
    let other =
        fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await;
    let stranger = fixtures::staff(app, &shop.admin, &other, Role::ClinicAdmin).await;
    app.api(Method::POST, &path).by(&stranger).json(&draft).expect(403).await;

    let created = shop.add(draft.clone(), 0).await;
    let duplicate = app.api(Method::POST, &path).by(&shop.manager).json(&draft).expect(409).await;
    assert_eq!(duplicate["error"]["details"]["field"], "sku", "{duplicate}");
    let id = fixtures::id_of(&created);
    let mine = format!("{path}/{id}");
    let theirs = format!("/clinics/{other}/products/{id}");
    app.api(Method::PUT, &theirs).by(&stranger).json(&draft).expect(404).await;

    let mut withdrawn = draft.clone();
    withdrawn["is_active"] = json!(false);
    withdrawn["price"] = json!("5.49");
    let updated = app.api(Method::PUT, &mine).by(&shop.manager).json(&withdrawn).expect(200).await;
    assert_eq!((updated["price"].as_str(), updated["is_active"].as_bool()), (Some("5.49"), Some(false)));
    app.api(Method::GET, &format!("/products/{id}")).expect(404).await;
    app.api(Method::GET, &format!("/products/{id}")).by(&shop.owner).expect(404).await;
    app.api(Method::GET, &format!("/products/{id}")).by(&shop.vet).expect(200).await;
    let listed = app.api(Method::GET, &path).by(&shop.vet).expect(200).await;
    assert_eq!(skus(&listed), ["SKU-1"], "staff list what is off sale too");
    let public = app.api(Method::GET, &format!("/products?clinic_id={}", shop.clinic)).expect(200).await;
    assert!(skus(&public).is_empty(), "the shop hides it");
    let history = crate::fixtures::rows(app, &format!(
        "SELECT action AS value FROM audit_log WHERE target_type = 'product' AND target_id = '{id}' ORDER BY occurred_at"
    ))
    .await;
    assert_eq!(history, ["product.created", "product.updated"]);
}

#[tokio::test]
async fn a_prescription_product_names_its_drug_and_prices_are_cents() {
    let shop = shop().await;
    let path = format!("/clinics/{}/products", shop.clinic);
    let mut pills = product("RX-1", "Carprofen 50 mg", "19.90");
    pills["prescription_required"] = json!(true);
    let refused = shop.app.api(Method::POST, &path).by(&shop.manager).json(&pills).expect(422).await;
    assert!(refused["error"]["details"]["fields"]["request"][0].as_str().unwrap().contains("drug"), "{refused}");
    let mut cheap = product("P-1", "Treat", "0.999");
    let refused = shop.app.api(Method::POST, &path).by(&shop.manager).json(&cheap).expect(422).await;
    assert!(refused["error"]["details"]["fields"]["price"].is_array(), "{refused}");
    cheap["price"] = json!("-1");
    shop.app.api(Method::POST, &path).by(&shop.manager).json(&cheap).expect(422).await;
}

#[tokio::test]
async fn tax_rates_are_the_clinic_admins_and_public() {
    let shop = shop().await;
    let app = &shop.app;
    let rates = app.api(Method::GET, &format!("/clinics/{}/tax-rates", shop.clinic)).expect(200).await;
    assert_eq!(
        rates,
        json!([{ "tax_class": "standard", "rate": "0.2000" }, { "tax_class": "reduced", "rate": "0.0550" }])
    );
    let path = format!("/clinics/{}/tax-rates/standard", shop.clinic);
    app.api(Method::PUT, &path).by(&shop.vet).json(&json!({ "rate": "0.1" })).expect(403).await;
    app.api(Method::PUT, &path).by(&shop.manager).json(&json!({ "rate": "1" })).expect(422).await;
    let zero = format!("/clinics/{}/tax-rates/zero", shop.clinic);
    app.api(Method::PUT, &zero).by(&shop.manager).json(&json!({ "rate": "0.1" })).expect(422).await;
}
