//! The doctor's calendar ("Mon agenda"), offline-first on the local store, exactly as the phones keep
//! it: availabilities of every kind, one-off or repeating (RFC 5545 rule) with exceptions, an
//! occurrence removed, each change saved with its outbox op and pushed by the sync worker when the
//! server answers. Shifts are built by core's templates in the département's zone (a day garde only on
//! a Sunday or a public holiday); its refusals come back in plain French.

use chrono::{DateTime, NaiveDate, Utc};
use rempla_core::calendar::{Department, Interval, ShiftKind};
use rempla_core::domain::{
    Availability, AvailabilityDraft, AvailabilityId, AvailabilityStatus, DoctorId,
};
use rempla_store::{Store, settings};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::commands::{blocking, checked_id};
use crate::error::DesktopError;
use crate::state::AppState;
use crate::worker;

/// Most occurrences one view asks for: a month of a busy calendar is a few hundred.
const MAX_OCCURRENCES: usize = 5_000;
/// Longest note kept with an availability.
const MAX_NOTE_CHARS: usize = 500;

/// The availability form of the calendar screen, as the UI sends it.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AvailabilityForm {
    /// Kind of shift offered.
    pub kind: ShiftKind,
    /// Local date of the (first) shift, `YYYY-MM-DD`; not used for `custom`.
    pub date: Option<String>,
    /// Département whose zone and public holidays apply (`22`, `2A`, `971`).
    pub department: String,
    /// Start and end of a `custom` period, RFC 3339 with offset.
    pub custom_start: Option<String>,
    /// See `custom_start`.
    pub custom_end: Option<String>,
    /// RFC 5545 rule (`FREQ=WEEKLY;BYDAY=MO,TU;COUNT=8`), `null` for a single slot.
    pub rrule: Option<String>,
    /// Local dates (`YYYY-MM-DD`) the series skips.
    #[serde(default)]
    pub exceptions: Vec<String>,
    /// Free text for the doctor.
    pub note: Option<String>,
}

/// One occurrence drawn on the calendar.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OccurrenceView {
    /// The availability (the whole series for a repeating one).
    pub availability_id: String,
    /// Kind of shift.
    pub kind: ShiftKind,
    /// Start and end, RFC 3339 UTC.
    pub start: String,
    /// See `start`.
    pub end: String,
    /// Local date of the start in the availability's zone, `YYYY-MM-DD` (what "remove this one" takes).
    pub local_date: String,
    /// `open`, `booked` (a mission holds it) or `withdrawn`.
    pub status: AvailabilityStatus,
    /// Part of a repeating series.
    pub is_series: bool,
    /// The doctor's note.
    pub note: Option<String>,
}

/// What the doctor space needs of the signed-in doctor: whose calendar, where they work.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DoctorSpace {
    /// The doctor's id (the calendar's owner).
    pub doctor_id: String,
    /// « Dr Prénom Nom ».
    pub name: String,
    /// Départements where they take replacements, first one the default of the form.
    pub departments: Vec<String>,
    /// `pending`, `verified`, `suspended`…
    pub status: String,
}

fn date(text: &str) -> Result<NaiveDate, DesktopError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| DesktopError::new("invalid_date", "Date invalide (attendu : AAAA-MM-JJ)."))
}

/// An RFC 3339 instant from the UI, as UTC (`invalid_datetime` otherwise).
pub(crate) fn instant(text: &str) -> Result<DateTime<Utc>, DesktopError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.to_utc())
        .map_err(|_| DesktopError::new("invalid_datetime", "Heure de début ou de fin invalide."))
}

impl AvailabilityForm {
    /// Core's draft, every field checked; the shift itself is built (and refused) by core.
    fn draft(&self) -> Result<AvailabilityDraft, DesktopError> {
        let department = Department::parse(&self.department).map_err(|_| {
            DesktopError::new(
                "invalid_department",
                "Département inconnu (ex. : 22, 2A, 971).",
            )
        })?;
        let custom = match (&self.custom_start, &self.custom_end) {
            (Some(s), Some(e)) if self.kind == ShiftKind::Custom => {
                Some((instant(s)?, instant(e)?))
            }
            _ if self.kind == ShiftKind::Custom => {
                return Err(DesktopError::new(
                    "custom_needs_bounds",
                    "Une période libre a besoin d'un début et d'une fin.",
                ));
            }
            _ => None,
        };
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
        {
            return Err(DesktopError::new(
                "too_long",
                format!("La note est trop longue ({MAX_NOTE_CHARS} caractères au plus)."),
            ));
        }
        Ok(AvailabilityDraft {
            kind: self.kind,
            date: match self.kind {
                ShiftKind::Custom => None,
                _ => Some(date(self.date.as_deref().unwrap_or_default())?),
            },
            department,
            custom,
            rrule: self
                .rrule
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            exceptions: self
                .exceptions
                .iter()
                .map(|d| date(d))
                .collect::<Result<_, _>>()?,
            note,
        })
    }
}

fn view(o: &Interval, a: &Availability) -> OccurrenceView {
    OccurrenceView {
        availability_id: a.id.to_string(),
        kind: a.kind,
        start: o.start().to_rfc3339(),
        end: o.end().to_rfc3339(),
        local_date: o.start().with_timezone(&a.zone).date_naive().to_string(),
        status: a.status,
        is_series: a.recurrence.is_some(),
        note: a.note.clone(),
    }
}

/// What the doctor space shows of the cached doctor record. Read as plain fields rather than core's
/// `Doctor`: deserializing that validates the contact phone with the `phonenumber` crate, whose
/// metadata loads on first use — 0.4 s of the month view's cold start in a debug build, measured by
/// `scripts/bench-desktop.sh` (ROLE=doctor) — for a screen that shows none of it.
#[derive(Debug, Deserialize)]
struct DoctorFacts {
    id: DoctorId,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    status: Option<String>,
}

/// The signed-in doctor, from the account cached at sign-in (works offline).
fn signed_in_doctor(store: &Store) -> Result<(DoctorId, Option<DoctorFacts>), DesktopError> {
    let me = store
        .setting(&settings::ME)?
        .ok_or_else(DesktopError::not_signed_in)?;
    let doctor: Option<DoctorFacts> = me.doctor.and_then(|v| serde_json::from_value(v).ok());
    let id = match (&doctor, store.setting(&settings::LOCAL_DOCTOR)?) {
        (Some(d), _) => d.id,
        (None, Some(id)) if me.role.as_deref() == Some("doctor") => id,
        _ => {
            return Err(DesktopError::new(
                "not_a_doctor",
                "Cet espace est celui des médecins remplaçants.",
            ));
        }
    };
    Ok((id, doctor))
}

/// An availability of the signed-in doctor, or `not_found`.
fn own(store: &Store, doctor: DoctorId, id: AvailabilityId) -> Result<Availability, DesktopError> {
    match store.get_availability(id)? {
        Some(a) if a.doctor_id == doctor => Ok(a),
        _ => Err(DesktopError::new("not_found", "Disponibilité introuvable.")),
    }
}

/// Who the doctor space is for (name, départements, verification status).
#[tauri::command]
pub async fn doctor_space(app: AppHandle) -> Result<DoctorSpace, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let store = state.ui()?;
        let (id, doctor) = signed_in_doctor(&store)?;
        Ok(match doctor {
            Some(d) => DoctorSpace {
                doctor_id: id.to_string(),
                name: format!("Dr {} {}", d.first_name, d.last_name),
                departments: d.departments.clone(),
                status: d.status.clone().unwrap_or_default(),
            },
            None => DoctorSpace {
                doctor_id: id.to_string(),
                name: String::new(),
                departments: Vec::new(),
                status: String::new(),
            },
        })
    })
    .await
}

/// The occurrences overlapping `[from, to)` (RFC 3339), series expanded, exceptions removed.
#[tauri::command]
pub async fn calendar_range(
    app: AppHandle,
    from: String,
    to: String,
) -> Result<Vec<OccurrenceView>, DesktopError> {
    blocking(move || {
        let window = Interval::new(instant(&from)?, instant(&to)?)?;
        let state = app.state::<AppState>();
        let store = state.ui()?;
        let (doctor, _) = signed_in_doctor(&store)?;
        let rows = store.occurrences(doctor, window, MAX_OCCURRENCES)?;
        Ok(rows.iter().map(|(o, a)| view(o, a)).collect())
    })
    .await
}

/// Adds an availability (one slot or a series) and queues it for the server; returns its id.
#[tauri::command]
pub async fn availability_add(
    app: AppHandle,
    form: AvailabilityForm,
) -> Result<String, DesktopError> {
    let handle = app.clone();
    let id = blocking(move || {
        let draft = form.draft()?;
        let state = handle.state::<AppState>();
        let mut store = state.ui()?;
        let (doctor, _) = signed_in_doctor(&store)?;
        let availability = draft.build(AvailabilityId::new(), doctor)?;
        store.add_availability(&availability)?;
        tracing::info!(id = %availability.id, kind = ?availability.kind, "availability added");
        Ok(availability.id.to_string())
    })
    .await?;
    app.state::<AppState>().wake_sync();
    worker::emit_status(&app);
    Ok(id)
}

/// Removes a whole availability (every occurrence of a series) and queues the deletion. A slot a
/// mission holds is refused by the store (`availability_booked`).
#[tauri::command]
pub async fn availability_remove(app: AppHandle, id: String) -> Result<(), DesktopError> {
    let handle = app.clone();
    blocking(move || {
        let id: AvailabilityId = checked_id(&id)?;
        let state = handle.state::<AppState>();
        let mut store = state.ui()?;
        let (doctor, _) = signed_in_doctor(&store)?;
        own(&store, doctor, id)?;
        store.remove_availability(id)?;
        Ok(())
    })
    .await?;
    app.state::<AppState>().wake_sync();
    worker::emit_status(&app);
    Ok(())
}

/// Removes one occurrence (its local date) of a series; the rest of the series stays.
#[tauri::command]
pub async fn occurrence_remove(
    app: AppHandle,
    id: String,
    local_date: String,
) -> Result<(), DesktopError> {
    let handle = app.clone();
    blocking(move || {
        let id: AvailabilityId = checked_id(&id)?;
        let day = date(&local_date)?;
        let state = handle.state::<AppState>();
        let mut store = state.ui()?;
        let (doctor, _) = signed_in_doctor(&store)?;
        let mut availability = own(&store, doctor, id)?;
        availability.remove_occurrence(day)?;
        store.update_availability(&availability)?;
        Ok(())
    })
    .await?;
    app.state::<AppState>().wake_sync();
    worker::emit_status(&app);
    Ok(())
}

/// A busy period imported from another calendar, drawn behind the availabilities.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BusyView {
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
    /// The event's title in its calendar, when it had one.
    pub summary: Option<String>,
}

/// What an import did, for the notice.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BusyImportView {
    /// Busy periods read.
    pub periods: u32,
    /// Added or changed.
    pub upserted: u32,
    /// Removed (no longer in that calendar).
    pub removed: u32,
}

/// The busy periods overlapping `[from, to)`.
#[tauri::command]
pub async fn busy_range(
    app: AppHandle,
    from: String,
    to: String,
) -> Result<Vec<BusyView>, DesktopError> {
    blocking(move || {
        let window = Interval::new(instant(&from)?, instant(&to)?)?;
        let state = app.state::<AppState>();
        let store = state.ui()?;
        let (doctor, _) = signed_in_doctor(&store)?;
        Ok(store
            .list_busy_range(doctor, window)?
            .into_iter()
            .map(|b| BusyView {
                start: b.interval.start().to_rfc3339(),
                end: b.interval.end().to_rfc3339(),
                summary: b.summary,
            })
            .collect())
    })
    .await
}

/// Imports another calendar's `.ics` export as busy times (the file's bytes are the raw request body,
/// its name in `x-source`, percent-encoded): all or nothing, the same source replaced on re-import,
/// queued for sync (`rempla_client::busy_import`, as on the phones).
#[tauri::command]
pub async fn busy_import(
    app: AppHandle,
    request: tauri::ipc::Request<'_>,
) -> Result<BusyImportView, DesktopError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(DesktopError::new(
            "ical_empty",
            "Le fichier n'est pas arrivé : choisissez-le de nouveau.",
        ));
    };
    let source = request
        .headers()
        .get("x-source")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::doctor_account::percent_decode)
        .unwrap_or_default();
    let bytes = bytes.clone();
    let handle = app.clone();
    let done = blocking(move || {
        let state = handle.state::<AppState>();
        let mut store = state.ui()?;
        let (doctor, _) = signed_in_doctor(&store)?;
        let zone = "Europe/Paris";
        rempla_client::busy_import::import_busy_ics(
            &mut store,
            doctor,
            &bytes,
            zone,
            &source,
            Utc::now(),
        )
        .map_err(|e| match e {
            rempla_client::busy_import::BusyImportError::Store(e) => DesktopError::from(e),
            e @ rempla_client::busy_import::BusyImportError::Refused { .. } => {
                DesktopError::new(e.code(), format!("Agenda non importé : {e}"))
            }
        })
    })
    .await?;
    app.state::<AppState>().wake_sync();
    worker::emit_status(&app);
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(BusyImportView {
        periods: n(done.periods),
        upserted: n(done.upserted),
        removed: n(done.removed),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn form(kind: ShiftKind, date: &str) -> AvailabilityForm {
        AvailabilityForm {
            kind,
            date: Some(date.into()),
            department: "22".into(),
            custom_start: None,
            custom_end: None,
            rrule: None,
            exceptions: vec![],
            note: None,
        }
    }

    #[test]
    fn a_form_becomes_cores_shift_in_the_departments_zone() {
        let mut f = form(ShiftKind::Night, "2027-01-12");
        f.rrule = Some("FREQ=WEEKLY;COUNT=4".into());
        f.exceptions = vec!["2027-01-19".into()];
        let a = f
            .draft()
            .unwrap()
            .build(AvailabilityId::new(), DoctorId::new())
            .unwrap();
        assert_eq!(a.interval.start().to_rfc3339(), "2027-01-12T19:00:00+00:00");
        let window = Interval::new(
            a.interval.start(),
            a.interval.start() + chrono::Duration::days(40),
        )
        .unwrap();
        assert_eq!(a.occurrences_in(&window, 10).unwrap().len(), 3);
    }

    #[test]
    fn bad_forms_get_a_code_and_a_french_message() {
        let cases = [
            (form(ShiftKind::Day, "12/01/2027"), "invalid_date"),
            (
                AvailabilityForm {
                    department: "999".into(),
                    ..form(ShiftKind::Day, "2027-01-12")
                },
                "invalid_department",
            ),
            (form(ShiftKind::Custom, "2027-01-12"), "custom_needs_bounds"),
            (
                AvailabilityForm {
                    note: Some("x".repeat(501)),
                    ..form(ShiftKind::Day, "2027-01-12")
                },
                "too_long",
            ),
        ];
        for (f, code) in cases {
            assert_eq!(f.draft().unwrap_err().code, code);
        }
        // A day garde on a Tuesday is core's refusal, in French.
        let e: DesktopError = form(ShiftKind::GardeDay, "2027-01-12")
            .draft()
            .unwrap()
            .build(AvailabilityId::new(), DoctorId::new())
            .unwrap_err()
            .into();
        assert!(e.message.starts_with("Créneau impossible"), "{}", e.message);
    }
}
