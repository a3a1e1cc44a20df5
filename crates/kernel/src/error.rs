//! The domain error every service returns.
//!
//! Variants describe *what went wrong for the caller*, not which library failed:
//! the HTTP layer turns each into a status code (`NotFound` → 404, `Conflict` →
//! 409, `Validation` → 422, `Unavailable` → 503, ...) and `Internal` into an
//! opaque 500 whose cause is logged but never sent to the client.

use std::collections::BTreeMap;

/// Field name → human readable problems with that field.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Shorthand used by every service function.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a service can answer instead of a value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource does not exist *or the caller may not know it exists*.
    #[error("{resource} not found")]
    NotFound {
        /// Kind of resource, e.g. `"pet"`; shown to the client.
        resource: &'static str,
    },
    /// The caller is known but not allowed to do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request clashes with the current state (duplicate, double booking, ...).
    #[error("conflict: {message}")]
    Conflict {
        /// Client-facing explanation.
        message: String,
        /// Structured data the client can act on (e.g. the conflicting slot).
        details: serde_json::Value,
    },
    /// Well-formed input that breaks a rule; keyed by field.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// The caller exceeded a quota; try again after the given number of seconds.
    #[error("rate limited")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// A dependency (database, cache, identity provider) cannot answer right now.
    #[error("{dependency} unavailable")]
    Unavailable {
        /// Which dependency failed, e.g. `"database"`; safe to show.
        dependency: &'static str,
    },
    /// A bug or an unexpected failure; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A validation error about a single field.
    pub fn invalid_field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.into(), vec![problem.into()]);
        Self::Validation(fields)
    }

    /// A conflict without structured details.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into(), details: serde_json::Value::Null }
    }

    /// Wraps any unexpected failure.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }
}

/// The answer of a batch of one: the single form of a batched function
/// (`service` of `services`, `notify` of `notify_each`) takes it this way.
pub fn single<T>(mut each: Vec<T>) -> Result<T> {
    match (each.pop(), each.is_empty()) {
        (Some(answer), true) => Ok(answer),
        _ => Err(Error::internal("a batch of one did not give one answer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_field_keys_the_problem_by_field() {
        let Error::Validation(fields) = Error::invalid_field("email", "is not an email") else {
            panic!("expected a validation error");
        };
        assert_eq!(fields["email"], vec!["is not an email".to_owned()]);
    }

    #[test]
    fn a_batch_of_one_gives_its_one_answer_and_anything_else_is_internal() {
        assert_eq!(single(vec![7]).ok(), Some(7));
        assert!(matches!(single(Vec::<u8>::new()), Err(Error::Internal(_))));
        assert!(matches!(single(vec![1, 2]), Err(Error::Internal(_))));
    }

    #[test]
    fn internal_error_keeps_its_cause_for_the_logs() {
        let error = Error::internal("disk on fire");
        assert_eq!(error.to_string(), "internal error: disk on fire");
        assert!(std::error::Error::source(&error).is_some());
    }
}
