//! This crate's part of a person's data ([`platform::personal_data`]): the
//! reviews they wrote, their clinic visits, memberships and the services they
//! perform, invitations to their email, and their vet profile with its
//! schedule.
//!
//! Erasure deletes all of it but the `vets` row, which clinical records and
//! past appointments refer to: it stays, saying no more than "Former
//! veterinarian", with no clinic, hours or future time off (past time off
//! keeps its dates, not its reason). The clinics they reviewed have their
//! ratings recomputed.

use chrono::{DateTime, NaiveTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, MediaId, ReviewId, Role, UserId};
use serde::Serialize;

use crate::api::{StaffInvitation, TimeOffView};
use crate::models::Vet;
use crate::service::clinics::hhmm;
use db::schema::{
    clinic_invitations, clinic_memberships, clinic_service_staff, clinic_visits, reviews, vet_time_off,
    vet_working_hours, vets,
};

/// What an erased vet's profile shows.
pub const FORMER_VET_NAME: &str = "Former veterinarian";

/// The `"clinics"` section of a person's data.
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonalData;

/// What [`PersonalData`] exports.
#[derive(Debug, Serialize)]
struct Export {
    reviews: Vec<ExportedReview>,
    memberships: Vec<ExportedMembership>,
    vet_profile: Option<ExportedVet>,
    visits: Vec<ExportedVisit>,
    invitations: Vec<StaffInvitation>,
}

/// A review the person wrote, with the clinic's answer.
#[derive(Debug, Serialize, Queryable)]
struct ExportedReview {
    id: ReviewId,
    clinic_id: ClinicId,
    vet_id: Option<UserId>,
    rating: i16,
    body: String,
    response: Option<String>,
    responded_at: Option<DateTime<Utc>>,
    hidden: bool,
    verified_visit: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A clinic the person works at.
#[derive(Debug, Serialize, Queryable)]
struct ExportedMembership {
    clinic_id: ClinicId,
    role: Role,
    since: DateTime<Utc>,
}

/// A clinic the person visited.
#[derive(Debug, Serialize, Queryable)]
struct ExportedVisit {
    clinic_id: ClinicId,
    last_visit_at: DateTime<Utc>,
}

/// The person's vet profile and schedule.
#[derive(Debug, Serialize)]
struct ExportedVet {
    display_name: String,
    bio: String,
    license_number: Option<String>,
    license_region: Option<String>,
    specialties: Vec<String>,
    languages: Vec<String>,
    on_call: bool,
    photo_id: Option<MediaId>,
    working_hours: Vec<ExportedHours>,
    time_off: Vec<TimeOffView>,
}

/// One weekly working interval at a clinic, in its local time.
#[derive(Debug, Serialize)]
struct ExportedHours {
    clinic_id: ClinicId,
    weekday: i16,
    starts: String,
    ends: String,
}

/// The invitations addressed to `email`.
fn addressed_to(
    email: &str,
) -> diesel::dsl::Filter<clinic_invitations::table, diesel::dsl::Eq<clinic_invitations::email, &str>> {
    clinic_invitations::table.filter(clinic_invitations::email.eq(email))
}

async fn vet_profile(connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<Option<ExportedVet>> {
    let Some(vet) = vets::table.find(user).select(Vet::as_select()).first(connection).await.optional()? else {
        return Ok(None);
    };
    let working_hours = vet_working_hours::table
        .filter(vet_working_hours::vet_id.eq(user))
        .select((
            vet_working_hours::clinic_id,
            vet_working_hours::weekday,
            vet_working_hours::starts,
            vet_working_hours::ends,
        ))
        .order((vet_working_hours::clinic_id, vet_working_hours::weekday, vet_working_hours::starts))
        .load::<(ClinicId, i16, NaiveTime, NaiveTime)>(connection)
        .await?
        .into_iter()
        .map(|(clinic_id, weekday, starts, ends)| ExportedHours {
            clinic_id,
            weekday,
            starts: hhmm(starts),
            ends: hhmm(ends),
        })
        .collect();
    let time_off = crate::service::vets::time_off_of(connection, user, None).await?;
    Ok(Some(ExportedVet {
        display_name: vet.display_name,
        bio: vet.bio,
        license_number: vet.license_number,
        license_region: vet.license_region,
        specialties: vet.specialties,
        languages: vet.languages,
        on_call: vet.on_call,
        photo_id: vet.photo_id,
        working_hours,
        time_off,
    }))
}

#[async_trait::async_trait]
impl platform::personal_data::Holder for PersonalData {
    fn section(&self) -> &'static str {
        "clinics"
    }

    async fn size(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<i64> {
        let reviews = reviews::table.filter(reviews::author_id.eq(user)).count().get_result::<i64>(connection).await?;
        let memberships = clinic_memberships::table
            .filter(clinic_memberships::user_id.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        let visits =
            clinic_visits::table.filter(clinic_visits::owner_id.eq(user)).count().get_result::<i64>(connection).await?;
        let invitations = match platform::users::email_of(connection, user).await? {
            Some(email) => addressed_to(&email).count().get_result::<i64>(connection).await?,
            None => 0,
        };
        let vet = vets::table.filter(vets::user_id.eq(user)).count().get_result::<i64>(connection).await?;
        let hours = vet_working_hours::table
            .filter(vet_working_hours::vet_id.eq(user))
            .count()
            .get_result::<i64>(connection)
            .await?;
        let time_off =
            vet_time_off::table.filter(vet_time_off::vet_id.eq(user)).count().get_result::<i64>(connection).await?;
        Ok(reviews + memberships + visits + invitations + vet + hours + time_off)
    }

    async fn export(&self, connection: &mut AsyncPgConnection, user: UserId) -> kernel::Result<serde_json::Value> {
        let reviews = reviews::table
            .filter(reviews::author_id.eq(user))
            .select((
                reviews::id,
                reviews::clinic_id,
                reviews::vet_id,
                reviews::rating,
                reviews::body,
                reviews::response,
                reviews::responded_at,
                reviews::hidden,
                reviews::verified_visit,
                reviews::created_at,
                reviews::updated_at,
            ))
            .order(reviews::id)
            .load::<ExportedReview>(connection)
            .await?;
        let memberships = clinic_memberships::table
            .filter(clinic_memberships::user_id.eq(user))
            .select((clinic_memberships::clinic_id, clinic_memberships::role, clinic_memberships::created_at))
            .order(clinic_memberships::created_at)
            .load::<ExportedMembership>(connection)
            .await?;
        let visits = clinic_visits::table
            .filter(clinic_visits::owner_id.eq(user))
            .select((clinic_visits::clinic_id, clinic_visits::last_visit_at))
            .order(clinic_visits::clinic_id)
            .load::<ExportedVisit>(connection)
            .await?;
        let invitations = match platform::users::email_of(connection, user).await? {
            Some(email) => {
                addressed_to(&email)
                    .select((
                        clinic_invitations::id,
                        clinic_invitations::clinic_id,
                        clinic_invitations::email,
                        clinic_invitations::role,
                        clinic_invitations::created_at,
                        clinic_invitations::expires_at,
                    ))
                    .order(clinic_invitations::created_at)
                    .load::<StaffInvitation>(connection)
                    .await?
            }
            None => Vec::new(),
        };
        let vet_profile = vet_profile(connection, user).await?;
        let export = Export { reviews, memberships, vet_profile, visits, invitations };
        serde_json::to_value(export).map_err(kernel::Error::internal)
    }

    async fn erase(&self, connection: &mut AsyncPgConnection, user: UserId, now: DateTime<Utc>) -> kernel::Result<()> {
        // The email is gone once the account itself is erased; by then, so are its invitations.
        let email = platform::users::email_of(connection, user).await?;
        crate::service::reviews::erase_by_author(connection, user).await?;
        diesel::delete(clinic_visits::table.filter(clinic_visits::owner_id.eq(user))).execute(connection).await?;
        diesel::delete(clinic_service_staff::table.filter(clinic_service_staff::user_id.eq(user)))
            .execute(connection)
            .await?;
        // A clinic may be left without an admin: platform admins can name another.
        diesel::delete(clinic_memberships::table.filter(clinic_memberships::user_id.eq(user)))
            .execute(connection)
            .await?;
        if let Some(email) = &email {
            diesel::delete(addressed_to(email)).execute(connection).await?;
        }
        diesel::delete(vet_working_hours::table.filter(vet_working_hours::vet_id.eq(user))).execute(connection).await?;
        let time_off = vet_time_off::table.filter(vet_time_off::vet_id.eq(user));
        let future = sql::<Bool>("upper(vet_time_off.period) > ").bind::<Timestamptz, _>(now);
        diesel::delete(time_off.filter(future)).execute(connection).await?;
        diesel::update(time_off).set(vet_time_off::reason.eq(None::<String>)).execute(connection).await?;
        // The photo itself is released by `media`'s holder (it was the vet's upload).
        diesel::update(vets::table.find(user))
            .set((
                vets::display_name.eq(FORMER_VET_NAME),
                vets::bio.eq(""),
                vets::license_number.eq(None::<String>),
                vets::license_region.eq(None::<String>),
                vets::specialties.eq(Vec::<String>::new()),
                vets::languages.eq(Vec::<String>::new()),
                vets::on_call.eq(false),
                vets::photo_id.eq(None::<MediaId>),
            ))
            .execute(connection)
            .await?;
        Ok(())
    }
}
