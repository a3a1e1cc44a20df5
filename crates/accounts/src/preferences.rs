//! A user's preferences: time zone and locale. (Which notifications reach the
//! user, and how, belongs to the `notifications` crate.)

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// Stored as JSON on the user; every field has a default, so older rows and
/// partial documents read cleanly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// IANA time zone, e.g. `Europe/Paris`; reminders are scheduled in it.
    #[serde(default = "default_time_zone")]
    #[validate(custom(function = "platform::validation::iana_time_zone"))]
    #[schema(schema_with = platform::validation::time_zone_schema)]
    pub time_zone: String,
    /// BCP 47 language tag, e.g. `en` or `fr-CA`.
    #[serde(default = "default_locale")]
    #[validate(custom(function = "valid_locale"))]
    #[schema(example = "en", pattern = "^[a-z]{2,3}(-[A-Z]{2})?$")]
    pub locale: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Self { time_zone: default_time_zone(), locale: default_locale() }
    }
}

impl Preferences {
    /// Reads the stored JSON; anything unreadable falls back to the defaults.
    pub fn from_stored(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }
}

fn default_time_zone() -> String {
    "UTC".to_owned()
}

fn default_locale() -> String {
    "en".to_owned()
}

fn valid_locale(locale: &str) -> Result<(), ValidationError> {
    let (language, region) =
        locale.split_once('-').map_or((locale, None), |(language, region)| (language, Some(region)));
    let language_ok = (2..=3).contains(&language.len()) && language.bytes().all(|byte| byte.is_ascii_lowercase());
    let region_ok =
        region.is_none_or(|region| region.len() == 2 && region.bytes().all(|byte| byte.is_ascii_uppercase()));
    if language_ok && region_ok {
        Ok(())
    } else {
        Err(ValidationError::new("locale").with_message("is not a language tag like `en` or `fr-CA`".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_document_reads_as_the_defaults() {
        assert_eq!(Preferences::from_stored(&serde_json::json!({})), Preferences::default());
    }

    #[test]
    fn time_zones_and_locales_are_checked() {
        let mut preferences = Preferences { time_zone: "Europe/Paris".into(), locale: "fr-CA".into() };
        assert!(preferences.validate().is_ok());
        preferences.time_zone = "Mars/Olympus".into();
        preferences.locale = "french".into();
        let errors = preferences.validate().unwrap_err();
        assert!(errors.field_errors().contains_key("time_zone"));
        assert!(errors.field_errors().contains_key("locale"));
    }
}
