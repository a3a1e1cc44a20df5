//! Classification of database failures into domain errors.
//!
//! Lives here (behind the `diesel` feature) rather than in `db` so that services
//! can write `query.load(conn).await?` and get the right [`Error`]: Rust only
//! allows the `From` impl next to one of the two types.
//!
//! The policy:
//! - a missing row is `NotFound`;
//! - unique and exclusion violations (duplicates, double bookings) are `Conflict`
//!   with the constraint and the field it concerns in `details`;
//! - check, not-null and foreign-key violations are `Validation` on the field
//!   the constraint concerns (the request referenced something invalid), and so
//!   is text Postgres cannot store (a NUL byte);
//! - lost connections, terminated backends, statement timeouts and serialization
//!   failures are `Unavailable`: retrying later can succeed;
//! - anything else is `Internal`.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

use crate::Error;

/// The request field a constraint is about, declared by the crate that owns
/// its table when the name does not say it. The convention needs no
/// declaration: `{table}_{field}_check`, `_key` or `_fkey` concerns `field`, and
/// a not-null violation names its column. Declare the rest with
/// [`constraint_fields!`](crate::constraint_fields).
#[derive(Debug)]
pub struct ConstraintField {
    /// The constraint (or unique index) name.
    pub constraint: &'static str,
    /// The request field it concerns, as the API spells it (`address.line1`).
    pub field: &'static str,
}

inventory::collect!(ConstraintField);

/// Declares the request field of constraints whose names do not say it:
/// `kernel::constraint_fields!("pets_dates_check" => "deceased_on");`
#[macro_export]
macro_rules! constraint_fields {
    ($($constraint:literal => $field:literal),+ $(,)?) => {
        $($crate::__private::inventory::submit! {
            $crate::ConstraintField { constraint: $constraint, field: $field }
        })+
    };
}

/// The field a violation concerns: declared, the violated column, or read from
/// the constraint's name; `request` when none says.
fn field_of(info: &dyn DatabaseErrorInformation) -> String {
    let constraint = info.constraint_name();
    if let Some(declared) =
        constraint.and_then(|name| inventory::iter::<ConstraintField>().find(|field| field.constraint == name))
    {
        return declared.field.to_owned();
    }
    if let Some(column) = info.column_name() {
        return column.to_owned();
    }
    let named = constraint
        .zip(info.table_name())
        .and_then(|(name, table)| name.strip_prefix(table)?.strip_prefix('_'))
        .and_then(|rest| ["_check", "_key", "_fkey"].iter().find_map(|suffix| rest.strip_suffix(suffix)))
        .filter(|field| !field.is_empty());
    named.unwrap_or("request").to_owned()
}

/// Postgres messages (SQLSTATE classes 57 and 08) that mean "try again later".
/// The async driver reports these as `Unknown`, so they are recognised by text.
const TRANSIENT_MESSAGES: &[&str] = &[
    "canceling statement due to statement timeout",
    "canceling statement due to lock timeout",
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "connection closed",
];

impl From<DieselError> for Error {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Error::NotFound { resource: "resource" },
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or("unknown").to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ExclusionViolation => Error::Conflict {
                        message: "the request conflicts with existing data".to_owned(),
                        details: serde_json::json!({ "constraint": constraint, "field": field_of(info.as_ref()) }),
                    },
                    DatabaseErrorKind::ForeignKeyViolation => {
                        Error::invalid_field(field_of(info.as_ref()), "refers to something that does not exist")
                    }
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        Error::invalid_field(field_of(info.as_ref()), "violates a data rule")
                    }
                    DatabaseErrorKind::SerializationFailure
                    | DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::ReadOnlyTransaction => Error::Unavailable { dependency: "database" },
                    _ if is_transient(info.message()) => Error::Unavailable { dependency: "database" },
                    // SQLSTATE 22021 / 22P05: text the database cannot store (a NUL byte).
                    _ if info.message().contains("invalid byte sequence")
                        || info.message().contains("unsupported Unicode escape") =>
                    {
                        Error::invalid_field("text", "contains a character that cannot be stored (NUL)")
                    }
                    // SQLSTATE 22008 and kin: a date or number beyond what the column holds.
                    // Requests are bounded before they get here; this is the last resort.
                    _ if info.message().contains("out of range") => {
                        Error::invalid_field("request", "holds a date or number out of the supported range")
                    }
                    _ => Error::internal(format!("database error: {}", info.message())),
                }
            }
            DieselError::BrokenTransactionManager => Error::Unavailable { dependency: "database" },
            other => Error::internal(other),
        }
    }
}

fn is_transient(message: &str) -> bool {
    TRANSIENT_MESSAGES.iter().any(|transient| message.contains(transient))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    /// What Postgres reports about a violated constraint.
    struct Violation {
        table: &'static str,
        constraint: &'static str,
        column: Option<&'static str>,
    }

    impl DatabaseErrorInformation for Violation {
        fn message(&self) -> &str {
            "violation"
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            Some(self.table)
        }
        fn column_name(&self) -> Option<&str> {
            self.column
        }
        fn constraint_name(&self) -> Option<&str> {
            Some(self.constraint)
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn violation(kind: DatabaseErrorKind, table: &'static str, constraint: &'static str) -> Error {
        Error::from(DieselError::DatabaseError(kind, Box::new(Violation { table, constraint, column: None })))
    }

    crate::constraint_fields!("things_window_check" => "until");

    fn fields(error: Error) -> Vec<String> {
        match error {
            Error::Validation(fields) => fields.into_keys().collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_violation_names_the_field_its_constraint_concerns() {
        assert_eq!(fields(violation(DatabaseErrorKind::CheckViolation, "pets", "pets_microchip_check")), ["microchip"]);
        assert_eq!(
            fields(violation(DatabaseErrorKind::ForeignKeyViolation, "pets", "pets_clinic_id_fkey")),
            ["clinic_id"]
        );
        assert_eq!(fields(violation(DatabaseErrorKind::CheckViolation, "things", "things_window_check")), ["until"]);
        assert_eq!(fields(violation(DatabaseErrorKind::CheckViolation, "things", "things_check")), ["request"]);
        let Error::Conflict { details, .. } =
            violation(DatabaseErrorKind::UniqueViolation, "pets", "pets_microchip_key")
        else {
            panic!("a unique violation is a conflict");
        };
        assert_eq!(details, serde_json::json!({ "constraint": "pets_microchip_key", "field": "microchip" }));
    }

    #[test]
    fn statement_timeout_is_unavailable_not_internal() {
        let error = database_error(DatabaseErrorKind::Unknown, "canceling statement due to statement timeout");
        assert!(matches!(Error::from(error), Error::Unavailable { dependency: "database" }));
    }

    #[test]
    fn exclusion_violation_is_a_conflict() {
        let error = database_error(DatabaseErrorKind::ExclusionViolation, "overlap");
        assert!(matches!(Error::from(error), Error::Conflict { .. }));
    }

    #[test]
    fn a_value_out_of_range_is_a_validation_error() {
        for message in ["date out of range: \"-4800-01-01\"", "timestamp out of range", "integer out of range"] {
            let error = database_error(DatabaseErrorKind::Unknown, message);
            assert!(matches!(Error::from(error), Error::Validation(_)), "{message}");
        }
    }

    #[test]
    fn check_violation_is_a_validation_error() {
        let error = database_error(DatabaseErrorKind::CheckViolation, "bad");
        assert!(matches!(Error::from(error), Error::Validation(_)));
    }

    #[test]
    fn a_nul_byte_in_text_is_a_validation_error() {
        let error = database_error(DatabaseErrorKind::Unknown, "invalid byte sequence for encoding \"UTF8\": 0x00");
        assert!(matches!(Error::from(error), Error::Validation(_)));
    }

    #[test]
    fn unknown_database_error_is_internal() {
        let error = database_error(DatabaseErrorKind::Unknown, "syntax error at or near");
        assert!(matches!(Error::from(error), Error::Internal(_)));
    }
}
