//! A person's carts and orders: exported, and erased without losing the
//! clinic's sales records.

use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{product, rows, shop};
use platform::personal_data::Holder;

#[tokio::test]
async fn erasure_empties_carts_cancels_unpaid_orders_and_keeps_paid_ones_without_the_person() {
    let shop = shop().await;
    let app = &shop.app;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, 2, None).await;
    let address = json!({ "name": "Alex Martin", "line1": "3 rue Oberkampf", "postal_code": "75011", "city": "Paris", "country": "FR" });
    let paid = app
        .api(Method::POST, &format!("/carts/{}/checkout", shop.clinic))
        .by(&shop.owner)
        .header("Idempotency-Key", "paid")
        .json(&json!({ "fulfilment": "shipping", "shipping_address": address }))
        .expect(201)
        .await;
    let path = format!("/clinics/{}/orders/{}/payment", shop.clinic, paid["id"].as_str().unwrap());
    app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "method": "cash" })).expect(200).await;
    shop.put(&shop.owner, &kibble, 3, None).await;
    shop.checkout(&shop.owner, "unpaid", 201).await;
    shop.put(&shop.owner, &kibble, 1, None).await;

    let mut connection = app.db.connect().await;
    let holder = commerce::personal_data::PersonalData;
    let exported = holder.export(&mut connection, shop.owner.user_id).await.unwrap();
    assert_eq!(exported["orders"].as_array().unwrap().len(), 2);
    assert_eq!(exported["cart_lines"].as_array().unwrap().len(), 1);
    assert_eq!(holder.size(&mut connection, shop.owner.user_id).await.unwrap(), 3);

    holder.erase(&mut connection, shop.owner.user_id, app.clock.now()).await.unwrap();
    assert_eq!(holder.size(&mut connection, shop.owner.user_id).await.unwrap(), 0);
    let kept = rows(app, "SELECT status || ' ' || coalesce(owner_id::text, '-') || ' ' || coalesce(shipping_address::text, '-') AS value FROM commerce_orders ORDER BY id").await;
    assert_eq!(kept, ["paid - -", "cancelled - -"]);
    assert_eq!(shop.product(&kibble).await["in_stock"], 8, "the unpaid order's three units came back");
    let recorded =
        rows(app, "SELECT coalesce(recorded_by::text, '-') AS value FROM commerce_payments WHERE status = 'succeeded'")
            .await;
    assert_ne!(recorded, ["-"], "the staff member who took the money is someone else");
    holder.erase(&mut connection, shop.manager.user_id, app.clock.now()).await.unwrap();
    let recorded =
        rows(app, "SELECT coalesce(recorded_by::text, '-') AS value FROM commerce_payments WHERE status = 'succeeded'")
            .await;
    assert_eq!(recorded, ["-"]);
}

#[tokio::test]
async fn erasure_deletes_repeat_orders_and_ends_the_pets_plan_forgetting_the_card() {
    let shop = shop().await;
    let app = &shop.app;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    let plan = json!({ "species": "dog", "name": "Wellness", "billing_period": "month", "price": "30.00" });
    let plan = app
        .api(Method::POST, &format!("/clinics/{}/plans", shop.clinic))
        .by(&shop.manager)
        .json(&plan)
        .expect(201)
        .await;
    let enroll = json!({ "plan_id": plan["id"] });
    app.api(Method::POST, &format!("/pets/{}/plan", shop.pet)).by(&shop.owner).json(&enroll).expect(201).await;
    let repeat = json!({ "product_id": kibble, "pet_id": shop.pet, "quantity": 1, "every_days": 30 });
    app.api(Method::POST, "/autoship").by(&shop.owner).json(&repeat).expect(201).await;

    let mut connection = app.db.connect().await;
    let holder = commerce::personal_data::PersonalData;
    let exported = holder.export(&mut connection, shop.owner.user_id).await.unwrap();
    assert_eq!(
        (exported["plans"][0]["status"].as_str(), exported["autoships"][0]["every_days"].as_i64()),
        (Some("pending"), Some(30))
    );
    assert_eq!(
        holder.size(&mut connection, shop.owner.user_id).await.unwrap(),
        3,
        "the plan, its first order, the autoship"
    );

    holder.erase(&mut connection, shop.owner.user_id, app.clock.now()).await.unwrap();
    assert_eq!(holder.size(&mut connection, shop.owner.user_id).await.unwrap(), 0);
    assert!(rows(app, "SELECT id::text AS value FROM commerce_autoships").await.is_empty());
    let plans = rows(app, "SELECT status || ' ' || coalesce(owner_id::text, '-') || ' ' || end_reason AS value FROM commerce_plan_enrollments").await;
    assert_eq!(plans, ["ended - the account was closed"]);
    assert_eq!(rows(app, "SELECT status AS value FROM commerce_orders").await, ["cancelled"]);
}
