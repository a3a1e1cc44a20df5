//! Paying online through Stripe, against a local fake of its API over real
//! HTTP, and its signed webhooks.

use commerce::payments::stripe::signature;
use kernel::Role;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use testkit::fixtures;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fixtures::{Shop, app_with, product, rows, shop_over};

/// `config/test.toml`'s `commerce.stripe.webhook_secret`.
const WEBHOOK_SECRET: &str = "whsec_test_commerce";

/// A fake of Stripe's API: PaymentIntents and refunds, each only with an
/// `Idempotency-Key`.
async fn stripe_fake() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(header_exists("Idempotency-Key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "pi_test_1", "client_secret": "pi_test_1_secret_abc", "status": "requires_payment_method",
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(header_exists("Idempotency-Key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "re_test_1", "status": "succeeded" })))
        .mount(&server)
        .await;
    server
}

/// The shop taking payments through the fake.
async fn stripe_shop(fake: &MockServer) -> Shop {
    let base = fake.uri();
    let app = app_with(move |settings| {
        settings.payments = commerce::api::ProviderName::Stripe;
        settings.stripe.api_base = base;
        settings.stripe.secret_key = Some(SecretString::from("sk_test_commerce"));
    })
    .await;
    shop_over(app).await
}

/// The owner orders 2 × 20.00 (+20% tax = 48.00) and starts paying: (order, session).
async fn ordered_online(shop: &Shop) -> (Value, Value, String) {
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, 2, None).await;
    let order = shop.checkout(&shop.owner, "online", 201).await;
    let pay = format!("/orders/{}/pay", order["id"].as_str().unwrap());
    let session = shop.app.api(Method::POST, &pay).by(&shop.owner).expect(200).await;
    (order, session, kibble)
}

fn event(id: &str, kind: &str, amount_received: i64) -> Vec<u8> {
    let body = json!({
        "id": id, "object": "event", "type": kind,
        "data": { "object": { "id": "pi_test_1", "object": "payment_intent", "amount_received": amount_received, "currency": "eur" } },
    });
    serde_json::to_vec(&body).unwrap()
}

async fn deliver(shop: &Shop, body: &[u8], signature: &str) -> u16 {
    let url = format!("{}/webhooks/stripe", shop.app.address);
    let sent = shop
        .app
        .client
        .post(url)
        .header("Content-Type", "application/json")
        .header("Stripe-Signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    sent.status().as_u16()
}

async fn order_as_owner(shop: &Shop, order: &Value) -> Value {
    shop.app.api(Method::GET, &format!("/orders/{}", order["id"].as_str().unwrap())).by(&shop.owner).expect(200).await
}

#[tokio::test]
async fn paying_online_creates_one_payment_intent_and_the_succeeded_event_marks_the_order_paid_once() {
    let fake = stripe_fake().await;
    let shop = stripe_shop(&fake).await;
    let (order, session, _) = ordered_online(&shop).await;
    assert_eq!(
        (session["reference"].as_str(), session["client_secret"].as_str()),
        (Some("pi_test_1"), Some("pi_test_1_secret_abc"))
    );
    assert_eq!(order["payment"]["provider"], "stripe");
    let again = shop
        .app
        .api(Method::POST, &format!("/orders/{}/pay", order["id"].as_str().unwrap()))
        .by(&shop.owner)
        .expect(200)
        .await;
    assert_eq!(again["reference"], "pi_test_1");
    let calls = fake.received_requests().await.unwrap();
    let keys: Vec<_> =
        calls.iter().map(|call| call.headers.get("Idempotency-Key").unwrap().to_str().unwrap().to_owned()).collect();
    assert_eq!(
        keys,
        vec![format!("order-{}", order["id"].as_str().unwrap()); 2],
        "the order id keys both calls: Stripe makes one intent"
    );
    let form = String::from_utf8(calls[0].body.clone()).unwrap();
    assert!(form.contains("amount=4800") && form.contains("currency=eur"), "{form}");
    assert_eq!(calls[0].headers.get("Authorization").unwrap(), "Bearer sk_test_commerce");
    let stranger = shop.app.user(Role::PetOwner).await;
    shop.app
        .api(Method::POST, &format!("/orders/{}/pay", order["id"].as_str().unwrap()))
        .by(&stranger)
        .expect(404)
        .await;

    let body = event("evt_paid", "payment_intent.succeeded", 4800);
    let now = shop.app.clock.now().timestamp();
    for _ in 0..3 {
        assert_eq!(deliver(&shop, &body, &signature::sign(WEBHOOK_SECRET, &body, now)).await, 204);
    }
    let paid = order_as_owner(&shop, &order).await;
    assert_eq!((paid["status"].as_str(), paid["payment"]["captured"].as_str()), (Some("paid"), Some("48.00")));
    let told = rows(&shop.app, &format!(
        "SELECT count(*)::text AS value FROM notifications WHERE recipient_id = '{}' AND title LIKE '%Payment received'", shop.owner.user_id.0
    ))
    .await;
    assert_eq!(told, ["1"], "three deliveries, one effect");
    let audited = rows(
        &shop.app,
        &format!(
            "SELECT count(*)::text AS value FROM audit_log WHERE action = 'order.paid' AND target_id = '{}'",
            order["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(audited, ["1"]);
}

#[tokio::test]
async fn a_bad_or_stale_signature_is_400_and_changes_nothing() {
    let fake = stripe_fake().await;
    let shop = stripe_shop(&fake).await;
    let (order, _, _) = ordered_online(&shop).await;
    let body = event("evt_forged", "payment_intent.succeeded", 4800);
    let now = shop.app.clock.now().timestamp();
    assert_eq!(deliver(&shop, &body, &signature::sign("whsec_someone_else", &body, now)).await, 400);
    assert_eq!(deliver(&shop, &body, &signature::sign(WEBHOOK_SECRET, &body, now - 3600)).await, 400, "stale");
    assert_eq!(deliver(&shop, &body, "").await, 400);
    let tampered = event("evt_forged", "payment_intent.succeeded", 999_999);
    assert_eq!(deliver(&shop, &tampered, &signature::sign(WEBHOOK_SECRET, &body, now)).await, 400);
    assert_eq!(order_as_owner(&shop, &order).await["status"], "pending_payment");
    let events = rows(&shop.app, "SELECT count(*)::text AS value FROM commerce_payment_events").await;
    assert_eq!(events, ["0"]);
    let rolled = format!(
        "{},v1={}",
        signature::sign("whsec_old", &body, now),
        signature::sign(WEBHOOK_SECRET, &body, now).split_once("v1=").unwrap().1
    );
    assert_eq!(deliver(&shop, &body, &rolled).await, 204, "one good signature among several is enough");
}

#[tokio::test]
async fn events_out_of_order_leave_the_right_state() {
    let fake = stripe_fake().await;
    let shop = stripe_shop(&fake).await;
    let (order, _, kibble) = ordered_online(&shop).await;
    let now = shop.app.clock.now().timestamp();
    let send = |id: &'static str, kind: &'static str| {
        let body = event(id, kind, if kind.ends_with("succeeded") { 4800 } else { 0 });
        let signed = signature::sign(WEBHOOK_SECRET, &body, now);
        let shop = &shop;
        async move { deliver(shop, &body, &signed).await }
    };
    assert_eq!(send("evt_1", "payment_intent.payment_failed").await, 204);
    let failed = order_as_owner(&shop, &order).await;
    assert_eq!(
        (failed["status"].as_str(), failed["payment"]["status"].as_str()),
        (Some("pending_payment"), Some("failed"))
    );
    assert_eq!(send("evt_2", "payment_intent.succeeded").await, 204, "a second card went through");
    assert_eq!(send("evt_3", "payment_intent.payment_failed").await, 204, "a late failure of the first attempt");
    assert_eq!(send("evt_4", "payment_intent.canceled").await, 204);
    let paid = order_as_owner(&shop, &order).await;
    assert_eq!((paid["status"].as_str(), paid["payment"]["status"].as_str()), (Some("paid"), Some("succeeded")));
    assert_eq!(shop.product(&kibble).await["in_stock"], 8);
}

#[tokio::test]
async fn a_cancelled_payment_intent_cancels_the_order_and_gives_its_stock_back() {
    let fake = stripe_fake().await;
    let shop = stripe_shop(&fake).await;
    let (order, _, kibble) = ordered_online(&shop).await;
    let body = event("evt_cancel", "payment_intent.canceled", 0);
    assert_eq!(
        deliver(&shop, &body, &signature::sign(WEBHOOK_SECRET, &body, shop.app.clock.now().timestamp())).await,
        204
    );
    assert_eq!(order_as_owner(&shop, &order).await["status"], "cancelled");
    assert_eq!(shop.product(&kibble).await["in_stock"], 10);
}

#[tokio::test]
async fn refunds_go_through_stripe_and_never_exceed_what_was_captured_even_at_once() {
    let fake = stripe_fake().await;
    let shop = stripe_shop(&fake).await;
    let (order, _, kibble) = ordered_online(&shop).await;
    let id = order["id"].as_str().unwrap();
    let body = event("evt_paid", "payment_intent.succeeded", 4800);
    deliver(&shop, &body, &signature::sign(WEBHOOK_SECRET, &body, shop.app.clock.now().timestamp())).await;
    let path = format!("/clinics/{}/orders/{id}/refunds", shop.clinic);
    let refund = |key: &str, amount: &str| {
        shop.app
            .api(Method::POST, &path)
            .by(&shop.manager)
            .header("Idempotency-Key", key)
            .json(&json!({ "amount": amount }))
    };
    let too_much = refund("too-much", "48.01").expect(409).await;
    assert_eq!(too_much["error"]["details"]["refundable"], "48.00");
    shop.app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "amount": "1.00" })).expect(400).await;

    let (first, second) = tokio::join!(refund("a", "30.00").send(), refund("b", "30.00").send());
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "two refunds of 30.00 out of 48.00: one passes");
    let replay = refund("a", "30.00").send().await;
    assert!(replay.status().as_u16() == 201 || replay.status().as_u16() == 409);

    let restock = json!({ "amount": "18.00", "reason": "Bag returned unopened", "restock": [{ "product_id": kibble, "quantity": 1 }] });
    let done = shop
        .app
        .api(Method::POST, &path)
        .by(&shop.manager)
        .header("Idempotency-Key", "rest")
        .json(&restock)
        .expect(201)
        .await;
    assert_eq!((done["status"].as_str(), done["payment"]["refunded"].as_str()), (Some("refunded"), Some("48.00")));
    assert_eq!(shop.product(&kibble).await["in_stock"], 9);
    refund("more", "0.01").expect(409).await;
    let refunds =
        fake.received_requests().await.unwrap().into_iter().filter(|call| call.url.path() == "/v1/refunds").count();
    assert_eq!(refunds, 2, "Stripe was asked for the two refunds made, not the refused ones");
    let audited = rows(
        &shop.app,
        &format!(
            "SELECT count(*)::text AS value FROM audit_log WHERE action = 'order.refunded' AND target_id = '{id}'"
        ),
    )
    .await;
    assert_eq!(audited, ["2"]);
}
