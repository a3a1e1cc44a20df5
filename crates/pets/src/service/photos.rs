//! A pet's photo: attach one of the caller's uploads (owners), remove it, and
//! reach it (everyone who may see the pet).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{MediaId, PetId, Principal};
use media::{Media, Purpose};
use platform::audit::{self, AuditEntry};

use crate::access;
use crate::api::PetView;
use db::schema::pets;

/// The owner type of pet photos in `media`.
pub const OWNER: &str = "pet";

/// Sets the pet's photo to an upload of the caller's (owners); the previous
/// photo is let go.
pub async fn set(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    photo: Option<MediaId>,
) -> kernel::Result<PetView> {
    let (row, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.may_edit_profile(), "change this pet's photo")?;
    db::transaction(connection, async |connection| {
        if let Some(photo) = photo {
            media::service::claim(connection, principal, photo, Purpose::PetPhoto, (OWNER, pet.0)).await?;
        }
        if let Some(previous) = row.photo_id {
            media::service::release(connection, previous).await?;
        }
        diesel::update(pets::table.find(pet)).set(pets::photo_id.eq(photo)).execute(connection).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "pet.photo_changed", "pet", pet)
            .with_changes(platform::audit::change(row.photo_id, photo));
        audit::record(connection, entry).await
    })
    .await?;
    crate::service::pets::get(connection, principal, pet).await
}

/// The pet's photo, for anyone who may see the pet.
pub async fn get(connection: &mut AsyncPgConnection, principal: &Principal, pet: PetId) -> kernel::Result<Media> {
    let (row, _) = access::resolve(connection, principal, pet).await?;
    let photo = row.photo_id.ok_or(kernel::Error::NotFound { resource: "photo" })?;
    media::service::attached_to(connection, photo, (OWNER, pet.0)).await
}
