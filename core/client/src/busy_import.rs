//! Busy times imported from another calendar's `.ics` export (Google, Apple, Outlook, a hospital's
//! planning), all or nothing: parsed by core's iCalendar reader with its limits, kept in the local store
//! under the calendar's name (re-importing the same source replaces its previous import, matched by
//! event UID) and queued for sync, so matching never proposes a shift the doctor is busy for. One
//! implementation for the phones (FFI) and the desktop.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rempla_core::calendar::Interval;
use rempla_core::domain::{BusyId, BusyPeriod, DoctorId};
use rempla_core::ical::{ImportOptions, import_busy_bytes};
use rempla_store::{Store, StoreError};
use thiserror::Error;

/// Largest `.ics` accepted before parsing (core's reader has its own, finer limits).
pub const MAX_ICS_BYTES: usize = 10 * 1024 * 1024;

/// What one import did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusyImport {
    /// Busy periods read from the file (inside the window: a year back, two ahead).
    pub periods: usize,
    /// Added or changed.
    pub upserted: usize,
    /// Of this source, no longer in the file: removed.
    pub removed: usize,
    /// Already stored as they are.
    pub unchanged: usize,
}

/// Why a file was not imported (nothing changed).
#[derive(Debug, Error)]
pub enum BusyImportError {
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file, the zone or the source name is refused (`code`: `ical_too_large`, `invalid_source`,
    /// `unknown_zone`, or core's iCalendar code).
    #[error("{message}")]
    Refused {
        /// Stable code.
        code: &'static str,
        /// In French.
        message: String,
    },
}

impl BusyImportError {
    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Store(e) => e.code(),
            Self::Refused { code, .. } => code,
        }
    }
}

fn refused(code: &'static str, message: String) -> BusyImportError {
    BusyImportError::Refused { code, message }
}

/// Imports `ics` as `doctor`'s busy times from `source`, floating times read in `zone` (IANA).
pub fn import_busy_ics(
    store: &mut Store,
    doctor: DoctorId,
    ics: &[u8],
    zone: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<BusyImport, BusyImportError> {
    let zone: Tz = zone
        .trim()
        .parse()
        .map_err(|_| refused("unknown_zone", "fuseau horaire inconnu".to_owned()))?;
    let source = source.trim();
    if source.is_empty() || source.chars().count() > 200 || source.chars().any(char::is_control) {
        return Err(refused(
            "invalid_source",
            "le nom de l'agenda doit compter entre 1 et 200 caractères".to_owned(),
        ));
    }
    if ics.len() > MAX_ICS_BYTES {
        return Err(refused(
            "ical_too_large",
            format!("fichier de {} octets : 10 Mo au plus", ics.len()),
        ));
    }
    let window = Interval::new(now - Duration::days(366), now + Duration::days(2 * 366))
        .map_err(|e| refused(e.code(), e.to_string()))?;
    let periods: Vec<BusyPeriod> = import_busy_bytes(ics, &ImportOptions::new(zone, window))
        .map_err(|e| refused(e.code(), e.to_string()))?
        .into_iter()
        .map(|b| BusyPeriod {
            id: BusyId::new(),
            doctor_id: doctor,
            interval: b.interval,
            source_uid: b.source_uid,
            summary: b.summary,
        })
        .collect();
    let summary = store.replace_busy_source(doctor, source, &periods)?;
    Ok(BusyImport {
        periods: periods.len(),
        upserted: summary.upserted,
        removed: summary.removed,
        unchanged: summary.unchanged,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T080000Z\r\nDTEND:20261210T120000Z\r\nSUMMARY:Consultation\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_calendar_is_imported_once_and_replaced_by_its_next_export() {
        let mut store = Store::open_in_memory().unwrap();
        let doctor = DoctorId::new();
        let now: DateTime<Utc> = "2026-12-04T00:00:00Z".parse().unwrap();
        let first = import_busy_ics(
            &mut store,
            doctor,
            ICS.as_bytes(),
            "Europe/Paris",
            "google:travail",
            now,
        )
        .unwrap();
        assert_eq!((first.periods, first.upserted), (1, 1));
        let again = import_busy_ics(
            &mut store,
            doctor,
            ICS.as_bytes(),
            "Europe/Paris",
            "google:travail",
            now,
        )
        .unwrap();
        assert_eq!((again.upserted, again.unchanged), (0, 1));
        let empty = ICS.replace(
            "BEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T080000Z\r\nDTEND:20261210T120000Z\r\nSUMMARY:Consultation\r\nEND:VEVENT\r\n",
            "",
        );
        let gone = import_busy_ics(
            &mut store,
            doctor,
            empty.as_bytes(),
            "Europe/Paris",
            "google:travail",
            now,
        )
        .unwrap();
        assert_eq!(gone.removed, 1);
    }

    #[test]
    fn bad_files_change_nothing_and_say_why() {
        let mut store = Store::open_in_memory().unwrap();
        let doctor = DoctorId::new();
        let now = Utc::now();
        let code = |r: Result<BusyImport, BusyImportError>| r.unwrap_err().code().to_owned();
        let not_ics = code(import_busy_ics(
            &mut store,
            doctor,
            b"not a calendar",
            "Europe/Paris",
            "x",
            now,
        ));
        assert!(!not_ics.is_empty() && not_ics != "internal", "{not_ics}");
        assert_eq!(
            code(import_busy_ics(
                &mut store,
                doctor,
                ICS.as_bytes(),
                "Mars/Olympus",
                "x",
                now
            )),
            "unknown_zone"
        );
        assert_eq!(
            code(import_busy_ics(
                &mut store,
                doctor,
                ICS.as_bytes(),
                "Europe/Paris",
                " ",
                now
            )),
            "invalid_source"
        );
        let big = vec![b'x'; MAX_ICS_BYTES + 1];
        assert_eq!(
            code(import_busy_ics(
                &mut store,
                doctor,
                &big,
                "Europe/Paris",
                "x",
                now
            )),
            "ical_too_large"
        );
        assert_eq!(
            store
                .list_busy_range(
                    doctor,
                    Interval::new(now - Duration::days(400), now + Duration::days(800)).unwrap()
                )
                .unwrap()
                .len(),
            0
        );
    }
}
