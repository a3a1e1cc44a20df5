//! Checkout: one transaction, never a unit sold twice, tax by the one rule,
//! prescriptions honoured, retries answered once.

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures;

use crate::fixtures::{Shop, product, rows, shop};

async fn pills(shop: &Shop, stock: i32) -> String {
    let mut pills = product("RX-1", "Carprofen 50 mg", "19.90");
    pills["prescription_required"] = json!(true);
    pills["drug"] = json!("Carprofen");
    fixtures::id_of(&shop.add(pills, stock).await)
}

fn line_issues(refusal: &Value) -> Vec<(String, String)> {
    refusal["error"]["details"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| (line["product_id"].as_str().unwrap().to_owned(), line["issue"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn checkout_prices_each_line_takes_the_stock_and_empties_the_cart() {
    let shop = shop().await;
    let app = &shop.app;
    let mut kibble = product("KIB-1", "Kibble", "24.99");
    kibble["tax_class"] = json!("reduced");
    let kibble = fixtures::id_of(&shop.add(kibble, 10).await);
    let leash = fixtures::id_of(&shop.add(product("LEASH-1", "Leash", "0.05"), 3).await);
    let mut book = product("BOOK-1", "Puppy training book", "12.34");
    book["tax_class"] = json!("zero");
    book["track_stock"] = json!(false);
    let book = fixtures::id_of(&shop.add(book, 0).await);
    shop.put(&shop.owner, &kibble, 7, None).await;
    shop.put(&shop.owner, &leash, 3, None).await;
    shop.put(&shop.owner, &book, 4, None).await;

    let order = shop.checkout(&shop.owner, "first", 201).await;
    let lines: Vec<_> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            [&line["sku"], &line["net"], &line["tax_rate"], &line["tax"], &line["total"]]
                .map(|value| value.as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        lines,
        [
            ["KIB-1", "174.93", "0.0550", "9.62", "184.55"],
            ["LEASH-1", "0.15", "0.2000", "0.03", "0.18"],
            ["BOOK-1", "49.36", "0.0000", "0.00", "49.36"],
        ]
    );
    assert_eq!(
        (order["subtotal"].as_str(), order["tax_total"].as_str(), order["total"].as_str()),
        (Some("224.44"), Some("9.65"), Some("234.09"))
    );
    assert_eq!(
        (order["status"].as_str(), order["payment"]["status"].as_str()),
        (Some("pending_payment"), Some("pending"))
    );
    assert_eq!(
        (order["payment"]["provider"].as_str(), order["payment"]["amount"].as_str()),
        (Some("offline"), Some("234.09"))
    );
    assert_eq!(shop.product(&kibble).await["in_stock"], 3);
    assert_eq!(shop.product(&leash).await["in_stock"], 0);
    let cart = app.api(Method::GET, &format!("/carts/{}", shop.clinic)).by(&shop.owner).expect(200).await;
    assert!(cart["lines"].as_array().unwrap().is_empty());
    let told =
        rows(app, &format!("SELECT title AS value FROM notifications WHERE recipient_id = '{}'", shop.owner.user_id.0))
            .await;
    assert_eq!(told, [format!("Order {}: Order placed", order["number"].as_str().unwrap())]);

    let again = shop.checkout(&shop.owner, "first", 201).await;
    assert_eq!(again["id"], order["id"], "a retry with the key gets the first answer");
    let placed = rows(app, "SELECT count(*)::text AS value FROM commerce_orders").await;
    assert_eq!(placed, ["1"]);
    let empty = shop.checkout(&shop.owner, "second", 422).await;
    assert!(empty["error"]["details"]["fields"]["cart"].is_array());
    let path = format!("/carts/{}/checkout", shop.clinic);
    let unkeyed = app.api(Method::POST, &path).by(&shop.owner).json(&json!({})).expect(400).await;
    assert_eq!(unkeyed["error"]["code"], "IDEMPOTENCY_KEY_REQUIRED");
}

#[tokio::test]
async fn fifty_checkouts_for_ten_units_sell_exactly_ten() {
    let shop = shop().await;
    let app = &shop.app;
    let scarce = fixtures::id_of(&shop.add(product("RARE-1", "Limited bandana", "9.00"), 10).await);
    let mut buyers = Vec::new();
    for _ in 0..50 {
        let buyer = app.user(Role::PetOwner).await;
        shop.put(&buyer, &scarce, 1, None).await;
        buyers.push(buyer);
    }
    let path = format!("/carts/{}/checkout", shop.clinic);
    let answers = futures_util::future::join_all(buyers.iter().enumerate().map(|(at, buyer)| {
        app.api(Method::POST, &path).by(buyer).header("Idempotency-Key", &format!("buy-{at}")).json(&json!({})).send()
    }))
    .await;
    let mut sold = 0;
    for answer in answers {
        match answer.status().as_u16() {
            201 => sold += 1,
            409 => {
                let refusal: Value = answer.json().await.unwrap();
                assert_eq!(line_issues(&refusal), [(scarce.clone(), "out_of_stock".to_owned())]);
                assert_eq!(refusal["error"]["details"]["lines"][0]["available"], 0);
            }
            other => panic!("a checkout answered {other}: {}", answer.text().await.unwrap()),
        }
    }
    assert_eq!(sold, 10);
    assert_eq!(shop.product(&scarce).await["in_stock"], 0);
    let orders = rows(app, "SELECT count(*)::text AS value FROM commerce_orders").await;
    assert_eq!(orders, ["10"]);
    let taken = rows(app, &format!(
        "SELECT coalesce(sum(change), 0)::text AS value FROM commerce_stock_movements WHERE product_id = '{scarce}' AND reason = 'reserved'"
    ))
    .await;
    assert_eq!(taken, ["-10"], "no movement of a refused checkout stays");
}

#[tokio::test]
async fn a_changed_price_or_a_withdrawn_product_stops_checkout_naming_each_line() {
    let shop = shop().await;
    let app = &shop.app;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 5).await);
    let leash = fixtures::id_of(&shop.add(product("LEASH-1", "Leash", "15.00"), 5).await);
    let toy = fixtures::id_of(&shop.add(product("TOY-1", "Toy", "3.00"), 5).await);
    for id in [&kibble, &leash, &toy] {
        shop.put(&shop.owner, id, 1, None).await;
    }
    let path = |id: &str| format!("/clinics/{}/products/{id}", shop.clinic);
    app.api(Method::PUT, &path(&kibble)).by(&shop.manager).json(&product("KIB-1", "Kibble", "21.00")).expect(200).await;
    let mut withdrawn = product("LEASH-1", "Leash", "15.00");
    withdrawn["is_active"] = json!(false);
    app.api(Method::PUT, &path(&leash)).by(&shop.manager).json(&withdrawn).expect(200).await;

    let refusal = shop.checkout(&shop.owner, "k1", 409).await;
    assert_eq!(
        line_issues(&refusal),
        [(kibble.clone(), "price_changed".to_owned()), (leash.clone(), "unavailable".to_owned())]
    );
    assert_eq!(refusal["error"]["details"]["lines"][0]["price"], "21.00");
    assert_eq!(shop.product(&toy).await["in_stock"], 5, "nothing was taken");
    let cart = app.api(Method::GET, &format!("/carts/{}", shop.clinic)).by(&shop.owner).expect(200).await;
    assert_eq!(cart["lines"].as_array().unwrap().len(), 3, "the cart is as it was");

    shop.put(&shop.owner, &kibble, 1, None).await;
    app.api(Method::DELETE, &format!("/carts/{}/lines/{leash}", shop.clinic)).by(&shop.owner).expect(200).await;
    let order = shop.checkout(&shop.owner, "k2", 201).await;
    assert_eq!(order["subtotal"], "24.00");
}

#[tokio::test]
async fn a_prescription_product_needs_a_current_prescription_with_a_refill_left() {
    let shop = shop().await;
    let app = &shop.app;
    let pills = pills(&shop, 10).await;
    shop.put(&shop.owner, &pills, 1, Some(&shop.pet)).await;
    let field = format!("lines.{pills}");
    let refused = shop.checkout(&shop.owner, "none", 422).await;
    assert!(refused["error"]["details"]["fields"][&field].is_array(), "no prescription: {refused}");

    shop.prescribe("Carprofen", 1, Some("2020-01-31")).await;
    let refused = shop.checkout(&shop.owner, "ended", 422).await;
    assert!(refused["error"]["details"]["fields"][&field].is_array(), "an ended prescription: {refused}");
    let other =
        fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await;
    let their_vet = fixtures::staff(app, &shop.admin, &other, Role::Veterinarian).await;
    fixtures::register_with_clinic(app, &shop.owner, &shop.pet, &other).await;
    let elsewhere = json!({
        "record_date": "2026-11-30", "clinic_id": other,
        "details": { "type": "medication", "drug": "Carprofen", "dose": "1", "unit": "tablet", "refills": 5 },
    });
    app.api(Method::POST, &format!("/pets/{}/records", shop.pet)).by(&their_vet).json(&elsewhere).expect(201).await;
    shop.checkout(&shop.owner, "elsewhere", 422).await;

    let prescription = shop.prescribe("carprofen ", 2, None).await;
    let first = shop.checkout(&shop.owner, "fill-1", 201).await;
    shop.put(&shop.owner, &pills, 1, Some(&shop.pet)).await;
    shop.checkout(&shop.owner, "fill-2", 201).await;
    shop.put(&shop.owner, &pills, 1, Some(&shop.pet)).await;
    let refused = shop.checkout(&shop.owner, "fill-3", 422).await;
    assert!(refused["error"]["details"]["fields"][&field][0].as_str().unwrap().contains("refill"), "{refused}");
    let used = rows(
        app,
        &format!(
            "SELECT count(*)::text AS value FROM commerce_order_lines WHERE prescription_id = '{}'",
            fixtures::id_of(&prescription)
        ),
    )
    .await;
    assert_eq!(used, ["2"]);

    let cancel = format!("/orders/{}/cancel", first["id"].as_str().unwrap());
    app.api(Method::POST, &cancel).by(&shop.owner).json(&json!({})).expect(200).await;
    shop.checkout(&shop.owner, "fill-3-again", 201).await;
}

#[tokio::test]
async fn two_checkouts_of_one_cart_at_once_place_one_order() {
    let shop = shop().await;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, 2, None).await;
    let path = format!("/carts/{}/checkout", shop.clinic);
    let send = |key: &'static str| {
        shop.app.api(Method::POST, &path).by(&shop.owner).header("Idempotency-Key", key).json(&json!({})).send()
    };
    let (first, second) = tokio::join!(send("click-1"), send("click-2"));
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "the second finds the cart emptied");
    assert_eq!(shop.product(&kibble).await["in_stock"], 8);
}
