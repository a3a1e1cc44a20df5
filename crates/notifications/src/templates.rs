//! Message templates, rendered with [MiniJinja](https://docs.rs/minijinja).
//!
//! Each template is two files embedded in the binary: `templates/<name>.txt`
//! with the blocks `subject` (email subject, inbox and push title), `text`
//! (plain-text email, inbox and push body) and `sms` (kept under 160
//! characters), and `templates/<name>.html`, the HTML email (escaped
//! automatically, extending `layout.html`). A variable the data lacks is an
//! error, never an empty gap in a message. Every template may greet its
//! reader by `recipient_name`: [`crate::notify`] sets it from the recipient's
//! profile, so senders never look names up.

use std::sync::LazyLock;

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

/// Declares the templates: the variant, its name, and its embedded files.
macro_rules! templates {
    ($($(#[$meta:meta])* $variant:ident = $name:literal,)+) => {
        /// A message template; the set is closed, so an unknown name cannot be sent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Template {
            $($(#[$meta])* $variant,)+
        }

        impl Template {
            /// Every template.
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The stored name (also the file stem).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }

            /// Looks a stored name up.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        fn sources() -> Vec<(&'static str, &'static str)> {
            vec![
                ("layout.html", include_str!("../templates/layout.html")),
                $(
                    (concat!($name, ".txt"), include_str!(concat!("../templates/", $name, ".txt"))),
                    (concat!($name, ".html"), include_str!(concat!("../templates/", $name, ".html"))),
                )+
            ]
        }
    };
}

templates! {
    /// `pet_name`, `clinic_name`, `starts_at`, optional `vet_name`.
    AppointmentConfirmed = "appointment_confirmed",
    /// `pet_name`, `clinic_name`, `starts_at`, `change`
    /// (`requested`, `rescheduled`, `cancelled`, `booked` for the vet,
    /// `reminder`), and `vet_name`, `reason`, `previous_starts_at` (may be null).
    AppointmentUpdate = "appointment_update",
    /// `pet_name`, `clinic_name`, `starts_at`, `expires_at`.
    WaitlistOffer = "waitlist_offer",
    /// `pet_name`, `vaccine`, `due_on`.
    VaccinationDue = "vaccination_due",
    /// `pet_name`, `care` (e.g. "Rabies vaccination"), `due_on`,
    /// `overdue` and `today` (booleans).
    CareDue = "care_due",
    /// `headline`, `details`.
    EmergencyAlert = "emergency_alert",
    /// `sender_name`, `preview`.
    ChatMessage = "chat_message",
    /// `order_number`, `total`.
    OrderConfirmed = "order_confirmed",
    /// `order_number`, `headline` (what happened: "Paid", "Ready to pick
    /// up"), `details`.
    OrderUpdate = "order_update",
    /// `clinic_name`, `document` ("Invoice 000042", "Credit note 000043"),
    /// `total`, `issued_on`; the email carries the PDF.
    InvoiceIssued = "invoice_issued",
    /// `pet_name`, `plan_name` (a wellness plan, or a repeat order: "repeat
    /// order of Apoquel"), `headline` ("Renewed", "Payment failed"), `details`.
    PlanUpdate = "plan_update",
    /// `headline`, `details`.
    AccountNotice = "account_notice",
    /// `headline`, `details`.
    Announcement = "announcement",
    /// A clinic's marketing campaign: `subject`, `paragraphs` (the body, a
    /// list of plain-text paragraphs, escaped in HTML), `clinic_name`,
    /// `unsubscribe_url` (also the email's one-click `List-Unsubscribe`).
    Campaign = "campaign",
    /// `inviter_name`, `invitation` (what to: "to join Happy Paws as a
    /// veterinarian"), `expires_on`, `has_account` (whether the address has
    /// an account, else how to sign up is explained).
    Invitation = "invitation",
}

/// A template rendered for every channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Email subject, inbox and push title.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML email body.
    pub html: String,
    /// Text message, whitespace collapsed.
    pub sms: String,
}

/// The template could not be rendered with the given data.
#[derive(Debug, thiserror::Error)]
#[error("template `{template}`: {source}")]
pub struct RenderError {
    template: &'static str,
    #[source]
    source: minijinja::Error,
}

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in sources() {
        // The sources are compiled into the binary and covered by the tests below.
        if let Err(error) = environment.add_template(name, source) {
            tracing::error!(template = name, %error, "a built-in template does not parse");
        }
    }
    environment
});

impl Template {
    /// Renders every part with `data` (a JSON object of the template's variables).
    pub fn render(self, data: &serde_json::Value) -> Result<Rendered, RenderError> {
        let fail = |source| RenderError { template: self.name(), source };
        let context = Value::from(Serde(data));
        let text_template = ENVIRONMENT.get_template(&format!("{}.txt", self.name())).map_err(fail)?;
        let mut captured = text_template.render_captured(context.clone()).map_err(fail)?;
        let (subject, text, sms) = captured
            .with_state_mut(|state| {
                Ok::<_, minijinja::Error>((
                    state.render_block("subject")?,
                    state.render_block("text")?,
                    state.render_block("sms")?,
                ))
            })
            .map_err(fail)?;
        let html_template = ENVIRONMENT.get_template(&format!("{}.html", self.name())).map_err(fail)?;
        let html = html_template.render(context).map_err(fail)?;
        Ok(Rendered {
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: text.trim().to_owned(),
            html,
            sms: sms.split_whitespace().collect::<Vec<_>>().join(" "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Longest plausible values for every variable any template uses.
    fn sample() -> serde_json::Value {
        serde_json::json!({
            "pet_name": "Mister Whiskers", "clinic_name": "Happy Paws Clinic",
            "starts_at": "Mon 14 Dec 14:30", "vet_name": "Dr Okafor", "vaccine": "rabies booster",
            "due_on": "14 Dec 2026", "headline": "A vet accepted your case", "details": "Dr Okafor is on her way.",
            "sender_name": "Dr Okafor", "preview": "How is he eating today?", "order_number": "VP-000123",
            "total": "EUR 54.90", "care": "rabies booster vaccination", "overdue": true, "today": false,
            "recipient_name": "Alexandra", "change": "rescheduled", "reason": "The vet is ill.",
            "previous_starts_at": "Mon 14 Dec 2026, 14:30", "expires_at": "Mon 14 Dec 2026, 12:30",
            "inviter_name": "Dr Alexandra Okafor", "invitation": "to join Happy Paws Clinic as a veterinarian",
            "expires_on": "14 Dec 2026", "has_account": false, "document": "Credit note 000043",
            "issued_on": "14 Dec 2026", "plan_name": "Wellness Gold",
            "subject": "Spring vaccination week at Happy Paws: boosters for dogs and cats at a lower price",
            "paragraphs": ["Book a booster before April.", "We are open on Saturdays too."],
            "unsubscribe_url": "https://api.vet-platform.example/api/v1/unsubscribe/0123",
        })
    }

    #[test]
    fn every_template_renders_all_parts_and_sms_fits_one_message() {
        for template in Template::ALL {
            let rendered = template.render(&sample()).unwrap();
            assert!(!rendered.subject.is_empty() && !rendered.text.is_empty(), "{template:?}");
            assert!(rendered.html.contains("<html"), "{template:?} does not extend the layout");
            assert!(rendered.sms.chars().count() <= 160, "{template:?} SMS is {} chars", rendered.sms.len());
            assert_eq!(Template::from_name(template.name()), Some(*template));
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let mut data = sample();
        data["pet_name"] = "<b>Rex</b> & co".into();
        let rendered = Template::AppointmentConfirmed.render(&data).unwrap();
        assert!(rendered.html.contains("&lt;b&gt;Rex&lt;&#x2f;b&gt; &amp; co"), "{}", rendered.html);
        assert!(rendered.text.contains("<b>Rex</b> & co"));
    }

    #[test]
    fn a_missing_variable_is_an_error() {
        let error = Template::VaccinationDue.render(&serde_json::json!({ "pet_name": "Rex" })).unwrap_err();
        assert!(error.to_string().contains("vaccination_due"), "{error}");
    }
}
