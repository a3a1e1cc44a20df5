//! Classification of database failures into domain errors.
//!
//! Lives here (behind the `diesel` feature) rather than in `db` so that services
//! can write `query.load(conn).await?` and get the right [`Error`]: Rust only
//! allows the `From` impl next to one of the two types.
//!
//! The policy:
//! - a missing row is `NotFound`;
//! - unique and exclusion violations (duplicates, double bookings) are `Conflict`
//!   with the constraint name in `details`, so callers can map it to a field;
//! - check, not-null and foreign-key violations are `Validation` on the
//!   constraint (the request referenced something invalid), and so is text
//!   Postgres cannot store (a NUL byte);
//! - lost connections, terminated backends, statement timeouts and serialization
//!   failures are `Unavailable`: retrying later can succeed;
//! - anything else is `Internal`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::Error;

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
                        details: serde_json::json!({ "constraint": constraint }),
                    },
                    DatabaseErrorKind::CheckViolation
                    | DatabaseErrorKind::NotNullViolation
                    | DatabaseErrorKind::ForeignKeyViolation => {
                        Error::invalid_field(constraint, "violates a data rule")
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
