//! What a notification is: its category, the channels that carry it, and the
//! request another crate hands to [`crate::notify()`], and the rows it writes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

kernel::text_enum!(
    /// What a notification is about; preferences are kept per category.
    Category as NotificationCategory {
        /// Bookings, changes, cancellations, appointment reminders.
        Appointment = "appointment",
        /// Vaccinations, medications and other care due.
        Reminder = "reminder",
        /// Emergency dispatch and updates; cannot be switched off, ignores quiet hours.
        Emergency = "emergency",
        /// New chat messages.
        Chat = "chat",
        /// Orders, payments, subscriptions.
        Order = "order",
        /// The account itself (deactivation, data export); cannot be switched off.
        Account = "account",
        /// Promotions and newsletters; off unless opted in.
        Marketing = "marketing",
    }
);

kernel::text_enum!(
    /// A way to reach a person.
    Channel as NotificationChannel {
        /// Email through SMTP.
        Email = "email",
        /// Text message.
        Sms = "sms",
        /// Mobile push to the user's registered devices.
        Push = "push",
        /// The in-app inbox.
        InApp = "in_app",
    }
);

kernel::text_enum!(
    /// Where one channel's delivery stands.
    DeliveryStatus as DeliveryStatus {
        /// Waiting for its job (scheduled, running or retrying).
        Pending = "pending",
        /// The provider accepted it.
        Sent = "sent",
        /// Refused for good (bad address) or out of attempts.
        Failed = "failed",
        /// Nothing to send to (no email, phone or device), or the user is gone.
        Skipped = "skipped",
    }
);

/// The categories a user may switch channels of (all but emergency and account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SwitchableCategory {
    /// [`Category::Appointment`].
    Appointment,
    /// [`Category::Reminder`].
    Reminder,
    /// [`Category::Chat`].
    Chat,
    /// [`Category::Order`].
    Order,
    /// [`Category::Marketing`].
    Marketing,
}

impl From<SwitchableCategory> for Category {
    fn from(category: SwitchableCategory) -> Self {
        match category {
            SwitchableCategory::Appointment => Self::Appointment,
            SwitchableCategory::Reminder => Self::Reminder,
            SwitchableCategory::Chat => Self::Chat,
            SwitchableCategory::Order => Self::Order,
            SwitchableCategory::Marketing => Self::Marketing,
        }
    }
}

impl Category {
    /// Whether the user may switch channels of this category off.
    pub fn is_mandatory(self) -> bool {
        matches!(self, Self::Emergency | Self::Account)
    }

    /// Whether deliveries go out during the recipient's quiet hours.
    pub fn is_urgent(self) -> bool {
        self == Self::Emergency
    }
}

/// What another crate asks to send: a category, a template and its data.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Decides the channels (through the recipient's preferences).
    pub category: Category,
    /// One of [`crate::templates::Template`].
    pub template: crate::templates::Template,
    /// The template's variables (a JSON object).
    pub data: serde_json::Value,
    /// The clinic sending it, if any: its name and address become the email's `From`.
    pub sender: Option<Sender>,
    /// Files the email carries (the other channels and the inbox do not), at
    /// most [`MAX_ATTACHMENT_BYTES`] in all.
    pub attachments: Vec<Attachment>,
}

/// The most an email's attachments may weigh together (10 MiB; base64 makes
/// it 13.3 MiB on the wire, under common relay limits).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// A file an email carries, such as an invoice's PDF.
#[derive(Clone, PartialEq, Eq, diesel::Queryable)]
pub struct Attachment {
    /// The name the recipient sees (`invoice-000042.pdf`).
    pub file_name: String,
    /// Its media type (`application/pdf`).
    pub content_type: String,
    /// The bytes.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("size", &self.content.len())
            .finish()
    }
}

impl Notification {
    /// A notice about the account itself (a change made to it, something ready
    /// for it): a headline and what it means for the user.
    pub fn account_notice(headline: &str, details: &str) -> Self {
        let data = serde_json::json!({ "headline": headline, "details": details });
        Self {
            category: Category::Account,
            template: crate::templates::Template::AccountNotice,
            data,
            sender: None,
            attachments: Vec::new(),
        }
    }

    /// An invitation: who invites, to what ("to join Happy Paws as
    /// veterinarian"), until when, and whether the invitee has an account
    /// (else the message says how to sign up first).
    pub fn invitation(
        inviter_name: &str,
        invitation: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
        has_account: bool,
    ) -> Self {
        let data = serde_json::json!({
            "inviter_name": inviter_name,
            "invitation": invitation,
            "expires_on": expires_at.format("%-d %B %Y").to_string(),
            "has_account": has_account,
        });
        Self {
            category: Category::Account,
            template: crate::templates::Template::Invitation,
            data,
            sender: None,
            attachments: Vec::new(),
        }
    }
}

/// A clinic sending on its own behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// Display name, e.g. `Happy Paws Clinic`.
    pub name: String,
    /// The clinic's address; must be a domain the SMTP relay may send for.
    pub email: String,
}

/// A `notifications` row to insert (the inbox entry and what was sent).
#[derive(Debug)]
pub struct NewNotification<'a> {
    /// Its id.
    pub id: kernel::NotificationId,
    /// Who it is for.
    pub recipient_id: kernel::UserId,
    /// What it is about.
    pub category: Category,
    /// The template's name.
    pub template: &'a str,
    /// The rendered subject.
    pub title: &'a str,
    /// The rendered plain text.
    pub body: &'a str,
    /// The template's variables.
    pub data: &'a serde_json::Value,
    /// The sending clinic, as JSON.
    pub sender: Option<&'a serde_json::Value>,
    /// Shown in the in-app inbox.
    pub in_inbox: bool,
}

/// A `notification_attachments` row to insert.
#[derive(Debug, diesel::Insertable)]
#[diesel(table_name = db::schema::notification_attachments)]
pub struct NewAttachment<'a> {
    /// Its id.
    pub id: uuid::Uuid,
    /// The notification whose email carries it.
    pub notification_id: kernel::NotificationId,
    /// The name the recipient sees.
    pub file_name: &'a str,
    /// Its media type.
    pub content_type: &'a str,
    /// The bytes.
    pub content: &'a [u8],
}

/// A `notification_deliveries` row to insert: one channel's copy, pending.
#[derive(Debug, Clone, Copy)]
pub struct NewDelivery {
    /// Its id (also the provider's idempotency key).
    pub id: kernel::DeliveryId,
    /// The notification it carries.
    pub notification_id: kernel::NotificationId,
    /// The channel.
    pub channel: Channel,
    /// Not before this time (the end of the recipient's quiet hours).
    pub scheduled_for: chrono::DateTime<chrono::Utc>,
}
