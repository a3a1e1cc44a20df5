//! Uploads as rows: reading them, attaching them to what owns them (the
//! owner's crate has checked its own access rules first), releasing them.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{MediaId, Principal, UserId};

use crate::Uploads;
use crate::api::{MediaView, Purpose, Status};
use crate::models::{Media, NewMedia, Variant};
use crate::storage::Storage;
use db::schema::{media, media_variants};

/// The row (deleted ones too); `NotFound` when there is none.
pub async fn row(connection: &mut AsyncPgConnection, id: MediaId) -> kernel::Result<Media> {
    media::table
        .find(id)
        .select(Media::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "file" })
}

/// The derivatives of `id`, smallest first (in the order [`views`] lists them).
pub async fn variants(connection: &mut AsyncPgConnection, id: MediaId) -> kernel::Result<Vec<Variant>> {
    Ok(media_variants::table
        .filter(media_variants::media_id.eq(id))
        .select((media_variants::name, media_variants::content_type, media_variants::storage_key))
        .order((media_variants::width, media_variants::name))
        .load(connection)
        .await?)
}

/// The view of an upload.
pub async fn view(connection: &mut AsyncPgConnection, media: Media) -> kernel::Result<MediaView> {
    let variants = variants(connection, media.id).await?.into_iter().map(|(name, ..)| name).collect();
    Ok(media.into_view(variants))
}

/// The views of several uploads, in the order of `ids` (missing ones
/// skipped), with their variants' names, in one statement.
pub async fn views(connection: &mut AsyncPgConnection, ids: &[MediaId]) -> kernel::Result<Vec<MediaView>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let variant_names = db::Sql::<diesel::sql_types::Array<diesel::sql_types::Text>>::expression(
        "ARRAY(SELECT v.name FROM media_variants v WHERE v.media_id = media.id ORDER BY v.width, v.name)",
    );
    let rows: Vec<(Media, Vec<String>)> = media::table
        .filter(media::id.eq_any(ids))
        .filter(media::deleted_at.is_null())
        .select((Media::as_select(), variant_names))
        .load(connection)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|(row, _)| row.id == *id))
        .map(|(media, variants)| media.clone().into_view(variants.clone()))
        .collect())
}

/// An upload as its uploader sees it (anyone else: `NotFound`).
pub async fn uploaded(connection: &mut AsyncPgConnection, principal: &Principal, id: MediaId) -> kernel::Result<Media> {
    let found = row(connection, id).await?;
    if found.uploader_id != principal.user_id || found.deleted_at.is_some() {
        return Err(kernel::Error::NotFound { resource: "file" });
    }
    Ok(found)
}

/// Attaches the caller's unattached upload of `purpose` to `owner_type`
/// `owner_id`, in the caller's transaction; the owning crate has already
/// decided the caller may change that owner. A 422 on `media_id` for anything
/// else (someone else's upload, another purpose, attached, failed): the
/// owner exists, the reference in the body does not fit.
pub async fn claim(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    id: MediaId,
    purpose: Purpose,
    (owner_type, owner_id): (&'static str, uuid::Uuid),
) -> kernel::Result<()> {
    let claimed = diesel::update(
        media::table
            .find(id)
            .filter(media::uploader_id.eq(principal.user_id))
            .filter(media::purpose.eq(purpose))
            .filter(media::owner_id.is_null())
            .filter(media::deleted_at.is_null())
            .filter(media::status.ne(Status::Failed)),
    )
    .set((media::owner_type.eq(owner_type), media::owner_id.eq(owner_id), media::attached_at.eq(Utc::now())))
    .execute(connection)
    .await?;
    if claimed == 1 {
        Ok(())
    } else {
        Err(kernel::Error::invalid_field("media_id", "must be an unattached upload of yours for this purpose"))
    }
}

/// A file the platform made for `user` (not uploaded): stores `bytes` and
/// records them as a ready file of `purpose` attached to `owner`, in the
/// caller's transaction. Should the transaction fail, the orphaned blob has
/// no row, and nothing can reach it.
pub async fn store(
    connection: &mut AsyncPgConnection,
    uploads: &Uploads,
    user: UserId,
    (purpose, file_name, content_type): (Purpose, &str, &str),
    bytes: Vec<u8>,
    (owner_type, owner_id): (&'static str, uuid::Uuid),
) -> kernel::Result<MediaId> {
    let (id, key) = (MediaId::new(), Storage::new_key("generated"));
    let size_bytes = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    uploads.storage().put(&key, bytes).await?;
    let row = NewMedia {
        id,
        uploader_id: user,
        purpose,
        content_type,
        size_bytes,
        file_name,
        upload_key: None,
        storage_key: Some(&key),
        status: Status::Ready,
        created_at: Utc::now(),
    };
    let attachment =
        (media::owner_type.eq(owner_type), media::owner_id.eq(owner_id), media::attached_at.eq(Utc::now()));
    diesel::insert_into(media::table).values((row, attachment)).execute(connection).await?;
    Ok(id)
}

/// Lets go of an attached file (replaced, removed, its owner deleted); the
/// cleanup job deletes its blobs.
pub async fn release(connection: &mut AsyncPgConnection, id: MediaId) -> kernel::Result<()> {
    diesel::update(media::table.find(id).filter(media::deleted_at.is_null()))
        .set(media::deleted_at.eq(Utc::now()))
        .execute(connection)
        .await?;
    Ok(())
}

/// The file attached to `owner`, if `id` is one (for downloads by the owner's crate).
pub async fn attached_to(
    connection: &mut AsyncPgConnection,
    id: MediaId,
    (owner_type, owner_id): (&'static str, uuid::Uuid),
) -> kernel::Result<Media> {
    let found = row(connection, id).await?;
    let matches = found.owner_type.as_deref() == Some(owner_type) && found.owner_id == Some(owner_id);
    if matches && found.deleted_at.is_none() { Ok(found) } else { Err(kernel::Error::NotFound { resource: "file" }) }
}
