//! The default provider of every channel: logs that a message would go out.

use super::{Provider, Receipt, SendError};

/// Logs the channel and the delivery, never the address or the content.
#[derive(Debug, Clone, Copy)]
pub struct LogProvider(pub &'static str);

#[async_trait::async_trait]
impl<M: Send + Sync + 'static> Provider<M> for LogProvider {
    async fn send(&self, _message: &M) -> Result<Receipt, SendError> {
        let id = uuid::Uuid::now_v7();
        tracing::info!(channel = self.0, provider_message_id = %id, "notification logged (no provider configured)");
        Ok(Receipt { provider_message_id: format!("log-{id}") })
    }
}
