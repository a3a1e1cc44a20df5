//! The `validator` rules request types share (`#[validate(custom(function =
//! "platform::validation::one_line"))]`), and their OpenAPI shapes. Running
//! them is `kernel::Valid::new`, which [`crate::extract::ValidJson`] calls.

use validator::ValidationError;

/// The OpenAPI `pattern` of [`one_line`] text (schema attributes need it
/// spelled out): at least one visible character, no control characters.
pub const ONE_LINE_PATTERN: &str = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

/// A name or title: not blank and free of control characters (the schema's
/// pattern is [`ONE_LINE_PATTERN`]).
pub fn one_line(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() || text.chars().any(char::is_control) {
        Err(ValidationError::new("one_line").with_message("must be printable and not blank".into()))
    } else {
        Ok(())
    }
}

/// Free text with at least one visible character (line breaks allowed).
pub fn not_blank(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        Err(ValidationError::new("not_blank").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}

/// A phone number in E.164 form, like `+33612345678`.
pub fn e164(phone: &str) -> Result<(), ValidationError> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    let valid = (7..=15).contains(&digits.len())
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("e164").with_message("must be E.164, like +33612345678".into()))
    }
}

/// An IANA time zone name, like `Europe/Paris`.
pub fn iana_time_zone(time_zone: &str) -> Result<(), ValidationError> {
    time_zone
        .parse::<chrono_tz::Tz>()
        .map(drop)
        .map_err(|_| ValidationError::new("time_zone").with_message("is not an IANA time zone".into()))
}

/// The OpenAPI schema of an IANA time zone: every zone name, so the documented
/// values are exactly the accepted ones (`#[schema(schema_with = ...)]`).
pub fn time_zone_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some("IANA time zone, e.g. `Europe/Paris`"))
        .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())))
        .build()
}
