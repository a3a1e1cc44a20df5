//! Email over SMTP with lettre: a pooled async transport, plain, STARTTLS or
//! implicit TLS, multipart text + HTML, with any attachments around them
//! (`multipart/mixed`).

use std::time::Duration;

use anyhow::Context;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::{EmailSettings, SmtpTls};
use secrecy::ExposeSecret;

use super::{Email, Provider, Receipt, SendError};

/// Sends through one SMTP relay.
pub struct SmtpProvider {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpProvider {
    /// Builds the transport; connects lazily on the first message.
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        let host = settings.smtp_host.as_str();
        let builder = match settings.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .context("notifications.email: the STARTTLS relay")?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).context("notifications.email: the TLS relay")?
            }
        };
        let mut builder = builder.port(settings.smtp_port).timeout(Some(Duration::from_millis(settings.timeout_ms)));
        if let (Some(username), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(username.clone(), password.expose_secret().to_owned()));
        }
        let from = settings.from.parse().context("notifications.email.from")?;
        Ok(Self { transport: builder.build(), from })
    }

    fn message(&self, email: &Email) -> Result<Message, SendError> {
        let to = Mailbox::new(
            email.to_name.clone(),
            email.to.parse().map_err(|_| SendError::InvalidRecipient("not an email address".into()))?,
        );
        let mut builder = Message::builder().to(to).subject(&email.subject).message_id(Some(message_id(email)));
        builder = match &email.from {
            // The clinic is the author; the platform is the sending agent.
            Some(clinic) => {
                let address = clinic.email.parse().map_err(|_| SendError::Rejected("clinic address invalid".into()))?;
                builder.from(Mailbox::new(Some(clinic.name.clone()), address)).sender(self.from.clone())
            }
            None => builder.from(self.from.clone()),
        };
        if let Some(url) = &email.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE, format!("<{url}>")))
                .raw_header(HeaderValue::new(LIST_UNSUBSCRIBE_POST, "List-Unsubscribe=One-Click".to_owned()));
        }
        builder.multipart(body(email)?).map_err(|error| SendError::Rejected(error.to_string()))
    }
}

const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const LIST_UNSUBSCRIBE_POST: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe-Post");

/// Text and HTML as alternatives, inside `multipart/mixed` with the
/// attachments when there are any.
fn body(email: &Email) -> Result<MultiPart, SendError> {
    let text = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    if email.attachments.is_empty() {
        return Ok(text);
    }
    email.attachments.iter().try_fold(MultiPart::mixed().multipart(text), |mixed, file| {
        let content_type = ContentType::parse(&file.content_type)
            .map_err(|_| SendError::Rejected(format!("attachment type `{}`", file.content_type)))?;
        let part = lettre::message::Attachment::new(file.file_name.clone()).body(file.content.clone(), content_type);
        Ok(mixed.singlepart(part))
    })
}

/// The same delivery always gets the same `Message-ID`, so a duplicate can be recognised.
fn message_id(email: &Email) -> String {
    format!("<{}@notifications.vet-platform>", email.delivery_id)
}

#[async_trait::async_trait]
impl Provider<Email> for SmtpProvider {
    async fn send(&self, email: &Email) -> Result<Receipt, SendError> {
        let message = self.message(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(Receipt { provider_message_id: message_id(email) }),
            Err(error) if error.is_permanent() => {
                let code = error.status().map(|code| code.to_string()).unwrap_or_default();
                Err(SendError::InvalidRecipient(format!("SMTP {code}: refused permanently")))
            }
            Err(error) => Err(SendError::Unavailable(format!("SMTP: {error}"))),
        }
    }
}
