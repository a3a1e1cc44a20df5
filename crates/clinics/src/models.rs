//! Diesel rows of this crate's tables.

#![expect(missing_docs, reason = "rows mirror their tables' columns, documented in migrations/")]

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use kernel::{ClinicId, Valid};

use crate::api::{Address, ClinicProfile, ClinicView, EmergencyStatus, GeoPoint, RatingSummary};
use db::schema::clinics;

// The request fields of constraints whose names do not say them.
kernel::constraint_fields!(
    "vet_time_off_no_overlap" => "starts_at",
    "clinic_invitations_key" => "email",
    "clinic_hours_exceptions_key" => "date",
);

/// A `clinics` row.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = clinics, check_for_backend(diesel::pg::Pg))]
pub struct Clinic {
    pub id: ClinicId,
    pub name: String,
    pub description: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    pub currency: String,
    pub emergency_capable: bool,
    pub open_24_7: bool,
    pub emergency_status: String,
    pub emergency_note: Option<String>,
    pub emergency_status_at: Option<DateTime<Utc>>,
    pub rating_count: i32,
    pub rating_sum: i32,
    pub rating_distribution: Vec<i32>,
    pub cancellation_notice_hours: i32,
    pub photo_id: Option<kernel::MediaId>,
    pub is_active: bool,
    pub rating_verified_count: i32,
    pub refuse_unverified_reviews: bool,
}

/// A clinic with what a query computed about it.
#[derive(Debug, Clone, QueryableByName)]
pub struct FoundClinic {
    #[diesel(embed)]
    pub clinic: Clinic,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Float8>)]
    pub distance_km: Option<f64>,
    /// What a `near` search orders by (`location <-> point`, the spatial
    /// index's own distance), so equal distances can be put in id order.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Float8>)]
    pub index_distance: Option<f64>,
    /// [`ROW_VERSION`]: what `scheduling::Clinic::row_version` holds.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub row_version: i64,
}

/// The select expression of a clinic row's version, `row_version`.
pub const ROW_VERSION: &str = "c.xmin::text::bigint AS row_version";

impl FoundClinic {
    /// The public view, open now or not.
    pub fn into_view(self, open_now: bool) -> ClinicView {
        let clinic = self.clinic;
        let average = (clinic.rating_count > 0).then(|| f64::from(clinic.rating_sum) / f64::from(clinic.rating_count));
        ClinicView {
            id: clinic.id,
            profile: ClinicProfile {
                name: clinic.name,
                description: clinic.description,
                phone: clinic.phone,
                email: clinic.email,
                website: clinic.website,
                address: Address {
                    line1: clinic.address_line1,
                    line2: clinic.address_line2,
                    city: clinic.city,
                    region: clinic.region,
                    postal_code: clinic.postal_code,
                    country: clinic.country,
                },
                location: GeoPoint { latitude: clinic.latitude, longitude: clinic.longitude },
                time_zone: clinic.time_zone,
                currency: clinic.currency,
                emergency_capable: clinic.emergency_capable,
                open_24_7: clinic.open_24_7,
                cancellation_notice_hours: clinic.cancellation_notice_hours,
                refuse_unverified_reviews: clinic.refuse_unverified_reviews,
            },
            photo_id: clinic.photo_id,
            emergency_status: EmergencyStatus::from_stored(&clinic.emergency_status),
            emergency_note: clinic.emergency_note,
            emergency_status_at: clinic.emergency_status_at,
            rating: RatingSummary {
                count: clinic.rating_count,
                average,
                distribution: clinic.rating_distribution,
                verified_count: clinic.rating_verified_count,
            },
            is_active: clinic.is_active,
            distance_km: self.distance_km,
            open_now,
        }
    }
}

/// The profile columns, for insert and update.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = clinics, treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct ClinicChanges<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub website: Option<&'a str>,
    pub address_line1: &'a str,
    pub address_line2: Option<&'a str>,
    pub city: &'a str,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub country: &'a str,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: &'a str,
    pub currency: &'a str,
    pub emergency_capable: bool,
    pub open_24_7: bool,
    pub cancellation_notice_hours: i32,
    pub refuse_unverified_reviews: bool,
}

impl<'a> From<&'a Valid<ClinicProfile>> for ClinicChanges<'a> {
    fn from(profile: &'a Valid<ClinicProfile>) -> Self {
        Self {
            name: &profile.name,
            description: &profile.description,
            phone: profile.phone.as_deref(),
            email: profile.email.as_deref(),
            website: profile.website.as_deref(),
            address_line1: &profile.address.line1,
            address_line2: profile.address.line2.as_deref(),
            city: &profile.address.city,
            region: profile.address.region.as_deref(),
            postal_code: profile.address.postal_code.as_deref(),
            country: &profile.address.country,
            latitude: profile.location.rounded().latitude,
            longitude: profile.location.rounded().longitude,
            time_zone: &profile.time_zone,
            currency: &profile.currency,
            emergency_capable: profile.emergency_capable,
            open_24_7: profile.open_24_7,
            cancellation_notice_hours: profile.cancellation_notice_hours,
            refuse_unverified_reviews: profile.refuse_unverified_reviews,
        }
    }
}

/// A `vets` row.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = db::schema::vets, check_for_backend(diesel::pg::Pg))]
pub struct Vet {
    pub user_id: kernel::UserId,
    pub display_name: String,
    pub bio: String,
    pub license_number: Option<String>,
    pub license_region: Option<String>,
    pub specialties: Vec<String>,
    pub languages: Vec<String>,
    pub on_call: bool,
    pub photo_id: Option<kernel::MediaId>,
}

/// A vet with the clinics they work at and, in searches, their distance.
#[derive(Debug, Clone, QueryableByName)]
pub struct FoundVet {
    #[diesel(embed)]
    pub vet: Vet,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Float8>)]
    pub distance_km: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    pub clinic_ids: Vec<uuid::Uuid>,
}

impl FoundVet {
    /// The public view.
    pub fn into_view(self) -> crate::api::VetView {
        let vet = self.vet;
        crate::api::VetView {
            id: vet.user_id,
            profile: crate::api::VetProfile {
                display_name: vet.display_name,
                bio: vet.bio,
                license_number: vet.license_number,
                license_region: vet.license_region,
                specialties: vet.specialties,
                languages: vet.languages,
                on_call: vet.on_call,
            },
            clinic_ids: self.clinic_ids.into_iter().map(ClinicId).collect(),
            photo_id: vet.photo_id,
            distance_km: self.distance_km,
        }
    }
}
