//! Health records: the medical timeline, typed details, the 24-hour edit
//! window, addenda, history and the vaccination summary.
//!
//! A record can be edited by its author for 24 hours after it was created;
//! afterwards it only takes addenda, so what a clinic wrote stays as written.
//! Every create, edit and addendum is in the audit log, which is the record's
//! history (staff notes show there only as "changed"). Writing a vaccination
//! or medication with a next due date schedules its reminders in the same
//! transaction (see [`crate::service::reminders`]).

use std::collections::BTreeMap;

use crate::Settings;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{AddendumId, ClinicId, MediaId, Page, PageRequest, PetId, Principal, RecordId, Valid};
use media::{Media, Purpose};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::access;
use crate::api::{
    AddendumDraft, AddendumView, HistoryEntry, RecordDetails, RecordDraft, RecordFilter, RecordKind, RecordView,
    VaccinationState, VaccinationStatus,
};
use crate::models::{Addendum, HealthRecord, Pet, RecordRow};
use crate::protocols::suggested_next_due;
use crate::service::{latest_today, reminders};
use db::schema::{health_record_addenda, health_record_attachments, health_records};

/// How long after creation the author may still edit a record.
pub const EDIT_WINDOW: Duration = Duration::hours(24);

/// Adds a record (owners as themselves; clinicians for a caring clinic).
pub async fn create(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    pet: PetId,
    draft: &Valid<RecordDraft>,
) -> kernel::Result<RecordView> {
    let (row, access) = access::resolve(connection, principal, pet).await?;
    access::require(access.may_write_records(principal, draft.clinic_id), "write records for this pet")?;
    check(draft, &row)?;
    let id = RecordId::new();
    db::transaction(connection, async |connection| {
        let (details, suggested) = with_protocol_due_date(connection, &row, None, draft).await?;
        let record = diesel::insert_into(health_records::table)
            .values((
                health_records::id.eq(id),
                health_records::pet_id.eq(pet),
                health_records::author_id.eq(principal.user_id),
                health_records::clinic_id.eq(draft.clinic_id),
                columns(draft, &details, suggested)?,
            ))
            .returning(HealthRecord::as_returning())
            .get_result(connection)
            .await?;
        reminders::follow_record(connection, settings, &row, &record, &details).await?;
        if let Some(clinic) = record.clinic_id {
            let data = json!({ "record_id": id, "pet_id": pet, "clinic_id": clinic, "kind": record.kind,
                               "record_date": record.record_date, "author_id": record.author_id });
            let event = notifications::webhooks::EventType::RecordAdded;
            notifications::webhooks::emit(connection, clinic, event, &data, record.created_at).await?;
        }
        let entry = AuditEntry::new(Some(principal.user_id), "health_record.created", "health_record", id)
            .with_changes(json!({ "pet_id": pet, "kind": record.kind, "record_date": record.record_date }));
        audit::record(connection, entry).await
    })
    .await?;
    get(connection, principal, pet, id).await
}

/// One record, with its addenda.
pub async fn get(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    id: RecordId,
) -> kernel::Result<RecordView> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    let row = health_records::table
        .find(id)
        .filter(health_records::pet_id.eq(pet))
        .select(RecordRow::as_select())
        .first(connection)
        .await
        .optional()?;
    let mut views = views(connection, |clinic| access.sees_staff_notes_of(clinic), Vec::from_iter(row)).await?;
    views.pop().ok_or(kernel::Error::NotFound { resource: "health record" })
}

/// The medical timeline: newest record date first, filtered by kind and dates.
pub async fn timeline(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    filter: &RecordFilter,
    page: &PageRequest,
) -> kernel::Result<Page<RecordView>> {
    let mut query = health_records::table
        .filter(health_records::pet_id.eq(pet))
        .select(RecordRow::as_select())
        .order((health_records::record_date.desc(), health_records::id.desc()))
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(health_records::kind.eq(kind));
    }
    if let Some(from) = filter.from {
        query = query.filter(health_records::record_date.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(health_records::record_date.le(to));
    }
    if let Some(after) = page.after {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(record_date, id) < (SELECT r.record_date, r.id FROM health_records r WHERE r.id = ",
            )
            .bind::<diesel::sql_types::Uuid, _>(after)
            .sql(")"),
        );
    }
    // The caller's access and the page in one round trip: the page is read
    // before the access is known, and dropped unless the access allows it.
    let mut shared = &*connection;
    let (resolved, rows) =
        futures_util::future::join(access::resolve(shared, principal, pet), query.load::<RecordRow>(&mut shared)).await;
    let (_, access) = resolved?;
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(kernel::Error::invalid_field("from", "must not be after `to`"));
    }
    let rows = Page::from_rows(rows?, page, |row: &RecordRow| row.record.id.0);
    let items = views(connection, |clinic| access.sees_staff_notes_of(clinic), rows.items).await?;
    Ok(Page { items, next_cursor: rows.next_cursor })
}

/// Replaces a record's date, title, details and staff note: its author, within
/// [`EDIT_WINDOW`] of its creation. Afterwards it is a 409: add an addendum.
pub async fn update(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    pet: PetId,
    id: RecordId,
    draft: &Valid<RecordDraft>,
    now: DateTime<Utc>,
) -> kernel::Result<RecordView> {
    let (row, access) = access::resolve(connection, principal, pet).await?;
    let before = find(connection, pet, id).await?;
    if before.author_id != Some(principal.user_id) || !access.may_write_records(principal, before.clinic_id) {
        return Err(kernel::Error::Forbidden("only the author may edit a record".to_owned()));
    }
    if draft.clinic_id.is_some_and(|clinic| Some(clinic) != before.clinic_id) {
        return Err(kernel::Error::invalid_field("clinic_id", "a record's clinic cannot change"));
    }
    check(draft, &row)?;
    db::transaction(connection, async |connection| {
        let locked = health_records::table
            .find(id)
            .select(health_records::created_at)
            .for_update()
            .first::<DateTime<Utc>>(connection)
            .await?
            + EDIT_WINDOW
            <= now;
        if locked {
            return Err(kernel::Error::Conflict {
                message: "the record is locked; add an addendum instead".to_owned(),
                details: json!({ "editable_until": before.created_at + EDIT_WINDOW }),
            });
        }
        let (details, suggested) = with_protocol_due_date(connection, &row, Some(id), draft).await?;
        let after = diesel::update(health_records::table.find(id))
            .set(columns(draft, &details, suggested)?)
            .returning(HealthRecord::as_returning())
            .get_result(connection)
            .await?;
        reminders::follow_record(connection, settings, &row, &after, &details).await?;
        let entry = AuditEntry::new(Some(principal.user_id), "health_record.updated", "health_record", id)
            .with_changes(changes(&before, &after));
        audit::record(connection, entry).await
    })
    .await?;
    get(connection, principal, pet, id).await
}

/// Adds an addendum (anyone who may write records for the pet).
pub async fn add_addendum(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    id: RecordId,
    draft: &Valid<AddendumDraft>,
) -> kernel::Result<RecordView> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    find(connection, pet, id).await?;
    access::require(access.may_add_addenda(principal), "add to this pet's records")?;
    let addendum = AddendumId::new();
    db::transaction(connection, async |connection| {
        diesel::insert_into(health_record_addenda::table)
            .values((
                health_record_addenda::id.eq(addendum),
                health_record_addenda::record_id.eq(id),
                health_record_addenda::author_id.eq(principal.user_id),
                health_record_addenda::body.eq(draft.body.trim()),
            ))
            .execute(connection)
            .await?;
        let entry = AuditEntry::new(Some(principal.user_id), "health_record.addendum_added", "health_record", id)
            .with_changes(json!({ "addendum_id": addendum, "body": draft.body.trim() }));
        audit::record(connection, entry).await
    })
    .await?;
    get(connection, principal, pet, id).await
}

/// The owner type of record attachments in `media`.
pub const ATTACHMENT_OWNER: &str = "health_record";

/// Attaches one of the caller's uploads to the record (anyone who may add
/// addenda: attachments, like addenda, never change what was written).
pub async fn attach(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    id: RecordId,
    upload: MediaId,
) -> kernel::Result<RecordView> {
    let (_, access) = access::resolve(connection, principal, pet).await?;
    find(connection, pet, id).await?;
    access::require(access.may_add_addenda(principal), "add to this pet's records")?;
    db::transaction(connection, async |connection| {
        media::service::claim(connection, principal, upload, Purpose::RecordAttachment, (ATTACHMENT_OWNER, id.0))
            .await?;
        diesel::insert_into(health_record_attachments::table)
            .values((health_record_attachments::record_id.eq(id), health_record_attachments::media_id.eq(upload)))
            .execute(connection)
            .await?;
        let entry = AuditEntry::new(Some(principal.user_id), "health_record.attachment_added", "health_record", id)
            .with_changes(json!({ "media_id": upload }));
        audit::record(connection, entry).await
    })
    .await?;
    get(connection, principal, pet, id).await
}

/// An attachment of the record, for anyone who may see the pet.
pub async fn attachment(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    id: RecordId,
    upload: MediaId,
) -> kernel::Result<Media> {
    access::resolve(connection, principal, pet).await?;
    find(connection, pet, id).await?;
    media::service::attached_to(connection, upload, (ATTACHMENT_OWNER, id.0)).await
}

/// Who created, edited and added to the record, and when (oldest first).
pub async fn history(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    pet: PetId,
    id: RecordId,
) -> kernel::Result<Vec<HistoryEntry>> {
    access::resolve(connection, principal, pet).await?;
    find(connection, pet, id).await?;
    Ok(audit::trail(connection, "health_record", id).await?.into_iter().map(HistoryEntry::from).collect())
}

/// The latest dose of each vaccine and where it stands today.
pub async fn vaccinations(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    settings: &Settings,
    pet: PetId,
) -> kernel::Result<Vec<VaccinationStatus>> {
    access::resolve(connection, principal, pet).await?;
    let records: Vec<HealthRecord> = health_records::table
        .filter(health_records::pet_id.eq(pet))
        .filter(health_records::kind.eq(RecordKind::Vaccination))
        .order((health_records::record_date.desc(), health_records::id.desc()))
        .select(HealthRecord::as_select())
        .load(connection)
        .await?;
    let today = Utc::now().date_naive();
    let mut latest: BTreeMap<String, VaccinationStatus> = BTreeMap::new();
    for record in records {
        let Ok(RecordDetails::Vaccination { vaccine, .. }) = record.details() else { continue };
        let key = vaccine.trim().to_lowercase();
        if latest.contains_key(&key) {
            continue;
        }
        let state = match record.next_due {
            None => VaccinationState::NoDueDate,
            Some(due) if due < today => VaccinationState::Overdue,
            Some(due) if due <= today + Duration::days(settings.due_soon_days) => VaccinationState::DueSoon,
            Some(_) => VaccinationState::Current,
        };
        latest.insert(
            key,
            VaccinationStatus {
                vaccine,
                record_id: record.id,
                last_given: record.record_date,
                next_due: record.next_due,
                state,
            },
        );
    }
    Ok(latest.into_values().collect())
}

async fn find(connection: &mut AsyncPgConnection, pet: PetId, id: RecordId) -> kernel::Result<HealthRecord> {
    health_records::table
        .find(id)
        .filter(health_records::pet_id.eq(pet))
        .select(HealthRecord::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "health record" })
}

/// Dates and details rules beyond what the types and `validator` check: a
/// record is dated between the pet's birth and today.
fn check(draft: &RecordDraft, pet: &Pet) -> kernel::Result<()> {
    let mut problems = draft.details.problems(draft.record_date);
    if draft.record_date > latest_today() {
        problems.entry("record_date".to_owned()).or_default().push("must not be in the future".to_owned());
    }
    if pet.birth_date.is_some_and(|born| draft.record_date < born) {
        problems.entry("record_date".to_owned()).or_default().push("must not be before the pet's birth".to_owned());
    }
    if problems.is_empty() { Ok(()) } else { Err(kernel::Error::Validation(problems)) }
}

/// The draft's details, with a vaccination's next due date suggested by the
/// species' protocol when the draft has none (and whether it was).
async fn with_protocol_due_date(
    connection: &mut AsyncPgConnection,
    pet: &Pet,
    editing: Option<RecordId>,
    draft: &RecordDraft,
) -> kernel::Result<(RecordDetails, bool)> {
    let mut details = draft.details.clone();
    let RecordDetails::Vaccination { vaccine, next_due: None, .. } = &draft.details else {
        return Ok((details, false));
    };
    let earlier_doses = health_records::table
        .filter(health_records::pet_id.eq(pet.id))
        .filter(health_records::kind.eq(RecordKind::Vaccination))
        .filter(health_records::record_date.lt(draft.record_date))
        .filter(health_records::id.ne(editing.unwrap_or(RecordId(uuid::Uuid::nil()))))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(trim(details->>'vaccine')) = ")
                .bind::<diesel::sql_types::Text, _>(vaccine.trim().to_lowercase()),
        )
        .count()
        .get_result::<i64>(connection)
        .await?;
    match suggested_next_due(pet.species, vaccine, draft.record_date, earlier_doses > 0) {
        Some(due) => {
            details.set_next_due(due);
            Ok((details, true))
        }
        None => Ok((details, false)),
    }
}

type Columns<'a> = (
    diesel::dsl::Eq<health_records::kind, RecordKind>,
    diesel::dsl::Eq<health_records::record_date, chrono::NaiveDate>,
    diesel::dsl::Eq<health_records::title, String>,
    diesel::dsl::Eq<health_records::details, serde_json::Value>,
    diesel::dsl::Eq<health_records::staff_note, Option<&'a str>>,
    diesel::dsl::Eq<health_records::next_due, Option<chrono::NaiveDate>>,
    diesel::dsl::Eq<health_records::next_due_suggested, bool>,
);

fn columns<'a>(draft: &'a RecordDraft, details: &RecordDetails, suggested: bool) -> kernel::Result<Columns<'a>> {
    let title = draft.title.as_deref().map_or_else(|| details.default_title(), |title| title.trim().to_owned());
    Ok((
        health_records::kind.eq(details.kind()),
        health_records::record_date.eq(draft.record_date),
        health_records::title.eq(title),
        health_records::details.eq(serde_json::to_value(details).map_err(kernel::Error::internal)?),
        health_records::staff_note.eq(draft.staff_note.as_deref()),
        health_records::next_due.eq(details.due().and_then(|(_, _, due)| due)),
        health_records::next_due_suggested.eq(suggested),
    ))
}

/// What an edit changed, for the history; a staff note only as "changed".
fn changes(before: &HealthRecord, after: &HealthRecord) -> serde_json::Value {
    let mut changed = serde_json::Map::new();
    let mut compare = |field: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            changed.insert(field.to_owned(), platform::audit::change(from, to));
        }
    };
    compare("record_date", json!(before.record_date), json!(after.record_date));
    compare("title", json!(before.title), json!(after.title));
    compare("details", before.details.clone(), after.details.clone());
    if before.staff_note != after.staff_note {
        changed.insert("staff_note".to_owned(), json!({ "changed": true }));
    }
    serde_json::Value::Object(changed)
}

/// The records with their addenda and attachments, each staff note only
/// when `sees_staff_note` of the record's clinic. Addenda and the attached
/// uploads are each read in one statement, only when some record has them.
pub(crate) async fn views(
    connection: &mut AsyncPgConnection,
    sees_staff_note: impl Fn(Option<ClinicId>) -> bool,
    rows: Vec<RecordRow>,
) -> kernel::Result<Vec<RecordView>> {
    let amended: Vec<RecordId> = rows.iter().filter(|row| row.has_addenda).map(|row| row.record.id).collect();
    let addenda: Vec<Addendum> = if amended.is_empty() {
        Vec::new()
    } else {
        health_record_addenda::table
            .filter(health_record_addenda::record_id.eq_any(&amended))
            .order(health_record_addenda::id)
            .select(Addendum::as_select())
            .load(connection)
            .await?
    };
    let uploads: Vec<MediaId> = rows.iter().flat_map(|row| row.attachments.iter().copied()).collect();
    let files = media::service::views(connection, &uploads).await?;
    rows.into_iter()
        .map(|RecordRow { record, attachments, .. }| {
            let details = record.details()?;
            let staff_note = if sees_staff_note(record.clinic_id) { record.staff_note } else { None };
            let addenda =
                addenda.iter().filter(|addendum| addendum.record_id == record.id).map(AddendumView::from).collect();
            let attachments =
                attachments.iter().filter_map(|upload| files.iter().find(|file| file.id == *upload).cloned()).collect();
            Ok(RecordView {
                id: record.id,
                pet_id: record.pet_id,
                record_date: record.record_date,
                title: record.title,
                details,
                staff_note,
                author_id: record.author_id,
                clinic_id: record.clinic_id,
                next_due: record.next_due,
                next_due_suggested: record.next_due_suggested,
                editable_until: record.created_at + EDIT_WINDOW,
                addenda,
                attachments,
                created_at: record.created_at,
                updated_at: record.updated_at,
            })
        })
        .collect()
}

/// Whether every one of `records` is a health record of `pet` (an appointment
/// links only its own pet's records).
pub async fn all_of_pet(connection: &mut AsyncPgConnection, pet: PetId, records: &[RecordId]) -> kernel::Result<bool> {
    let of_pet: i64 = health_records::table
        .filter(health_records::id.eq_any(records))
        .filter(health_records::pet_id.eq(pet))
        .count()
        .get_result(connection)
        .await?;
    let distinct = records.iter().collect::<std::collections::BTreeSet<_>>().len();
    Ok(usize::try_from(of_pet).unwrap_or(0) == distinct)
}
