//! Request ids: one per request, echoed in `X-Request-Id`, in every log line of
//! the request and in the error envelope.
//!
//! A client (or a proxy in front of us) may send its own id to correlate logs;
//! it is accepted only when it is short and made of safe characters, otherwise a
//! fresh UUID v7 is generated. The id of the request being handled is kept in a
//! task-local so that error rendering, which has no access to the request, can
//! still put it in the envelope.

use std::fmt;
use std::sync::Arc;

/// Header carrying the id in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest client-supplied id we accept.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// Uses the client's id when it is sane, otherwise generates one.
    pub fn from_header_or_new(header: Option<&str>) -> Self {
        header.filter(|value| is_sane(value)).map_or_else(Self::generate, |value| Self(value.into()))
    }

    /// A fresh UUID v7 (time-ordered, so ids sort by arrival).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string().into())
    }

    /// The id of the request whose future is running, if any.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// Runs `future` with `self` as the current request id.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

fn is_sane(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_LEN
        && value.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_id_is_kept() {
        let id = RequestId::from_header_or_new(Some("req-123_abc.def:1"));
        assert_eq!(id.as_str(), "req-123_abc.def:1");
    }

    #[test]
    fn an_insane_client_id_is_replaced() {
        for bad in ["", "has space", "<script>", "ünïcode", &"x".repeat(MAX_LEN + 1)] {
            let id = RequestId::from_header_or_new(Some(bad));
            assert_ne!(id.as_str(), bad);
            assert!(uuid::Uuid::parse_str(id.as_str()).is_ok());
        }
    }

    #[tokio::test]
    async fn the_current_id_is_visible_inside_its_scope_only() {
        let id = RequestId::generate();
        let seen = id.clone().scope(async { RequestId::current() }).await;
        assert_eq!(seen, Some(id));
        assert_eq!(RequestId::current(), None);
    }
}
