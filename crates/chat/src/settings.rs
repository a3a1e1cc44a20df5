//! `[chat]`: message editing, notifications of missed messages, the
//! WebSocket's ticket, heartbeats, queue and replay, and `[chat.assistant]`.

use secrecy::SecretString;
use serde::Deserialize;

/// Conversations, real-time delivery and the assistant.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Minutes after sending during which a message may be edited.
    pub edit_window_minutes: i64,
    /// A participant with no open socket is notified of new messages at most
    /// once per conversation in this many minutes.
    pub notify_every_minutes: i64,
    /// Seconds a WebSocket ticket stays valid (it works once).
    pub ticket_ttl_secs: u64,
    /// Seconds between the server's pings on an open socket.
    pub ping_interval_secs: u64,
    /// A socket silent for this many seconds (no frame, no pong) is closed.
    pub idle_timeout_secs: u64,
    /// Events waiting to be written to one socket; a client that lets more
    /// pile up is closed as too slow.
    pub outgoing_queue: usize,
    /// Largest frame a client may send, in bytes.
    pub max_frame_bytes: usize,
    /// Events kept per user for replay after a reconnect.
    pub replay_events: usize,
    /// Hours events are kept for replay (after that: resync).
    pub replay_hours: u64,
    /// Months of message partitions created ahead of time (daily job).
    pub partitions_ahead_months: i32,
    /// The AI assistant.
    pub assistant: AssistantSettings,
}

/// The assistant's model provider and limits.
#[derive(Debug, Clone, Deserialize)]
pub struct AssistantSettings {
    /// Base URL of an OpenAI-compatible API (`…/v1`); without it the
    /// rule-based responder answers.
    pub base_url: Option<String>,
    /// The model asked.
    pub model: String,
    /// API key (secret), sent as a bearer token.
    pub api_key: Option<SecretString>,
    /// Milliseconds a model answer may take, in full, before the rule-based
    /// responder answers instead.
    pub timeout_ms: u64,
    /// Most tokens one answer may have.
    pub max_tokens: u32,
    /// Assistant answers per owner and day (UTC), model or rules.
    pub daily_limit: i64,
    /// Emergency clinics listed with a red flag.
    pub emergency_clinics: i64,
}

impl platform::config::Section for Settings {
    const NAME: &'static str = "chat";

    fn check(&self, _: platform::config::Environment) -> Result<(), String> {
        if self.ping_interval_secs == 0 || self.idle_timeout_secs <= self.ping_interval_secs {
            return Err("idle_timeout_secs must be longer than ping_interval_secs (which is at least 1)".to_owned());
        }
        if self.outgoing_queue == 0 || self.replay_events == 0 || self.ticket_ttl_secs == 0 {
            return Err("outgoing_queue, replay_events and ticket_ttl_secs must be at least 1".to_owned());
        }
        if self.max_frame_bytes < 1024 {
            return Err("max_frame_bytes must be at least 1024".to_owned());
        }
        if !(0..=12).contains(&self.partitions_ahead_months) {
            return Err("partitions_ahead_months must be 0 to 12".to_owned());
        }
        if self.assistant.base_url.as_deref().is_some_and(|url| !url.starts_with("http")) {
            return Err("assistant.base_url must be an http(s) URL".to_owned());
        }
        if self.assistant.daily_limit < 0 || self.assistant.emergency_clinics < 0 {
            return Err("assistant.daily_limit and assistant.emergency_clinics may not be negative".to_owned());
        }
        Ok(())
    }
}
