//! The accepting vet's reports: on the way, at the clinic, resolved with an
//! outcome. The one transition table is [`next_allowed`].

use chat::service::Fanout;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::{EmergencyCaseId, Principal, Valid};
use platform::audit::{self, AuditEntry};
use serde_json::json;

use crate::access::{self, Viewer};
use crate::api::{CaseStatus, CaseView, Progress, ProgressReport};
use crate::service::view::view;
use crate::service::{messages, updated};
use db::schema::emergency_cases;

/// Whether a case that is `from` may report `to`.
pub fn next_allowed(from: CaseStatus, to: Progress) -> bool {
    matches!(
        (from, to),
        (CaseStatus::Accepted, Progress::EnRoute | Progress::AtClinic | Progress::Resolved)
            | (CaseStatus::EnRoute, Progress::AtClinic | Progress::Resolved)
            | (CaseStatus::AtClinic, Progress::Resolved)
    )
}

/// Records the accepting vet's (or their clinic's) report and tells the owner.
pub async fn report(
    connection: &mut AsyncPgConnection,
    principal: &Principal,
    uploads: &media::Uploads,
    now: DateTime<Utc>,
    id: EmergencyCaseId,
    request: &Valid<ProgressReport>,
) -> kernel::Result<(CaseView, Fanout)> {
    let case = db::transaction(connection, async |connection| {
        let (mut case, viewer) = access::resolve(connection, principal, id, true).await?;
        if !matches!(viewer, Viewer::Responder) {
            return Err(kernel::Error::Forbidden("only the accepting vet's clinic reports progress".to_owned()));
        }
        if !next_allowed(case.status, request.status) {
            return Err(kernel::Error::Conflict {
                message: format!("a case that is {} cannot become {}", case.status.as_str(), request.status.as_str()),
                details: json!({ "status": case.status.as_str() }),
            });
        }
        let before = case.status;
        case.status = match request.status {
            Progress::EnRoute => CaseStatus::EnRoute,
            Progress::AtClinic => CaseStatus::AtClinic,
            Progress::Resolved => CaseStatus::Resolved,
        };
        if case.status == CaseStatus::Resolved {
            case.outcome.clone_from(&request.outcome);
            case.closed_at = Some(now);
        }
        diesel::update(emergency_cases::table.find(id))
            .set((
                emergency_cases::status.eq(case.status),
                emergency_cases::outcome.eq(&case.outcome),
                emergency_cases::closed_at.eq(case.closed_at),
            ))
            .execute(connection)
            .await?;
        let headline = match request.status {
            Progress::EnRoute => "the vet is on the way",
            Progress::AtClinic => "your pet is at the clinic",
            Progress::Resolved => "the emergency is resolved",
        };
        messages::tell_update(connection, &case, case.owner_id, headline.to_owned()).await?;
        let changes = json!({ "status": { "from": before.as_str(), "to": case.status.as_str() } });
        audit::record(
            connection,
            AuditEntry::new(Some(principal.user_id), "emergency.progressed", "emergency_case", id)
                .with_changes(changes),
        )
        .await?;
        Ok(case)
    })
    .await?;
    if case.status == CaseStatus::Resolved {
        metrics::counter!("emergency_cases_closed_total", "status" => "resolved").increment(1);
    }
    let fanout = updated(&case);
    Ok((view(connection, uploads, case, &Viewer::Responder, now).await?, fanout))
}
