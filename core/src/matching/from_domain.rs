//! From stored domain records to what matching reads: a `Doctor` becomes a [`DoctorProfile`], a
//! `Request` an [`OpenRequest`], an `Availability` (slot or recurring series) its [`Slot`]s inside a
//! horizon. The server's index and the phone's cache both go through here, so they see the same inputs.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::MatchingError;
use super::model::{DoctorProfile, OpenRequest, Shift, Slot};
use crate::calendar::{Department, Interval};
use crate::domain::{Availability, AvailabilityId, Doctor, Request, RequestStatus, Specialty};

/// Most occurrences one series contributes to the index (a daily series over the horizon is ~550).
pub const MAX_OCCURRENCES_PER_SERIES: usize = 2_000;

fn invalid(what: &str, e: &(impl std::fmt::Display + ?Sized), code: &'static str) -> MatchingError {
    MatchingError::InvalidField {
        what: what.to_owned(),
        reason: e.to_string(),
        code,
    }
}

/// What matching knows of a stored doctor. `active` is false for a paused or closed account.
pub fn doctor_profile(doctor: &Doctor, active: bool) -> Result<DoctorProfile, MatchingError> {
    let departments = doctor
        .departments
        .iter()
        .map(|d| {
            Department::parse(d).map_err(|e| {
                invalid(
                    &format!("médecin {} : département", doctor.id),
                    &e,
                    e.code(),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DoctorProfile {
        id: doctor.id,
        status: doctor.status,
        active,
        specialties: doctor.specialties.clone(),
        qualification: doctor.qualification,
        base: doctor.base,
        travel_radius_km: doctor.travel_radius_km,
        departments,
        languages: doctor.languages.clone(),
    })
}

/// The open request matching sees, or `None` when the request is not open (filled, cancelled, closed).
pub fn open_request(request: &Request) -> Result<Option<OpenRequest>, MatchingError> {
    if request.status != RequestStatus::Open {
        return Ok(None);
    }
    let what = |field: &str| format!("demande {} : {field}", request.id);
    let specialty = Specialty::parse(&request.specialty)
        .map_err(|e| invalid(&what("spécialité"), &e, e.code()))?;
    let department = Department::parse(&request.department)
        .map_err(|e| invalid(&what("département"), &e, e.code()))?;
    Ok(Some(OpenRequest {
        id: request.id,
        specialty,
        location: request.location,
        department,
        zone: request.zone,
        shifts: request
            .shifts
            .iter()
            .map(|s| Shift {
                kind: s.kind,
                interval: s.interval,
            })
            .collect(),
        thesed_only: request.requirements.thesed_only,
        languages: request.requirements.languages.clone(),
    }))
}

/// The slots of an availability overlapping `horizon`: the slot itself, or each occurrence of a series
/// with its own id ([`occurrence_id`]). A series with more than [`MAX_OCCURRENCES_PER_SERIES`]
/// occurrences in the horizon is an error, never a silent truncation.
pub fn availability_slots(
    availability: &Availability,
    horizon: &Interval,
) -> Result<Vec<Slot>, MatchingError> {
    let periods = availability
        .occurrences_in(horizon, MAX_OCCURRENCES_PER_SERIES)
        .map_err(|e| {
            invalid(
                &format!("disponibilité {} : récurrence", availability.id),
                &e,
                e.code(),
            )
        })?;
    let series = availability.recurrence.is_some();
    Ok(periods
        .into_iter()
        .map(|interval| Slot {
            id: if series {
                occurrence_id(availability.id, interval.start())
            } else {
                availability.id
            },
            doctor: availability.doctor_id,
            interval,
            kind: availability.kind,
            status: availability.status,
        })
        .collect())
}

/// A stable id for one occurrence of a series: the index needs one id per slot, and an occurrence has
/// none of its own. A UUIDv8 keeping the series id's first 8 bytes (its creation time and randomness)
/// and mixing the rest with the occurrence start, so occurrences of one series never collide and two
/// series collide only if their ids already share 64 bits. (Written here because no crate derives ids
/// this way; a collision would surface as the index's `duplicate_id` error, not a wrong answer.)
pub fn occurrence_id(series: AvailabilityId, start: DateTime<Utc>) -> AvailabilityId {
    let bytes = series.as_uuid().as_bytes();
    let mut out = [0_u8; 16];
    out[..8].copy_from_slice(&bytes[..8]);
    let mut low = [0_u8; 8];
    low.copy_from_slice(&bytes[8..]);
    #[allow(clippy::cast_sign_loss)]
    let mixed =
        u64::from_be_bytes(low) ^ (start.timestamp() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    out[8..].copy_from_slice(&mixed.to_be_bytes());
    AvailabilityId::from_uuid(Uuid::new_v8(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ShiftKind;
    use crate::calendar::recurrence::Recurrence;
    use crate::domain::{
        AvailabilityStatus, DoctorId, DoctorStatus, FacilityId, GeoPoint, Qualification, RequestId,
        RequestShift, Requirements, Rpps, SiteId,
    };

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn doctor(departments: Vec<String>) -> Doctor {
        Doctor {
            id: DoctorId::new(),
            rpps: Rpps::parse("10000001916").unwrap(),
            first_name: "Camille".into(),
            last_name: "Durand".into(),
            specialties: vec![Specialty::parse("medecine-generale").unwrap()],
            status: DoctorStatus::Verified,
            qualification: Qualification::Thesed,
            base: Some(GeoPoint::new(48.73, -3.46).unwrap()),
            travel_radius_km: 60,
            departments,
            languages: vec![],
            contact: None,
        }
    }

    #[test]
    fn doctor_profile_parses_departments_and_refuses_unknown_ones() {
        let p = doctor_profile(&doctor(vec!["22".into(), "2a".into()]), true).unwrap();
        assert_eq!(p.departments.len(), 2);
        assert!(p.proposable());
        let err = doctor_profile(&doctor(vec!["99".into()]), true).unwrap_err();
        assert_eq!(err.code(), "unknown_department");
        assert!(!doctor_profile(&doctor(vec![]), false).unwrap().proposable());
    }

    fn request(status: RequestStatus, specialty: &str) -> Request {
        Request {
            id: RequestId::new(),
            facility_id: FacilityId::new(),
            site_id: SiteId::new(),
            specialty: specialty.into(),
            shifts: vec![RequestShift {
                kind: ShiftKind::Day,
                interval: Interval::new(at("2027-03-01T07:00:00Z"), at("2027-03-01T17:00:00Z"))
                    .unwrap(),
            }],
            zone: chrono_tz::Europe::Paris,
            department: "22".into(),
            location: GeoPoint::new(48.73, -3.46).unwrap(),
            doctors_needed: 1,
            requirements: Requirements::default(),
            remuneration_cents_per_day: None,
            status,
            revision: 0,
        }
    }

    #[test]
    fn only_open_requests_are_matched() {
        let open = open_request(&request(RequestStatus::Open, "medecine-generale")).unwrap();
        assert_eq!(open.unwrap().shifts.len(), 1);
        assert!(
            open_request(&request(RequestStatus::Filled, "medecine-generale"))
                .unwrap()
                .is_none()
        );
        let err = open_request(&request(RequestStatus::Open, "astrologie")).unwrap_err();
        assert_eq!(err.code(), "unknown_specialty");
    }

    #[test]
    fn a_series_becomes_one_slot_per_occurrence_with_distinct_stable_ids() {
        let first = Interval::new(at("2027-03-01T07:00:00Z"), at("2027-03-01T17:00:00Z")).unwrap();
        let availability = Availability {
            id: AvailabilityId::new(),
            doctor_id: DoctorId::new(),
            interval: first,
            zone: chrono_tz::Europe::Paris,
            kind: ShiftKind::Day,
            recurrence: Some(Recurrence {
                rrule: "FREQ=WEEKLY;COUNT=10".into(),
                exdates: vec![],
            }),
            status: AvailabilityStatus::Open,
            note: None,
            revision: 0,
        };
        let horizon =
            Interval::new(at("2027-02-01T00:00:00Z"), at("2027-04-01T00:00:00Z")).unwrap();
        let slots = availability_slots(&availability, &horizon).unwrap();
        assert_eq!(slots.len(), 5, "Mondays of March 2027 inside the horizon");
        let mut ids: Vec<_> = slots.iter().map(|s| s.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);
        assert_eq!(
            availability_slots(&availability, &horizon).unwrap()[2].id,
            slots[2].id,
            "ids are stable"
        );
        let single = Availability {
            recurrence: None,
            ..availability
        };
        let one = availability_slots(&single, &horizon).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].id, single.id);
    }
}
