//! Owners' reviews of clinics, the clinic's public answers and flags, and
//! platform moderation. The rating aggregates on `clinics` are recomputed from
//! the visible reviews in the same transaction as every change, with the clinic
//! row locked, so concurrent reviews cannot lose a count.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, Page, PageRequest, Principal, ReviewId, Role, UserId, Valid};
use platform::audit::{self, AuditEntry};

use crate::api::{ReviewDraft, ReviewText, ReviewView};
use crate::service::clinics::exists;
use db::schema::{clinic_memberships, clinics, reviews};

/// A `reviews` row as shown (its author's name is looked up separately).
#[derive(Queryable, Selectable)]
#[diesel(table_name = reviews, check_for_backend(diesel::pg::Pg))]
struct Review {
    id: ReviewId,
    clinic_id: ClinicId,
    vet_id: Option<UserId>,
    author_id: UserId,
    rating: i16,
    body: String,
    response: Option<String>,
    hidden: bool,
    flagged: bool,
    verified_visit: bool,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// A new review.
#[derive(Insertable)]
#[diesel(table_name = reviews, treat_none_as_default_value = false)]
struct NewReview<'a> {
    id: ReviewId,
    clinic_id: ClinicId,
    author_id: UserId,
    vet_id: Option<UserId>,
    rating: i16,
    body: &'a str,
    hidden: bool,
    flagged: bool,
    flag_reason: Option<&'a str>,
    verified_visit: bool,
}

/// The views of `rows`, with their authors' first names (one lookup).
async fn views(connection: &mut AsyncPgConnection, rows: Vec<Review>) -> kernel::Result<Vec<ReviewView>> {
    let authors: Vec<UserId> = rows.iter().map(|row| row.author_id).collect();
    let names = platform::users::names(connection, &authors).await?;
    Ok(rows
        .into_iter()
        .map(|row| ReviewView {
            id: row.id,
            clinic_id: row.clinic_id,
            vet_id: row.vet_id,
            author_name: names
                .get(&row.author_id)
                .and_then(|name| name.first_name.clone())
                .unwrap_or_else(|| "A pet owner".to_owned()),
            rating: row.rating,
            body: row.body,
            response: row.response,
            hidden: row.hidden,
            flagged: row.flagged,
            verified_visit: row.verified_visit,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
        .collect())
}

/// Writes or edits the caller's review of `clinic` (pet owners; one per
/// clinic). An owner with a completed visit there writes a verified review;
/// without one, the clinic either refuses the review (403) or it waits,
/// hidden, for moderation. Text with links or character runs is held too.
pub async fn put_mine(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    draft: &Valid<ReviewDraft>,
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
    let verified = crate::visits::has_visited(connection, clinic, author).await?;
    if !verified && refuses_unverified(connection, clinic).await? {
        return Err(kernel::Error::Forbidden("this clinic publishes reviews from its clients' visits only".into()));
    }
    // Suspicious text is not refused: the review waits, hidden, for a moderator.
    let held = crate::api::abuse_signal(&draft.body)
        .map(|reason| format!("held automatically: {reason}"))
        .or_else(|| (!verified).then(|| "held automatically: no completed visit at this clinic".to_owned()));
    let id = db::transaction(connection, async |connection| {
        lock_clinic(connection, clinic).await?;
        let review = NewReview {
            id: ReviewId::new(),
            clinic_id: clinic,
            author_id: author,
            vet_id: draft.vet_id,
            rating: draft.rating,
            body: &draft.body,
            hidden: held.is_some(),
            flagged: held.is_some(),
            flag_reason: held.as_deref(),
            verified_visit: verified,
        };
        let id = diesel::insert_into(reviews::table)
            .values(&review)
            .on_conflict((reviews::clinic_id, reviews::author_id))
            .do_update()
            .set((
                reviews::vet_id.eq(draft.vet_id),
                reviews::rating.eq(draft.rating),
                reviews::body.eq(&draft.body),
                reviews::verified_visit.eq(verified),
                // An edit never lifts a moderator's (or an automatic) hold.
                reviews::hidden.eq(reviews::hidden.or(held.is_some().into_sql::<Bool>())),
                reviews::flagged.eq(reviews::flagged.or(held.is_some().into_sql::<Bool>())),
                reviews::flag_reason.eq(sql::<Nullable<Text>>("coalesce(")
                    .bind::<Nullable<Text>, _>(held.clone())
                    .sql(", reviews.flag_reason)")),
            ))
            .returning(reviews::id)
            .get_result::<ReviewId>(connection)
            .await?;
        refresh_rating(connection, clinic).await?;
        Ok(id)
    })
    .await?;
    get(connection, clinic, id).await
}

/// Reviews of `clinic`, newest first; hidden ones only for its staff and platform admins.
pub async fn list(
    connection: &mut AsyncPgConnection,
    principal: Option<&Principal>,
    clinic: ClinicId,
    page: &PageRequest,
) -> kernel::Result<Page<ReviewView>> {
    exists(connection, clinic).await?;
    let moderator = principal.is_some_and(|principal| principal.require_staff(clinic, Role::CLINIC_STAFF).is_ok());
    let mut query = reviews::table.filter(reviews::clinic_id.eq(clinic)).into_boxed();
    if !moderator {
        query = query.filter(reviews::hidden.eq(false));
    }
    if let Some(after) = page.after {
        query = query.filter(reviews::id.lt(after));
    }
    let rows =
        query.select(Review::as_select()).order(reviews::id.desc()).limit(page.fetch_limit()).load(connection).await?;
    let page = Page::from_rows(rows, page, |row: &Review| row.id.0);
    let items = views(connection, page.items).await?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

/// The clinic answers a review publicly (its clinic admins).
pub async fn respond(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    clinic: ClinicId,
    id: ReviewId,
    text: &Valid<ReviewText>,
) -> kernel::Result<ReviewView> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
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
    reason: &Valid<ReviewText>,
) -> kernel::Result<ReviewView> {
    exists(connection, clinic).await?;
    principal.require_staff(clinic, Role::CLINIC_ADMINS)?;
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
    db::transaction(connection, async |connection| {
        lock_clinic(connection, clinic).await?;
        found(diesel::update(of_clinic(clinic, id)).set(reviews::hidden.eq(hidden)).execute(connection).await?)?;
        refresh_rating(connection, clinic).await?;
        let action = if hidden { "review.hidden" } else { "review.restored" };
        audit::record(connection, AuditEntry::new(Some(principal.user_id), action, "review", id)).await
    })
    .await?;
    get(connection, clinic, id).await
}

/// Deletes every review `author` wrote (their data is being erased), and
/// recomputes the ratings of the clinics they reviewed.
pub(crate) async fn erase_by_author(connection: &mut AsyncPgConnection, author: UserId) -> kernel::Result<()> {
    db::transaction(connection, async |connection| {
        let reviewed = reviews::table
            .filter(reviews::author_id.eq(author))
            .select(reviews::clinic_id)
            .order(reviews::clinic_id)
            .load::<ClinicId>(connection)
            .await?;
        // Locked in id order, as two erasures may share clinics.
        for &clinic in &reviewed {
            lock_clinic(connection, clinic).await?;
        }
        diesel::delete(reviews::table.filter(reviews::author_id.eq(author))).execute(connection).await?;
        for &clinic in &reviewed {
            refresh_rating(connection, clinic).await?;
        }
        Ok(())
    })
    .await
}

async fn get(connection: &mut AsyncPgConnection, clinic: ClinicId, id: ReviewId) -> kernel::Result<ReviewView> {
    let row = reviews::table
        .filter(reviews::id.eq(id))
        .filter(reviews::clinic_id.eq(clinic))
        .select(Review::as_select())
        .first(connection)
        .await
        .optional()?
        .ok_or(kernel::Error::NotFound { resource: "review" })?;
    let mut found = views(connection, vec![row]).await?;
    found.pop().ok_or(kernel::Error::NotFound { resource: "review" })
}

fn of_clinic(
    clinic: ClinicId,
    id: ReviewId,
) -> diesel::dsl::Filter<
    diesel::dsl::Filter<reviews::table, diesel::dsl::Eq<reviews::id, ReviewId>>,
    diesel::dsl::Eq<reviews::clinic_id, ClinicId>,
> {
    reviews::table.filter(reviews::id.eq(id)).filter(reviews::clinic_id.eq(clinic))
}

fn found(changed: usize) -> kernel::Result<()> {
    if changed == 0 { Err(kernel::Error::NotFound { resource: "review" }) } else { Ok(()) }
}

async fn lock_clinic(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<()> {
    clinics::table.find(clinic).select(clinics::id).for_update().first::<ClinicId>(connection).await?;
    Ok(())
}

async fn refuses_unverified(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<bool> {
    Ok(clinics::table.find(clinic).select(clinics::refuse_unverified_reviews).first(connection).await?)
}

async fn refresh_rating(connection: &mut AsyncPgConnection, clinic: ClinicId) -> kernel::Result<()> {
    diesel::sql_query(
        "UPDATE clinics SET rating_count = agg.count, rating_sum = agg.sum, rating_distribution = agg.distribution, \
                            rating_verified_count = agg.verified \
         FROM (SELECT count(*)::int AS count, coalesce(sum(rating), 0)::int AS sum, \
                      (count(*) FILTER (WHERE verified_visit))::int AS verified, \
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
