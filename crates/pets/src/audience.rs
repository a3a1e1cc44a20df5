//! A clinic's clients as a campaign chooses them (`outreach` reads them
//! here, never this crate's tables): the owners and co-owners of the living
//! pets in the clinic's care, optionally of some species, or with a
//! vaccination due by a date (overdue ones included); and the owners of
//! given pets (a plan's members).

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Date, Nullable, Text, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{ClinicId, PetId, Species, UserId};

/// Which of a clinic's clients.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    /// Only owners of pets of these species (all when empty).
    pub species: Vec<Species>,
    /// Only owners of a pet with a vaccination due on or before this day.
    pub vaccination_due_by: Option<NaiveDate>,
}

#[derive(QueryableByName)]
struct Client {
    #[diesel(sql_type = Uuid)]
    id: UserId,
}

/// The clients of `clinic` that `filter` chooses, each once, in id order.
pub async fn clients(
    connection: &mut AsyncPgConnection,
    clinic: ClinicId,
    filter: &Clients,
) -> kernel::Result<Vec<UserId>> {
    let species: Vec<&str> = filter.species.iter().map(|species| species.as_str()).collect();
    let clients: Vec<Client> = db::Sql::query(
        "SELECT DISTINCT owner.id FROM pet_care care \
         JOIN pets pet ON pet.id = care.pet_id AND pet.is_active AND pet.deceased_on IS NULL \
         CROSS JOIN LATERAL (SELECT pet.primary_owner_id AS id \
                             UNION SELECT co.user_id FROM pet_co_owners co WHERE co.pet_id = pet.id) owner \
         WHERE care.clinic_id = $1 \
           AND (cardinality($2::text[]) = 0 OR pet.species = ANY($2)) \
           AND ($3::date IS NULL OR EXISTS ( \
                SELECT 1 FROM pet_reminders reminder WHERE reminder.pet_id = pet.id \
                AND reminder.kind = 'vaccination' AND reminder.status IN ('pending', 'done') \
                AND reminder.due_on <= $3)) \
         ORDER BY owner.id",
    )
    .bind::<Uuid, _>(clinic)
    .bind::<Array<Text>, _>(species)
    .bind::<Nullable<Date>, _>(filter.vaccination_due_by)
    .load(connection)
    .await?;
    Ok(clients.into_iter().map(|client| client.id).collect())
}

/// The owners and co-owners of `pets`, each once, in id order (the members
/// of a plan, from its enrolled pets).
pub async fn owners_of(connection: &mut AsyncPgConnection, pets: &[PetId]) -> kernel::Result<Vec<UserId>> {
    let owners: Vec<Client> = db::Sql::query(
        "SELECT primary_owner_id AS id FROM pets WHERE id = ANY($1) \
         UNION SELECT user_id FROM pet_co_owners WHERE pet_id = ANY($1) ORDER BY id",
    )
    .bind::<Array<Uuid>, _>(pets)
    .load(connection)
    .await?;
    Ok(owners.into_iter().map(|owner| owner.id).collect())
}
