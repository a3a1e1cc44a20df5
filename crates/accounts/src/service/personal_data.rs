//! A person's data as a whole, across every crate's
//! [`Holder`](platform::personal_data::Holder):
//! - the export of everything held about them: answered at once when small,
//!   otherwise built by a job ([`build`]), stored as a file and downloaded
//!   through a short-lived signed link until it expires ([`expire`]);
//! - erasure ([`erase`]), for `DELETE /users/me` and Clerk's `user.deleted`,
//!   following the policy written in [`platform::personal_data`].

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{DataExportId, MediaId, Principal, UserId};
use media::{Purpose, Uploads};
use notifications::Notification;
use platform::audit::{self, AuditEntry};
use platform::personal_data::Holders;
use platform::users;

use super::audit_log;
use crate::Settings;
use crate::api::{DataExportView, ExportStatus, ExportedAccount, PersonalDataExport};
use crate::jobs::BuildDataExport;
use crate::models::DataExport;
use db::schema::personal_data_exports;

/// What an export's file is attached to.
const EXPORT_OWNER: &str = "personal_data_export";

/// What `GET /users/me/export` answers.
#[derive(Debug)]
pub enum Export {
    /// Small enough: the document itself.
    Document(Box<PersonalDataExport>),
    /// Too large to build during a request: the export a job is building.
    Building(DataExportView),
}

/// Everything held about `user`: the account, its audit trail and every
/// holder's section.
pub async fn document(
    connection: &mut AsyncPgConnection,
    holders: &Holders,
    user: UserId,
    now: DateTime<Utc>,
) -> kernel::Result<PersonalDataExport> {
    let account = users::find(connection, user).await?;
    let audit_trail = audit_log::trail_of(connection, user).await?;
    let mut sections = BTreeMap::new();
    for holder in holders.iter() {
        sections.insert(holder.section(), holder.export(connection, user).await?);
    }
    Ok(PersonalDataExport {
        exported_at: now,
        account: ExportedAccount { clerk_id: account.clerk_id.clone(), profile: account.into() },
        audit_trail,
        sections,
    })
}

/// The caller's data: the document when it holds at most
/// `accounts.export_inline_max_items` items, else the export a job builds
/// (the one already being built, if any).
pub async fn export(
    connection: &mut AsyncPgConnection,
    holders: &Holders,
    settings: &Settings,
    principal: &Principal,
    now: DateTime<Utc>,
) -> kernel::Result<Export> {
    let mut items = 0;
    for holder in holders.iter() {
        items += holder.size(connection, principal.user_id).await?;
    }
    if items <= settings.export_inline_max_items {
        return Ok(Export::Document(Box::new(document(connection, holders, principal.user_id, now).await?)));
    }
    let export = db::transaction(connection, async |connection| {
        let requested = diesel::insert_into(personal_data_exports::table)
            .values((
                personal_data_exports::id.eq(DataExportId::new()),
                personal_data_exports::user_id.eq(principal.user_id),
                personal_data_exports::requested_at.eq(now),
            ))
            .on_conflict(personal_data_exports::user_id)
            // Written out, not bound: a transaction's statements are planned
            // once (`db::transaction`), and such a plan cannot match a bound
            // value to the partial unique index on pending exports.
            .filter_target(diesel::dsl::sql::<diesel::sql_types::Bool>("status = 'pending'"))
            .do_nothing()
            .returning(DataExport::as_returning())
            .get_result(connection)
            .await
            .optional()?;
        let Some(export) = requested else {
            return pending_of(connection, principal.user_id).await;
        };
        jobs::enqueue(connection, &BuildDataExport { export_id: export.id }, jobs::EnqueueOptions::default()).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "user.data_export_requested", "user", principal.user_id);
        audit::record(connection, entry).await?;
        Ok(export)
    })
    .await?;
    Ok(Export::Building(view(export, None)))
}

async fn pending_of(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<DataExport> {
    Ok(personal_data_exports::table
        .filter(personal_data_exports::user_id.eq(user))
        .filter(personal_data_exports::status.eq(ExportStatus::Pending))
        .select(DataExport::as_select())
        .first(connection)
        .await?)
}

/// One of the caller's exports, with a fresh download link once built;
/// anyone else's is `NotFound`.
pub async fn status(
    connection: &mut AsyncPgConnection,
    uploads: &Uploads,
    principal: &Principal,
    id: DataExportId,
) -> kernel::Result<DataExportView> {
    let export = personal_data_exports::table
        .find(id)
        .filter(personal_data_exports::user_id.eq(principal.user_id))
        .select(DataExport::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "data export" })?;
    let download = match (export.status, export.media_id) {
        (ExportStatus::Ready, Some(file)) => Some(uploads.link(file, None)),
        _ => None,
    };
    Ok(view(export, download))
}

fn view(export: DataExport, download: Option<media::LinkView>) -> DataExportView {
    DataExportView {
        id: export.id,
        status: export.status,
        requested_at: export.requested_at,
        completed_at: export.completed_at,
        expires_at: export.expires_at,
        download,
    }
}

/// Builds the pending export `id` (the job): the document is stored as a
/// JSON file, the export becomes ready until `export_retention_hours` from
/// `now`, and its owner is told. Nothing to do when it is not pending.
pub async fn build(
    connection: &mut AsyncPgConnection,
    (holders, uploads, settings): (&Holders, &Uploads, &Settings),
    id: DataExportId,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let pending = personal_data_exports::table
            .find(id)
            .filter(personal_data_exports::status.eq(ExportStatus::Pending))
            .select(DataExport::as_select())
            .for_update()
            .skip_locked()
            .first(connection)
            .await
            .optional()?;
        let Some(export) = pending else { return Ok(()) };
        let document = document(connection, holders, export.user_id, now).await?;
        let bytes = serde_json::to_vec_pretty(&document).map_err(kernel::Error::internal)?;
        let file_name = format!("personal-data-{}.json", now.format("%Y-%m-%d"));
        let file = (Purpose::PersonalDataExport, file_name.as_str(), "application/json");
        let stored =
            media::service::store(connection, uploads, export.user_id, file, bytes, (EXPORT_OWNER, id.0)).await?;
        let expires_at = now + Duration::hours(settings.export_retention_hours);
        diesel::update(personal_data_exports::table.find(id))
            .set((
                personal_data_exports::status.eq(ExportStatus::Ready),
                personal_data_exports::media_id.eq(stored),
                personal_data_exports::completed_at.eq(now),
                personal_data_exports::expires_at.eq(expires_at),
            ))
            .execute(connection)
            .await?;
        notifications::notify(connection, export.user_id, &ready_notice(expires_at)).await?;
        Ok(())
    })
    .await
}

fn ready_notice(expires_at: DateTime<Utc>) -> Notification {
    let details = format!(
        "The copy of your data you asked for can be downloaded from your account until {}.",
        expires_at.format("%-d %B %Y %H:%M UTC"),
    );
    Notification::account_notice("Your data export is ready", &details)
}

/// Deletes the files of exports past their retention; returns how many.
pub async fn expire(connection: &mut AsyncPgConnection, now: DateTime<Utc>) -> kernel::Result<usize> {
    db::transaction(connection, async |connection| {
        let expired: Vec<Option<MediaId>> = diesel::update(
            personal_data_exports::table
                .filter(personal_data_exports::status.eq(ExportStatus::Ready))
                .filter(personal_data_exports::expires_at.le(now)),
        )
        .set(personal_data_exports::status.eq(ExportStatus::Expired))
        .returning(personal_data_exports::media_id)
        .get_results(connection)
        .await?;
        for file in expired.iter().flatten() {
            media::service::release(connection, *file).await?;
        }
        Ok(expired.len())
    })
    .await
}

/// Erases the person the identity provider knows as `clerk_id`, in one
/// transaction: every holder's part (appointments cancelled, pets passed on
/// or archived, personal data removed), their exports, then the account
/// itself. Erasing twice is harmless; a person we never saw leaves a
/// tombstone so a late creation cannot bring them back. Returns their id.
pub async fn erase(
    connection: &mut AsyncPgConnection,
    holders: &Holders,
    clerk_id: &str,
    (actor, now): (Option<UserId>, DateTime<Utc>),
) -> kernel::Result<UserId> {
    db::transaction(connection, async |connection| {
        if let Some(user) = users::with_clerk_id(connection, clerk_id).await? {
            for holder in holders.iter() {
                holder.erase(connection, user, now).await?;
            }
            let exports: Vec<Option<MediaId>> =
                diesel::delete(personal_data_exports::table.filter(personal_data_exports::user_id.eq(user)))
                    .returning(personal_data_exports::media_id)
                    .get_results(connection)
                    .await?;
            for file in exports.iter().flatten() {
                media::service::release(connection, *file).await?;
            }
        }
        let user = users::erase(connection, clerk_id).await?;
        let entry = AuditEntry::new(actor, "user.erased", "user", user)
            .with_changes(serde_json::json!({ "personal_data": "erased" }));
        audit::record(connection, entry).await?;
        Ok(user)
    })
    .await
}
