//! The uploads part of a person's data: exported with links, then let go of
//! unless a clinical record, a clinic or a pet keeps them.

use image::ImageFormat;
use kernel::{MediaId, Principal, Role};
use media::Purpose;
use media::personal_data::PersonalData;
use platform::personal_data::Holder;
use serde_json::Value;
use testkit::{TestApp, TestUser, expect};

use crate::fixtures::{clean_up, photo, run_jobs, upload, uploads};

const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// Uploads a file of `user`'s; its id.
async fn uploaded(app: &TestApp, user: &TestUser, purpose: &str, name: &str, bytes: Vec<u8>) -> MediaId {
    let view = expect(upload(app, user, purpose, name, bytes).await, 201).await;
    MediaId(view["id"].as_str().unwrap().parse().unwrap())
}

/// Attaches `id` as the crate owning `owner_type` would.
async fn attach(app: &TestApp, user: &TestUser, id: MediaId, purpose: Purpose, owner_type: &'static str) {
    let principal = Principal {
        user_id: user.user_id,
        subject: user.subject.clone(),
        role: Role::PetOwner,
        memberships: vec![],
        credential: kernel::Credential::Session,
    };
    let mut connection = app.db.connect().await;
    media::service::claim(&mut connection, &principal, id, purpose, (owner_type, uuid::Uuid::now_v7())).await.unwrap();
}

fn ids(export: &Value) -> Vec<String> {
    export.as_array().unwrap().iter().map(|upload| upload["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_persons_uploads_are_exported_then_let_go_of_except_records_clinic_and_pet_photos() {
    let app = crate::fixtures::app().await;
    let person = app.user(Role::Veterinarian).await;
    let other = app.user(Role::PetOwner).await;
    let png = || photo(ImageFormat::Png, 60, 40);
    let pet_photo = uploaded(&app, &person, "pet_photo", "rex.png", png()).await;
    attach(&app, &person, pet_photo, Purpose::PetPhoto, "pet").await;
    let record = uploaded(&app, &person, "record_attachment", "lab.pdf", PDF.to_vec()).await;
    attach(&app, &person, record, Purpose::RecordAttachment, "health_record").await;
    let clinic_photo = uploaded(&app, &person, "clinic_photo", "front.png", png()).await;
    attach(&app, &person, clinic_photo, Purpose::ClinicPhoto, "clinic").await;
    let vet_photo = uploaded(&app, &person, "vet_photo", "me.png", png()).await;
    attach(&app, &person, vet_photo, Purpose::VetPhoto, "vet").await;
    let loose_document = uploaded(&app, &person, "record_attachment", "draft.pdf", PDF.to_vec()).await;
    let replaced = uploaded(&app, &person, "vet_photo", "old.png", png()).await;
    let others = uploaded(&app, &other, "pet_photo", "mia.png", png()).await;
    run_jobs(&app).await;
    let processing = uploaded(&app, &person, "pet_photo", "new.png", png()).await;
    let mut connection = app.db.connect().await;
    media::service::release(&mut connection, replaced).await.unwrap();

    let holder = PersonalData::new(&uploads(&app));
    assert_eq!(holder.section(), "uploads");
    assert_eq!(holder.size(&mut connection, person.user_id).await.unwrap(), 6);
    let export = holder.export(&mut connection, person.user_id).await.unwrap();
    let expected: Vec<String> = [pet_photo, record, clinic_photo, vet_photo, loose_document, processing]
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ids(&export), expected, "released and other people's uploads are not exported: {export}");
    let vet = &export[3];
    assert_eq!((vet["purpose"].as_str(), vet["file_name"].as_str()), (Some("vet_photo"), Some("me.png")));
    assert_eq!((vet["content_type"].as_str(), vet["status"].as_str()), (Some("image/png"), Some("ready")));
    assert!(vet["size_bytes"].as_i64().unwrap() > 0 && vet["created_at"].is_string());
    assert_eq!(vet["attached_to"]["type"], "vet");
    assert!(export[4]["attached_to"].is_null());
    assert_eq!(export[5]["status"], "processing");
    assert!(export[5]["link"].is_null(), "a file not ready has no link");
    let link = export[1]["link"]["url"].as_str().unwrap();
    let download = app.client.get(app.url(link)).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF, "the exported link serves the file");

    let now = chrono::Utc::now();
    holder.erase(&mut connection, person.user_id, now).await.unwrap();
    holder.erase(&mut connection, person.user_id, now).await.unwrap();
    let kept = holder.export(&mut connection, person.user_id).await.unwrap();
    let expected: Vec<String> = [pet_photo, record, clinic_photo].iter().map(ToString::to_string).collect();
    assert_eq!(ids(&kept), expected, "{kept}");
    assert_eq!(holder.size(&mut connection, person.user_id).await.unwrap(), 3);
    for id in [vet_photo, loose_document, processing] {
        let row = media::service::row(&mut connection, id).await.unwrap();
        assert!(row.deleted_at.is_some(), "{} was not let go of", row.file_name);
    }
    let untouched = media::service::row(&mut connection, others).await.unwrap();
    assert!(untouched.deleted_at.is_none(), "another person's upload was let go of");
    // The cleanup deletes the released files: the three and the replaced photo.
    assert_eq!(clean_up(&app).await, (0, 4));
}
