//! Owners' reviews of clinics, the clinic's public answers and flags, and
//! platform moderation. The rating aggregates on `clinics` are recomputed from
//! the visible reviews in the same transaction as every change, with the clinic
//! row locked, so concurrent reviews cannot lose a count.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Page, PageRequest, Principal, ReviewId, Role, UserId};
use platform::audit::{self, AuditEntry};

use crate::api::{ReviewDraft, ReviewText, ReviewView};
use crate::service::clinics::exists;
use db::schema::{clinic_memberships, clinics, reviews, users};

type ReviewRow = (
    uuid::Uuid,
    ClinicId,
    Option<UserId>,
    Option<String>,
    i16,
    String,
    Option<String>,
    bool,
    bool,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
);

fn view(row: ReviewRow) -> ReviewView {
    let (id, clinic_id, vet_id, first_name, rating, body, response, hidden, flagged, created_at, updated_at) = row;
    ReviewView {
        id: ReviewId(id),
        clinic_id,
        vet_id,
        author_name: first_name.unwrap_or_else(|| "A pet owner".to_owned()),
        rating,
        body,
        response,
        hidden,
        flagged,
        created_at,
        updated_at,
    }
}

/// Writes or edits the caller's review of `clinic` (pet owners; one per
/// clinic). Text with links or character runs is held hidden for moderation.
pub async fn put_mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    draft: &ReviewDraft,
) -> kernel::Result<ReviewView> {
    exists(connection, clinic).await?;
    principal.require(Role::PetOwner)?;
    if let Some(vet) = draft.vet_id {
        let works_here = diesel::select(diesel::dsl::exists(
            clinic_memberships::table
                .filter(clinic_memberships::clinic_id.eq(clinic))
                .filter(clinic_memberships::user_id.eq(vet))
                .filter(clinic_memberships::role.eq(Role::Veterinarian)),
        ))
        .get_result::<bool>(connection)
        .await?;
        if !works_here {
            return Err(kernel::Error::NotFound { resource: "vet at this clinic" });
        }
    }
    let author = principal.user_id;
    // Suspicious text is not refused: the review waits, hidden, for a moderator.
    let held = crate::api::abuse_signal(&draft.body).map(|reason| format!("held automatically: {reason}"));
    let id = connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            lock_clinic(connection, clinic).await?;
            let id = diesel::insert_into(reviews::table)
                .values((
                    reviews::id.eq(ReviewId::new().0),
                    reviews::clinic_id.eq(clinic),
                    reviews::author_id.eq(author),
                    reviews::vet_id.eq(draft.vet_id),
                    reviews::rating.eq(draft.rating),
                    reviews::body.eq(&draft.body),
                    reviews::hidden.eq(held.is_some()),
                    reviews::flagged.eq(held.is_some()),
                    reviews::flag_reason.eq(&held),
                ))
                .on_conflict((reviews::clinic_id, reviews::author_id))
                .do_update()
                .set((
                    reviews::vet_id.eq(draft.vet_id),
                    reviews::rating.eq(draft.rating),
                    reviews::body.eq(&draft.body),
                    // An edit never lifts a moderator's (or an automatic) hold.
                    reviews::hidden.eq(reviews::hidden.or(held.is_some().into_sql::<Bool>())),
                    reviews::flagged.eq(reviews::flagged.or(held.is_some().into_sql::<Bool>())),
                    reviews::flag_reason.eq(sql::<Nullable<Text>>("coalesce(")
                        .bind::<Nullable<Text>, _>(held.clone())
                        .sql(", reviews.flag_reason)")),
                ))
                .returning(reviews::id)
                .get_result::<uuid::Uuid>(connection)
                .await?;
            refresh_rating(connection, clinic).await?;
            Ok(id)
        })
        .await?;
    get(connection, clinic, ReviewId(id)).await
}

/// Reviews of `clinic`, newest first; hidden ones only for its staff and platform admins.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: Option<&Principal>,
    clinic: ClinicId,
    page: &PageRequest,
) -> kernel::Result<Page<ReviewView>> {
    exists(connection, clinic).await?;
    let moderator = principal.is_some_and(|principal| {
        principal.require_staff(clinic, &[Role::ClinicAdmin, Role::Receptionist, Role::Veterinarian]).is_ok()
    });
    let mut query = reviews::table.inner_join(users::table).filter(reviews::clinic_id.eq(clinic)).into_boxed();
    if !moderator {
        query = query.filter(reviews::hidden.eq(false));
    }
    if let Some(after) = page.after {
        query = query.filter(reviews::id.lt(after));
    }
    let rows = query
        .select(columns())
        .order(reviews::id.desc())
        .limit(page.fetch_limit())
        .load::<ReviewRow>(connection)
        .await?;
    Ok(Page::from_rows(rows, page, |row| row.0).map(view))
}

/// The clinic answers a review publicly (its clinic admins).
pub async fn respond(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ReviewId,
    text: &ReviewText,
) -> kernel::Result<ReviewView> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, &[Role::ClinicAdmin])?;
    let changed = diesel::update(of_clinic(clinic, id))
        .set((reviews::response.eq(&text.text), reviews::responded_at.eq(chrono::Utc::now())))
        .execute(connection)
        .await?;
    found(changed)?;
    get(connection, clinic, id).await
}

/// The clinic flags a review for platform moderation (its clinic admins).
pub async fn flag(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ReviewId,
    reason: &ReviewText,
) -> kernel::Result<ReviewView> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, &[Role::ClinicAdmin])?;
    let changed = diesel::update(of_clinic(clinic, id))
        .set((reviews::flagged.eq(true), reviews::flag_reason.eq(&reason.text)))
        .execute(connection)
        .await?;
    found(changed)?;
    get(connection, clinic, id).await
}

/// Hides or restores a review (platform admins); audited, aggregates follow.
pub async fn set_hidden(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ReviewId,
    hidden: bool,
) -> kernel::Result<ReviewView> {
    principal.require(Role::PlatformAdmin)?;
    exists(connection, clinic).await?;
    connection
        .transaction::<_, kernel::Error, _>(async |connection| {
            lock_clinic(connection, clinic).await?;
            found(diesel::update(of_clinic(clinic, id)).set(reviews::hidden.eq(hidden)).execute(connection).await?)?;
            refresh_rating(connection, clinic).await?;
            let action = if hidden { "review.hidden" } else { "review.restored" };
            audit::record(connection, AuditEntry::new(Some(principal.user_id), action, "review", id)).await
        })
        .await?;
    get(connection, clinic, id).await
}

async fn get(connection: &mut AsyncPgConnection, clinic: ClinicId, id: ReviewId) -> kernel::Result<ReviewView> {
    let row = reviews::table
        .inner_join(users::table)
        .filter(reviews::id.eq(id.0))
        .filter(reviews::clinic_id.eq(clinic))
        .select(columns())
        .first::<ReviewRow>(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "review" })?;
    Ok(view(row))
}

#[allow(clippy::type_complexity, reason = "a diesel column tuple")]
fn columns() -> (
    reviews::id,
    reviews::clinic_id,
    reviews::vet_id,
    users::first_name,
    reviews::rating,
    reviews::body,
    reviews::response,
    reviews::hidden,
    reviews::flagged,
    reviews::created_at,
    reviews::updated_at,
) {
    (
        reviews::id,
        reviews::clinic_id,
        reviews::vet_id,
        users::first_name,
        reviews::rating,
        reviews::body,
        reviews::response,
        reviews::hidden,
        reviews::flagged,
        reviews::created_at,
        reviews::updated_at,
    )
}

fn of_clinic(
    clinic: ClinicId,
    id: ReviewId,
) -> diesel::dsl::Filter<
    diesel::dsl::Filter<reviews::table, diesel::dsl::Eq<reviews::id, uuid::Uuid>>,
    diesel::dsl::Eq<reviews::clinic_id, ClinicId>,
> {
    reviews::table.filter(reviews::id.eq(id.0)).filter(reviews::clinic_id.eq(clinic))
}

fn found(changed: usize) -> kernel::Result<()> {
    if changed == 0 { Err(kernel::Error::NotFound { resource: "review" }) } else { Ok(()) }
}

async fn lock_clinic(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<()> {
    clinics::table.find(clinic).select(clinics::id).for_update().first::<ClinicId>(connection).await?;
    Ok(())
}

async fn refresh_rating(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<()> {
    diesel::sql_query(
        "UPDATE clinics SET rating_count = agg.count, rating_sum = agg.sum, rating_distribution = agg.distribution \
         FROM (SELECT count(*)::int AS count, coalesce(sum(rating), 0)::int AS sum, \
                      ARRAY[count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2), \
                            count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4), \
                            count(*) FILTER (WHERE rating = 5)]::int[] AS distribution \
               FROM reviews WHERE clinic_id = $1 AND NOT hidden) AS agg \
         WHERE clinics.id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(clinic)
    .execute(connection)
    .await?;
    Ok(())
}
