//! A doctor's availability: a period (or a recurring series of periods) they offer for replacements.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ids::{AvailabilityId, DoctorId};
use crate::calendar::recurrence::{Recurrence, expand};
use crate::calendar::territory::Department;
use crate::calendar::{CalendarError, Interval, ShiftKind, resolve_local, shift_interval};

/// Booking state of an availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AvailabilityStatus {
    /// Offered to facilities.
    Open,
    /// Reserved by a proposal being answered.
    Held,
    /// Covered by a mission; cannot be deleted or moved by an offline edit.
    Booked,
}

/// One availability of a doctor. For a series, `interval` is the first occurrence and `recurrence` the rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Device-created id.
    pub id: AvailabilityId,
    /// Owner.
    pub doctor_id: DoctorId,
    /// The (first) period, in UTC.
    pub interval: Interval,
    /// Zone in which the period was expressed; recurrences repeat in local time of this zone.
    pub zone: Tz,
    /// Kind of shift offered.
    pub kind: ShiftKind,
    /// Optional recurrence of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    /// Booking state.
    pub status: AvailabilityStatus,
    /// Free text shown to the doctor only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Incremented on every change; exported as iCalendar `SEQUENCE`.
    #[serde(default)]
    pub revision: u32,
}

/// Longest accepted note, in bytes: a note is a line or two for the doctor, longer text is hostile.
pub const MAX_NOTE_BYTES: usize = 2_000;

/// What a doctor types to add (or re-enter) an availability, before it becomes a record: either a shift
/// kind on a local date (its hours come from the template, in the département's zone), or a `Custom`
/// period with explicit bounds; optionally repeated by an RRULE minus some local dates.
///
/// Every front end (CLI, phones, desktop) builds availabilities through this one value, so they all
/// apply the same rules and report the same error codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityDraft {
    /// Kind of shift offered.
    pub kind: ShiftKind,
    /// Local date of the (first) shift; required unless `kind` is `Custom`.
    pub date: Option<NaiveDate>,
    /// Département of the places the doctor offers this slot in: its zone and holidays apply.
    pub department: Department,
    /// Explicit bounds of a `Custom` period (both or neither).
    pub custom: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// RFC 5545 rule repeating the slot (with or without the `RRULE:` prefix).
    pub rrule: Option<String>,
    /// Local dates on which the series does not happen.
    pub exceptions: Vec<NaiveDate>,
    /// Free text for the doctor.
    pub note: Option<String>,
}

impl AvailabilityDraft {
    /// Checks the draft and builds the open availability `id` of `doctor`: the interval from the shift
    /// template (a day garde only on a Sunday or a public holiday of the département) or the custom bounds,
    /// the recurrence validated against its first occurrence, exceptions turned into exact start instants.
    pub fn build(
        &self,
        id: AvailabilityId,
        doctor: DoctorId,
    ) -> Result<Availability, CalendarError> {
        let zone = self.department.time_zone();
        let interval = match (self.kind, self.custom, self.date) {
            (ShiftKind::Custom, Some((start, end)), _) => Interval::new(start, end)?,
            (ShiftKind::Custom, None, _) => return Err(CalendarError::CustomNeedsBounds),
            (_, Some(_), _) => return Err(CalendarError::BoundsNeedCustom),
            (kind, None, Some(date)) => shift_interval(kind, date, &self.department)?,
            (_, None, None) => return Err(CalendarError::MissingDate),
        };
        let recurrence = match self.rrule.as_deref().map(str::trim) {
            Some(rule) if !rule.is_empty() => {
                let exdates = self
                    .exceptions
                    .iter()
                    .map(|d| occurrence_start(&interval, zone, *d))
                    .collect::<Result<Vec<_>, _>>()?;
                let recurrence = Recurrence {
                    rrule: rule.trim_start_matches("RRULE:").to_owned(),
                    exdates,
                };
                recurrence.validate(&interval, zone)?;
                Some(recurrence)
            }
            _ if !self.exceptions.is_empty() => {
                return Err(CalendarError::ExceptionsNeedRecurrence);
            }
            _ => None,
        };
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.len() > MAX_NOTE_BYTES) {
            return Err(CalendarError::NoteTooLong {
                max: MAX_NOTE_BYTES,
            });
        }
        Ok(Availability {
            id,
            doctor_id: doctor,
            interval,
            zone,
            kind: self.kind,
            recurrence,
            status: AvailabilityStatus::Open,
            note: note.map(str::to_owned),
            revision: 0,
        })
    }
}

/// Start instant of the occurrence of a series on a local date: the first occurrence's local start time
/// on that date, in the series' zone (so a 20:00 night stays at 20:00 across DST changes).
pub fn occurrence_start(
    first: &Interval,
    zone: Tz,
    date: NaiveDate,
) -> Result<DateTime<Utc>, CalendarError> {
    let local_time = first.start().with_timezone(&zone).time();
    Ok(resolve_local(zone, date.and_time(local_time))?.to_utc())
}

impl Availability {
    /// The periods of this availability overlapping `window`: the slot itself, or the series' occurrences
    /// (exceptions removed). More than `max` occurrences is an error, never a silent truncation.
    pub fn occurrences_in(
        &self,
        window: &Interval,
        max: usize,
    ) -> Result<Vec<Interval>, CalendarError> {
        match &self.recurrence {
            Some(r) => expand(&self.interval, self.zone, r, window, max),
            None if self.interval.overlaps(window) => Ok(vec![self.interval]),
            None => Ok(Vec::new()),
        }
    }

    /// Removes the occurrence of the series on the local `date` (adds an EXDATE). Refused on a single slot
    /// and on a date without an occurrence; removing an already removed occurrence is also refused, as
    /// there is no occurrence left on that date.
    pub fn remove_occurrence(&mut self, date: NaiveDate) -> Result<DateTime<Utc>, CalendarError> {
        let start = occurrence_start(&self.interval, self.zone, date)?;
        let Some(recurrence) = self.recurrence.as_mut() else {
            return Err(CalendarError::NotASeries);
        };
        let probe = Interval::new(start, start + Duration::seconds(1))?;
        let hits = expand(&self.interval, self.zone, recurrence, &probe, 2)?;
        if !hits.iter().any(|o| o.start() == start) {
            return Err(CalendarError::NoSuchOccurrence { date });
        }
        recurrence.exdates.push(start);
        recurrence.exdates.sort_unstable();
        Ok(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: ShiftKind, date: &str) -> AvailabilityDraft {
        AvailabilityDraft {
            kind,
            date: Some(date.parse().unwrap()),
            department: Department::parse("75").unwrap(),
            custom: None,
            rrule: None,
            exceptions: Vec::new(),
            note: None,
        }
    }

    #[test]
    fn a_weekly_series_with_an_exception_skips_that_date() {
        let mut d = draft(ShiftKind::Day, "2027-03-01");
        d.rrule = Some("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4".into());
        d.exceptions = vec!["2027-03-08".parse().unwrap()];
        let a = d.build(AvailabilityId::new(), DoctorId::new()).unwrap();
        assert_eq!(
            a.recurrence.as_ref().unwrap().rrule,
            "FREQ=WEEKLY;BYDAY=MO;COUNT=4"
        );
        let month = Interval::new(
            "2027-03-01T00:00:00Z".parse().unwrap(),
            "2027-04-01T00:00:00Z".parse().unwrap(),
        )
        .unwrap();
        let starts: Vec<String> = a
            .occurrences_in(&month, 100)
            .unwrap()
            .iter()
            .map(|o| o.start().to_rfc3339())
            .collect();
        // 08:00 Paris is 07:00 UTC in winter and 06:00 UTC after the 28 March DST change.
        assert_eq!(
            starts,
            [
                "2027-03-01T07:00:00+00:00",
                "2027-03-15T07:00:00+00:00",
                "2027-03-22T07:00:00+00:00"
            ]
        );
    }

    #[test]
    fn removing_an_occurrence_checks_the_series_has_one_that_day() {
        let mut d = draft(ShiftKind::Night, "2027-03-01");
        d.rrule = Some("FREQ=DAILY;COUNT=10".into());
        let mut a = d.build(AvailabilityId::new(), DoctorId::new()).unwrap();
        let removed = a.remove_occurrence("2027-03-03".parse().unwrap()).unwrap();
        assert_eq!(removed.to_rfc3339(), "2027-03-03T19:00:00+00:00");
        let again = a
            .remove_occurrence("2027-03-03".parse().unwrap())
            .unwrap_err();
        assert_eq!(again.code(), "no_such_occurrence");
        let after = a
            .remove_occurrence("2027-04-01".parse().unwrap())
            .unwrap_err();
        assert_eq!(after.code(), "no_such_occurrence");
        let mut single = draft(ShiftKind::Night, "2027-03-01")
            .build(AvailabilityId::new(), DoctorId::new())
            .unwrap();
        let err = single
            .remove_occurrence("2027-03-01".parse().unwrap())
            .unwrap_err();
        assert_eq!(err.code(), "not_a_series");
    }

    #[test]
    fn drafts_that_make_no_sense_are_refused_with_codes() {
        let ids = || (AvailabilityId::new(), DoctorId::new());
        let (i, doc) = ids();
        let garde = draft(ShiftKind::GardeDay, "2027-03-03")
            .build(i, doc)
            .unwrap_err();
        assert_eq!(garde.code(), "garde_day_not_allowed");
        assert!(
            draft(ShiftKind::GardeDay, "2027-03-07")
                .build(i, doc)
                .is_ok()
        );
        let mut custom = draft(ShiftKind::Custom, "2027-03-03");
        assert_eq!(
            custom.build(i, doc).unwrap_err().code(),
            "custom_needs_bounds"
        );
        custom.custom = Some((
            "2027-03-03T10:00:00Z".parse().unwrap(),
            "2027-03-03T09:00:00Z".parse().unwrap(),
        ));
        assert_eq!(custom.build(i, doc).unwrap_err().code(), "empty_interval");
        let mut day = draft(ShiftKind::Day, "2027-03-03");
        day.custom = custom.custom;
        assert_eq!(day.build(i, doc).unwrap_err().code(), "bounds_need_custom");
        let mut day = draft(ShiftKind::Day, "2027-03-03");
        day.date = None;
        assert_eq!(day.build(i, doc).unwrap_err().code(), "missing_date");
        let mut day = draft(ShiftKind::Day, "2027-03-03");
        day.exceptions = vec!["2027-03-10".parse().unwrap()];
        assert_eq!(day.build(i, doc).unwrap_err().code(), "except_needs_repeat");
        let mut day = draft(ShiftKind::Day, "2027-03-03");
        day.note = Some("x".repeat(MAX_NOTE_BYTES + 1));
        assert_eq!(day.build(i, doc).unwrap_err().code(), "note_too_long");
        let mut day = draft(ShiftKind::Day, "2027-03-03");
        day.rrule = Some("FREQ=HOURLY".into());
        assert_eq!(
            day.build(i, doc).unwrap_err().code(),
            "recurrence_frequency_too_fine"
        );
    }
}
