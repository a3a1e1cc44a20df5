//! Sales reports: CSV built by a job, downloaded through a signed link, for
//! the clinic's admins only.

use kernel::Role;
use reqwest::Method;
use serde_json::json;
use testkit::fixtures;

use crate::fixtures::{product, run_jobs, shop};

#[tokio::test]
async fn a_sales_report_lists_the_days_payments_and_refunds_as_csv_behind_a_signed_link() {
    let shop = shop().await;
    let app = &shop.app;
    let kibble = fixtures::id_of(&shop.add(product("KIB-1", "Kibble", "20.00"), 10).await);
    shop.put(&shop.owner, &kibble, 2, None).await;
    let order = shop.checkout(&shop.owner, "k", 201).await;
    let base = format!("/clinics/{}/orders/{}", shop.clinic, order["id"].as_str().unwrap());
    app.api(Method::POST, &format!("{base}/payment"))
        .by(&shop.manager)
        .json(&json!({ "method": "cash" }))
        .expect(200)
        .await;
    let refund = json!({ "amount": "10.00" });
    app.api(Method::POST, &format!("{base}/refunds"))
        .by(&shop.manager)
        .header("Idempotency-Key", "r")
        .json(&refund)
        .expect(201)
        .await;

    let today = app.clock.now().date_naive();
    let range = json!({ "from": today - chrono::Duration::days(1), "to": today + chrono::Duration::days(1) });
    let path = format!("/clinics/{}/sales-reports", shop.clinic);
    app.api(Method::POST, &path).by(&shop.vet).json(&range).expect(403).await;
    let backwards = json!({ "from": today, "to": today - chrono::Duration::days(1) });
    app.api(Method::POST, &path).by(&shop.manager).json(&backwards).expect(422).await;
    let asked = app.api(Method::POST, &path).by(&shop.manager).json(&range).expect(202).await;
    assert_eq!(asked["status"], "pending");
    let report = format!("{path}/{}", asked["id"].as_str().unwrap());
    run_jobs(app).await;
    let ready = app.api(Method::GET, &report).by(&shop.manager).expect(200).await;
    assert_eq!(ready["status"], "ready");
    let link = ready["download"]["url"].as_str().unwrap();
    let csv = app.client.get(format!("{}{link}", app.address)).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "date,time,type,order,net,tax,total,currency");
    let number = order["number"].as_str().unwrap();
    assert!(lines[1].contains(&format!(",sale,{number},40.00,8.00,48.00,EUR")), "{text}");
    assert!(lines[2].contains(&format!(",refund,{number},0,0,-10.00,EUR")), "{text}");
    assert_eq!(lines.len(), 3);
    let tampered = link.replace("signature=", "signature=0");
    assert_ne!(app.client.get(format!("{}{tampered}", app.address)).send().await.unwrap().status(), 200);

    let other =
        fixtures::clinic(app, &shop.admin, fixtures::clinic_profile("Elsewhere", 45.0, 4.0, "Europe/Paris")).await;
    let their_admin = fixtures::staff(app, &shop.admin, &other, Role::ClinicAdmin).await;
    app.api(Method::GET, &report).by(&their_admin).expect(403).await;
    let through_theirs = format!("/clinics/{other}/sales-reports/{}", asked["id"].as_str().unwrap());
    app.api(Method::GET, &through_theirs).by(&their_admin).expect(404).await;
}
