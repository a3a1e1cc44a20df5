//! Typed ids: a `UserId` cannot be passed where a `PetId` is expected.
//!
//! Every id is a UUID v7 (time-ordered, so new rows append to the index and ids
//! double as a stable sort key for cursor pagination).

/// Declares a UUID v7 id newtype with serde, Display, parsing, (with the
/// `diesel` feature) mapping to the SQL `uuid` type and (with `openapi`) a
/// schema of its own, so request and response types need no annotation.
macro_rules! id_type {
    ($(#[doc = $doc:literal])* $name:ident) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Uuid))]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map(Self)
            }
        }

        /// In the API document: a UUID string, described by the id's own doc.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .description(Some(concat!($($doc),*).trim()))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        #[cfg(feature = "diesel")]
        impl diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                <uuid::Uuid as diesel::serialize::ToSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::to_sql(&self.0, out)
            }
        }

        #[cfg(feature = "diesel")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<diesel::sql_types::Uuid, diesel::pg::Pg>>::from_sql(bytes).map(Self)
            }
        }
    };
}

id_type!(
    /// A user of the platform (owner, vet, staff or admin).
    UserId
);

id_type!(
    /// A clinic's API key for a third party (practice software, a lab, a website).
    ApiKeyId
);

id_type!(
    /// A notification sent to one user (its in-app inbox entry).
    NotificationId
);

id_type!(
    /// One channel's delivery of a notification.
    DeliveryId
);

id_type!(
    /// A registered push device.
    DeviceId
);

id_type!(
    /// A clinic's marketing campaign.
    CampaignId
);

id_type!(
    /// A clinic's endpoint for outgoing webhooks.
    WebhookId
);

id_type!(
    /// One event sent to webhooks (the `webhook-id` every endpoint receives it
    /// under, the same on every retry and redelivery).
    WebhookEventId
);

id_type!(
    /// A clinic.
    ClinicId
);

id_type!(
    /// A service a clinic offers.
    ServiceId
);

id_type!(
    /// A room or piece of equipment of a clinic.
    RoomId
);

id_type!(
    /// A review of a clinic.
    ReviewId
);

id_type!(
    /// A veterinarian's time off.
    TimeOffId
);

id_type!(
    /// An invitation to join a clinic's staff.
    InvitationId
);

id_type!(
    /// A pet.
    PetId
);

id_type!(
    /// An invitation to co-own a pet.
    PetInvitationId
);

id_type!(
    /// One weighing of a pet.
    WeightId
);

id_type!(
    /// A health record of a pet.
    RecordId
);

id_type!(
    /// An addendum to a locked health record.
    AddendumId
);

id_type!(
    /// Care coming due for a pet (a vaccination or medication).
    ReminderId
);

id_type!(
    /// An appointment.
    AppointmentId
);

id_type!(
    /// A series of recurring appointments.
    SeriesId
);

id_type!(
    /// A place on a service's waitlist.
    WaitlistEntryId
);

id_type!(
    /// A freed slot offered to someone on the waitlist.
    WaitlistOfferId
);

id_type!(
    /// An uploaded file.
    MediaId
);

id_type!(
    /// A person's export of their data.
    DataExportId
);

id_type!(
    /// A chat conversation.
    ConversationId
);

id_type!(
    /// A chat message.
    MessageId
);

id_type!(
    /// An emergency case: a pet in danger, routed to on-call vets.
    EmergencyCaseId
);

id_type!(
    /// One vet's offer of an emergency case.
    EmergencyOfferId
);

id_type!(
    /// A vet's time on call for emergencies.
    OnCallId
);

id_type!(
    /// A product a clinic sells.
    ProductId
);

id_type!(
    /// A category of the product catalog.
    CategoryId
);

id_type!(
    /// An order placed with a clinic.
    OrderId
);

id_type!(
    /// A payment of an order.
    PaymentId
);
