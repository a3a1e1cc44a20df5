//! A client generated from `/openapi.json` by a public generator runs a real
//! flow against the gateway: an owner registers a pet, finds the clinic near
//! a point, reads its availability and books; the clinic's receptionist
//! confirms. A document the generator cannot use (or warns about) fails here.
//!
//! The generator is openapi-python-client, pinned in `.ci/services.sh` and
//! installed in `.venv` by `make test`; its options are in
//! `tests/client/generator.yml` and the flow is `tests/client/flow.py`. The
//! client is generated under `target/tmp/` and removed when the test passes.

use std::path::{Path, PathBuf};
use std::process::Output;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use kernel::{Role, UserId};
use serde_json::json;
use testkit::{TestApp, fixtures};

/// `$VET_TEST_PYTHON`, or the workspace's `.venv/bin/python` (as testkit's servers).
fn python() -> PathBuf {
    std::env::var_os("VET_TEST_PYTHON").map_or_else(|| workspace().join(".venv/bin/python"), PathBuf::from)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `python args…` with `environment`.
async fn run_python(args: &[&std::ffi::OsStr], environment: &[(&str, &str)]) -> Output {
    let python = python();
    assert!(python.exists(), "no Python at {}; run `make test`, which installs it", python.display());
    tokio::process::Command::new(&python)
        .args(args)
        .envs(environment.iter().copied())
        .kill_on_drop(true)
        .output()
        .await
        .expect("run Python")
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[tokio::test]
async fn a_generated_client_books_and_the_clinic_confirms() {
    let app = TestApp::spawn(crate::modules).await;
    let admin = fixtures::admin(&app).await;
    let clinic = fixtures::clinic(&app, &admin, fixtures::clinic_profile("Here", 48.85, 2.35, "Europe/Paris")).await;
    // Farther from the point the owner searches: the search must put it second.
    fixtures::clinic(&app, &admin, fixtures::clinic_profile("Nearby", 48.9, 2.35, "Europe/Paris")).await;
    fixtures::open_every_day(&app, &admin, &clinic, "00:00", "23:59").await;
    fixtures::vet(&app, &admin, &clinic, "Dr Here", "00:00", "23:59").await;
    let offer = json!({ "kind": "consultation", "name": "Consultation", "duration_minutes": 30, "price": "40.00" });
    fixtures::service(&app, &admin, &clinic, offer).await;
    let desk = fixtures::staff(&app, &admin, &clinic, Role::Receptionist).await;
    let owner = app.user(Role::PetOwner).await;

    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("generated-client-{}", app.db.name()));
    std::fs::create_dir_all(&work).unwrap();
    let spec = app.get("/openapi.json").await;
    assert_eq!(spec.status(), 200);
    let document = work.join("openapi.json");
    std::fs::write(&document, spec.bytes().await.unwrap()).unwrap();

    let package = work.join("client");
    let config = workspace().join("tests/client/generator.yml");
    let generated = run_python(
        &[
            "-m".as_ref(),
            "openapi_python_client".as_ref(),
            "generate".as_ref(),
            "--path".as_ref(),
            document.as_os_str(),
            "--output-path".as_ref(),
            package.join("vet_client").as_os_str(),
            "--config".as_ref(),
            config.as_os_str(),
            "--meta".as_ref(),
            "none".as_ref(),
            "--fail-on-warning".as_ref(),
            "--overwrite".as_ref(),
        ],
        &[],
    )
    .await;
    let (stdout, stderr) = (text(&generated.stdout), text(&generated.stderr));
    assert!(
        !stderr.contains("No module named openapi_python_client"),
        "openapi-python-client is not installed for {}; run `make test`, which installs it",
        python().display()
    );
    assert!(generated.status.success(), "the generator rejected /openapi.json:\n{stdout}\n{stderr}");

    let near = "48.8501,2.3502";
    let flow = workspace().join("tests/client/flow.py");
    let ran = run_python(
        &[flow.as_os_str()],
        &[
            ("PYTHONPATH", package.to_str().expect("a UTF-8 path")),
            ("VET_BASE_URL", &app.address),
            ("VET_OWNER_TOKEN", &owner.token),
            ("VET_DESK_TOKEN", &desk.token),
            ("VET_NEAR", near),
            ("VET_CLINIC_ID", &clinic),
        ],
    )
    .await;
    let (stdout, stderr) = (text(&ran.stdout), text(&ran.stderr));
    assert!(ran.status.success(), "the flow failed ({}):\n{stdout}\n{stderr}", ran.status);

    // What the flow did is in the database: the owner's new pet, booked at
    // the clinic, confirmed by the receptionist.
    let appointment: uuid::Uuid = stdout
        .split_whitespace()
        .find_map(|word| word.strip_prefix("appointment="))
        .expect("the flow prints `appointment=<id>`")
        .parse()
        .unwrap();
    let mut connection = app.db.connect().await;
    use db::schema::{appointments, audit_log, pets};
    let (status, booked_at, owner_id, primary_owner): (String, uuid::Uuid, UserId, UserId) = appointments::table
        .inner_join(pets::table)
        .filter(appointments::id.eq(appointment))
        .select((appointments::status, appointments::clinic_id, appointments::owner_id, pets::primary_owner_id))
        .first(&mut connection)
        .await
        .unwrap();
    assert_eq!(status, "confirmed");
    assert_eq!(booked_at.to_string(), clinic);
    assert_eq!((owner_id, primary_owner), (owner.user_id, owner.user_id));
    let changes: Vec<(Option<UserId>, serde_json::Value)> = audit_log::table
        .filter(audit_log::action.eq("appointment.status_changed"))
        .filter(audit_log::target_id.eq(appointment.to_string()))
        .select((audit_log::actor_id, audit_log::changes))
        .load(&mut connection)
        .await
        .unwrap();
    let confirmed = json!({ "from": "requested", "to": "confirmed" });
    assert_eq!(
        changes.iter().map(|(actor, change)| (*actor, &change["status"])).collect::<Vec<_>>(),
        [(Some(desk.user_id), &confirmed)],
        "the receptionist, and no one else, changed its status"
    );
    std::fs::remove_dir_all(&work).unwrap();
}
