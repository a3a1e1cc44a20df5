//! The demo clinics: four cities in four time zones, each with opening hours
//! and holidays, rooms, priced services, a clinic admin and two vets with
//! their weekly hours; two of them take emergencies.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use clinics::api::{
    Address, ClinicProfile, EmergencyStatus, EmergencyStatusUpdate, GeoPoint, HoursException, OpeningHours, RoomSpec,
    ServiceKind, ServiceOffer, StaffAddition, StaffRole, TimeOffRequest, VetProfile, WeeklyHours, WorkingHours,
    WorkingWeek,
};
use clinics::service::{catalog, clinics as profiles, staff, vets};
use diesel_async::AsyncPgConnection;
use kernel::{ClinicId, Principal, RoomId, ServiceId, Species, Valid};

use super::Explain;
use super::cast::{self, Cast, PLATFORM_ADMIN};

/// Weekly intervals on `days` (ISO weekdays), local `HH:MM`; `to` at or
/// before `from` ends the next day.
pub struct Hours {
    days: &'static [i16],
    from: &'static str,
    to: &'static str,
}

const fn hours(days: &'static [i16], from: &'static str, to: &'static str) -> Hours {
    Hours { days, from, to }
}

const WEEKDAYS: &[i16] = &[1, 2, 3, 4, 5];
const EVERY_DAY: &[i16] = &[1, 2, 3, 4, 5, 6, 7];

/// A service on the clinic's price list.
pub struct ServiceSpec {
    kind: ServiceKind,
    /// Its name (visits name the service they book).
    pub name: &'static str,
    /// Minutes of the appointment.
    pub minutes: i32,
    /// Clean-up minutes after.
    pub after: i32,
    /// Its price in the clinic's currency.
    pub price: &'static str,
    species: &'static [Species],
    online: bool,
    rooms: &'static [&'static str],
}

const fn service(
    kind: ServiceKind,
    name: &'static str,
    (minutes, after): (i32, i32),
    price: &'static str,
) -> ServiceSpec {
    ServiceSpec { kind, name, minutes, after, price, species: &[], online: true, rooms: &[] }
}

impl ServiceSpec {
    const fn for_species(mut self, species: &'static [Species]) -> Self {
        self.species = species;
        self
    }

    const fn in_rooms(mut self, rooms: &'static [&'static str]) -> Self {
        self.rooms = rooms;
        self
    }

    const fn at_the_desk_only(mut self) -> Self {
        self.online = false;
        self
    }
}

/// A veterinarian of a clinic.
pub struct VetSpec {
    /// Their subject in the cast.
    pub subject: &'static str,
    display_name: &'static str,
    bio: &'static str,
    license: &'static str,
    specialties: &'static [&'static str],
    languages: &'static [&'static str],
    /// Takes emergencies: on the clinic's on-call rota when it takes them.
    pub on_call: bool,
    hours: &'static [Hours],
    /// Days from today to a period away, its length in days, and why.
    time_off: Option<(i64, i64, &'static str)>,
}

/// A clinic of the demo world.
pub struct ClinicSpec {
    /// Its name (the first one marks a seeded database).
    pub name: &'static str,
    description: &'static str,
    phone: &'static str,
    email: &'static str,
    website: &'static str,
    street: &'static str,
    city: &'static str,
    region: Option<&'static str>,
    postal_code: &'static str,
    country: &'static str,
    location: (f64, f64),
    /// IANA zone.
    pub time_zone: &'static str,
    currency: &'static str,
    open_24_7: bool,
    cancellation_notice_hours: i32,
    refuse_unverified_reviews: bool,
    /// Takes emergencies, with this live status.
    emergency: Option<(EmergencyStatus, &'static str)>,
    weekly: &'static [Hours],
    /// Closed on the next of these (month, day), with a note.
    holidays: &'static [(u32, u32, &'static str)],
    rooms: &'static [(&'static str, i32)],
    /// The price list.
    pub services: &'static [ServiceSpec],
    /// The clinic admin's subject.
    pub admin: &'static str,
    /// The vets.
    pub vets: &'static [VetSpec],
    /// Receptionists' subjects.
    pub desk: &'static [&'static str],
}

/// Every clinic; the first marks a seeded database.
pub const CLINICS: &[ClinicSpec] = &[
    ClinicSpec {
        name: "Clinique Vétérinaire du Marais",
        description: "Dogs, cats and NACs (rabbits, birds, reptiles) in the heart of the Marais: consultations, \
                      vaccinations, dentistry and soft-tissue surgery.",
        phone: "+33142720000",
        email: "accueil@marais-veto.example",
        website: "https://marais-veto.example",
        street: "12 rue de Bretagne",
        city: "Paris",
        region: Some("Île-de-France"),
        postal_code: "75003",
        country: "FR",
        location: (48.8633, 2.3621),
        time_zone: "Europe/Paris",
        currency: "EUR",
        open_24_7: false,
        cancellation_notice_hours: 24,
        refuse_unverified_reviews: false,
        emergency: None,
        weekly: &[hours(WEEKDAYS, "08:30", "19:00"), hours(&[6], "09:00", "13:00")],
        holidays: &[(1, 1, "Jour de l'an"), (5, 1, "Fête du Travail"), (12, 25, "Noël")],
        rooms: &[("Salle de consultation 1", 1), ("Salle de consultation 2", 1), ("Bloc opératoire", 1)],
        services: &[
            service(ServiceKind::Consultation, "Consultation", (30, 10), "45.00")
                .in_rooms(&["Salle de consultation 1", "Salle de consultation 2"]),
            service(ServiceKind::Vaccination, "Vaccination", (15, 5), "38.00")
                .in_rooms(&["Salle de consultation 1", "Salle de consultation 2"]),
            service(ServiceKind::Consultation, "Consultation NAC", (30, 10), "55.00")
                .for_species(&[Species::Rabbit, Species::Bird, Species::Reptile, Species::SmallMammal])
                .in_rooms(&["Salle de consultation 1", "Salle de consultation 2"]),
            service(ServiceKind::Dental, "Détartrage", (60, 15), "180.00")
                .for_species(&[Species::Dog, Species::Cat])
                .in_rooms(&["Bloc opératoire"])
                .at_the_desk_only(),
            service(ServiceKind::Surgery, "Stérilisation", (90, 30), "260.00")
                .for_species(&[Species::Dog, Species::Cat])
                .in_rooms(&["Bloc opératoire"])
                .at_the_desk_only(),
        ],
        admin: "seed_clinic_admin_1",
        vets: &[
            VetSpec {
                subject: "seed_vet_1",
                display_name: "Dr Sophie Laurent",
                bio: "Small-animal vet with a soft spot for anxious dogs; soft-tissue surgery and dentistry.",
                license: "CNOV 24817",
                specialties: &["surgery", "dentistry"],
                languages: &["fr", "en"],
                on_call: false,
                hours: &[hours(WEEKDAYS, "09:00", "12:30"), hours(WEEKDAYS, "13:30", "18:00")],
                time_off: None,
            },
            VetSpec {
                subject: "seed_vet_2",
                display_name: "Dr Thomas Girard",
                bio: "Rabbits, birds and reptiles (NAC), and itchy dogs: dermatology.",
                license: "CNOV 31952",
                specialties: &["exotics", "dermatology"],
                languages: &["fr", "en", "es"],
                on_call: false,
                hours: &[hours(WEEKDAYS, "10:00", "19:00"), hours(&[6], "09:00", "13:00")],
                time_off: Some((40, 2, "Congrès AFVAC")),
            },
        ],
        desk: &["seed_receptionist_1"],
    },
    ClinicSpec {
        name: "Hudson Animal Hospital",
        description: "Chelsea's 24/7 animal hospital: emergency and critical care, wellness exams, \
                      vaccinations and digital imaging.",
        phone: "+12125550199",
        email: "frontdesk@hudson-animal.example",
        website: "https://hudson-animal.example",
        street: "250 West 18th Street",
        city: "New York",
        region: Some("NY"),
        postal_code: "10011",
        country: "US",
        location: (40.7411, -73.9977),
        time_zone: "America/New_York",
        currency: "USD",
        open_24_7: true,
        cancellation_notice_hours: 12,
        refuse_unverified_reviews: false,
        emergency: Some((EmergencyStatus::Accepting, "Two emergency vets on duty around the clock.")),
        weekly: &[hours(EVERY_DAY, "00:00", "00:00")],
        holidays: &[],
        rooms: &[("Exam 1", 1), ("Exam 2", 1), ("Imaging suite", 1), ("Critical care", 4)],
        services: &[
            service(ServiceKind::Emergency, "Emergency consultation", (30, 15), "180.00").in_rooms(&["Critical care"]),
            service(ServiceKind::Consultation, "Wellness exam", (30, 10), "85.00").in_rooms(&["Exam 1", "Exam 2"]),
            service(ServiceKind::Vaccination, "Vaccination", (15, 5), "45.00").in_rooms(&["Exam 1", "Exam 2"]),
            service(ServiceKind::Diagnostics, "Digital X-ray", (45, 15), "240.00")
                .in_rooms(&["Imaging suite"])
                .at_the_desk_only(),
        ],
        admin: "seed_clinic_admin_2",
        vets: &[
            VetSpec {
                subject: "seed_vet_3",
                display_name: "Dr Rachel Kim",
                bio: "Internal medicine and preventive care; runs the hospital's puppy and kitten programme.",
                license: "NY-VET-118204",
                specialties: &["internal medicine", "emergency"],
                languages: &["en", "ko"],
                on_call: false,
                hours: &[hours(WEEKDAYS, "08:00", "20:00")],
                time_off: None,
            },
            VetSpec {
                subject: "seed_vet_4",
                display_name: "Dr Daniel Ortiz",
                bio: "Emergency and critical care: nights all week, days at the weekend.",
                license: "NY-VET-120577",
                specialties: &["emergency", "critical care"],
                languages: &["en", "es"],
                on_call: true,
                hours: &[hours(EVERY_DAY, "20:00", "08:00"), hours(&[6, 7], "08:00", "20:00")],
                time_off: None,
            },
        ],
        desk: &[],
    },
    ClinicSpec {
        name: "Shibuya Pet Clinic",
        description: "Dogs and cats near Shibuya station: consultations, vaccinations (rabies and combination), \
                      dental checks and grooming.",
        phone: "+81334610000",
        email: "info@shibuya-pet.example",
        website: "https://shibuya-pet.example",
        street: "2-21-1 Shibuya",
        city: "Tokyo",
        region: Some("Shibuya-ku"),
        postal_code: "150-0002",
        country: "JP",
        location: (35.6590, 139.7036),
        time_zone: "Asia/Tokyo",
        currency: "JPY",
        open_24_7: false,
        cancellation_notice_hours: 24,
        refuse_unverified_reviews: true,
        emergency: None,
        weekly: &[hours(&[1, 2, 3, 4, 5, 6], "10:00", "19:00")],
        holidays: &[(1, 1, "正月休み"), (1, 2, "正月休み"), (1, 3, "正月休み")],
        rooms: &[("Consultation room 1", 1), ("Consultation room 2", 1), ("Grooming room", 2)],
        services: &[
            service(ServiceKind::Consultation, "Consultation", (30, 10), "5500")
                .in_rooms(&["Consultation room 1", "Consultation room 2"]),
            service(ServiceKind::Vaccination, "Vaccination", (15, 5), "8800")
                .in_rooms(&["Consultation room 1", "Consultation room 2"]),
            service(ServiceKind::Grooming, "Grooming", (60, 15), "7700")
                .for_species(&[Species::Dog, Species::Cat])
                .in_rooms(&["Grooming room"]),
            service(ServiceKind::Dental, "Dental check", (30, 10), "4400").for_species(&[Species::Dog, Species::Cat]),
        ],
        admin: "seed_clinic_admin_3",
        vets: &[
            VetSpec {
                subject: "seed_vet_5",
                display_name: "Dr Kenji Watanabe",
                bio: "General practice and dermatology; fifteen years in Shibuya.",
                license: "JP-VET-078213",
                specialties: &["dermatology"],
                languages: &["ja", "en"],
                on_call: false,
                hours: &[hours(WEEKDAYS, "10:00", "19:00")],
                time_off: None,
            },
            VetSpec {
                subject: "seed_vet_6",
                display_name: "Dr Aiko Yamamoto",
                bio: "Behaviour and nutrition; small mammals welcome.",
                license: "JP-VET-091544",
                specialties: &["behaviour", "nutrition"],
                languages: &["ja"],
                on_call: false,
                hours: &[hours(&[2, 3, 4, 5, 6], "10:00", "19:00")],
                time_off: None,
            },
        ],
        desk: &[],
    },
    ClinicSpec {
        name: "Harbourside Veterinary Hospital",
        description: "Eastern suburbs hospital: consultations, vaccinations, desexing and an exotics service \
                      for reptiles and birds. Emergencies seen when a surgeon is free.",
        phone: "+61293870000",
        email: "hello@harbourside-vet.example",
        website: "https://harbourside-vet.example",
        street: "88 Bondi Road",
        city: "Bondi Junction",
        region: Some("NSW"),
        postal_code: "2022",
        country: "AU",
        location: (-33.8915, 151.2480),
        time_zone: "Australia/Sydney",
        currency: "AUD",
        open_24_7: false,
        cancellation_notice_hours: 24,
        refuse_unverified_reviews: false,
        emergency: Some((EmergencyStatus::Limited, "Surgeon in theatre until 4 pm: please call ahead.")),
        weekly: &[hours(WEEKDAYS, "08:00", "20:00"), hours(&[6, 7], "09:00", "17:00")],
        holidays: &[(1, 26, "Australia Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day")],
        rooms: &[("Consult 1", 1), ("Consult 2", 1), ("Theatre", 1), ("Reptile room", 1)],
        services: &[
            service(ServiceKind::Consultation, "Consultation", (30, 10), "95.00").in_rooms(&["Consult 1", "Consult 2"]),
            service(ServiceKind::Vaccination, "Vaccination", (15, 5), "85.00").in_rooms(&["Consult 1", "Consult 2"]),
            service(ServiceKind::Consultation, "Exotics consultation", (45, 15), "130.00")
                .for_species(&[Species::Reptile, Species::Bird, Species::SmallMammal])
                .in_rooms(&["Reptile room"]),
            service(ServiceKind::Surgery, "Desexing", (120, 30), "420.00")
                .for_species(&[Species::Dog, Species::Cat])
                .in_rooms(&["Theatre"])
                .at_the_desk_only(),
        ],
        admin: "seed_clinic_admin_4",
        vets: &[
            VetSpec {
                subject: "seed_vet_7",
                display_name: "Dr Liam Nguyen",
                bio: "Reptiles, birds and pocket pets, and everyone else's cats and dogs.",
                license: "NSW-VSB-22871",
                specialties: &["exotics", "reptiles"],
                languages: &["en", "vi"],
                on_call: false,
                hours: &[hours(WEEKDAYS, "08:00", "16:00")],
                time_off: None,
            },
            VetSpec {
                subject: "seed_vet_8",
                display_name: "Dr Isla Murphy",
                bio: "Surgery and orthopaedics; the hospital's emergency lead.",
                license: "NSW-VSB-25310",
                specialties: &["surgery", "orthopaedics"],
                languages: &["en"],
                on_call: true,
                hours: &[hours(&[3, 4, 5, 6, 7], "12:00", "20:00")],
                time_off: Some((45, 7, "Annual leave")),
            },
        ],
        desk: &[],
    },
];

/// A clinic as seeded.
pub struct Clinic {
    /// Its spec.
    pub spec: &'static ClinicSpec,
    /// Its id.
    pub id: ClinicId,
    /// Its zone.
    pub zone: Tz,
    /// The dates it is closed on (holidays).
    pub closed: Vec<NaiveDate>,
    services: HashMap<&'static str, ServiceId>,
}

impl ClinicSpec {
    /// Whether the clinic takes emergencies.
    pub fn takes_emergencies(&self) -> bool {
        self.emergency.is_some()
    }
}

impl Clinic {
    /// The service called `name`, with its spec.
    pub fn service(&self, name: &str) -> anyhow::Result<(ServiceId, &'static ServiceSpec)> {
        let spec = self.spec.services.iter().find(|service| service.name == name);
        let id = self.services.get(name);
        spec.zip(id)
            .map(|(spec, id)| (*id, spec))
            .ok_or_else(|| anyhow::anyhow!("{} has no service {name}", self.spec.name))
    }

    /// Who books and checks patients in at the desk (the clinic admin when
    /// there is no receptionist).
    pub fn desk(&self) -> &'static str {
        self.spec.desk.first().copied().unwrap_or(self.spec.admin)
    }

    /// `HH:MM` on `date`, the clinic's local time.
    pub fn at(&self, date: NaiveDate, time: &str) -> anyhow::Result<DateTime<Utc>> {
        let local = date.and_time(NaiveTime::parse_from_str(time, "%H:%M")?);
        local
            .and_local_timezone(self.zone)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .with_context(|| format!("{local} does not exist in {}", self.zone))
    }

    /// Whether a visit from `time` lasting `minutes` fits the clinic's hours
    /// and `vet`'s on `date` (and the clinic is not closed that day).
    pub fn fits(&self, vet: &VetSpec, date: NaiveDate, time: NaiveTime, minutes: i64) -> bool {
        let open = self.spec.open_24_7 || covers(self.spec.weekly, date, time, minutes);
        open && !self.closed.contains(&date) && covers(vet.hours, date, time, minutes)
    }
}

/// Whether one of `intervals` covers `time`..`time + minutes` on `date`
/// (an overnight interval covers its evening and the next morning).
fn covers(intervals: &[Hours], date: NaiveDate, time: NaiveTime, minutes: i64) -> bool {
    let weekday = i16::try_from(date.weekday().number_from_monday()).unwrap_or(0);
    let yesterday = if weekday == 1 { 7 } else { weekday - 1 };
    let end = time + Duration::minutes(minutes);
    let parse = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").ok();
    intervals.iter().any(|interval| {
        let (Some(from), Some(to)) = (parse(interval.from), parse(interval.to)) else { return false };
        if end <= time {
            return false;
        }
        if from < to {
            interval.days.contains(&weekday) && from <= time && end <= to
        } else {
            (interval.days.contains(&weekday) && time >= from) || (interval.days.contains(&yesterday) && end <= to)
        }
    })
}

/// Creates `spec`'s clinic as the platform admin, gives it its clinic admin,
/// who sets it up (hours, rooms, staff, services, emergency status), and
/// lets each vet write their profile and hours.
pub async fn build(
    connection: &mut AsyncPgConnection,
    cast: &mut Cast,
    settings: &clinics::Settings,
    spec: &'static ClinicSpec,
    seeded: &[ClinicId],
    today: NaiveDate,
) -> anyhow::Result<Clinic> {
    let name = spec.name;
    let admin = cast.principal(PLATFORM_ADMIN)?;
    let profile = Valid::new(profile(spec)).explain(|| format!("the profile of {name}"))?;
    let id = profiles::create(connection, &admin, &profile).await.explain(|| format!("create {name}"))?.id;
    let mut clinics: Vec<ClinicId> = seeded.to_vec();
    clinics.push(id);
    add_staff(connection, &admin, id, spec.admin, StaffRole::ClinicAdmin, settings).await?;
    cast.refresh_memberships(connection, &clinics).await?;
    let manager = cast.principal(spec.admin)?;

    let zone: Tz = spec.time_zone.parse().map_err(|error| anyhow::anyhow!("{}: {error}", spec.time_zone))?;
    let closed: Vec<NaiveDate> = spec.holidays.iter().filter_map(|&(month, day, _)| next(today, month, day)).collect();
    let exceptions = spec
        .holidays
        .iter()
        .zip(&closed)
        .map(|(&(_, _, note), &date)| HoursException { date, opens: None, closes: None, note: Some(note.to_owned()) })
        .collect();
    let weekly = spec
        .weekly
        .iter()
        .flat_map(|interval| {
            interval.days.iter().map(|&weekday| WeeklyHours {
                weekday,
                opens: interval.from.to_owned(),
                closes: interval.to.to_owned(),
            })
        })
        .collect();
    let hours = Valid::new(OpeningHours { weekly, exceptions }).explain(|| format!("the hours of {name}"))?;
    profiles::set_hours(connection, &manager, id, &hours).await.explain(|| format!("set the hours of {name}"))?;

    let mut rooms: HashMap<&str, RoomId> = HashMap::new();
    for &(room, capacity) in spec.rooms {
        let room_spec = Valid::new(RoomSpec { name: room.to_owned(), capacity }).explain(|| format!("room {room}"))?;
        let added =
            catalog::add_room(connection, &manager, id, &room_spec).await.explain(|| format!("add room {room}"))?;
        rooms.insert(room, added.id);
    }

    for vet in spec.vets {
        add_staff(connection, &manager, id, vet.subject, StaffRole::Veterinarian, settings).await?;
    }
    for &desk in spec.desk {
        add_staff(connection, &manager, id, desk, StaffRole::Receptionist, settings).await?;
    }
    cast.refresh_memberships(connection, &clinics).await?;
    for vet in spec.vets {
        set_up_vet(connection, cast, vet, id, zone, today).await?;
    }

    let mut services = HashMap::new();
    for offer in spec.services {
        let rooms = offer
            .rooms
            .iter()
            .map(|room| rooms.get(room).copied().with_context(|| format!("{name} has no room {room}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let service = ServiceOffer {
            kind: offer.kind,
            name: offer.name.to_owned(),
            duration_minutes: offer.minutes,
            buffer_before_minutes: 0,
            buffer_after_minutes: offer.after,
            price: offer.price.parse().with_context(|| format!("the price of {}", offer.name))?,
            species: offer.species.to_vec(),
            bookable_online: offer.online,
            allows_overbooking: offer.kind == ServiceKind::Vaccination,
            staff: Vec::new(),
            rooms,
        };
        let service = Valid::new(service).explain(|| format!("service {}", offer.name))?;
        let added = catalog::add_service(connection, &manager, id, &service)
            .await
            .explain(|| format!("add service {} to {name}", offer.name))?;
        services.insert(offer.name, added);
    }

    if let Some((status, note)) = spec.emergency {
        let update = Valid::new(EmergencyStatusUpdate { status, note: Some(note.to_owned()) })
            .explain(|| format!("the emergency status of {name}"))?;
        profiles::set_emergency_status(connection, &manager, id, &update)
            .await
            .explain(|| format!("set the emergency status of {name}"))?;
    }
    Ok(Clinic { spec, id, zone, closed, services })
}

fn profile(spec: &ClinicSpec) -> ClinicProfile {
    let (latitude, longitude) = spec.location;
    ClinicProfile {
        name: spec.name.to_owned(),
        description: spec.description.to_owned(),
        phone: Some(spec.phone.to_owned()),
        email: Some(spec.email.to_owned()),
        website: Some(spec.website.to_owned()),
        address: Address {
            line1: spec.street.to_owned(),
            line2: None,
            city: spec.city.to_owned(),
            region: spec.region.map(str::to_owned),
            postal_code: Some(spec.postal_code.to_owned()),
            country: spec.country.to_owned(),
        },
        location: GeoPoint { latitude, longitude },
        time_zone: spec.time_zone.to_owned(),
        currency: spec.currency.to_owned(),
        emergency_capable: spec.emergency.is_some(),
        open_24_7: spec.open_24_7,
        cancellation_notice_hours: spec.cancellation_notice_hours,
        refuse_unverified_reviews: spec.refuse_unverified_reviews,
    }
}

/// The next `month`/`day` after `today`.
fn next(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if this_year > today { Some(this_year) } else { NaiveDate::from_ymd_opt(today.year() + 1, month, day) }
}

/// `by` adds `subject` to the clinic's staff (by their verified email).
async fn add_staff(
    connection: &mut AsyncPgConnection,
    by: &Principal,
    clinic: ClinicId,
    subject: &str,
    role: StaffRole,
    settings: &clinics::Settings,
) -> anyhow::Result<()> {
    let person = cast::spec(subject)?;
    let addition = Valid::new(StaffAddition { email: person.email.to_owned(), role })
        .explain(|| format!("the staff addition of {subject}"))?;
    match staff::add(connection, by, clinic, &addition, settings.invitation_ttl_days)
        .await
        .explain(|| format!("add {subject} to the staff"))?
    {
        staff::Addition::Added { .. } => Ok(()),
        staff::Addition::Invited(_) => anyhow::bail!("{subject} was invited instead of added: no verified account"),
    }
}

/// The vet writes their profile and weekly hours, and books their time off.
async fn set_up_vet(
    connection: &mut AsyncPgConnection,
    cast: &Cast,
    vet: &VetSpec,
    clinic: ClinicId,
    zone: Tz,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let subject = vet.subject;
    let principal = cast.principal(subject)?;
    let profile = VetProfile {
        display_name: vet.display_name.to_owned(),
        bio: vet.bio.to_owned(),
        license_number: Some(vet.license.to_owned()),
        license_region: None,
        specialties: vet.specialties.iter().map(|tag| (*tag).to_owned()).collect(),
        languages: vet.languages.iter().map(|tag| (*tag).to_owned()).collect(),
        on_call: vet.on_call,
    };
    let profile = Valid::new(profile).explain(|| format!("the vet profile of {subject}"))?;
    vets::put_own_profile(connection, &principal, &profile).await.explain(|| format!("{subject}'s vet profile"))?;
    let week = vet
        .hours
        .iter()
        .flat_map(|interval| {
            interval.days.iter().map(|&weekday| WorkingHours {
                weekday,
                starts: interval.from.to_owned(),
                ends: interval.to.to_owned(),
            })
        })
        .collect();
    let week = Valid::new(WorkingWeek { hours: week }).explain(|| format!("the hours of {subject}"))?;
    vets::set_working_hours(connection, &principal, principal.user_id, clinic, &week)
        .await
        .explain(|| format!("set the hours of {subject}"))?;
    if let Some((in_days, days, reason)) = vet.time_off {
        let midnight = |date: NaiveDate| {
            date.and_time(NaiveTime::MIN).and_local_timezone(zone).earliest().map(|at| at.with_timezone(&Utc))
        };
        let first = today + Duration::days(in_days);
        let (Some(starts_at), Some(ends_at)) = (midnight(first), midnight(first + Duration::days(days))) else {
            anyhow::bail!("{subject}'s time off starts or ends at a time {zone} skips");
        };
        let request = TimeOffRequest { starts_at, ends_at, reason: Some(reason.to_owned()), clinic_id: Some(clinic) };
        let request = Valid::new(request).explain(|| format!("the time off of {subject}"))?;
        vets::add_time_off(connection, &principal, principal.user_id, &request)
            .await
            .explain(|| format!("book the time off of {subject}"))?;
    }
    Ok(())
}
