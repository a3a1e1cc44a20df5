//! [`Valid<T>`]: a value whose rules have run.
//!
//! A request type states its rules once, with `validator` attributes (and a
//! `#[validate(schema(..))]` function for rules across fields). Services take
//! `Valid<T>` (or a command built from one), so every caller (a handler, a job,
//! another binary) goes through the same rules: the only way to get a
//! `Valid<T>` is [`Valid::new`], which runs them. Failures are
//! [`Error::Validation`] keyed by field (`parent.child`, `items[2].name`).

use std::ops::Deref;

use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::{Error, FieldErrors, Result};

/// `T` after its `validator` rules passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T>(T);

impl<T: Validate> Valid<T> {
    /// Runs `value`'s rules.
    pub fn new(value: T) -> Result<Self> {
        value.validate().map_err(|errors| Error::Validation(field_errors(&errors)))?;
        Ok(Self(value))
    }
}

impl<T> Valid<T> {
    /// The checked value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// A checked value serializes as itself (idempotency fingerprints, audit entries).
impl<T: serde::Serialize> serde::Serialize for Valid<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// `validator`'s errors as field → messages, nested fields as `parent.child`.
pub fn field_errors(errors: &ValidationErrors) -> FieldErrors {
    let mut fields = FieldErrors::new();
    collect("", errors, &mut fields);
    fields
}

fn collect(prefix: &str, errors: &ValidationErrors, fields: &mut FieldErrors) {
    for (field, kind) in errors.errors() {
        let name = match (prefix.is_empty(), field.as_ref()) {
            // A struct-level rule (`#[validate(schema(..))]`) names no field.
            (true, "__all__") => "request".to_owned(),
            (false, "__all__") => prefix.to_owned(),
            (true, _) => field.to_string(),
            (false, _) => format!("{prefix}.{field}"),
        };
        match kind {
            ValidationErrorsKind::Field(problems) => {
                let messages = problems.iter().map(|problem| {
                    problem
                        .message
                        .as_ref()
                        .map_or_else(|| format!("is invalid ({})", problem.code), ToString::to_string)
                });
                fields.entry(name).or_default().extend(messages);
            }
            ValidationErrorsKind::Struct(nested) => collect(&name, nested, fields),
            ValidationErrorsKind::List(items) => {
                for (index, nested) in items {
                    collect(&format!("{name}[{index}]"), nested, fields);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

    #[derive(Debug, Validate)]
    struct Visit {
        #[validate(length(min = 1, message = "must not be empty"))]
        name: String,
        #[validate(nested)]
        items: Vec<Item>,
    }

    #[derive(Debug, Validate)]
    struct Item {
        #[validate(range(min = 1))]
        count: u32,
    }

    #[test]
    fn a_value_breaking_its_rules_is_refused_with_every_field_named() {
        let Err(Error::Validation(fields)) = Valid::new(Visit { name: String::new(), items: vec![Item { count: 0 }] })
        else {
            panic!("expected a validation error");
        };
        assert_eq!(fields["name"], ["must not be empty"]);
        assert!(fields["items[0].count"][0].contains("range"));
    }

    #[test]
    fn a_value_keeping_its_rules_is_let_through_unchanged() {
        let valid = Valid::new(Visit { name: "Rex".into(), items: vec![Item { count: 2 }] }).ok();
        assert_eq!(valid.map(|visit| visit.into_inner().name), Some("Rex".to_owned()));
    }
}
