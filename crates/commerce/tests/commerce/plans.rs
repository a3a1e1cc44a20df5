//! Wellness plans and autoship, on the App's clock: the test advances it to
//! each renewal day and runs the daily job's logic there. Cards go through
//! a local fake of Stripe's API over real HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use commerce::payments::Payments;
use kernel::Role;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use testkit::{TestApp, fixtures};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::fixtures::{Shop, app_with, product, rows, run_jobs, shop, shop_over};

/// `[commerce]` taking cards through the fake at `base`.
fn with_stripe(base: String) -> impl Fn(&mut commerce::Settings) + Clone {
    move |settings| {
        settings.payments = commerce::api::ProviderName::Stripe;
        settings.stripe.api_base.clone_from(&base);
        settings.stripe.secret_key = Some(SecretString::from("sk_test_commerce"));
    }
}

/// A fake of Stripe saving cards and answering each charge in turn from
/// `answers` (`true`: succeeded, `false`: declined), then succeeding.
async fn card_fake(answers: &[bool]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "cus_test_1" })))
        .mount(&server)
        .await;
    let answers = Answers { turn: AtomicUsize::new(0), answers: answers.to_vec() };
    Mock::given(method("POST")).and(path("/v1/payment_intents")).respond_with(answers).mount(&server).await;
    server
}

/// Stripe's answers to charges, in turn.
struct Answers {
    turn: AtomicUsize,
    answers: Vec<bool>,
}

impl Respond for Answers {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let turn = self.turn.fetch_add(1, Ordering::SeqCst);
        if self.answers.get(turn).copied().unwrap_or(true) {
            ResponseTemplate::new(200).set_body_json(json!({ "id": format!("pi_plan_{turn}"), "status": "succeeded" }))
        } else {
            let error = json!({ "type": "card_error", "code": "card_declined", "message": "Your card was declined." });
            ResponseTemplate::new(402).set_body_json(json!({ "error": error }))
        }
    }
}

/// Charges the fake received.
async fn charges(fake: &MockServer) -> usize {
    let requests = fake.received_requests().await.unwrap();
    requests.iter().filter(|request| request.url.path() == "/v1/payment_intents").count()
}

/// The shop taking cards through `fake`, and its settings.
async fn card_shop(fake: &MockServer) -> (Shop, commerce::Settings) {
    let adjust = with_stripe(fake.uri());
    let app = app_with(adjust.clone()).await;
    let mut settings: commerce::Settings = app.section();
    adjust(&mut settings);
    (shop_over(app).await, settings)
}

/// The clinic's admin adds a monthly dog plan: 30.00 a month, 10.00 to
/// enroll, 10% off, `included` services; returns its id.
async fn add_plan(shop: &Shop, name: &str, price: &str, included: Value) -> String {
    let plan = json!({
        "species": "dog", "name": name, "billing_period": "month", "price": price, "enrollment_fee": "10.00",
        "discount_percent": 10, "included": included,
    });
    let path = format!("/clinics/{}/plans", shop.clinic);
    fixtures::id_of(&shop.app.api(Method::POST, &path).by(&shop.manager).json(&plan).expect(201).await)
}

async fn enroll(shop: &Shop, plan: &str, card: Option<&str>, status: u16) -> Value {
    let body = json!({ "plan_id": plan, "payment_method": card });
    shop.app.api(Method::POST, &format!("/pets/{}/plan", shop.pet)).by(&shop.owner).json(&body).expect(status).await
}

async fn pet_plan(shop: &Shop) -> Value {
    shop.app.api(Method::GET, &format!("/pets/{}/plan", shop.pet)).by(&shop.owner).expect(200).await
}

/// Moves the App's clock to `day` (local noon at the clinic, well inside the day).
fn move_to(app: &TestApp, day: &str) {
    let target = day.parse::<NaiveDate>().unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc();
    let by = target - app.clock.now();
    assert!(by >= Duration::zero(), "the clock only moves forward");
    app.clock.advance(by);
}

fn day_after(day: &Value, days: u64) -> String {
    let day: NaiveDate = day.as_str().unwrap().parse().unwrap();
    (day + chrono::Days::new(days)).to_string()
}

async fn renew(shop: &Shop, settings: &commerce::Settings) -> commerce::service::renewals::Summary {
    let payments = Payments::from_settings(settings).unwrap();
    let resources = jobs::Resources::of_state(&shop.app.state);
    commerce::jobs::renew_plans(&resources, settings, &payments).await.unwrap()
}

/// The owner's plan notices' headlines, oldest first.
async fn plan_notices(shop: &Shop) -> Vec<String> {
    let sql = format!(
        "SELECT data->>'headline' AS value FROM notifications WHERE recipient_id = '{}' AND template = 'plan_update' \
         ORDER BY created_at, id",
        shop.owner.user_id
    );
    rows(&shop.app, &sql).await
}

async fn order_status(shop: &Shop, order: &str) -> String {
    rows(&shop.app, &format!("SELECT status AS value FROM commerce_orders WHERE id = '{order}'")).await.remove(0)
}

#[tokio::test]
async fn a_card_enrollment_starts_at_once_and_renews_once_per_period_however_often_the_job_runs() {
    let fake = card_fake(&[]).await;
    let (shop, settings) = card_shop(&fake).await;
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;

    let enrolled = enroll(&shop, &plan, Some("pm_card_visa"), 201).await;
    assert_eq!((enrolled["status"].as_str(), enrolled["period_index"].as_i64()), (Some("active"), Some(1)));
    assert_eq!(enrolled["card_saved"], true);
    assert!(enrolled["unpaid_order_id"].is_null());
    assert!(enrolled["transfer_notice"].as_str().unwrap().contains("not transferable"));
    assert_eq!(charges(&fake).await, 1);
    let first = rows(&shop.app, "SELECT total::text AS value FROM commerce_orders ORDER BY created_at").await;
    assert_eq!(first, ["48.00"], "30.00 + 10.00 fee, 20% tax");

    for period in [2, 3] {
        let due = pet_plan(&shop).await["period_end"].clone();
        move_to(&shop.app, due.as_str().unwrap());
        assert_eq!(renew(&shop, &settings).await.renewed, 1);
        assert_eq!(renew(&shop, &settings).await.renewed, 0, "the second run the same day finds nothing due");
        let plan = pet_plan(&shop).await;
        assert_eq!((plan["status"].as_str(), plan["period_index"].as_i64()), (Some("active"), Some(period)));
        assert_eq!(plan["period_start"], due);
        assert_eq!(charges(&fake).await, usize::try_from(period).unwrap());
    }
    let paid =
        rows(&shop.app, "SELECT total::text AS value FROM commerce_orders WHERE status = 'paid' ORDER BY created_at")
            .await;
    assert_eq!(paid, ["48.00", "36.00", "36.00"]);
    let invoices =
        rows(&shop.app, "SELECT count(*)::text AS value FROM commerce_invoices WHERE status = 'issued'").await;
    assert_eq!(invoices, ["3"], "each period's payment is invoiced");
    assert_eq!(plan_notices(&shop).await, ["Enrollment received", "Active", "Renewed", "Renewed"]);
}

#[tokio::test]
async fn a_declined_renewal_is_retried_on_schedule_and_recovers_when_the_card_pays() {
    // Enrollment pays; the renewal and its first retry are declined; the second retry pays.
    let fake = card_fake(&[true, false, false]).await;
    let (shop, settings) = card_shop(&fake).await;
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;
    let enrolled = enroll(&shop, &plan, Some("pm_card_visa"), 201).await;
    let renewal = enrolled["period_end"].clone();

    move_to(&shop.app, renewal.as_str().unwrap());
    renew(&shop, &settings).await;
    let plan = pet_plan(&shop).await;
    assert_eq!(plan["status"], "past_due");
    assert_eq!(plan["next_retry_on"].as_str(), Some(day_after(&renewal, 1).as_str()));
    assert_eq!(plan["grace_until"].as_str(), Some(day_after(&renewal, 7).as_str()));
    let unpaid = plan["unpaid_order_id"].as_str().unwrap().to_owned();

    move_to(&shop.app, &day_after(&renewal, 1));
    assert_eq!(renew(&shop, &settings).await.retried, 1);
    let plan = pet_plan(&shop).await;
    assert_eq!(plan["status"], "past_due");
    assert_eq!(plan["next_retry_on"].as_str(), Some(day_after(&renewal, 3).as_str()));

    move_to(&shop.app, &day_after(&renewal, 2));
    assert_eq!(renew(&shop, &settings).await, commerce::service::renewals::Summary::default(), "no retry on day 2");

    move_to(&shop.app, &day_after(&renewal, 3));
    assert_eq!(renew(&shop, &settings).await.retried, 1);
    let plan = pet_plan(&shop).await;
    assert_eq!((plan["status"].as_str(), plan["period_index"].as_i64()), (Some("active"), Some(2)));
    assert!(plan["grace_until"].is_null() && plan["next_retry_on"].is_null() && plan["unpaid_order_id"].is_null());
    assert_eq!(order_status(&shop, &unpaid).await, "paid");
    assert_eq!(charges(&fake).await, 4, "enrollment, renewal, two retries");
    assert_eq!(
        plan_notices(&shop).await,
        ["Enrollment received", "Active", "Renewal unpaid", "Renewal still unpaid", "Renewed"]
    );
}

#[tokio::test]
async fn a_renewal_unpaid_through_the_grace_period_suspends_the_plan() {
    let fake = card_fake(&[true, false, false, false, false]).await;
    let (shop, settings) = card_shop(&fake).await;
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;
    let enrolled = enroll(&shop, &plan, Some("pm_card_visa"), 201).await;
    let renewal = enrolled["period_end"].clone();

    move_to(&shop.app, renewal.as_str().unwrap());
    renew(&shop, &settings).await;
    let unpaid = pet_plan(&shop).await["unpaid_order_id"].as_str().unwrap().to_owned();
    for day in [1, 3, 5] {
        move_to(&shop.app, &day_after(&renewal, day));
        assert_eq!(renew(&shop, &settings).await.retried, 1, "retry on day {day}");
    }
    move_to(&shop.app, &day_after(&renewal, 7));
    assert_eq!(renew(&shop, &settings).await.suspended, 0, "the last day of grace still has its benefits");
    assert_eq!(pet_plan(&shop).await["status"], "past_due");

    move_to(&shop.app, &day_after(&renewal, 8));
    assert_eq!(renew(&shop, &settings).await.suspended, 1);
    let plan = pet_plan(&shop).await;
    assert_eq!(plan["status"], "suspended");
    assert_eq!(order_status(&shop, &unpaid).await, "cancelled");
    assert_eq!(charges(&fake).await, 5, "enrollment, renewal, three retries");
    assert_eq!(plan_notices(&shop).await.last().map(String::as_str), Some("Suspended"));

    let overview = format!("/clinics/{}/plan-overview", shop.clinic);
    let overview = shop.app.api(Method::GET, &overview).by(&shop.manager).expect(200).await;
    assert_eq!(overview["failed_renewals"][0]["status"], "suspended");
    assert_eq!(overview["plans"][0]["members"], 0, "a suspended plan is not a member's");
    assert_eq!(overview["revenue"].as_array().unwrap().len(), 1);
    assert_eq!(overview["revenue"][0]["total"], "48.00", "only the paid enrollment");

    let cancelled =
        shop.app.api(Method::POST, &format!("/pets/{}/plan/cancel", shop.pet)).by(&shop.owner).expect(200).await;
    assert_eq!((cancelled["status"].as_str(), cancelled["end_reason"].as_str()), (Some("ended"), Some("cancelled")));
    shop.app.api(Method::GET, &format!("/pets/{}/plan", shop.pet)).by(&shop.owner).expect(404).await;
}

#[tokio::test]
async fn a_declined_card_at_enrollment_is_422_and_leaves_no_running_plan() {
    let fake = card_fake(&[false]).await;
    let (shop, _) = card_shop(&fake).await;
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;
    let refused = enroll(&shop, &plan, Some("pm_card_declined"), 422).await;
    assert!(refused["error"]["details"]["fields"]["payment_method"].to_string().contains("declined"), "{refused}");
    shop.app.api(Method::GET, &format!("/pets/{}/plan", shop.pet)).by(&shop.owner).expect(404).await;
    let orders = rows(&shop.app, "SELECT status AS value FROM commerce_orders").await;
    assert_eq!(orders, ["cancelled"]);
    assert_eq!(enroll(&shop, &plan, Some("pm_card_visa"), 201).await["status"], "active", "enrolling again works");
}

#[tokio::test]
async fn paid_at_the_desk_a_plan_cancelled_ends_at_period_end_and_is_not_renewed() {
    let shop = shop().await;
    let settings: commerce::Settings = shop.app.section();
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;
    let enrolled = enroll(&shop, &plan, None, 201).await;
    assert_eq!(enrolled["status"], "pending");
    let order = enrolled["unpaid_order_id"].as_str().unwrap();
    let desk = format!("/clinics/{}/orders/{order}/payment", shop.clinic);
    shop.app.api(Method::POST, &desk).by(&shop.manager).json(&json!({ "method": "cash" })).expect(200).await;
    assert_eq!(pet_plan(&shop).await["status"], "active");
    enroll(&shop, &plan, None, 409).await;

    let cancel = format!("/pets/{}/plan/cancel", shop.pet);
    let cancelled = shop.app.api(Method::POST, &cancel).by(&shop.owner).expect(200).await;
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancel_at_period_end"].as_bool()),
        (Some("active"), Some(true))
    );
    assert_eq!(cancelled["ends_on"], enrolled["period_end"]);
    shop.app.api(Method::POST, &cancel).by(&shop.owner).expect(200).await;

    move_to(&shop.app, &day_after(&enrolled["period_end"], 0));
    let summary = renew(&shop, &settings).await;
    assert_eq!((summary.ended, summary.renewed), (1, 0));
    shop.app.api(Method::GET, &format!("/pets/{}/plan", shop.pet)).by(&shop.owner).expect(404).await;
    let orders = rows(&shop.app, "SELECT count(*)::text AS value FROM commerce_orders").await;
    assert_eq!(orders, ["1"], "no order for a period that never came");
    assert_eq!(plan_notices(&shop).await, ["Enrollment received", "Active", "Cancelled", "Ended"]);
}

#[tokio::test]
async fn an_included_service_is_free_on_the_visit_draft_once_per_period_and_the_discount_applies_elsewhere() {
    let shop = shop().await;
    let app = &shop.app;
    let settings: commerce::Settings = app.section();
    fixtures::open_every_day(app, &shop.admin, &shop.clinic, "08:00", "20:00").await;
    let vet = fixtures::vet(app, &shop.admin, &shop.clinic, "Dr Martin", "08:00", "20:00").await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "45.00" });
    let service = fixtures::service(app, &shop.admin, &shop.clinic, offer).await;
    let plan = add_plan(&shop, "Wellness", "30.00", json!([{ "service_id": service, "per_period": 1 }])).await;
    let enrolled = enroll(&shop, &plan, None, 201).await;
    let desk = format!("/clinics/{}/orders/{}/payment", shop.clinic, enrolled["unpaid_order_id"].as_str().unwrap());
    app.api(Method::POST, &desk).by(&shop.manager).json(&json!({ "method": "cash" })).expect(200).await;
    assert_eq!(pet_plan(&shop).await["allowance"][0]["left"], 1);

    let day = chrono::Utc::now() + Duration::days(3);
    let (from, to) = (day.format("%Y-%m-%dT00:00:00Z"), (day + Duration::days(1)).format("%Y-%m-%dT00:00:00Z"));
    let free = app
        .api(Method::GET, &format!("/availability?clinic_id={}&service_id={service}&from={from}&to={to}", shop.clinic))
        .expect(200)
        .await;
    let slots = free["slots"].as_array().unwrap();
    let start = |slot: &Value| slot["starts_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    let later = slots.iter().find(|slot| start(slot) >= start(&slots[0]) + Duration::hours(1)).unwrap();
    for slot in [&slots[0], later] {
        let starts_at = &slot["starts_at"];
        let booking =
            json!({ "pet_id": shop.pet, "service_id": service, "vet_id": vet.user_id, "starts_at": starts_at });
        let booked = app.api(Method::POST, "/appointments").by(&shop.owner).json(&booking).expect(201).await;
        let path = format!("/appointments/{}/transitions", booked["id"].as_str().unwrap());
        for step in ["confirmed", "checked_in", "in_progress", "completed"] {
            app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "to": step })).expect(200).await;
        }
        run_jobs(app).await;
        run_jobs(app).await;
    }
    let drafts = rows(
        app,
        "SELECT l.description || ' = ' || i.total::text AS value FROM commerce_invoices i \
         JOIN commerce_invoice_lines l ON l.invoice_id = i.id WHERE i.appointment_id IS NOT NULL ORDER BY i.created_at",
    )
    .await;
    assert_eq!(
        drafts,
        [
            "Consultation (included in Wellness: 1 of 1 this period) = 0.00",
            "Consultation (10% off with Wellness) = 48.60",
        ]
    );
    let allowance = &pet_plan(&shop).await["allowance"][0];
    assert_eq!((allowance["used"].as_i64(), allowance["left"].as_i64()), (Some(1), Some(0)));

    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, 1, Some(&shop.pet)).await;
    let order = shop.checkout(&shop.owner, "with-plan", 201).await;
    assert_eq!(order["lines"][0]["unit_price"], "18.00", "10% off for the enrolled pet");

    move_to(app, enrolled["period_end"].as_str().unwrap());
    renew(&shop, &settings).await;
    let renewed = pet_plan(&shop).await;
    assert_eq!(renewed["status"], "past_due", "a renewal paid at the desk waits for it, benefits kept");
    let allowance = &renewed["allowance"][0];
    assert_eq!(
        (allowance["used"].as_i64(), allowance["left"].as_i64()),
        (Some(0), Some(1)),
        "a new period starts afresh"
    );
}

#[tokio::test]
async fn an_upgrade_charges_the_prorated_difference_and_a_downgrade_waits_for_the_renewal() {
    let fake = card_fake(&[]).await;
    let (shop, settings) = card_shop(&fake).await;
    let basic = add_plan(&shop, "Basic", "30.00", json!([])).await;
    let premium = add_plan(&shop, "Premium", "60.00", json!([])).await;
    let enrolled = enroll(&shop, &basic, Some("pm_card_visa"), 201).await;
    let (start, end): (NaiveDate, NaiveDate) = (
        enrolled["period_start"].as_str().unwrap().parse().unwrap(),
        enrolled["period_end"].as_str().unwrap().parse().unwrap(),
    );
    let days = (end - start).num_days();

    move_to(&shop.app, &day_after(&enrolled["period_start"], 10));
    let change = format!("/pets/{}/plan", shop.pet);
    let upgraded =
        shop.app.api(Method::PUT, &change).by(&shop.owner).json(&json!({ "plan_id": premium })).expect(200).await;
    assert_eq!(upgraded["plan"]["name"], "Premium");
    let expected = (rust_decimal::Decimal::from(30) * rust_decimal::Decimal::from(days - 10)
        / rust_decimal::Decimal::from(days))
    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let upgrade = rows(&shop.app, "SELECT subtotal::text AS value FROM commerce_orders ORDER BY created_at").await;
    assert_eq!(upgrade[1], format!("{expected:.2}"), "30.00 more a month for {} of {days} days", days - 10);

    let downgraded =
        shop.app.api(Method::PUT, &change).by(&shop.owner).json(&json!({ "plan_id": basic })).expect(200).await;
    assert_eq!(
        (downgraded["plan"]["name"].as_str(), downgraded["next_plan_id"].as_str()),
        (Some("Premium"), Some(basic.as_str()))
    );
    move_to(&shop.app, enrolled["period_end"].as_str().unwrap());
    renew(&shop, &settings).await;
    let renewed = pet_plan(&shop).await;
    assert_eq!((renewed["plan"]["name"].as_str(), renewed["status"].as_str()), (Some("Basic"), Some("active")));
    let last =
        rows(&shop.app, "SELECT subtotal::text AS value FROM commerce_orders ORDER BY created_at DESC LIMIT 1").await;
    assert_eq!(last, ["30.00"]);
}

#[tokio::test]
async fn autoship_orders_on_schedule_and_stops_on_the_refill_that_exhausts_the_prescription() {
    let shop = shop().await;
    let app = &shop.app;
    let settings: commerce::Settings = app.section();
    let mut draft = product("APO-16", "Apoquel 16 mg", "30.00");
    draft["prescription_required"] = json!(true);
    draft["drug"] = json!("Apoquel");
    let apoquel = fixtures::id_of(&shop.add(draft, 10).await);
    let none = json!({ "product_id": apoquel, "pet_id": shop.pet, "quantity": 1, "every_days": 30 });
    app.api(Method::POST, "/autoship").by(&shop.owner).json(&none).expect(422).await;
    shop.prescribe("Apoquel", 2, None).await;
    let created = app.api(Method::POST, "/autoship").by(&shop.owner).json(&none).expect(201).await;
    let id = created["id"].as_str().unwrap();
    let resources = jobs::Resources::of_state(&app.state);

    let placed = commerce::jobs::run_autoships(&resources, &settings).await.unwrap();
    assert_eq!(placed.placed, 1);
    assert_eq!(commerce::jobs::run_autoships(&resources, &settings).await.unwrap().placed, 0, "once a day");
    app.clock.advance(Duration::days(30));
    let last = commerce::jobs::run_autoships(&resources, &settings).await.unwrap();
    assert_eq!((last.placed, last.stopped), (1, 1), "the second order uses the last refill and stops it");
    app.clock.advance(Duration::days(30));
    assert_eq!(commerce::jobs::run_autoships(&resources, &settings).await.unwrap().placed, 0);

    let stopped = app.api(Method::GET, &format!("/autoship/{id}")).by(&shop.owner).expect(200).await;
    assert_eq!((stopped["status"].as_str(), stopped["shipments"].as_i64()), (Some("stopped"), Some(2)));
    assert!(stopped["stop_reason"].as_str().unwrap().contains("last refill"));
    let orders =
        rows(app, "SELECT count(*)::text AS value FROM commerce_order_lines WHERE prescription_id IS NOT NULL").await;
    assert_eq!(orders, ["2"], "one refill per order");
    assert_eq!(plan_notices(&shop).await, ["Stopped"]);
    let asked = format!(
        "SELECT title AS value FROM notifications WHERE recipient_id = '{}' AND title LIKE 'Prescription%'",
        shop.vet.user_id
    );
    assert_eq!(rows(app, &asked).await, ["Prescription renewal requested: Rex, Apoquel"]);
}

#[tokio::test]
async fn other_owners_and_other_clinics_get_404_on_a_pets_plan_and_autoship() {
    let shop = shop().await;
    let app = &shop.app;
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    enroll(&shop, &plan, None, 201).await;
    let repeat = json!({ "product_id": kibble, "pet_id": shop.pet, "quantity": 1, "every_days": 30 });
    let autoship = app.api(Method::POST, "/autoship").by(&shop.owner).json(&repeat).expect(201).await;
    let autoship = autoship["id"].as_str().unwrap();

    let stranger = app.user(Role::PetOwner).await;
    let other =
        fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await;
    let their_admin = fixtures::staff(app, &shop.admin, &other, Role::ClinicAdmin).await;
    let pet_plan = format!("/pets/{}/plan", shop.pet);
    for outsider in [&stranger, &their_admin] {
        app.api(Method::GET, &pet_plan).by(outsider).expect(404).await;
        app.api(Method::POST, &format!("{pet_plan}/cancel")).by(outsider).expect(404).await;
        app.api(Method::POST, &pet_plan).by(outsider).json(&json!({ "plan_id": plan })).expect(404).await;
        app.api(Method::GET, &format!("/autoship/{autoship}")).by(outsider).expect(404).await;
        app.api(Method::POST, &format!("/autoship/{autoship}/stop")).by(outsider).expect(404).await;
        assert!(app.api(Method::GET, "/autoship").by(outsider).expect(200).await.as_array().unwrap().is_empty());
    }
    app.api(Method::GET, &format!("/clinics/{}/plan-overview", shop.clinic)).by(&their_admin).expect(403).await;
    app.api(Method::GET, &pet_plan).by(&shop.vet).expect(200).await;
    app.api(Method::GET, &format!("/autoship/{autoship}")).by(&shop.vet).expect(200).await;
    assert_eq!(pet_plan_status(&shop).await, "pending", "nothing an outsider did changed it");
}

async fn pet_plan_status(shop: &Shop) -> String {
    pet_plan(shop).await["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn plans_are_validated_and_a_plan_for_another_species_is_422() {
    let shop = shop().await;
    let app = &shop.app;
    let path = format!("/clinics/{}/plans", shop.clinic);
    let bad = json!({ "species": "dog", "name": "Bad", "billing_period": "month", "price": "1.005", "discount_percent": 101 });
    let refused = app.api(Method::POST, &path).by(&shop.manager).json(&bad).expect(422).await;
    let fields = &refused["error"]["details"]["fields"];
    assert!(fields["price"].is_array() && fields["discount_percent"].is_array(), "{refused}");
    let elsewhere = json!([{ "service_id": uuid::Uuid::now_v7(), "per_period": 1 }]);
    let plan =
        json!({ "species": "dog", "name": "Ghost", "billing_period": "month", "price": "10", "included": elsewhere });
    app.api(Method::POST, &path).by(&shop.manager).json(&plan).expect(422).await;
    app.api(Method::POST, &path)
        .by(&shop.vet)
        .json(&json!({ "species": "dog", "name": "V", "billing_period": "month", "price": "10" }))
        .expect(403)
        .await;
    let cats = json!({ "species": "cat", "name": "Cats", "billing_period": "year", "price": "300" });
    let cats = fixtures::id_of(&app.api(Method::POST, &path).by(&shop.manager).json(&cats).expect(201).await);
    app.api(Method::POST, &path)
        .by(&shop.manager)
        .json(&json!({ "species": "cat", "name": "Cats", "billing_period": "year", "price": "1" }))
        .expect(409)
        .await;
    let refused = enroll(&shop, &cats, None, 422).await;
    assert!(refused["error"]["details"]["fields"]["plan_id"].is_array(), "{refused}");
    let listed = app.api(Method::GET, &path).by(&shop.owner).expect(200).await;
    assert_eq!(listed[0]["name"], "Cats");
}

#[tokio::test]
async fn a_plan_is_not_transferable_a_new_primary_owner_ends_it_at_period_end() {
    let shop = shop().await;
    let app = &shop.app;
    let settings: commerce::Settings = app.section();
    let plan = add_plan(&shop, "Wellness", "30.00", json!([])).await;
    let enrolled = enroll(&shop, &plan, None, 201).await;
    let desk = format!("/clinics/{}/orders/{}/payment", shop.clinic, enrolled["unpaid_order_id"].as_str().unwrap());
    app.api(Method::POST, &desk).by(&shop.manager).json(&json!({ "method": "cash" })).expect(200).await;
    let notice = pet_plan(&shop).await["transfer_notice"].as_str().unwrap().to_owned();
    assert!(notice.contains(enrolled["period_end"].as_str().unwrap()), "{notice}");

    let partner = app.user(Role::PetOwner).await;
    let pet = format!("/pets/{}", shop.pet);
    let invited = app
        .api(Method::POST, &format!("{pet}/co-owners"))
        .by(&shop.owner)
        .json(&json!({ "user_id": partner.user_id }))
        .expect(202)
        .await;
    let accept = format!("/pet-invitations/{}/accept", invited["id"].as_str().unwrap());
    app.api(Method::POST, &accept).by(&partner).expect(204).await;
    app.api(Method::POST, &format!("{pet}/transfer"))
        .by(&shop.owner)
        .json(&json!({ "user_id": partner.user_id }))
        .expect(204)
        .await;
    assert_eq!(pet_plan(&shop).await["status"], "active", "in force until the period ends");

    move_to(app, enrolled["period_end"].as_str().unwrap());
    let summary = renew(&shop, &settings).await;
    assert_eq!((summary.ended, summary.renewed), (1, 0));
    let ended = rows(app, "SELECT end_reason AS value FROM commerce_plan_enrollments").await;
    assert_eq!(ended, ["the pet has a new primary owner"]);
    app.api(Method::GET, &format!("{pet}/plan")).by(&partner).expect(404).await;
}
