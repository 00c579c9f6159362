//! The matching index: everything a query needs, kept up to date one change at a time.
//!
//! - Doctors' reach: per specialty, an R-tree (`rstar`) of boxes around each doctor's travel circle, in
//!   3-D Earth-centred coordinates (km) so that the poles and the antimeridian (Wallis-et-Futuna) need no
//!   special case. A site query returns a superset; the exact haversine test is done in
//!   [`super::evaluate`].
//! - Doctors' chosen départements: per (specialty, département), the doctors who accept any site there.
//! - Per doctor: slots sorted by start (with the longest slot length, to find the slots meeting a window
//!   by binary search) and imported busy periods, also sorted.
//! - Requests: per specialty, an R-tree of site points, and per (specialty, département) lists, for the
//!   doctor → requests direction; declines as a set of (request, doctor) pairs.
//!
//! Every mutation (doctor, slot, busy period, request, decline) is O(log n) in the trees plus
//! O(slots of one doctor) or O(entries of one département list).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use rstar::{AABB, RTree, RTreeObject};

use super::error::MatchingError;
use super::model::{BusyBlock, DoctorProfile, OpenRequest, Slot};
use crate::calendar::{Department, Interval};
use crate::domain::{AvailabilityId, AvailabilityStatus, DoctorId, GeoPoint, RequestId, Specialty};
use crate::geo::EARTH_RADIUS_KM;

/// Most shifts one request may hold (a year of day and night shifts).
pub const MAX_SHIFTS: usize = 1_000;

/// Margin added around travel circles so float rounding never drops a doctor exactly on the edge.
const MARGIN_KM: f64 = 0.01;

/// A doctor as stored in the index.
#[derive(Clone, Debug)]
pub struct DoctorEntry {
    /// The profile.
    pub profile: DoctorProfile,
    /// Slots sorted by (start, id).
    pub(crate) slots: Vec<Slot>,
    /// Longest slot, to bound the binary search of slots meeting a window.
    max_slot: TimeDelta,
    /// Imported busy periods sorted by start.
    pub(crate) busy: Vec<Interval>,
    /// Longest busy period.
    max_busy: TimeDelta,
    /// UTC day numbers on which the doctor has an open slot, sorted (see [`MatchingIndex`]'s day sets).
    pub(crate) days: Vec<i32>,
}

impl DoctorEntry {
    /// The doctor's slots, sorted by start.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The doctor's imported busy periods, sorted by start.
    pub fn busy(&self) -> &[Interval] {
        &self.busy
    }

    /// Slots meeting `[from, to)`.
    pub(crate) fn slots_meeting(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &Slot> {
        let lo = self
            .slots
            .partition_point(|s| s.interval.start() < from - self.max_slot);
        self.slots[lo..]
            .iter()
            .take_while(move |s| s.interval.start() < to)
            .filter(move |s| s.interval.end() > from)
    }

    /// Busy periods meeting `[from, to)`.
    pub(crate) fn busy_meeting(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &Interval> {
        let lo = self
            .busy
            .partition_point(|b| b.start() < from - self.max_busy);
        self.busy[lo..]
            .iter()
            .take_while(move |b| b.start() < to)
            .filter(move |b| b.end() > from)
    }

    /// UTC days touched by open slots, sorted and unique.
    fn open_days(&self) -> Vec<i32> {
        let mut days: Vec<i32> = self
            .slots
            .iter()
            .filter(|s| s.status == AvailabilityStatus::Open)
            .flat_map(|s| days_of(&s.interval))
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    }

    fn refresh_max(&mut self) {
        self.max_slot = self
            .slots
            .iter()
            .map(|s| s.interval.duration())
            .max()
            .unwrap_or(TimeDelta::zero());
        self.max_busy = self
            .busy
            .iter()
            .map(Interval::duration)
            .max()
            .unwrap_or(TimeDelta::zero());
    }
}

/// The UTC day number of an instant (days since 1970-01-01).
fn day_of(t: DateTime<Utc>) -> i32 {
    i32::try_from(t.timestamp().div_euclid(86_400)).unwrap_or(i32::MAX)
}

/// Every UTC day an interval touches. Two intervals that share an instant share a day, so a doctor with
/// no open slot on any day of a request cannot cover it: the day sets reject most doctors without
/// reading their calendars.
pub(crate) fn days_of(iv: &Interval) -> std::ops::RangeInclusive<i32> {
    day_of(iv.start())..=day_of(iv.end() - TimeDelta::nanoseconds(1))
}

/// A request with what every evaluation reads, computed once when it is indexed.
#[derive(Clone, Debug)]
pub struct RequestEntry {
    /// The request.
    pub request: OpenRequest,
    /// Its shifts' intervals, sorted.
    pub(crate) shifts: Vec<Interval>,
    /// Start of the first shift.
    pub(crate) from: DateTime<Utc>,
    /// End of the last shift.
    pub(crate) to: DateTime<Utc>,
    /// UTC days its shifts touch, sorted and unique.
    pub(crate) days: Vec<i32>,
}

impl RequestEntry {
    fn new(request: OpenRequest) -> Option<Self> {
        let shifts: Vec<Interval> = request.shifts.iter().map(|s| s.interval).collect();
        let (from, to) = request.span()?;
        let mut days: Vec<i32> = shifts.iter().flat_map(days_of).collect();
        days.sort_unstable();
        days.dedup();
        Some(Self {
            request,
            shifts,
            from,
            to,
            days,
        })
    }
}

/// The box around one doctor's travel circle in one specialty's tree.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ReachBox {
    doctor: u32,
    min: [f64; 3],
    max: [f64; 3],
}

impl RTreeObject for ReachBox {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.min, self.max)
    }
}

/// A request's site in one specialty's tree.
#[derive(Clone, Copy, Debug, PartialEq)]
struct SitePoint {
    request: u32,
    at: [f64; 3],
}

impl RTreeObject for SitePoint {
    type Envelope = AABB<[f64; 3]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_point(self.at)
    }
}

/// Earth-centred coordinates in km.
pub(crate) fn xyz(p: GeoPoint) -> [f64; 3] {
    let (lat, lon) = (p.lat.to_radians(), p.lon.to_radians());
    [
        EARTH_RADIUS_KM * lat.cos() * lon.cos(),
        EARTH_RADIUS_KM * lat.cos() * lon.sin(),
        EARTH_RADIUS_KM * lat.sin(),
    ]
}

/// Half-side of the cube around a point that contains every point within `km` along the surface
/// (the chord of the arc, plus a margin).
fn chord_km(km: f64) -> f64 {
    let arc = km.clamp(0.0, std::f64::consts::PI * EARTH_RADIUS_KM);
    2.0 * EARTH_RADIUS_KM * (arc / (2.0 * EARTH_RADIUS_KM)).sin() + MARGIN_KM
}

fn cube(center: [f64; 3], half: f64) -> ([f64; 3], [f64; 3]) {
    (
        [center[0] - half, center[1] - half, center[2] - half],
        [center[0] + half, center[1] + half, center[2] + half],
    )
}

fn reach_box(doctor: u32, profile: &DoctorProfile) -> Option<ReachBox> {
    let base = profile.base?;
    let (min, max) = cube(xyz(base), chord_km(f64::from(profile.travel_radius_km)));
    Some(ReachBox { doctor, min, max })
}

/// The matching index. Build it once ([`MatchingIndex::build`]) and keep it current with the `upsert_*`
/// and `remove_*` methods; queries are the free functions of [`super`].
#[derive(Debug, Default)]
pub struct MatchingIndex {
    doctors: Vec<Option<DoctorEntry>>,
    doctor_slot: HashMap<DoctorId, u32>,
    free_doctors: Vec<u32>,
    reach: HashMap<Specialty, RTree<ReachBox>>,
    doctors_by_department: HashMap<(Specialty, Department), Vec<u32>>,
    /// Per UTC day, the bit set (by doctor slot number) of doctors with an open slot that day.
    open_days: HashMap<i32, Vec<u64>>,
    requests: Vec<Option<RequestEntry>>,
    request_slot: HashMap<RequestId, u32>,
    free_requests: Vec<u32>,
    sites: HashMap<Specialty, RTree<SitePoint>>,
    requests_by_department: HashMap<(Specialty, Department), Vec<u32>>,
    declines: HashMap<RequestId, Vec<DoctorId>>,
}

impl MatchingIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds an index from whole collections (R-trees are bulk-loaded, which is faster and gives better
    /// trees than inserting one by one).
    pub fn build(
        doctors: Vec<DoctorProfile>,
        slots: Vec<Slot>,
        busy: Vec<BusyBlock>,
        requests: Vec<OpenRequest>,
        declines: &[(RequestId, DoctorId)],
    ) -> Result<Self, MatchingError> {
        let mut index = Self::new();
        let mut reach: HashMap<Specialty, Vec<ReachBox>> = HashMap::new();
        for profile in doctors {
            validate_doctor(&profile)?;
            if index.doctor_slot.contains_key(&profile.id) {
                return Err(MatchingError::DuplicateId {
                    kind: "médecin",
                    id: profile.id.to_string(),
                });
            }
            let n = to_u32(index.doctors.len());
            index.doctor_slot.insert(profile.id, n);
            if profile.proposable() {
                if let Some(b) = reach_box(n, &profile) {
                    for s in &profile.specialties {
                        reach.entry(*s).or_default().push(b);
                    }
                }
                for s in &profile.specialties {
                    for d in &profile.departments {
                        index
                            .doctors_by_department
                            .entry((*s, *d))
                            .or_default()
                            .push(n);
                    }
                }
            }
            index.doctors.push(Some(DoctorEntry {
                profile,
                slots: Vec::new(),
                max_slot: TimeDelta::zero(),
                busy: Vec::new(),
                max_busy: TimeDelta::zero(),
                days: Vec::new(),
            }));
        }
        index.reach = reach
            .into_iter()
            .map(|(s, boxes)| (s, RTree::bulk_load(boxes)))
            .collect();
        for slot in slots {
            let entry = index.doctor_entry_mut(slot.doctor, "disponibilité")?;
            entry.slots.push(slot);
        }
        for b in busy {
            let entry = index.doctor_entry_mut(b.doctor, "période occupée")?;
            entry.busy.push(b.interval);
        }
        for n in 0..index.doctors.len() {
            let Some(entry) = index.doctors[n].as_mut() else {
                continue;
            };
            entry
                .slots
                .sort_unstable_by_key(|s| (s.interval.start(), s.id));
            let mut ids: Vec<AvailabilityId> = entry.slots.iter().map(|s| s.id).collect();
            ids.sort_unstable();
            if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
                return Err(MatchingError::DuplicateId {
                    kind: "disponibilité",
                    id: w[0].to_string(),
                });
            }
            entry.busy.sort_unstable();
            entry.refresh_max();
            index.refresh_days(to_u32(n));
        }
        let mut sites: HashMap<Specialty, Vec<SitePoint>> = HashMap::new();
        for mut request in requests {
            validate_request(&mut request)?;
            let Some(entry) = RequestEntry::new(request) else {
                continue;
            };
            let request = entry.request.clone();
            if index.request_slot.contains_key(&request.id) {
                return Err(MatchingError::DuplicateId {
                    kind: "demande",
                    id: request.id.to_string(),
                });
            }
            let n = to_u32(index.requests.len());
            index.request_slot.insert(request.id, n);
            sites.entry(request.specialty).or_default().push(SitePoint {
                request: n,
                at: xyz(request.location),
            });
            index
                .requests_by_department
                .entry((request.specialty, request.department))
                .or_default()
                .push(n);
            index.requests.push(Some(entry));
        }
        index.sites = sites
            .into_iter()
            .map(|(s, points)| (s, RTree::bulk_load(points)))
            .collect();
        for &(r, d) in declines {
            index.add_decline(r, d);
        }
        Ok(index)
    }

    // ----- doctors ------------------------------------------------------------------------------

    /// Adds a doctor or replaces their profile (their slots and busy periods are kept).
    pub fn upsert_doctor(&mut self, profile: DoctorProfile) -> Result<(), MatchingError> {
        validate_doctor(&profile)?;
        if let Some(&n) = self.doctor_slot.get(&profile.id) {
            let (slots, busy, days) = match self.doctors[n as usize].take() {
                Some(old) => {
                    self.unplace_doctor(n, &old.profile);
                    (old.slots, old.busy, old.days)
                }
                None => (Vec::new(), Vec::new(), Vec::new()),
            };
            self.place_doctor(n, &profile);
            let mut entry = DoctorEntry {
                profile,
                slots,
                max_slot: TimeDelta::zero(),
                busy,
                max_busy: TimeDelta::zero(),
                days,
            };
            entry.refresh_max();
            self.doctors[n as usize] = Some(entry);
        } else {
            let n = if let Some(n) = self.free_doctors.pop() {
                n
            } else {
                self.doctors.push(None);
                to_u32(self.doctors.len() - 1)
            };
            self.doctor_slot.insert(profile.id, n);
            self.place_doctor(n, &profile);
            self.doctors[n as usize] = Some(DoctorEntry {
                profile,
                slots: Vec::new(),
                max_slot: TimeDelta::zero(),
                busy: Vec::new(),
                max_busy: TimeDelta::zero(),
                days: Vec::new(),
            });
        }
        Ok(())
    }

    /// Removes a doctor with their slots and busy periods.
    pub fn remove_doctor(&mut self, id: DoctorId) -> Result<(), MatchingError> {
        let n = self
            .doctor_slot
            .remove(&id)
            .ok_or_else(|| MatchingError::UnknownDoctor { id: id.to_string() })?;
        if let Some(old) = self.doctors[n as usize].take() {
            self.unplace_doctor(n, &old.profile);
            self.set_day_bits(n, &old.days, false);
        }
        self.free_doctors.push(n);
        Ok(())
    }

    fn place_doctor(&mut self, n: u32, profile: &DoctorProfile) {
        // Only proposable doctors are searched; a status change re-places the doctor.
        if !profile.proposable() {
            return;
        }
        if let Some(b) = reach_box(n, profile) {
            for s in &profile.specialties {
                self.reach.entry(*s).or_default().insert(b);
            }
        }
        for s in &profile.specialties {
            for d in &profile.departments {
                let list = self.doctors_by_department.entry((*s, *d)).or_default();
                if !list.contains(&n) {
                    list.push(n);
                }
            }
        }
    }

    fn unplace_doctor(&mut self, n: u32, profile: &DoctorProfile) {
        if let Some(b) = reach_box(n, profile) {
            for s in &profile.specialties {
                if let Some(tree) = self.reach.get_mut(s) {
                    tree.remove(&b);
                }
            }
        }
        for s in &profile.specialties {
            for d in &profile.departments {
                if let Some(list) = self.doctors_by_department.get_mut(&(*s, *d)) {
                    list.retain(|&x| x != n);
                }
            }
        }
    }

    fn doctor_entry_mut(
        &mut self,
        id: DoctorId,
        what: &str,
    ) -> Result<&mut DoctorEntry, MatchingError> {
        self.doctor_slot
            .get(&id)
            .and_then(|&n| self.doctors[n as usize].as_mut())
            .ok_or_else(|| MatchingError::OrphanRecord {
                what: what.into(),
                doctor: id.to_string(),
            })
    }

    /// Adds a slot or replaces the slot with the same id (moved, booked, released…).
    pub fn upsert_slot(&mut self, slot: Slot) -> Result<(), MatchingError> {
        let entry = self.doctor_entry_mut(slot.doctor, "disponibilité")?;
        entry.slots.retain(|s| s.id != slot.id);
        let at = entry
            .slots
            .partition_point(|s| (s.interval.start(), s.id) < (slot.interval.start(), slot.id));
        entry.slots.insert(at, slot);
        entry.refresh_max();
        let n = self
            .doctor_slot
            .get(&slot.doctor)
            .copied()
            .unwrap_or(u32::MAX);
        self.refresh_days(n);
        Ok(())
    }

    /// Removes one slot of a doctor.
    pub fn remove_slot(
        &mut self,
        doctor: DoctorId,
        slot: AvailabilityId,
    ) -> Result<(), MatchingError> {
        let entry = self.doctor_entry_mut(doctor, "disponibilité")?;
        let before = entry.slots.len();
        entry.slots.retain(|s| s.id != slot);
        if entry.slots.len() == before {
            return Err(MatchingError::UnknownSlot {
                id: slot.to_string(),
            });
        }
        entry.refresh_max();
        let n = self.doctor_slot.get(&doctor).copied().unwrap_or(u32::MAX);
        self.refresh_days(n);
        Ok(())
    }

    /// Recomputes doctor `n`'s open days and their bits.
    fn refresh_days(&mut self, n: u32) {
        let Some(entry) = self.doctors.get_mut(n as usize).and_then(Option::as_mut) else {
            return;
        };
        let new_days = entry.open_days();
        let old_days = std::mem::replace(&mut entry.days, new_days.clone());
        self.set_day_bits(n, &old_days, false);
        self.set_day_bits(n, &new_days, true);
    }

    fn set_day_bits(&mut self, n: u32, days: &[i32], on: bool) {
        let (word, bit) = ((n / 64) as usize, 1_u64 << (n % 64));
        for day in days {
            let bits = self.open_days.entry(*day).or_default();
            if bits.len() <= word {
                bits.resize(word + 1, 0);
            }
            if on {
                bits[word] |= bit;
            } else {
                bits[word] &= !bit;
            }
        }
    }

    /// Replaces all imported busy periods of a doctor (a calendar re-import replaces, never adds).
    pub fn set_busy(
        &mut self,
        doctor: DoctorId,
        mut busy: Vec<Interval>,
    ) -> Result<(), MatchingError> {
        let entry = self.doctor_entry_mut(doctor, "période occupée")?;
        busy.sort_unstable();
        entry.busy = busy;
        entry.refresh_max();
        Ok(())
    }

    /// Records that a doctor declined a request: they are never proposed for it again.
    pub fn add_decline(&mut self, request: RequestId, doctor: DoctorId) {
        let list = self.declines.entry(request).or_default();
        if !list.contains(&doctor) {
            list.push(doctor);
        }
    }

    /// Whether the doctor declined the request.
    pub fn declined(&self, request: RequestId, doctor: DoctorId) -> bool {
        self.declined_by(request).contains(&doctor)
    }

    /// The doctors who declined the request.
    pub fn declined_by(&self, request: RequestId) -> &[DoctorId] {
        self.declines.get(&request).map_or(&[], Vec::as_slice)
    }

    /// The doctor with this id.
    pub fn doctor(&self, id: DoctorId) -> Result<&DoctorEntry, MatchingError> {
        self.doctor_slot
            .get(&id)
            .and_then(|&n| self.doctors[n as usize].as_ref())
            .ok_or_else(|| MatchingError::UnknownDoctor { id: id.to_string() })
    }

    /// Every doctor, in no particular order.
    pub fn doctors(&self) -> impl Iterator<Item = &DoctorEntry> {
        self.doctors.iter().flatten()
    }

    /// Number of doctors.
    pub fn doctor_count(&self) -> usize {
        self.doctor_slot.len()
    }

    /// Number of slots over all doctors.
    pub fn slot_count(&self) -> usize {
        self.doctors().map(|d| d.slots.len()).sum()
    }

    pub(crate) fn doctor_at(&self, n: u32) -> Option<&DoctorEntry> {
        self.doctors.get(n as usize).and_then(Option::as_ref)
    }

    /// Doctors who may reach the site of `request` (by travel circle box or chosen département): a
    /// superset of the candidates, each listed once, in index order.
    pub(crate) fn doctors_reaching(&self, entry: &RequestEntry) -> Vec<u32> {
        let request = &entry.request;
        let mut found: Vec<u32> = Vec::new();
        if let Some(tree) = self.reach.get(&request.specialty) {
            found.extend(
                tree.locate_in_envelope_intersecting(&AABB::from_point(xyz(request.location)))
                    .map(|b| b.doctor),
            );
        }
        if let Some(list) = self
            .doctors_by_department
            .get(&(request.specialty, request.department))
        {
            found.extend_from_slice(list);
        }
        // Keep the doctors with an open slot on one of the request's days.
        let rows: Vec<&Vec<u64>> = entry
            .days
            .iter()
            .filter_map(|d| self.open_days.get(d))
            .collect();
        found.retain(|&n| {
            let (word, bit) = ((n / 64) as usize, 1_u64 << (n % 64));
            rows.iter()
                .any(|r| r.get(word).is_some_and(|w| w & bit != 0))
        });
        found.sort_unstable();
        found.dedup();
        found
    }

    // ----- requests -----------------------------------------------------------------------------

    /// Adds a request or replaces the request with the same id.
    pub fn upsert_request(&mut self, mut request: OpenRequest) -> Result<(), MatchingError> {
        validate_request(&mut request)?;
        let id = request.id.to_string();
        let entry = RequestEntry::new(request).ok_or(MatchingError::NoShifts { request: id })?;
        let request = &entry.request;
        let n = if let Some(&n) = self.request_slot.get(&request.id) {
            if let Some(old) = self.requests[n as usize].take() {
                self.unplace_request(n, &old.request);
            }
            n
        } else {
            let n = if let Some(n) = self.free_requests.pop() {
                n
            } else {
                self.requests.push(None);
                to_u32(self.requests.len() - 1)
            };
            self.request_slot.insert(request.id, n);
            n
        };
        self.sites
            .entry(request.specialty)
            .or_default()
            .insert(SitePoint {
                request: n,
                at: xyz(request.location),
            });
        self.requests_by_department
            .entry((request.specialty, request.department))
            .or_default()
            .push(n);
        self.requests[n as usize] = Some(entry);
        Ok(())
    }

    /// Removes a request (filled, cancelled, closed).
    pub fn remove_request(&mut self, id: RequestId) -> Result<(), MatchingError> {
        let n = self
            .request_slot
            .remove(&id)
            .ok_or_else(|| MatchingError::UnknownRequest { id: id.to_string() })?;
        if let Some(old) = self.requests[n as usize].take() {
            self.unplace_request(n, &old.request);
        }
        self.free_requests.push(n);
        Ok(())
    }

    fn unplace_request(&mut self, n: u32, old: &OpenRequest) {
        if let Some(tree) = self.sites.get_mut(&old.specialty) {
            tree.remove(&SitePoint {
                request: n,
                at: xyz(old.location),
            });
        }
        if let Some(list) = self
            .requests_by_department
            .get_mut(&(old.specialty, old.department))
        {
            list.retain(|&x| x != n);
        }
    }

    /// The request with this id.
    pub fn request(&self, id: RequestId) -> Result<&OpenRequest, MatchingError> {
        self.request_slot
            .get(&id)
            .and_then(|&n| self.requests[n as usize].as_ref())
            .map(|e| &e.request)
            .ok_or_else(|| MatchingError::UnknownRequest { id: id.to_string() })
    }

    pub(crate) fn request_entry(&self, id: RequestId) -> Result<&RequestEntry, MatchingError> {
        self.request_slot
            .get(&id)
            .and_then(|&n| self.requests[n as usize].as_ref())
            .ok_or_else(|| MatchingError::UnknownRequest { id: id.to_string() })
    }

    /// Every open request, in no particular order.
    pub fn requests(&self) -> impl Iterator<Item = &OpenRequest> {
        self.requests.iter().flatten().map(|e| &e.request)
    }

    /// Number of open requests.
    pub fn request_count(&self) -> usize {
        self.request_slot.len()
    }

    pub(crate) fn request_capacity(&self) -> usize {
        self.requests.len()
    }

    pub(crate) fn request_at(&self, n: u32) -> Option<&RequestEntry> {
        self.requests.get(n as usize).and_then(Option::as_ref)
    }

    /// Requests whose site the doctor may reach (travel circle box or chosen département), each once.
    pub(crate) fn requests_reachable(&self, profile: &DoctorProfile) -> Vec<u32> {
        let mut found = Vec::new();
        for s in &profile.specialties {
            if let (Some(tree), Some(base)) = (self.sites.get(s), profile.base) {
                let (min, max) = cube(xyz(base), chord_km(f64::from(profile.travel_radius_km)));
                found.extend(
                    tree.locate_in_envelope(&AABB::from_corners(min, max))
                        .map(|p| p.request),
                );
            }
            for d in &profile.departments {
                if let Some(list) = self.requests_by_department.get(&(*s, *d)) {
                    found.extend_from_slice(list);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

fn to_u32(n: usize) -> u32 {
    // More than four billion doctors or requests is not a case this index serves.
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn validate_doctor(profile: &DoctorProfile) -> Result<(), MatchingError> {
    if profile.specialties.is_empty() {
        return Err(MatchingError::EmptySpecialties {
            doctor: profile.id.to_string(),
        });
    }
    Ok(())
}

/// Sorts the shifts and checks there is at least one, not too many, and no two overlap.
fn validate_request(request: &mut OpenRequest) -> Result<(), MatchingError> {
    let id = || request.id.to_string();
    if request.shifts.is_empty() {
        return Err(MatchingError::NoShifts { request: id() });
    }
    if request.shifts.len() > MAX_SHIFTS {
        return Err(MatchingError::TooManyShifts {
            request: id(),
            count: request.shifts.len(),
            max: MAX_SHIFTS,
        });
    }
    request.shifts.sort_by_key(|s| s.interval);
    if request
        .shifts
        .windows(2)
        .any(|w| w[0].interval.overlaps(&w[1].interval))
    {
        return Err(MatchingError::OverlappingShifts {
            request: request.id.to_string(),
        });
    }
    Ok(())
}
