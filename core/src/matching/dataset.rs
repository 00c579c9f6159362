//! The matching dataset: a JSON file anyone can write to check matching on their own data (format by
//! example in `docs/matching.md`), its loading with precise errors, and its writing.
//!
//! Loading goes through "raw" structs with plain fields, then checks every value explicitly, so an error
//! names the record and the rule (`reversed_interval`, `coordinates`, `empty_specialties`…) rather than a
//! serde message. Never panics, whatever the bytes.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::MatchingError;
use super::index::MatchingIndex;
use super::model::{BusyBlock, DoctorProfile, OpenRequest, Shift, Slot};
use crate::calendar::{Department, Interval, ShiftKind};
use crate::domain::{
    AvailabilityId, AvailabilityStatus, DoctorId, DoctorStatus, FacilityId, GeoPoint,
    Qualification, RequestId, RequestStatus, SiteId, Specialty,
};

/// The `format` field every dataset carries.
pub const FORMAT: &str = "rempla-matching-dataset";
/// The format version this code reads and writes.
pub const VERSION: u32 = 1;

/// A facility site, kept for context (requests carry their own position).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteRecord {
    /// Site id.
    pub id: SiteId,
    /// Name shown to doctors.
    pub name: String,
    /// INSEE code of the commune (from the gazetteer).
    pub commune: String,
    /// Département code.
    pub department: String,
    /// Position.
    pub location: RawPoint,
}

/// A facility with its sites.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FacilityRecord {
    /// Facility id.
    pub id: FacilityId,
    /// Name.
    pub name: String,
    /// Sites.
    pub sites: Vec<SiteRecord>,
}

/// Latitude and longitude as written in the file (checked when loaded).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawPoint {
    /// Degrees north.
    pub lat: f64,
    /// Degrees east.
    pub lon: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    meta: serde_json::Value,
    doctors: Vec<RawDoctor>,
    #[serde(default)]
    facilities: Vec<FacilityRecord>,
    requests: Vec<RawRequest>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoctor {
    id: DoctorId,
    status: DoctorStatus,
    #[serde(default = "yes")]
    active: bool,
    specialties: Vec<String>,
    qualification: Qualification,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base: Option<RawPoint>,
    #[serde(default)]
    travel_radius_km: u16,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    departments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    languages: Vec<String>,
    #[serde(default)]
    slots: Vec<RawSlot>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    busy: Vec<RawSpan>,
}

fn yes() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<AvailabilityId>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    kind: ShiftKind,
    #[serde(default = "open")]
    status: AvailabilityStatus,
}

fn open() -> AvailabilityStatus {
    AvailabilityStatus::Open
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpan {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShift {
    kind: ShiftKind,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirements {
    #[serde(default)]
    thesed_only: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    languages: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    id: RequestId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    facility_id: Option<FacilityId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    site_id: Option<SiteId>,
    specialty: String,
    department: String,
    location: RawPoint,
    shifts: Vec<RawShift>,
    #[serde(default)]
    requirements: RawRequirements,
    #[serde(default = "open_request")]
    status: RequestStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    declined_by: Vec<DoctorId>,
}

fn open_request() -> RequestStatus {
    RequestStatus::Open
}

/// A loaded, checked dataset.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Free-form description (generator parameters…), written back as is.
    pub meta: serde_json::Value,
    /// Doctors.
    pub doctors: Vec<DoctorProfile>,
    /// Every doctor's slots.
    pub slots: Vec<Slot>,
    /// Every doctor's imported busy periods.
    pub busy: Vec<BusyBlock>,
    /// Facilities and sites (context only).
    pub facilities: Vec<FacilityRecord>,
    /// Open requests (requests of another status in the file are skipped).
    pub requests: Vec<OpenRequest>,
    /// (request, doctor) pairs: the doctor declined the request.
    pub declines: Vec<(RequestId, DoctorId)>,
    /// Facility and site of each request that names them.
    pub request_sites: HashMap<RequestId, (Option<FacilityId>, Option<SiteId>)>,
}

fn point(raw: RawPoint, what: impl Fn() -> String) -> Result<GeoPoint, MatchingError> {
    GeoPoint::new(raw.lat, raw.lon).map_err(|_| MatchingError::Coordinates {
        what: what(),
        lat: raw.lat.to_string(),
        lon: raw.lon.to_string(),
    })
}

fn span(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    what: impl Fn() -> String,
) -> Result<Interval, MatchingError> {
    Interval::new(start, end).map_err(|_| MatchingError::ReversedInterval {
        what: what(),
        start: start.to_rfc3339(),
        end: end.to_rfc3339(),
    })
}

fn department(code: &str, what: impl Fn() -> String) -> Result<Department, MatchingError> {
    Department::parse(code).map_err(|e| MatchingError::InvalidField {
        what: what(),
        reason: e.to_string(),
        code: e.code(),
    })
}

fn specialty(code: &str, what: impl Fn() -> String) -> Result<Specialty, MatchingError> {
    Specialty::parse(code).map_err(|e| MatchingError::InvalidField {
        what: what(),
        reason: e.to_string(),
        code: e.code(),
    })
}

fn languages(list: &[String]) -> Vec<String> {
    list.iter().map(|l| l.trim().to_ascii_lowercase()).collect()
}

/// A stable slot id for slots written without one: the doctor's id with the slot's position mixed in,
/// so the same file always gives the same ids.
fn derived_slot_id(doctor: DoctorId, position: usize) -> AvailabilityId {
    let mixed = doctor.as_uuid().as_u128() ^ ((position as u128 + 1) << 64).rotate_left(13);
    AvailabilityId::from_uuid(uuid::Builder::from_random_bytes(mixed.to_be_bytes()).into_uuid())
}

impl Dataset {
    /// Parses and checks a dataset file.
    pub fn from_json(bytes: &[u8]) -> Result<Self, MatchingError> {
        let raw: RawDataset = serde_json::from_slice(bytes).map_err(|e| {
            let (line, column, reason) = (e.line(), e.column(), e.to_string());
            if e.is_data() {
                MatchingError::DatasetFormat {
                    line,
                    column,
                    reason,
                }
            } else {
                MatchingError::DatasetSyntax {
                    line,
                    column,
                    reason,
                }
            }
        })?;
        if raw.format != FORMAT {
            return Err(MatchingError::DatasetFormat {
                line: 1,
                column: 1,
                reason: format!("champ format « {} » au lieu de « {FORMAT} »", raw.format),
            });
        }
        if raw.version != VERSION {
            return Err(MatchingError::DatasetVersion {
                found: raw.version,
                expected: VERSION,
            });
        }
        let mut out = Dataset {
            meta: raw.meta,
            facilities: raw.facilities,
            ..Dataset::default()
        };
        for d in raw.doctors {
            let who = || format!("médecin {}", d.id);
            if d.specialties.is_empty() {
                return Err(MatchingError::EmptySpecialties {
                    doctor: d.id.to_string(),
                });
            }
            let specialties = d
                .specialties
                .iter()
                .map(|s| specialty(s, who))
                .collect::<Result<Vec<_>, _>>()?;
            let departments = d
                .departments
                .iter()
                .map(|c| department(c, who))
                .collect::<Result<Vec<_>, _>>()?;
            let base = d.base.map(|b| point(b, who)).transpose()?;
            for (i, s) in d.slots.iter().enumerate() {
                let interval = span(s.start, s.end, || {
                    format!("la disponibilité n° {} du médecin {}", i + 1, d.id)
                })?;
                out.slots.push(Slot {
                    id: s.id.unwrap_or_else(|| derived_slot_id(d.id, i)),
                    doctor: d.id,
                    interval,
                    kind: s.kind,
                    status: s.status,
                });
            }
            for (i, b) in d.busy.iter().enumerate() {
                let interval = span(b.start, b.end, || {
                    format!("la période occupée n° {} du médecin {}", i + 1, d.id)
                })?;
                out.busy.push(BusyBlock {
                    doctor: d.id,
                    interval,
                });
            }
            out.doctors.push(DoctorProfile {
                id: d.id,
                status: d.status,
                active: d.active,
                specialties,
                qualification: d.qualification,
                base,
                travel_radius_km: d.travel_radius_km,
                departments,
                languages: languages(&d.languages),
            });
        }
        for r in raw.requests {
            let who = || format!("demande {}", r.id);
            let specialty = specialty(&r.specialty, who)?;
            let department = department(&r.department, who)?;
            let location = point(r.location, who)?;
            let shifts = r
                .shifts
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    Ok(Shift {
                        kind: s.kind,
                        interval: span(s.start, s.end, || {
                            format!("le créneau n° {} de la demande {}", i + 1, r.id)
                        })?,
                    })
                })
                .collect::<Result<Vec<_>, MatchingError>>()?;
            if r.status != RequestStatus::Open {
                continue;
            }
            out.declines
                .extend(r.declined_by.iter().map(|d| (r.id, *d)));
            if r.facility_id.is_some() || r.site_id.is_some() {
                out.request_sites.insert(r.id, (r.facility_id, r.site_id));
            }
            out.requests.push(OpenRequest {
                id: r.id,
                specialty,
                location,
                department,
                zone: department.time_zone(),
                shifts,
                thesed_only: r.requirements.thesed_only,
                languages: languages(&r.requirements.languages),
            });
        }
        Ok(out)
    }

    /// Builds the matching index of the dataset (checks ids are unique, shifts do not overlap, slots
    /// belong to known doctors).
    pub fn index(&self) -> Result<MatchingIndex, MatchingError> {
        MatchingIndex::build(
            self.doctors.clone(),
            self.slots.clone(),
            self.busy.clone(),
            self.requests.clone(),
            &self.declines,
        )
    }

    /// Writes the dataset as JSON (one line; slots are written with their ids).
    pub fn write_json(&self, out: impl Write) -> Result<(), std::io::Error> {
        let mut slots_of: HashMap<DoctorId, Vec<RawSlot>> = HashMap::new();
        for s in &self.slots {
            slots_of.entry(s.doctor).or_default().push(RawSlot {
                id: Some(s.id),
                start: s.interval.start(),
                end: s.interval.end(),
                kind: s.kind,
                status: s.status,
            });
        }
        let mut busy_of: HashMap<DoctorId, Vec<RawSpan>> = HashMap::new();
        for b in &self.busy {
            busy_of.entry(b.doctor).or_default().push(RawSpan {
                start: b.interval.start(),
                end: b.interval.end(),
            });
        }
        let mut declined: HashMap<RequestId, Vec<DoctorId>> = HashMap::new();
        for (r, d) in &self.declines {
            declined.entry(*r).or_default().push(*d);
        }
        let raw = RawDataset {
            format: FORMAT.to_owned(),
            version: VERSION,
            meta: self.meta.clone(),
            doctors: self
                .doctors
                .iter()
                .map(|d| RawDoctor {
                    id: d.id,
                    status: d.status,
                    active: d.active,
                    specialties: d.specialties.iter().map(|s| s.code().to_owned()).collect(),
                    qualification: d.qualification,
                    base: d.base.map(|b| RawPoint {
                        lat: b.lat,
                        lon: b.lon,
                    }),
                    travel_radius_km: d.travel_radius_km,
                    departments: d.departments.iter().map(|x| x.code().to_owned()).collect(),
                    languages: d.languages.clone(),
                    slots: slots_of.remove(&d.id).unwrap_or_default(),
                    busy: busy_of.remove(&d.id).unwrap_or_default(),
                })
                .collect(),
            facilities: self.facilities.clone(),
            requests: self
                .requests
                .iter()
                .map(|r| RawRequest {
                    id: r.id,
                    facility_id: self.request_sites.get(&r.id).and_then(|x| x.0),
                    site_id: self.request_sites.get(&r.id).and_then(|x| x.1),
                    specialty: r.specialty.code().to_owned(),
                    department: r.department.code().to_owned(),
                    location: RawPoint {
                        lat: r.location.lat,
                        lon: r.location.lon,
                    },
                    shifts: r
                        .shifts
                        .iter()
                        .map(|s| RawShift {
                            kind: s.kind,
                            start: s.interval.start(),
                            end: s.interval.end(),
                        })
                        .collect(),
                    requirements: RawRequirements {
                        thesed_only: r.thesed_only,
                        languages: r.languages.clone(),
                    },
                    status: RequestStatus::Open,
                    declined_by: declined.remove(&r.id).unwrap_or_default(),
                })
                .collect(),
        };
        serde_json::to_writer(out, &raw).map_err(std::io::Error::other)
    }
}
