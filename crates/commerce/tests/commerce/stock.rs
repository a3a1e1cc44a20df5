//! Stock: adjusted with a reason, audited, never below zero, and the
//! clinic's admins told when it runs low.

use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{product, rows, shop};

#[tokio::test]
async fn adjustments_are_recorded_never_go_below_zero_and_low_stock_tells_the_admins() {
    let shop = shop().await;
    let app = &shop.app;
    let mut draft = product("FOOD-1", "Adult kibble", "30.00");
    draft["low_stock_threshold"] = json!(3);
    let id = fixtures::id_of(&shop.add(draft, 10).await);
    let path = format!("/clinics/{}/products/{id}/stock-adjustments", shop.clinic);

    let taken = json!({ "change": -6, "reason": "damaged", "note": "Torn bags" });
    let after = app.api(Method::POST, &path).by(&shop.manager).json(&taken).expect(200).await;
    assert_eq!(after["in_stock"], 4);
    let notices = |user: kernel::UserId| async move {
        rows(
            app,
            &format!(
                "SELECT title AS value FROM notifications WHERE recipient_id = '{}' AND title LIKE 'Low stock%'",
                user.0
            ),
        )
        .await
    };
    assert!(notices(shop.manager.user_id).await.is_empty(), "4 is above the threshold of 3");
    let too_many = json!({ "change": -5, "reason": "expired" });
    let refused = app.api(Method::POST, &path).by(&shop.manager).json(&too_many).expect(409).await;
    assert_eq!(refused["error"]["details"]["in_stock"], 4);
    let counted = json!({ "change": -1, "reason": "counted" });
    app.api(Method::POST, &path).by(&shop.manager).json(&counted).expect(200).await;
    assert_eq!(
        notices(shop.manager.user_id).await,
        ["Low stock: Adult kibble"],
        "crossing the threshold tells the admins once"
    );
    app.api(Method::POST, &path).by(&shop.manager).json(&counted).expect(200).await;
    assert_eq!(notices(shop.manager.user_id).await.len(), 1, "not again while below it");
    assert!(notices(shop.vet.user_id).await.is_empty(), "only admins");

    let reserved = json!({ "change": 5, "reason": "reserved" });
    app.api(Method::POST, &path).by(&shop.manager).json(&reserved).expect(422).await;
    app.api(Method::POST, &path).by(&shop.vet).json(&counted).expect(403).await;
    app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "change": 0, "reason": "counted" })).expect(422).await;

    let movements = format!("/clinics/{}/products/{id}/stock-movements", shop.clinic);
    let listed = app.api(Method::GET, &movements).by(&shop.vet).expect(200).await;
    let seen: Vec<_> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|movement| {
            (
                movement["change"].as_i64().unwrap(),
                movement["quantity_after"].as_i64().unwrap(),
                movement["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [(-1, 2, "counted".into()), (-1, 3, "counted".into()), (-6, 4, "damaged".into()), (10, 10, "received".into())]
    );
    assert_eq!(listed["items"][2]["actor_id"], json!(shop.manager.user_id));
    let audited = rows(app, &format!(
        "SELECT count(*)::text AS value FROM audit_log WHERE action = 'product.stock_adjusted' AND target_id = '{id}'"
    ))
    .await;
    assert_eq!(audited, ["4"]);
    app.api(Method::GET, &movements).by(&shop.owner).expect(403).await;
}

#[tokio::test]
async fn a_product_whose_stock_is_not_counted_takes_no_adjustment() {
    let shop = shop().await;
    let mut draft = product("SVC-1", "Nail trim", "12.00");
    draft["track_stock"] = json!(false);
    let created = shop.add(draft, 0).await;
    assert!(created["in_stock"].is_null());
    let path = format!("/clinics/{}/products/{}/stock-adjustments", shop.clinic, fixtures::id_of(&created));
    let body = json!({ "change": 3, "reason": "received" });
    shop.app.api(Method::POST, &path).by(&shop.manager).json(&body).expect(422).await;
}
