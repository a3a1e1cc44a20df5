//! An email to an address that has no account yet (an invitation to sign up):
//! no inbox entry and no preferences to read, only the message. Sent once per
//! key (the job's unique key); an address the provider refuses is dropped, an
//! unreachable provider retried.

use anyhow::Context;
use graphile_worker::{TaskHandler, WorkerContext};
use serde::{Deserialize, Serialize};

use crate::models::Sender;
use crate::providers::{Channels, Email, SendError};
use crate::templates::Template;

/// Sends `template` with `data` to `to`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailAddress {
    /// The message's id (its `Message-ID`, and the job's unique key).
    pub key: uuid::Uuid,
    /// The address.
    pub to: String,
    /// One of [`Template`], by name.
    pub template: String,
    /// The template's variables.
    pub data: serde_json::Value,
    /// The clinic sending it, if any.
    pub sender: Option<Sender>,
}

impl TaskHandler for EmailAddress {
    const IDENTIFIER: &'static str = "notifications_email_address";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let channels = context.get_ext::<Channels>().context("the worker has no notifications::Channels")?;
        let template = Template::from_name(&self.template).context("an unknown template")?;
        let rendered = template.render(&self.data)?;
        let email = Email {
            delivery_id: self.key,
            to: self.to,
            to_name: None,
            from: self.sender,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            attachments: Vec::new(),
            unsubscribe: None,
        };
        match channels.email.send(&email).await {
            Ok(_) => Ok(()),
            Err(SendError::Unavailable(error)) => Err(anyhow::anyhow!(error).into()),
            // The provider's reason may quote the address: it is not logged.
            Err(SendError::InvalidRecipient(_) | SendError::Rejected(_)) => {
                tracing::warn!(template = %template.name(), "an email to an address was refused; not retried");
                Ok(())
            }
        }
    }
}
