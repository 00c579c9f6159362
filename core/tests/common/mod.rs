//! Random small worlds for the matching tests: a few doctors and requests around Lyon, on an hour grid,
//! so that every rule (radius, départements, overlaps, caps, licences) is hit often.

#![allow(dead_code)]
// Test helpers: a panic is a test failure, and every number drawn here is small.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss
)]

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rempla_core::calendar::{Department, Interval, ShiftKind};
use rempla_core::domain::{
    AvailabilityId, AvailabilityStatus, DoctorId, DoctorStatus, GeoPoint, Qualification, RequestId,
    Specialty,
};
use rempla_core::matching::{BusyBlock, DoctorProfile, MatchingIndex, OpenRequest, Shift, Slot};

pub struct Rng(pub ChaCha8Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    pub fn uuid(&mut self) -> uuid::Uuid {
        let mut b = [0u8; 16];
        self.0.fill_bytes(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }
}

pub fn hour(h: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap() + TimeDelta::hours(h)
}

pub fn span(a: i64, b: i64) -> Interval {
    Interval::new(hour(a), hour(b)).unwrap()
}

pub fn specs() -> [Specialty; 3] {
    [
        Specialty::parse("medecine-generale").unwrap(),
        Specialty::parse("pediatrie").unwrap(),
        Specialty::parse("urgences").unwrap(),
    ]
}

pub fn depts() -> [Department; 3] {
    ["69", "42", "01"].map(|c| Department::parse(c).unwrap())
}

pub fn point(r: &mut Rng) -> GeoPoint {
    GeoPoint::new(
        45.0 + r.below(2000) as f64 / 1000.0,
        4.0 + r.below(2000) as f64 / 1000.0,
    )
    .unwrap()
}

pub fn doctor(r: &mut Rng, id: DoctorId) -> DoctorProfile {
    let mut specialties = vec![r.pick(&specs())];
    if r.chance(30) {
        let s = r.pick(&specs());
        if !specialties.contains(&s) {
            specialties.push(s);
        }
    }
    let mut departments = Vec::new();
    if r.chance(30) {
        departments.push(r.pick(&depts()));
    }
    DoctorProfile {
        id,
        status: if r.chance(85) {
            DoctorStatus::Verified
        } else {
            r.pick(&[DoctorStatus::Pending, DoctorStatus::Suspended])
        },
        active: r.chance(90),
        specialties,
        qualification: if r.chance(25) {
            Qualification::Intern {
                licence_valid_until: NaiveDate::from_ymd_opt(2027, 3, 1 + r.below(10) as u32)
                    .unwrap(),
            }
        } else {
            Qualification::Thesed
        },
        base: if r.chance(90) { Some(point(r)) } else { None },
        travel_radius_km: 10 + r.below(140) as u16,
        departments,
        languages: if r.chance(30) {
            vec!["en".into()]
        } else {
            vec![]
        },
    }
}

pub fn slot(r: &mut Rng, doctor: DoctorId) -> Slot {
    let start = r.below(240) as i64;
    let len = 4 + r.below(20) as i64;
    Slot {
        id: AvailabilityId::from_uuid(r.uuid()),
        doctor,
        interval: span(start, start + len),
        kind: r.pick(&[
            ShiftKind::Day,
            ShiftKind::Night,
            ShiftKind::Morning,
            ShiftKind::GardeNight,
        ]),
        status: if r.chance(80) {
            AvailabilityStatus::Open
        } else {
            r.pick(&[AvailabilityStatus::Booked, AvailabilityStatus::Held])
        },
    }
}

pub fn request(r: &mut Rng, id: RequestId) -> OpenRequest {
    let dept = r.pick(&depts());
    let mut shifts = Vec::new();
    let mut t = r.below(200) as i64;
    for _ in 0..=r.below(4) {
        let len = 4 + r.below(12) as i64;
        shifts.push(Shift {
            kind: r.pick(&[ShiftKind::Day, ShiftKind::Night, ShiftKind::Morning]),
            interval: span(t, t + len),
        });
        t += len + r.below(12) as i64;
    }
    OpenRequest {
        id,
        specialty: r.pick(&specs()),
        location: point(r),
        department: dept,
        zone: dept.time_zone(),
        shifts,
        thesed_only: r.chance(15),
        languages: if r.chance(10) {
            vec!["en".into()]
        } else {
            vec![]
        },
    }
}

/// A whole random world, as plain collections.
#[derive(Clone, Debug)]
pub struct World {
    pub doctors: Vec<DoctorProfile>,
    pub slots: Vec<Slot>,
    pub busy: Vec<BusyBlock>,
    pub requests: Vec<OpenRequest>,
    pub declines: Vec<(RequestId, DoctorId)>,
}

pub fn world(r: &mut Rng, doctors: usize, requests: usize) -> World {
    let mut w = World {
        doctors: vec![],
        slots: vec![],
        busy: vec![],
        requests: vec![],
        declines: vec![],
    };
    for _ in 0..doctors {
        let id = DoctorId::from_uuid(r.uuid());
        w.doctors.push(doctor(r, id));
        for _ in 0..r.below(8) {
            w.slots.push(slot(r, id));
        }
        if r.chance(30) {
            let s = r.below(240) as i64;
            w.busy.push(BusyBlock {
                doctor: id,
                interval: span(s, s + 1 + r.below(10) as i64),
            });
        }
    }
    for _ in 0..requests {
        let id = RequestId::from_uuid(r.uuid());
        w.requests.push(request(r, id));
        if r.chance(10) && !w.doctors.is_empty() {
            let d = w.doctors[r.below(w.doctors.len() as u64) as usize].id;
            w.declines.push((id, d));
        }
    }
    w
}

impl World {
    pub fn index(&self) -> MatchingIndex {
        MatchingIndex::build(
            self.doctors.clone(),
            self.slots.clone(),
            self.busy.clone(),
            self.requests.clone(),
            &self.declines,
        )
        .unwrap()
    }
}
