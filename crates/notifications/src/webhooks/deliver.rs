//! The delivery job: one attempt to post one event to one endpoint, logged
//! with the receiver's answer.
//!
//! A non-2xx answer (redirects included: none is followed), a refused
//! address or no answer fails the job, so the queue retries it with backoff,
//! until `[notifications.webhooks] max_attempts`; then the delivery is failed
//! and counts against its endpoint, which is disabled after
//! `disable_after_failures` such deliveries in a row. Idempotent: a delivery
//! no longer pending (or deleted with its endpoint) is not sent again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use graphile_worker::{TaskHandler, WorkerContext};
use jobs::{EnqueueOptions, Resources};
use kernel::{ClinicId, WebhookEventId, WebhookId};
use serde::{Deserialize, Serialize};

use super::models::DeliveryState;
use super::{Guard, WebhookDisabled};
use crate::settings::WebhookSettings;
use db::schema::{outbound_webhook_attempts, outbound_webhook_deliveries, outbound_webhooks};

/// Attempts the queue allows a delivery job; the job itself stops at
/// `[notifications.webhooks] max_attempts`, which may not exceed this.
const QUEUE_ATTEMPTS: i32 = 25;

/// The most of a receiver's error text kept in the log.
const MAX_ERROR_CHARS: usize = 300;

/// Posts event `event_id` to endpoint `endpoint_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverWebhook {
    /// The endpoint.
    pub endpoint_id: WebhookId,
    /// The event.
    pub event_id: WebhookEventId,
}

/// The job for one delivery (one pending job per delivery).
pub(crate) fn job(endpoint_id: WebhookId, event_id: WebhookEventId) -> (DeliverWebhook, EnqueueOptions) {
    let options = EnqueueOptions {
        max_attempts: Some(QUEUE_ATTEMPTS),
        unique_key: Some(format!("webhook:{endpoint_id}:{event_id}")),
        ..EnqueueOptions::default()
    };
    (DeliverWebhook { endpoint_id, event_id }, options)
}

impl TaskHandler for DeliverWebhook {
    const IDENTIFIER: &'static str = "notifications_deliver_webhook";

    #[expect(refining_impl_trait, reason = "jobs answer a JobResult, which the trait's result type accepts")]
    async fn run(self, context: WorkerContext) -> jobs::JobResult {
        let client = context.get_ext::<WebhookClient>().context("the worker has no notifications WebhookClient")?;
        let resources = Resources::of(&context)?;
        let last_attempt = i32::from(*context.job().attempts()) >= client.settings.max_attempts.min(QUEUE_ATTEMPTS);
        Ok(deliver(resources, client, &self, last_attempt).await?)
    }
}

/// Posts signed deliveries: resolves through the [`Guard`], follows no
/// redirect, uses no proxy, and gives each attempt `timeout_secs`.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    guard: Guard,
    settings: WebhookSettings,
}

impl WebhookClient {
    /// The client `settings` describe.
    pub fn from_settings(settings: &WebhookSettings) -> anyhow::Result<Self> {
        let guard = Guard::from_settings(settings);
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(guard.clone()))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(settings.timeout_secs))
            .user_agent(concat!("vet-platform-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("the webhook HTTP client")?;
        Ok(Self { http, guard, settings: settings.clone() })
    }

    /// One signed `POST`: the receiver's status, or why there was none.
    async fn post(&self, target: &Target, event: WebhookEventId, now: DateTime<Utc>) -> Result<u16, String> {
        let url = self.guard.check(&target.url).await.map_err(|refusal| format!("refused: {refusal}"))?;
        let timestamp = now.timestamp();
        let id = event.to_string();
        let signature = platform::webhook_signature::sign(&target.secret, &id, timestamp, target.body.as_bytes())
            .map_err(|error| error.to_string())?;
        let response = self
            .http
            .post(url)
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(target.body.clone())
            .send()
            .await
            .map_err(|error| describe(&error))?;
        Ok(response.status().as_u16())
    }
}

/// What sending needs of a delivery and its endpoint.
#[derive(Queryable)]
struct Target {
    status: DeliveryState,
    body: String,
    clinic_id: ClinicId,
    url: String,
    secret: String,
    disabled: bool,
}

async fn deliver(
    resources: &Resources,
    client: &WebhookClient,
    job: &DeliverWebhook,
    last_attempt: bool,
) -> anyhow::Result<()> {
    let mut connection = resources.connect().await?;
    let Some(target) = outbound_webhook_deliveries::table
        .inner_join(outbound_webhooks::table)
        .filter(outbound_webhook_deliveries::endpoint_id.eq(job.endpoint_id))
        .filter(outbound_webhook_deliveries::event_id.eq(job.event_id))
        .select((
            outbound_webhook_deliveries::status,
            outbound_webhook_deliveries::body,
            outbound_webhooks::clinic_id,
            outbound_webhooks::url,
            outbound_webhooks::secret,
            outbound_webhooks::disabled_at.is_not_null(),
        ))
        .first::<Target>(&mut connection)
        .await
        .optional()?
    else {
        return Ok(()); // deleted with its endpoint
    };
    if target.status != DeliveryState::Pending {
        return Ok(());
    }
    if target.disabled {
        finish(&mut connection, job, DeliveryState::Failed, resources.clock.now()).await?;
        return Ok(());
    }
    let started = Instant::now();
    let answer = client.post(&target, job.event_id, resources.clock.now()).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let delivered = matches!(answer, Ok(200..=299));
    let outcome = match &answer {
        Ok(_) if delivered => "delivered",
        Ok(_) => "rejected",
        Err(_) => "unreachable",
    };
    metrics::counter!("webhook_attempts_total", "outcome" => outcome).increment(1);
    let now = resources.clock.now();
    let attempt = Attempt { job, answer: &answer, duration_ms, now };
    db::transaction(&mut connection, async |connection| {
        attempt.record(connection).await?;
        if delivered {
            finish(connection, job, DeliveryState::Delivered, now).await?;
            diesel::update(outbound_webhooks::table.find(job.endpoint_id))
                .set(outbound_webhooks::failures_in_a_row.eq(0))
                .execute(connection)
                .await?;
        } else if last_attempt {
            finish(connection, job, DeliveryState::Failed, now).await?;
            count_failure(connection, client, job.endpoint_id, target.clinic_id, now).await?;
        }
        Ok::<_, kernel::Error>(())
    })
    .await?;
    match answer {
        _ if delivered || last_attempt => Ok(()),
        Ok(status) => Err(anyhow::anyhow!("the receiver answered {status}")),
        Err(error) => Err(anyhow::anyhow!(error)),
    }
}

/// One attempt, as the log keeps it.
struct Attempt<'a> {
    job: &'a DeliverWebhook,
    answer: &'a Result<u16, String>,
    duration_ms: i32,
    now: DateTime<Utc>,
}

impl Attempt<'_> {
    async fn record(&self, connection: &mut AsyncPgConnection) -> kernel::Result<()> {
        let (status_code, error) = match self.answer {
            Ok(status @ 200..=299) => (Some(i32::from(*status)), None),
            Ok(status) => (Some(i32::from(*status)), Some(format!("the receiver answered {status}"))),
            Err(error) => (None, Some(error.chars().take(MAX_ERROR_CHARS).collect::<String>())),
        };
        diesel::insert_into(outbound_webhook_attempts::table)
            .values((
                outbound_webhook_attempts::endpoint_id.eq(self.job.endpoint_id),
                outbound_webhook_attempts::event_id.eq(self.job.event_id),
                outbound_webhook_attempts::attempted_at.eq(self.now),
                outbound_webhook_attempts::status_code.eq(status_code),
                outbound_webhook_attempts::error.eq(error),
                outbound_webhook_attempts::duration_ms.eq(self.duration_ms),
            ))
            .execute(connection)
            .await?;
        diesel::update(outbound_webhook_deliveries::table.find((self.job.endpoint_id, self.job.event_id)))
            .set(outbound_webhook_deliveries::attempts.eq(outbound_webhook_deliveries::attempts + 1))
            .execute(connection)
            .await?;
        Ok(())
    }
}

async fn finish(
    connection: &mut AsyncPgConnection,
    job: &DeliverWebhook,
    status: DeliveryState,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    diesel::update(outbound_webhook_deliveries::table.find((job.endpoint_id, job.event_id)))
        .set((outbound_webhook_deliveries::status.eq(status), outbound_webhook_deliveries::finished_at.eq(now)))
        .execute(connection)
        .await?;
    Ok(())
}

/// Counts a given-up delivery against the endpoint, disabling it (and
/// publishing [`WebhookDisabled`]) when that makes too many in a row.
async fn count_failure(
    connection: &mut AsyncPgConnection,
    client: &WebhookClient,
    endpoint: WebhookId,
    clinic: ClinicId,
    now: DateTime<Utc>,
) -> kernel::Result<()> {
    let (failures, url, disabled) = diesel::update(outbound_webhooks::table.find(endpoint))
        .set(outbound_webhooks::failures_in_a_row.eq(outbound_webhooks::failures_in_a_row + 1))
        .returning((
            outbound_webhooks::failures_in_a_row,
            outbound_webhooks::url,
            outbound_webhooks::disabled_at.is_not_null(),
        ))
        .get_result::<(i32, String, bool)>(connection)
        .await?;
    if disabled || failures < client.settings.disable_after_failures {
        return Ok(());
    }
    let reason = format!("{failures} deliveries in a row failed every attempt");
    diesel::update(outbound_webhooks::table.find(endpoint))
        .set((outbound_webhooks::disabled_at.eq(now), outbound_webhooks::disabled_reason.eq(&reason)))
        .execute(connection)
        .await?;
    metrics::counter!("webhook_endpoints_disabled_total").increment(1);
    let url = super::without_query(&url);
    jobs::publish(connection, &WebhookDisabled { webhook_id: endpoint, clinic_id: clinic, url, reason }).await?;
    Ok(())
}

/// A failed request in a line for the log: what failed, without the URL
/// (the admin's own, but it may carry a token in its query).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() { kind.to_owned() } else { format!("{kind}: {cause}") }
}
