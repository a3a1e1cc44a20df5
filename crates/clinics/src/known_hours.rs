//! Clinics' weekly hours and exceptions as last read, by the clinic row's version.
//!
//! A clinic row's version (`xmin`, the transaction that wrote it) moves with
//! every change to the clinic and, through a trigger, to its hours or
//! exceptions, whoever writes them. So the copy read at the version a caller's
//! clinic row carries is what the tables hold: search's "open now" and
//! availability reuse it instead of reading the hours on every request, and a
//! copy of an older version is never handed out, whichever instance made the
//! change. The copies are immutable facts about a version, so one process-wide
//! memo serves every connection. (One transaction writes one version: a
//! transaction that read the hours through here and then changed them again
//! would leave a copy of its first state under its final version; the only
//! writer, `service::clinics::set_hours`, reads nothing through here.)

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use kernel::ClinicId;
use moka::future::Cache;

use crate::schedule::LocalInterval;
use crate::scheduling::{Clinic, by_weekday};
use db::schema::{clinic_hours_exceptions, clinic_opening_hours};

/// A clinic's hours at one version of its row.
#[derive(Debug)]
pub struct Known {
    /// The clinic row version they were read at (or after: never before).
    row_version: i64,
    /// The local date from which every exception is held (all later ones).
    exceptions_from: NaiveDate,
    /// ISO weekday (1 = Monday) → intervals.
    pub weekly: BTreeMap<u32, Vec<LocalInterval>>,
    /// Dates whose intervals replace the weekly ones (empty: closed).
    pub exceptions: BTreeMap<NaiveDate, Vec<LocalInterval>>,
}

/// Clinics whose hours a process keeps; one a search page or an availability
/// request has not touched for an hour is dropped.
static KNOWN: LazyLock<Cache<ClinicId, Arc<Known>>> =
    LazyLock::new(|| Cache::builder().max_capacity(4_096).time_to_idle(Duration::from_secs(3_600)).build());

/// Each clinic's hours at its row version, with every exception from its date on,
/// in their order: the memo's copies, and the others read in two queries.
pub async fn each(connection: &AsyncPgConnection, wanted: &[(&Clinic, NaiveDate)]) -> kernel::Result<Vec<Arc<Known>>> {
    let mut found = Vec::with_capacity(wanted.len());
    for &(clinic, from) in wanted {
        let known = KNOWN.get(&clinic.id).await;
        found.push(known.filter(|known| known.row_version == clinic.row_version && known.exceptions_from <= from));
    }
    let missing: Vec<(&Clinic, NaiveDate)> =
        wanted.iter().zip(&found).filter(|(_, known)| known.is_none()).map(|(wanted, _)| *wanted).collect();
    let read = read(connection, &missing).await?;
    for (id, known) in &read {
        KNOWN.insert(*id, Arc::clone(known)).await;
    }
    wanted
        .iter()
        .zip(found)
        .map(|(&(clinic, _), known)| {
            known
                .or_else(|| read.get(&clinic.id).cloned())
                .ok_or_else(|| kernel::Error::internal(format!("the hours of clinic {} were not read", clinic.id)))
        })
        .collect()
}

/// The hours of `clinics` as the tables hold them now, with every exception
/// from the earliest date asked for (the two statements pipelined).
async fn read(
    mut connection: &AsyncPgConnection,
    clinics: &[(&Clinic, NaiveDate)],
) -> kernel::Result<HashMap<ClinicId, Arc<Known>>> {
    let Some(from) = clinics.iter().map(|&(_, from)| from).min() else {
        return Ok(HashMap::new());
    };
    let ids: Vec<ClinicId> = clinics.iter().map(|(clinic, _)| clinic.id).collect();
    let weekly = clinic_opening_hours::table
        .filter(clinic_opening_hours::clinic_id.eq_any(&ids))
        .select((
            clinic_opening_hours::clinic_id,
            clinic_opening_hours::weekday,
            clinic_opening_hours::opens,
            clinic_opening_hours::closes,
        ))
        .load::<(ClinicId, i16, NaiveTime, NaiveTime)>(&mut connection);
    let exceptions = clinic_hours_exceptions::table
        .filter(clinic_hours_exceptions::clinic_id.eq_any(&ids))
        .filter(clinic_hours_exceptions::on_date.ge(from))
        .select((
            clinic_hours_exceptions::clinic_id,
            clinic_hours_exceptions::on_date,
            clinic_hours_exceptions::opens,
            clinic_hours_exceptions::closes,
        ))
        .load::<(ClinicId, NaiveDate, Option<NaiveTime>, Option<NaiveTime>)>(&mut connection);
    let (weekly, exceptions) = futures_util::future::join(weekly, exceptions).await;
    let (weekly, exceptions) = (weekly?, exceptions?);
    // Grouped by clinic in one pass, so that each clinic looks its rows up
    // rather than scanning every clinic's.
    let mut weekly_of: HashMap<ClinicId, Vec<(i16, NaiveTime, NaiveTime)>> = HashMap::new();
    for (clinic, weekday, opens, closes) in weekly {
        weekly_of.entry(clinic).or_default().push((weekday, opens, closes));
    }
    let mut days_of: HashMap<ClinicId, BTreeMap<NaiveDate, Vec<LocalInterval>>> = HashMap::new();
    for (clinic, date, opens, closes) in exceptions {
        let day = days_of.entry(clinic).or_default().entry(date).or_default();
        if let (Some(opens), Some(closes)) = (opens, closes) {
            day.push((opens, closes));
        }
    }
    Ok(clinics
        .iter()
        .map(|&(clinic, _)| {
            let known = Known {
                row_version: clinic.row_version,
                exceptions_from: from,
                weekly: by_weekday(weekly_of.get(&clinic.id).into_iter().flatten().copied()),
                exceptions: days_of.get(&clinic.id).cloned().unwrap_or_default(),
            };
            (clinic.id, Arc::new(known))
        })
        .collect())
}
