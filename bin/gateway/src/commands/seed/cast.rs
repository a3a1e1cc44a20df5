//! The people of the demo world: fixed identity-provider subjects
//! (`seed_…`), so a second run finds the same users, and their profiles.

use std::collections::HashMap;

use accounts::Preferences;
use accounts::api::ProfileUpdate;
use diesel_async::AsyncPgConnection;
use kernel::{ClinicId, Membership, Principal, Role, UserId, Valid};

use super::Explain;

/// Someone in the demo world.
pub struct PersonSpec {
    /// The identity-provider subject (`sub`).
    pub subject: &'static str,
    /// Verified email (staff are added by it).
    pub email: &'static str,
    /// Given name.
    pub first_name: &'static str,
    /// Family name.
    pub last_name: &'static str,
    /// E.164 phone.
    pub phone: &'static str,
    /// Platform role.
    pub role: Role,
    /// Where they live (reminders go out in it).
    pub time_zone: &'static str,
    /// Their language.
    pub locale: &'static str,
}

const fn person(
    subject: &'static str,
    email: &'static str,
    (first_name, last_name): (&'static str, &'static str),
    phone: &'static str,
    role: Role,
    (time_zone, locale): (&'static str, &'static str),
) -> PersonSpec {
    PersonSpec { subject, email, first_name, last_name, phone, role, time_zone, locale }
}

const PARIS: (&str, &str) = ("Europe/Paris", "fr");
const NEW_YORK: (&str, &str) = ("America/New_York", "en");
const TOKYO: (&str, &str) = ("Asia/Tokyo", "ja");
const SYDNEY: (&str, &str) = ("Australia/Sydney", "en");

/// The platform admin (a token is printed for them).
pub const PLATFORM_ADMIN: &str = "seed_platform_admin";

/// Everyone, the platform admin first.
#[rustfmt::skip]
pub const PEOPLE: &[PersonSpec] = &[
    person(PLATFORM_ADMIN, "ops@demo.vet-platform.example", ("Alex", "Moreau"), "+33155550100", Role::PlatformAdmin, PARIS),
    // Clinic admins, one per clinic.
    person("seed_clinic_admin_1", "claire.dubois@demo.vet-platform.example", ("Claire", "Dubois"), "+33155550101", Role::ClinicAdmin, PARIS),
    person("seed_clinic_admin_2", "marcus.reed@demo.vet-platform.example", ("Marcus", "Reed"), "+12125550102", Role::ClinicAdmin, NEW_YORK),
    person("seed_clinic_admin_3", "haruka.sato@demo.vet-platform.example", ("Haruka", "Sato"), "+81355550103", Role::ClinicAdmin, TOKYO),
    person("seed_clinic_admin_4", "grace.wilson@demo.vet-platform.example", ("Grace", "Wilson"), "+61255550104", Role::ClinicAdmin, SYDNEY),
    // Veterinarians, two per clinic.
    person("seed_vet_1", "sophie.laurent@demo.vet-platform.example", ("Sophie", "Laurent"), "+33155550111", Role::Veterinarian, PARIS),
    person("seed_vet_2", "thomas.girard@demo.vet-platform.example", ("Thomas", "Girard"), "+33155550112", Role::Veterinarian, PARIS),
    person("seed_vet_3", "rachel.kim@demo.vet-platform.example", ("Rachel", "Kim"), "+12125550113", Role::Veterinarian, NEW_YORK),
    person("seed_vet_4", "daniel.ortiz@demo.vet-platform.example", ("Daniel", "Ortiz"), "+12125550114", Role::Veterinarian, NEW_YORK),
    person("seed_vet_5", "kenji.watanabe@demo.vet-platform.example", ("Kenji", "Watanabe"), "+81355550115", Role::Veterinarian, TOKYO),
    person("seed_vet_6", "aiko.yamamoto@demo.vet-platform.example", ("Aiko", "Yamamoto"), "+81355550116", Role::Veterinarian, TOKYO),
    person("seed_vet_7", "liam.nguyen@demo.vet-platform.example", ("Liam", "Nguyen"), "+61255550117", Role::Veterinarian, SYDNEY),
    person("seed_vet_8", "isla.murphy@demo.vet-platform.example", ("Isla", "Murphy"), "+61255550118", Role::Veterinarian, SYDNEY),
    // The front desk in Paris.
    person("seed_receptionist_1", "lea.petit@demo.vet-platform.example", ("Léa", "Petit"), "+33155550121", Role::Receptionist, PARIS),
    // Pet owners.
    person("seed_owner_1", "camille.martin@demo.vet-platform.example", ("Camille", "Martin"), "+33655550131", Role::PetOwner, PARIS),
    person("seed_owner_2", "julien.bernard@demo.vet-platform.example", ("Julien", "Bernard"), "+33655550132", Role::PetOwner, PARIS),
    person("seed_owner_3", "emily.johnson@demo.vet-platform.example", ("Emily", "Johnson"), "+16465550133", Role::PetOwner, NEW_YORK),
    person("seed_owner_4", "michael.brown@demo.vet-platform.example", ("Michael", "Brown"), "+16465550134", Role::PetOwner, NEW_YORK),
    person("seed_owner_5", "yuki.tanaka@demo.vet-platform.example", ("Yuki", "Tanaka"), "+81905550135", Role::PetOwner, TOKYO),
    person("seed_owner_6", "olivia.smith@demo.vet-platform.example", ("Olivia", "Smith"), "+61405550136", Role::PetOwner, SYDNEY),
];

/// Whose development tokens `seed` prints: one owner, one vet, one clinic
/// admin, the platform admin.
pub const TOKEN_HOLDERS: [&str; 4] = ["seed_owner_1", "seed_vet_1", "seed_clinic_admin_1", PLATFORM_ADMIN];

/// The spec of `subject`.
pub fn spec(subject: &str) -> anyhow::Result<&'static PersonSpec> {
    PEOPLE
        .iter()
        .find(|person| person.subject == subject)
        .ok_or_else(|| anyhow::anyhow!("the demo world has nobody called {subject}"))
}

/// A provisioned person and the clinics they work at.
#[derive(Debug, Clone)]
pub struct Person {
    /// Our user id.
    pub user_id: UserId,
    /// Their subject.
    pub subject: &'static str,
    /// Their platform role.
    pub role: Role,
    /// Where they work, as `clinics` lists its staff.
    pub memberships: Vec<Membership>,
}

impl Person {
    /// The caller the services see when this person acts (what the API
    /// resolves from their token).
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.user_id,
            subject: self.subject.to_owned(),
            role: self.role,
            memberships: self.memberships.clone(),
            credential: kernel::Credential::Session,
        }
    }
}

/// Everyone, by subject.
pub struct Cast {
    people: HashMap<&'static str, Person>,
}

impl Cast {
    /// Provisions every person as `dev-token` does (the local user with its
    /// role and verified email), then fills in their own profile (names,
    /// phone, time zone, language) through `accounts`, as they would.
    pub async fn provision(connection: &mut AsyncPgConnection) -> anyhow::Result<Self> {
        let mut people = HashMap::new();
        for spec in PEOPLE {
            let user_id = platform::users::provision_local(connection, spec.subject, spec.email, spec.role)
                .await
                .explain(|| format!("provision {}", spec.subject))?;
            let person = Person { user_id, subject: spec.subject, role: spec.role, memberships: Vec::new() };
            let update = ProfileUpdate {
                first_name: Some(spec.first_name.to_owned()),
                last_name: Some(spec.last_name.to_owned()),
                phone: Some(Some(spec.phone.to_owned())),
                preferences: Some(Preferences { time_zone: spec.time_zone.to_owned(), locale: spec.locale.to_owned() }),
            };
            let update = Valid::new(update).explain(|| format!("the profile of {}", spec.subject))?;
            accounts::service::me::update_profile(connection, &person.principal(), update)
                .await
                .explain(|| format!("update the profile of {}", spec.subject))?;
            people.insert(spec.subject, person);
        }
        Ok(Self { people })
    }

    /// The person called `subject`.
    pub fn get(&self, subject: &str) -> anyhow::Result<&Person> {
        self.people.get(subject).ok_or_else(|| anyhow::anyhow!("{subject} was not provisioned"))
    }

    /// `subject` acting.
    pub fn principal(&self, subject: &str) -> anyhow::Result<Principal> {
        Ok(self.get(subject)?.principal())
    }

    /// The user id of `subject`.
    pub fn id(&self, subject: &str) -> anyhow::Result<UserId> {
        Ok(self.get(subject)?.user_id)
    }

    /// Re-reads everyone's memberships from the staff lists of `clinics`
    /// (read as the platform admin), after staff were added.
    pub async fn refresh_memberships(
        &mut self,
        connection: &mut AsyncPgConnection,
        clinics: &[ClinicId],
    ) -> anyhow::Result<()> {
        let admin = self.principal(PLATFORM_ADMIN)?;
        let mut memberships: HashMap<UserId, Vec<Membership>> = HashMap::new();
        for &clinic_id in clinics {
            let staff = clinics::service::staff::list(connection, &admin, clinic_id)
                .await
                .explain(|| format!("list the staff of clinic {clinic_id}"))?;
            for member in staff {
                memberships.entry(member.user_id).or_default().push(Membership { clinic_id, role: member.role });
            }
        }
        for person in self.people.values_mut() {
            person.memberships = memberships.remove(&person.user_id).unwrap_or_default();
        }
        Ok(())
    }
}
