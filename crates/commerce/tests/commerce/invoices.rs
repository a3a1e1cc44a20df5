//! Invoices: issued with each paid order, drafted for each completed visit,
//! numbered per clinic without gaps, final once issued, as PDF stored once
//! and emailed to the owner.

use reqwest::Method;
use serde_json::{Value, json};
use testkit::fixtures;

use mailparse::MailHeaderMap;

use crate::fixtures::{Shop, product, rows, run_jobs, run_jobs_emailing, shop};

/// `count` owners each order one kibble (20.00 + 20%); returns the orders.
async fn orders(shop: &Shop, count: usize) -> Vec<Value> {
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 100).await);
    let mut placed = Vec::new();
    for at in 0..count {
        let buyer = if at == 0 { shop.owner.clone() } else { shop.app.user(kernel::Role::PetOwner).await };
        shop.put(&buyer, &kibble, 1, None).await;
        placed.push(shop.checkout(&buyer, &format!("k{at}"), 201).await);
    }
    placed
}

async fn pay(shop: &Shop, order: &Value) -> reqwest::Response {
    let path = format!("/clinics/{}/orders/{}/payment", shop.clinic, order["id"].as_str().unwrap());
    shop.app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "method": "card" })).send().await
}

#[tokio::test]
async fn a_paid_order_is_invoiced_with_the_next_number_and_its_pdf_shows_number_and_totals() {
    let shop = shop().await;
    let app = &shop.app;
    let order = orders(&shop, 1).await.remove(0);
    assert!(
        app.api(Method::GET, "/invoices").by(&shop.owner).expect(200).await["items"].as_array().unwrap().is_empty()
    );
    assert_eq!(pay(&shop, &order).await.status(), 200);
    let mine = app.api(Method::GET, "/invoices").by(&shop.owner).expect(200).await;
    let invoice = &mine["items"][0];
    assert_eq!((invoice["number"].as_i64(), invoice["status"].as_str()), (Some(1), Some("issued")));
    assert_eq!((invoice["total"].as_str(), invoice["order_id"].as_str()), (Some("24.00"), order["id"].as_str()));
    assert_eq!(invoice["lines"][0]["description"], "Kibble (KIB-1)");
    let id = invoice["id"].as_str().unwrap();

    let pdf = app.api(Method::GET, &format!("/invoices/{id}/pdf")).by(&shop.owner).send().await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers()["content-disposition"].to_str().unwrap().contains("invoice-000001.pdf"));
    let bytes = pdf.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(bytes.starts_with(b"%PDF-"));
    for expected in
        ["(Invoice 000001)", "(Paws Paris)", "(Subtotal: 20.00 EUR)", "(Tax: 4.00 EUR)", "(Total: 24.00 EUR)"]
    {
        assert!(text.contains(expected), "the PDF shows {expected}");
    }

    let stranger = app.user(kernel::Role::PetOwner).await;
    app.api(Method::GET, &format!("/invoices/{id}")).by(&stranger).expect(404).await;
    app.api(Method::GET, &format!("/invoices/{id}/pdf")).by(&stranger).expect(404).await;
    app.api(Method::GET, &format!("/invoices/{id}")).by(&shop.vet).expect(200).await;
    let other =
        fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await;
    let their_desk = fixtures::staff(app, &shop.admin, &other, kernel::Role::ClinicAdmin).await;
    app.api(Method::GET, &format!("/invoices/{id}")).by(&their_desk).expect(404).await;
    let theirs = app.api(Method::GET, &format!("/clinics/{other}/invoices")).by(&their_desk).expect(200).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_issued_invoice_is_stored_once_and_emailed_to_its_owner_with_the_pdf_attached() {
    let shop = shop().await;
    let app = &shop.app;
    let smtp = testkit::SmtpServer::start().await;
    let order = orders(&shop, 1).await.remove(0);
    pay(&shop, &order).await;
    let mine = app.api(Method::GET, "/invoices").by(&shop.owner).expect(200).await;
    let pdf_path = format!("/invoices/{}/pdf", mine["items"][0]["id"].as_str().unwrap());
    let before = app.api(Method::GET, &pdf_path).by(&shop.owner).send().await;
    assert!(before.headers().get("etag").is_none(), "rendered on request until its job has run");
    let rendered = before.bytes().await.unwrap();

    run_jobs_emailing(app, &smtp).await;
    run_jobs_emailing(app, &smtp).await;
    let messages = smtp.messages();
    let mails: Vec<_> = messages.iter().map(|message| mailparse::parse_mail(message.as_bytes()).unwrap()).collect();
    let invoices: Vec<_> = mails
        .iter()
        .filter(|mail| mail.headers.get_first_value("Subject").as_deref() == Some("Invoice 000001 from Paws Paris"))
        .collect();
    assert_eq!(invoices.len(), 1, "emailed once, however often the job runs");
    let mail = invoices[0];
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
    let attached = mail.subparts.iter().find(|part| part.ctype.mimetype == "application/pdf").expect("the PDF");
    assert_eq!(attached.get_content_disposition().params.get("filename").unwrap(), "invoice-000001.pdf");
    let attached = attached.get_body_raw().unwrap();
    assert!(String::from_utf8_lossy(&attached).contains("(Total: 24.00 EUR)"));
    assert_eq!(attached, rendered, "rendering is deterministic: the email and the early download agree");

    let stored = app.api(Method::GET, &pdf_path).by(&shop.manager).send().await;
    let etag = stored.headers()["etag"].to_str().unwrap().to_owned();
    assert!(stored.headers()["content-disposition"].to_str().unwrap().contains("invoice-000001.pdf"));
    assert_eq!(stored.bytes().await.unwrap(), attached, "downloads serve the stored file");
    let again = app.api(Method::GET, &pdf_path).by(&shop.owner).header("if-none-match", &etag).send().await;
    assert_eq!(again.status(), 304);
    let files = rows(app, "SELECT purpose || ' ' || owner_type AS value FROM media").await;
    assert_eq!(files, ["invoice invoice"], "stored once, attached to the invoice");
}

#[tokio::test]
async fn an_issued_invoice_is_final_and_a_credit_note_corrects_it_once() {
    let shop = shop().await;
    let app = &shop.app;
    let order = orders(&shop, 1).await.remove(0);
    pay(&shop, &order).await;
    let mine = app.api(Method::GET, "/invoices").by(&shop.owner).expect(200).await;
    let id = mine["items"][0]["id"].as_str().unwrap().to_owned();
    let base = format!("/clinics/{}/invoices/{id}", shop.clinic);
    let lines = json!({ "lines": [{ "description": "Discount", "quantity": 1, "unit_price": "0.00" }] });
    app.api(Method::PUT, &format!("{base}/lines")).by(&shop.manager).json(&lines).expect(409).await;
    app.api(Method::POST, &format!("{base}/issue")).by(&shop.manager).expect(409).await;
    let mut connection = app.db.connect().await;
    let tampered = diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE commerce_invoices SET total = 0, subtotal = 0, tax_total = 0 WHERE id = '{id}'"
        )),
        &mut connection,
    )
    .await;
    assert!(tampered.is_err(), "the database refuses to change an issued invoice");

    app.api(Method::POST, &format!("{base}/credit-notes")).by(&shop.vet).json(&json!({})).expect(403).await;
    let note = app
        .api(Method::POST, &format!("{base}/credit-notes"))
        .by(&shop.manager)
        .json(&json!({ "reason": "Billed twice" }))
        .expect(201)
        .await;
    assert_eq!(
        (note["kind"].as_str(), note["number"].as_i64(), note["credits_id"].as_str()),
        (Some("credit_note"), Some(2), Some(id.as_str()))
    );
    assert_eq!((note["total"].as_str(), note["note"].as_str()), (Some("24.00"), Some("Billed twice")));
    app.api(Method::POST, &format!("{base}/credit-notes")).by(&shop.manager).json(&json!({})).expect(409).await;
    let pdf =
        app.api(Method::GET, &format!("/invoices/{}/pdf", note["id"].as_str().unwrap())).by(&shop.owner).send().await;
    assert!(String::from_utf8_lossy(&pdf.bytes().await.unwrap()).contains("(Credit note 000002)"));
}

#[tokio::test]
async fn twenty_invoices_issued_at_once_are_numbered_without_gaps_or_duplicates() {
    let shop = shop().await;
    let placed = orders(&shop, 20).await;
    let answers = futures_util::future::join_all(placed.iter().map(|order| pay(&shop, order))).await;
    assert!(answers.iter().all(|answer| answer.status() == 200));
    let numbers = rows(
        &shop.app,
        &format!(
            "SELECT number::text AS value FROM commerce_invoices WHERE clinic_id = '{}' ORDER BY number",
            shop.clinic
        ),
    )
    .await;
    let expected: Vec<String> = (1..=20).map(|number| number.to_string()).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_completed_visit_gets_a_draft_the_clinic_completes_and_issues() {
    let shop = shop().await;
    let app = &shop.app;
    fixtures::open_every_day(app, &shop.admin, &shop.clinic, "08:00", "20:00").await;
    let vet = fixtures::vet(app, &shop.admin, &shop.clinic, "Dr Martin", "08:00", "20:00").await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "45.00" });
    let service = fixtures::service(app, &shop.admin, &shop.clinic, offer).await;
    let day = chrono::Utc::now() + chrono::Duration::days(3);
    let (from, to) = (day.format("%Y-%m-%dT00:00:00Z"), (day + chrono::Duration::days(1)).format("%Y-%m-%dT00:00:00Z"));
    let free = app
        .api(Method::GET, &format!("/availability?clinic_id={}&service_id={service}&from={from}&to={to}", shop.clinic))
        .expect(200)
        .await;
    let booking = json!({ "pet_id": shop.pet, "service_id": service, "vet_id": vet.user_id, "starts_at": free["slots"][0]["starts_at"] });
    let booked = app.api(Method::POST, "/appointments").by(&shop.owner).json(&booking).expect(201).await;
    let path = format!("/appointments/{}/transitions", booked["id"].as_str().unwrap());
    for step in ["confirmed", "checked_in", "in_progress", "completed"] {
        app.api(Method::POST, &path).by(&shop.manager).json(&json!({ "to": step })).expect(200).await;
    }
    run_jobs(app).await;
    run_jobs(app).await;

    let drafts = app.api(Method::GET, &format!("/clinics/{}/invoices", shop.clinic)).by(&shop.vet).expect(200).await;
    let items = drafts["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one draft, however often the job runs");
    let draft = &items[0];
    assert_eq!((draft["status"].as_str(), draft["appointment_id"].as_str()), (Some("draft"), booked["id"].as_str()));
    assert_eq!(
        (draft["lines"][0]["description"].as_str(), draft["total"].as_str()),
        (Some("Consultation"), Some("54.00"))
    );
    let id = draft["id"].as_str().unwrap();
    app.api(Method::GET, &format!("/invoices/{id}")).by(&shop.owner).expect(404).await;
    assert!(
        app.api(Method::GET, "/invoices").by(&shop.owner).expect(200).await["items"].as_array().unwrap().is_empty()
    );

    let base = format!("/clinics/{}/invoices/{id}", shop.clinic);
    let lines = json!({ "lines": [
        { "description": "Consultation", "quantity": 1, "unit_price": "45.00" },
        { "description": "Deworming tablet", "quantity": 2, "unit_price": "3.35", "tax_class": "reduced" },
    ] });
    let edited = app.api(Method::PUT, &format!("{base}/lines")).by(&shop.manager).json(&lines).expect(200).await;
    assert_eq!(
        (edited["subtotal"].as_str(), edited["tax_total"].as_str(), edited["total"].as_str()),
        (Some("51.70"), Some("9.37"), Some("61.07"))
    );
    let issued = app.api(Method::POST, &format!("{base}/issue")).by(&shop.manager).expect(200).await;
    assert_eq!((issued["status"].as_str(), issued["number"].as_i64()), (Some("issued"), Some(1)));
    let seen = app.api(Method::GET, &format!("/invoices/{id}")).by(&shop.owner).expect(200).await;
    assert_eq!(seen["total"], "61.07");
}
