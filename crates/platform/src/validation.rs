//! Request validation: `validator` rules on DTOs, failures as 422 with fields.

use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::ApiError;

/// Runs `value`'s `validator` rules; failures become `VALIDATION_ERROR` (422)
/// with a message per field (nested fields as `parent.child`).
pub fn validate(value: &impl Validate) -> Result<(), ApiError> {
    value.validate().map_err(|errors| {
        let mut fields = kernel::FieldErrors::new();
        collect("", &errors, &mut fields);
        ApiError::Domain(kernel::Error::Validation(fields))
    })
}

fn collect(prefix: &str, errors: &ValidationErrors, fields: &mut kernel::FieldErrors) {
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
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
