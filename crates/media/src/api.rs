//! What the media API shows: an upload's state, and a short-lived link.

use chrono::{DateTime, Utc};
use kernel::MediaId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

kernel::text_enum!(
    /// What a file is for: decides the types allowed and what it attaches to.
    Purpose as MediaPurpose {
        /// A pet's photo (JPEG, PNG, WebP).
        PetPhoto = "pet_photo",
        /// A health record's document: a lab report, an X-ray (images or PDF).
        RecordAttachment = "record_attachment",
        /// A clinic's photo.
        ClinicPhoto = "clinic_photo",
        /// A vet's photo.
        VetPhoto = "vet_photo",
        /// A file sent in a chat message (images cleaned like pet photos, or PDF).
        ChatAttachment = "chat_attachment",
        /// A photo of a pet in an emergency, sent with the request (JPEG, PNG, WebP).
        EmergencyPhoto = "emergency_photo",
        /// A product's picture in a clinic's shop (JPEG, PNG, WebP).
        ProductImage = "product_image",
        /// A person's data export, made by the platform: never uploadable.
        PersonalDataExport = "personal_data_export",
        /// A clinic's sales report (CSV), made by the platform: never uploadable.
        SalesReport = "sales_report",
        /// An issued invoice's PDF, made by the platform: never uploadable.
        Invoice = "invoice",
    }
);

kernel::text_enum!(
    /// Where an upload stands.
    Status as MediaStatus {
        /// Stored; an image is being cleaned (metadata stripped) and resized.
        Processing = "processing",
        /// Ready to serve, with its derivatives.
        Ready = "ready",
        /// Could not be processed (say, an image too large to decode); never served.
        Failed = "failed",
    }
);

/// `POST /media?purpose=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// What the file is for.
    #[param(inline)]
    pub purpose: Purpose,
}

/// An uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaView {
    /// Id: attach it with the owning resource's endpoint.
    pub id: MediaId,
    /// What it is for.
    pub purpose: Purpose,
    /// The type sniffed from its bytes.
    pub content_type: String,
    /// Bytes received.
    pub size_bytes: i64,
    /// The sanitised file name.
    pub file_name: String,
    /// Where it stands.
    pub status: Status,
    /// Why it failed.
    pub failure: Option<String>,
    /// Pixels, for images once processed.
    pub width: Option<i32>,
    /// Pixels, for images once processed.
    pub height: Option<i32>,
    /// Derivative names (long side in pixels), once ready.
    pub variants: Vec<String>,
    /// Whether it is attached to something.
    pub attached: bool,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

/// `?variant=` of a download: a derivative's name, or the original.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VariantQuery {
    /// `128`, `512`, `1600`... (`media.derivative_sizes`); the original when absent.
    #[param(pattern = "^[0-9]{1,5}$")]
    pub variant: Option<String>,
}

impl VariantQuery {
    /// The variant asked for, `None` for the original; 400 unless 1 to 5 digits.
    pub fn checked(&self) -> Result<Option<&str>, platform::ApiError> {
        match self.variant.as_deref() {
            None => Ok(None),
            Some(variant) if (1..=5).contains(&variant.len()) && variant.bytes().all(|byte| byte.is_ascii_digit()) => {
                Ok(Some(variant))
            }
            Some(_) => Err(platform::ApiError::BadRequest {
                code: "INVALID_PARAMETER",
                message: "variant must be a derivative's size, like 512".to_owned(),
            }),
        }
    }
}

/// `?variant=&expires=&signature=` of a signed link.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// The derivative, or the original when absent.
    #[param(pattern = "^[0-9]{1,5}$")]
    pub variant: Option<String>,
    /// Seconds since the epoch after which the link is refused.
    pub expires: i64,
    /// HMAC-SHA256 of the media id, variant and expiry, hex.
    #[param(pattern = "^[0-9a-f]{64}$")]
    pub signature: String,
}

/// A short-lived link that works without credentials (for `<img src>`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkView {
    /// Path and query, relative to the API's origin.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// `POST .../attachments`, `PUT .../photo`: attach an upload of the caller's.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AttachRequest {
    /// An upload of the caller's, with the matching purpose, not attached yet.
    pub media_id: MediaId,
}
