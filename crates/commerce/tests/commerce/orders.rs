//! Orders after checkout: paid at the clinic, fulfilled, delivered, or
//! cancelled (by the owner, the clinic, or unpaid at `pay_by`).

use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures;

use crate::fixtures::{Shop, product, rows, run_jobs, shop};

/// The owner orders `quantity` kibble (10 in stock) for `fulfilment`; returns (order, product).
async fn ordered(shop: &Shop, quantity: i32, fulfilment: Value) -> (Value, String) {
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, quantity, None).await;
    let path = format!("/carts/{}/checkout", shop.clinic);
    let order = shop
        .app
        .api(Method::POST, &path)
        .by(&shop.owner)
        .header("Idempotency-Key", "k")
        .json(&fulfilment)
        .expect(201)
        .await;
    (order, kibble)
}

fn titles(told: Vec<String>) -> Vec<String> {
    told.into_iter().map(|title| title.split_once(": ").map(|(_, what)| what.to_owned()).unwrap_or(title)).collect()
}

#[tokio::test]
async fn a_pickup_is_paid_at_the_clinic_then_picked_up_and_the_owner_is_told_each_time() {
    let shop = shop().await;
    let app = &shop.app;
    let (order, _) = ordered(&shop, 2, json!({ "note": "Ring twice" })).await;
    let id = order["id"].as_str().unwrap();
    let desk = fixtures::staff(app, &shop.admin, &shop.clinic, Role::Receptionist).await;
    let base = format!("/clinics/{}/orders/{id}", shop.clinic);

    app.api(Method::POST, &format!("{base}/fulfil")).by(&desk).json(&json!({})).expect(409).await;
    app.api(Method::POST, &format!("{base}/payment"))
        .by(&shop.vet)
        .json(&json!({ "method": "card" }))
        .expect(403)
        .await;
    let paid = app
        .api(Method::POST, &format!("{base}/payment"))
        .by(&desk)
        .json(&json!({ "method": "card" }))
        .expect(200)
        .await;
    assert_eq!((paid["status"].as_str(), paid["payment"]["status"].as_str()), (Some("paid"), Some("succeeded")));
    assert_eq!(
        (paid["payment"]["captured"].as_str(), paid["payment"]["method"].as_str()),
        (Some("48.00"), Some("card"))
    );
    assert!(paid["paid_at"].is_string());
    app.api(Method::POST, &format!("{base}/payment")).by(&desk).json(&json!({ "method": "cash" })).expect(409).await;
    app.api(Method::POST, &format!("/orders/{id}/cancel")).by(&shop.owner).json(&json!({})).expect(409).await;

    let refused = app
        .api(Method::POST, &format!("{base}/fulfil"))
        .by(&desk)
        .json(&json!({ "tracking_number": "X1" }))
        .expect(422)
        .await;
    assert!(refused["error"]["details"]["fields"]["tracking_number"].is_array());
    let done = app.api(Method::POST, &format!("{base}/fulfil")).by(&desk).json(&json!({})).expect(200).await;
    assert_eq!(done["status"], "fulfilled");
    app.api(Method::POST, &format!("{base}/deliver")).by(&desk).expect(409).await;

    let told = rows(
        app,
        &format!(
            "SELECT title AS value FROM notifications WHERE recipient_id = '{}' ORDER BY created_at, id",
            shop.owner.user_id.0
        ),
    )
    .await;
    assert_eq!(titles(told), ["Order placed", "Payment received", "Picked up"]);
    let audited =
        rows(app, &format!("SELECT action AS value FROM audit_log WHERE target_id = '{id}' ORDER BY occurred_at"))
            .await;
    assert_eq!(audited, ["order.paid", "order.fulfilled"]);
    let seen = app.api(Method::GET, &format!("/orders/{id}")).by(&shop.owner).expect(200).await;
    assert_eq!((seen["status"].as_str(), seen["note"].as_str()), (Some("fulfilled"), Some("Ring twice")));
}

#[tokio::test]
async fn a_shipment_carries_its_tracking_number_until_delivered() {
    let shop = shop().await;
    let app = &shop.app;
    let address = json!({ "name": "Alex Martin", "line1": "3 rue Oberkampf", "postal_code": "75011", "city": "Paris", "country": "FR" });
    let refused = app
        .api(Method::POST, &format!("/carts/{}/checkout", shop.clinic))
        .by(&shop.owner)
        .header("Idempotency-Key", "no-address")
        .json(&json!({ "fulfilment": "shipping" }))
        .expect(422)
        .await;
    assert!(refused["error"]["details"]["fields"]["request"].is_array());
    let (order, _) = ordered(&shop, 1, json!({ "fulfilment": "shipping", "shipping_address": address })).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["shipping_address"]["city"], "Paris");
    let base = format!("/clinics/{}/orders/{id}", shop.clinic);
    app.api(Method::POST, &format!("{base}/payment"))
        .by(&shop.manager)
        .json(&json!({ "method": "bank_transfer" }))
        .expect(200)
        .await;
    app.api(Method::POST, &format!("{base}/fulfil")).by(&shop.manager).json(&json!({})).expect(422).await;
    let shipped = app
        .api(Method::POST, &format!("{base}/fulfil"))
        .by(&shop.manager)
        .json(&json!({ "tracking_number": "LP123456789FR" }))
        .expect(200)
        .await;
    assert_eq!(shipped["tracking_number"], "LP123456789FR");
    let delivered = app.api(Method::POST, &format!("{base}/deliver")).by(&shop.manager).expect(200).await;
    assert_eq!(delivered["status"], "delivered");
    assert!(delivered["delivered_at"].is_string());
}

#[tokio::test]
async fn cancelling_an_unpaid_order_gives_its_stock_back() {
    let shop = shop().await;
    let app = &shop.app;
    let (order, kibble) = ordered(&shop, 4, json!({})).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(shop.product(&kibble).await["in_stock"], 6);
    let cancelled = app
        .api(Method::POST, &format!("/orders/{id}/cancel"))
        .by(&shop.owner)
        .json(&json!({ "reason": "Ordered twice" }))
        .expect(200)
        .await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()),
        (Some("cancelled"), Some("Ordered twice"))
    );
    assert_eq!(cancelled["payment"]["status"], "cancelled");
    assert_eq!(shop.product(&kibble).await["in_stock"], 10);
    app.api(Method::POST, &format!("/orders/{id}/cancel")).by(&shop.owner).json(&json!({})).expect(409).await;
    let base = format!("/clinics/{}/orders/{id}", shop.clinic);
    app.api(Method::POST, &format!("{base}/payment"))
        .by(&shop.manager)
        .json(&json!({ "method": "cash" }))
        .expect(409)
        .await;

    shop.put(&shop.owner, &kibble, 3, None).await;
    let second = app
        .api(Method::POST, &format!("/carts/{}/checkout", shop.clinic))
        .by(&shop.owner)
        .header("Idempotency-Key", "again")
        .json(&json!({}))
        .expect(201)
        .await;
    let path = format!("/clinics/{}/orders/{}/cancel", shop.clinic, second["id"].as_str().unwrap());
    app.api(Method::POST, &path).by(&shop.vet).json(&json!({})).expect(403).await;
    app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "reason": "Out of date batch" })).expect(200).await;
    assert_eq!(shop.product(&kibble).await["in_stock"], 10);
}

#[tokio::test]
async fn an_order_unpaid_at_pay_by_is_cancelled_by_its_job_once() {
    let shop = shop().await;
    let app = &shop.app;
    let (order, kibble) = ordered(&shop, 5, json!({})).await;
    let id = order["id"].as_str().unwrap();
    run_jobs(app).await;
    assert_eq!(
        app.api(Method::GET, &format!("/orders/{id}")).by(&shop.owner).expect(200).await["status"],
        "pending_payment"
    );

    app.clock.advance(chrono::Duration::hours(73));
    let mut connection = app.db.connect().await;
    testkit::make_jobs_due(&mut connection).await;
    run_jobs(app).await;
    let expired = app.api(Method::GET, &format!("/orders/{id}")).by(&shop.owner).expect(200).await;
    assert_eq!(
        (expired["status"].as_str(), expired["cancel_reason"].as_str()),
        (Some("cancelled"), Some("Not paid in time."))
    );
    assert_eq!(shop.product(&kibble).await["in_stock"], 10);
    assert!(
        commerce::service::orders::expire(&mut connection, id.parse().unwrap(), app.clock.now())
            .await
            .is_ok_and(|changed| !changed)
    );
    assert_eq!(shop.product(&kibble).await["in_stock"], 10, "run again, it gives nothing back twice");
}

#[tokio::test]
async fn the_clinic_lists_its_orders_by_state() {
    let shop = shop().await;
    let app = &shop.app;
    let (order, _) = ordered(&shop, 1, json!({})).await;
    let path = format!("/clinics/{}/orders", shop.clinic);
    let all = app.api(Method::GET, &path).by(&shop.vet).expect(200).await;
    assert_eq!(all["items"][0]["id"], order["id"]);
    let paid = app.api(Method::GET, &format!("{path}?status=paid")).by(&shop.vet).expect(200).await;
    assert!(paid["items"].as_array().unwrap().is_empty());
    let mine = app.api(Method::GET, "/orders").by(&shop.owner).expect(200).await;
    assert_eq!(mine["items"][0]["number"], order["number"]);
    app.api(Method::GET, &path).by(&shop.owner).expect(403).await;
}

#[tokio::test]
async fn an_offline_refund_is_paid_back_at_the_desk_and_returned_goods_go_back_in_stock() {
    let shop = shop().await;
    let app = &shop.app;
    let (order, kibble) = ordered(&shop, 3, json!({})).await;
    let id = order["id"].as_str().unwrap();
    let base = format!("/clinics/{}/orders/{id}", shop.clinic);
    let refund = json!({ "amount": "24.00", "restock": [{ "product_id": kibble, "quantity": 1 }] });
    let keyed = |key: &'static str, body: Value| {
        app.api(Method::POST, &format!("{base}/refunds")).by(&shop.manager).header("Idempotency-Key", key).json(&body)
    };
    keyed("early", refund.clone()).expect(409).await;
    app.api(Method::POST, &format!("{base}/payment"))
        .by(&shop.manager)
        .json(&json!({ "method": "cash" }))
        .expect(200)
        .await;
    let too_many = json!({ "amount": "1.00", "restock": [{ "product_id": kibble, "quantity": 4 }] });
    let refused = keyed("too-many", too_many).expect(422).await;
    assert!(refused["error"]["details"]["fields"][format!("restock.{kibble}")].is_array(), "{refused}");
    let done = keyed("once", refund.clone()).expect(201).await;
    assert_eq!((done["status"].as_str(), done["payment"]["refunded"].as_str()), (Some("paid"), Some("24.00")));
    assert_eq!(shop.product(&kibble).await["in_stock"], 8);
    let replayed = keyed("once", refund).expect(201).await;
    assert_eq!(replayed["payment"]["refunded"], "24.00", "a retry gets the first answer, not a second refund");
    assert_eq!(shop.product(&kibble).await["in_stock"], 8);
    let told = rows(
        app,
        &format!(
            "SELECT title AS value FROM notifications WHERE recipient_id = '{}' ORDER BY created_at, id",
            shop.owner.user_id.0
        ),
    )
    .await;
    assert_eq!(titles(told).last().map(String::as_str), Some("Refund"));
    let outsider = fixtures::staff(
        app,
        &shop.admin,
        &fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await,
        Role::ClinicAdmin,
    )
    .await;
    app.api(Method::POST, &format!("{base}/refunds"))
        .by(&outsider)
        .header("Idempotency-Key", "x")
        .json(&json!({ "amount": "1.00" }))
        .expect(403)
        .await;
}
