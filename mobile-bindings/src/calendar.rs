//! [`OfflineCalendar`]: the doctor's offline store as one object — availabilities (slots and series),
//! the notifications inbox, the cache of open requests, and the count of changes waiting for sync.
//!
//! Each method parses its arguments, takes the store lock, makes one core call and converts the answer.
//! Events are emitted after the lock is released, so a listener may call back into the object.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use chrono::{Duration, Utc};
use rempla_client::busy_import;
use rempla_core::calendar::{CalendarError, Interval};
use rempla_core::domain::{
    Availability, AvailabilityDraft, AvailabilityId, DoctorId, Notification, NotificationId,
};
use rempla_core::ical::{CalendarExport, CalendarHeader, export_calendar};
use rempla_store::{NotificationOrder, Store};

use crate::convert::{self, utc_text};
use crate::error::RemplaError;
use crate::events::{EventListener, Listeners, RemplaEvent};
use crate::records::{
    AvailabilityInput, AvailabilityRecord, ImportSummary, NotificationRecord, Occurrence, ShiftKind,
};

/// Most occurrences one `list_range` returns; a wider window is refused (`window_too_wide`).
pub const MAX_LISTED: usize = 20_000;
/// Largest `.ics` accepted before parsing (core's reader has its own, finer limits).
pub const MAX_ICS_BYTES: usize = busy_import::MAX_ICS_BYTES;
/// Most notifications one inbox call returns.
pub const MAX_NOTIFICATIONS: u32 = 1_000;

/// Native objects alive now (constructed and not yet closed), for leak tests and diagnostics.
static LIVE: AtomicU64 = AtomicU64::new(0);

/// How many native `OfflineCalendar` objects are alive: lets tests check that `close()` frees them.
#[uniffi::export]
pub fn live_native_objects() -> u64 {
    LIVE.load(Ordering::SeqCst)
}

/// The doctor's offline calendar, inbox and request cache, kept in one SQLite file on the device.
#[derive(Debug, uniffi::Object)]
pub struct OfflineCalendar {
    store: Mutex<Store>,
    /// The file, when not in memory: a sync round opens its own connection on it, so edits made while
    /// the network is slow do not wait for the round.
    path: Option<String>,
    /// The doctor whose calendar this is: a provisional local id until the first login, then the
    /// account's doctor (see `account.rs`).
    doctor: RwLock<DoctorId>,
    pub(crate) listeners: Listeners,
}

impl Drop for OfflineCalendar {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

impl OfflineCalendar {
    fn from_store(mut store: Store, path: Option<String>) -> Result<Arc<Self>, RemplaError> {
        // Created on first open so the calendar works before sign-in; the shared sign-in replaces it with
        // the account's doctor.
        let doctor = rempla_client::session::local_doctor(&mut store)?;
        LIVE.fetch_add(1, Ordering::SeqCst);
        Ok(Arc::new(Self {
            store: Mutex::new(store),
            path,
            doctor: RwLock::new(doctor),
            listeners: Listeners::default(),
        }))
    }

    /// The store, even if an earlier call panicked while holding it: every store change is one SQLite
    /// transaction, so the store is consistent whatever happened.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The calendar's file, `None` in memory.
    pub(crate) fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The doctor whose calendar this is now.
    pub(crate) fn doctor(&self) -> DoctorId {
        match self.doctor.read() {
            Ok(d) => *d,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// Makes `doctor` the owner of this calendar (after a login as that doctor).
    pub(crate) fn set_doctor(&self, doctor: DoctorId) {
        match self.doctor.write() {
            Ok(mut d) => *d = doctor,
            Err(poisoned) => *poisoned.into_inner() = doctor,
        }
    }

    fn draft(input: &AvailabilityInput) -> Result<AvailabilityDraft, RemplaError> {
        let custom = match (&input.custom_start, &input.custom_end) {
            (Some(s), Some(e)) => Some((convert::instant(s)?, convert::instant(e)?)),
            (None, None) => None,
            _ if input.kind == ShiftKind::Custom => {
                return Err(CalendarError::CustomNeedsBounds.into());
            }
            _ => return Err(CalendarError::BoundsNeedCustom.into()),
        };
        Ok(AvailabilityDraft {
            kind: input.kind,
            date: input.date.as_deref().map(convert::date).transpose()?,
            department: convert::department(&input.department)?,
            custom,
            rrule: input.rrule.clone(),
            exceptions: input
                .exceptions
                .iter()
                .map(|d| convert::date(d))
                .collect::<Result<_, _>>()?,
            note: input.note.clone(),
        })
    }

    fn get(&self, store: &Store, id: AvailabilityId) -> Result<Availability, RemplaError> {
        match store.get_availability(id)? {
            Some(a) if a.doctor_id == self.doctor() => Ok(a),
            _ => Err(RemplaError::NotFound {
                code: "not_found".to_owned(),
                reason: format!("disponibilité introuvable : {id}"),
            }),
        }
    }

    pub(crate) fn notifications_changed(&self) -> Result<(), RemplaError> {
        let unread = self.store().unread_notification_count()?;
        self.listeners
            .emit(RemplaEvent::NotificationsChanged { unread });
        Ok(())
    }
}

fn record(a: &Availability) -> AvailabilityRecord {
    let local = |t: chrono::DateTime<Utc>| t.with_timezone(&a.zone).date_naive().to_string();
    AvailabilityRecord {
        id: a.id.to_string(),
        kind: a.kind,
        start: utc_text(a.interval.start()),
        end: utc_text(a.interval.end()),
        zone: a.zone.name().to_owned(),
        local_date: local(a.interval.start()),
        rrule: a.recurrence.as_ref().map(|r| r.rrule.clone()),
        exceptions: a
            .recurrence
            .as_ref()
            .map(|r| r.exdates.iter().map(|t| local(*t)).collect())
            .unwrap_or_default(),
        status: a.status,
        note: a.note.clone(),
        revision: a.revision,
    }
}

fn occurrence(a: &Availability, o: &Interval) -> Occurrence {
    let start = o.start().with_timezone(&a.zone);
    let end = o.end().with_timezone(&a.zone);
    Occurrence {
        availability_id: a.id.to_string(),
        kind: a.kind,
        start: utc_text(o.start()),
        end: utc_text(o.end()),
        zone: a.zone.name().to_owned(),
        local_date: start.date_naive().to_string(),
        local_start: start.format("%H:%M").to_string(),
        local_end: end.format("%H:%M").to_string(),
        status: a.status,
        is_series: a.recurrence.is_some(),
        note: a.note.clone(),
    }
}

fn notification_record(n: &Notification) -> NotificationRecord {
    NotificationRecord {
        id: n.id.to_string(),
        kind: n.kind.clone(),
        title: n.title.clone(),
        body: n.body.clone(),
        created_at: utc_text(n.created_at),
        read_at: n.read_at.map(utc_text),
        payload_json: n.payload.to_string(),
    }
}

/// The export horizon: series are checked for DST-length overrides and zones described from a month ago
/// to two years ahead (what calendar apps show).
fn export_horizon() -> Result<Interval, RemplaError> {
    let now = Utc::now();
    Ok(Interval::new(
        now - Duration::days(31),
        now + Duration::days(2 * 366),
    )?)
}

#[uniffi::export]
impl OfflineCalendar {
    /// Opens (creating and migrating if needed) the calendar stored at `path`, e.g. in the app's files
    /// directory. A database written by a newer app version is refused (`schema_too_new`).
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, RemplaError> {
        if path.trim().is_empty() {
            return Err(RemplaError::invalid(
                "empty",
                "le chemin de la base ne peut pas être vide",
            ));
        }
        Self::from_store(Store::open(&path)?, Some(path))
    }

    /// A private calendar in memory (previews, tests): same rules, nothing written to disk.
    #[uniffi::constructor]
    pub fn open_in_memory() -> Result<Arc<Self>, RemplaError> {
        Self::from_store(Store::open_in_memory()?, None)
    }

    /// Installs the listener that receives this calendar's events (replacing any previous one).
    pub fn set_event_listener(&self, listener: Box<dyn EventListener>) {
        self.listeners.set(Some(Arc::from(listener)));
    }

    /// Removes the listener (e.g. when the screen goes away).
    pub fn clear_event_listener(&self) {
        self.listeners.set(None);
    }

    /// The local doctor id whose calendar this is (UUID).
    pub fn doctor_id(&self) -> String {
        self.doctor().to_string()
    }

    /// This device's id (UUID), stamped on every change sent to the server.
    pub fn device_id(&self) -> String {
        self.store().device_id().to_string()
    }

    /// Adds an availability (a slot or a series) and queues it for sync; returns its new id.
    pub fn add_availability(&self, input: AvailabilityInput) -> Result<String, RemplaError> {
        let draft = Self::draft(&input)?;
        let availability = draft.build(AvailabilityId::new(), self.doctor())?;
        self.store().add_availability(&availability)?;
        Ok(availability.id.to_string())
    }

    /// Replaces an availability with the form's new content (same id; status kept) and queues the
    /// changed fields. Returns whether anything changed. A booked slot is refused (`availability_booked`).
    pub fn edit_availability(
        &self,
        id: String,
        input: AvailabilityInput,
    ) -> Result<bool, RemplaError> {
        let id: AvailabilityId = convert::id(&id)?;
        let draft = Self::draft(&input)?;
        let mut store = self.store();
        let old = self.get(&store, id)?;
        let mut new = draft.build(id, self.doctor())?;
        new.status = old.status;
        Ok(store.update_availability(&new)?.is_some())
    }

    /// Removes an availability (a slot or a whole series) and queues the deletion.
    pub fn remove_availability(&self, id: String) -> Result<(), RemplaError> {
        let id: AvailabilityId = convert::id(&id)?;
        let mut store = self.store();
        self.get(&store, id)?;
        store.remove_availability(id)?;
        Ok(())
    }

    /// Removes the occurrence of a series on a local date (`YYYY-MM-DD`); the rest of the series stays.
    pub fn remove_occurrence(&self, id: String, date: String) -> Result<(), RemplaError> {
        let id: AvailabilityId = convert::id(&id)?;
        let date = convert::date(&date)?;
        let mut store = self.store();
        let mut availability = self.get(&store, id)?;
        availability.remove_occurrence(date)?;
        store.update_availability(&availability)?;
        Ok(())
    }

    /// One availability (slot or whole series), e.g. to fill the edit form.
    pub fn get_availability(&self, id: String) -> Result<AvailabilityRecord, RemplaError> {
        let id: AvailabilityId = convert::id(&id)?;
        let store = self.store();
        Ok(record(&self.get(&store, id)?))
    }

    /// The occurrences overlapping `[from, to)` (RFC 3339 instants, e.g. a month in the device's zone),
    /// series expanded and exceptions removed, by start. More than 20,000 is refused (`window_too_wide`).
    pub fn list_range(&self, from: String, to: String) -> Result<Vec<Occurrence>, RemplaError> {
        let window = Interval::new(convert::instant(&from)?, convert::instant(&to)?)?;
        let rows = self
            .store()
            .occurrences(self.doctor(), window, MAX_LISTED)?;
        Ok(rows.iter().map(|(o, a)| occurrence(a, o)).collect())
    }

    /// The whole calendar as an iCalendar file (with VTIMEZONEs), to share with Google, Apple or
    /// Thunderbird calendars.
    pub fn export_ics(&self) -> Result<String, RemplaError> {
        let availabilities = self.store().list_availabilities(self.doctor())?;
        Ok(export_calendar(&CalendarExport {
            availabilities: &availabilities,
            missions: &[],
            dtstamp: Utc::now(),
            horizon: export_horizon()?,
            open_shifts: &[],
            header: CalendarHeader::default(),
        }))
    }

    /// Imports the busy times of another calendar's `.ics` export, all or nothing. `zone` (IANA) is used
    /// for floating times; `source` names the calendar (e.g. `google:travail`): re-importing the same
    /// source replaces its previous import, matched by event UID.
    pub fn import_ics(
        &self,
        ics: Vec<u8>,
        zone: String,
        source: String,
    ) -> Result<ImportSummary, RemplaError> {
        let doctor = self.doctor();
        let done = busy_import::import_busy_ics(
            &mut self.store(),
            doctor,
            &ics,
            &zone,
            &source,
            Utc::now(),
        )
        .map_err(|e| match e {
            busy_import::BusyImportError::Store(e) => e.into(),
            e @ busy_import::BusyImportError::Refused { .. } => {
                RemplaError::invalid(e.code(), e.to_string())
            }
        })?;
        Ok(ImportSummary {
            periods: done.periods as u64,
            upserted: done.upserted as u64,
            removed: done.removed as u64,
            unchanged: done.unchanged as u64,
        })
    }

    /// Local changes waiting to be sent to the server (the "not synced yet" badge).
    pub fn pending_changes(&self) -> Result<u64, RemplaError> {
        Ok(self.store().pending_op_count()?)
    }

    /// The inbox: up to `limit` notifications (at most 1,000), unread first or newest first.
    pub fn notifications(
        &self,
        unread_first: bool,
        limit: u32,
    ) -> Result<Vec<NotificationRecord>, RemplaError> {
        let order = if unread_first {
            NotificationOrder::UnreadFirst
        } else {
            NotificationOrder::Newest
        };
        let limit = limit.min(MAX_NOTIFICATIONS) as usize;
        Ok(self
            .store()
            .list_notifications(order, limit)?
            .iter()
            .map(notification_record)
            .collect())
    }

    /// How many notifications are unread (the badge).
    pub fn unread_notifications(&self) -> Result<u64, RemplaError> {
        Ok(self.store().unread_notification_count()?)
    }

    /// Marks a notification read (queued for the other devices); returns false if it already was.
    /// Emits `NotificationsChanged` when it changed.
    pub fn mark_notification_read(&self, id: String) -> Result<bool, RemplaError> {
        let id: NotificationId = convert::id(&id)?;
        let changed = self
            .store()
            .mark_notification_read(id, Utc::now())?
            .is_some();
        if changed {
            self.notifications_changed()?;
        }
        Ok(changed)
    }

    /// Stores a notification delivered by a push message (FCM/APNs data payload or UnifiedPush body: the
    /// server's notification record as JSON), so it shows in the inbox before the next sync. Emits
    /// `NotificationsChanged`.
    pub fn receive_notification(&self, json: String) -> Result<(), RemplaError> {
        if json.len() > 64 * 1024 {
            return Err(RemplaError::invalid(
                "too_long",
                "notification de plus de 64 Kio refusée",
            ));
        }
        let notification: Notification = serde_json::from_str(&json).map_err(|e| {
            RemplaError::invalid(
                "invalid_notification",
                format!("notification illisible : {e}"),
            )
        })?;
        self.store().upsert_notifications(&[notification])?;
        self.notifications_changed()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use super::*;

    struct Recorder(Arc<StdMutex<Vec<RemplaEvent>>>);

    impl EventListener for Recorder {
        fn on_event(&self, event: RemplaEvent) {
            self.0.lock().unwrap().push(event);
        }
    }

    fn weekly_nights() -> AvailabilityInput {
        AvailabilityInput {
            kind: ShiftKind::Night,
            date: Some("2027-03-01".into()),
            department: "971".into(),
            custom_start: None,
            custom_end: None,
            rrule: Some("FREQ=WEEKLY;COUNT=3".into()),
            exceptions: vec![],
            note: Some("  CHU de Pointe-à-Pitre ".into()),
        }
    }

    #[test]
    fn a_series_is_listed_in_its_zone_and_loses_one_occurrence() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let id = cal.add_availability(weekly_nights()).unwrap();
        cal.remove_occurrence(id.clone(), "2027-03-08".into())
            .unwrap();
        let rows = cal
            .list_range("2027-03-01T00:00:00Z".into(), "2027-04-01T00:00:00Z".into())
            .unwrap();
        let starts: Vec<&str> = rows.iter().map(|o| o.start.as_str()).collect();
        // 20:00 in Guadeloupe (UTC−4, no DST) is 00:00 UTC the next day.
        assert_eq!(starts, ["2027-03-02T00:00:00Z", "2027-03-16T00:00:00Z"]);
        assert_eq!(rows[0].local_date, "2027-03-01");
        assert_eq!(
            (rows[0].local_start.as_str(), rows[0].local_end.as_str()),
            ("20:00", "08:00")
        );
        assert_eq!(rows[0].note.as_deref(), Some("CHU de Pointe-à-Pitre"));
        assert_eq!(cal.get_availability(id).unwrap().exceptions, ["2027-03-08"]);
        assert_eq!(cal.pending_changes().unwrap(), 2);
    }

    #[test]
    fn notifications_emit_events_after_the_change() {
        let cal = OfflineCalendar::open_in_memory().unwrap();
        let seen = Arc::new(StdMutex::new(Vec::new()));
        cal.set_event_listener(Box::new(Recorder(Arc::clone(&seen))));
        let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        cal.receive_notification(format!(
            r#"{{"id":"{id}","kind":"k","title":"t","body":"b","created_at":"2027-03-10T09:00:00Z"}}"#
        ))
        .unwrap();
        assert!(cal.mark_notification_read(id.into()).unwrap());
        assert!(!cal.mark_notification_read(id.into()).unwrap());
        assert_eq!(
            *seen.lock().unwrap(),
            [
                RemplaEvent::NotificationsChanged { unread: 1 },
                RemplaEvent::NotificationsChanged { unread: 0 }
            ]
        );
        cal.clear_event_listener();
        assert_eq!(
            cal.receive_notification("[]".into()).unwrap_err().code(),
            "invalid_notification"
        );
    }
}
