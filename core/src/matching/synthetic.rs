//! The national synthetic dataset: a deterministic, seeded generator of doctors, slots, facilities and
//! open requests placed on real communes, used by tests (small sizes) and benchmarks (full size:
//! 50,000 doctors × 100 slots, 10,000 facilities, 100,000 requests).
//!
//! Determinism: one `ChaCha8Rng` stream (`rand_chacha`, a portable, specified algorithm) seeded with
//! `seed`, read only through `next_u64` and the two mappings below, written here so that no change in
//! `rand`'s sampling code can ever change a dataset. The same seed and sizes give the same dataset on
//! every platform and every run. Ids are random UUIDs drawn from the same stream.
//!
//! - Places: communes drawn with probability proportional to their population (gazetteer), with a jitter
//!   of up to ~2 km so two doctors of one commune do not share a point.
//! - Specialties: general practice ~50 %, then emergency medicine, anaesthesia, paediatrics,
//!   psychiatry… (table [`SPECIALTY_WEIGHTS`]); 10 % of doctors have a second specialty.
//! - Doctors: 92 % verified (the rest pending, suspended or rejected), 96 % active, 15 % interns whose
//!   licence ends somewhere in the horizon, 3 % without a base (départements only), 20 % with one to three
//!   chosen départements, radii 10–150 km, some languages.
//! - Slots: over [`SyntheticConfig::weeks`] weeks from [`SyntheticConfig::start`], each doctor follows
//!   a habit (days, nights and gardes, half-days, weekends, or a mix), slots never overlap; 8 % are
//!   booked, 2 % held; 0–4 imported busy periods per doctor.
//! - Requests: a single day (35 %), a night or night garde (15 %), a half-day (10 %), a weekend
//!   (15 %), a working week of 3–5 days (20 %), two weeks (5 %); 10 % thesed only, 3 % need English;
//!   2 % have one to three declines.

use chrono::{Datelike, Days, NaiveDate, TimeDelta, Weekday};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde_json::json;

use super::dataset::{Dataset, FacilityRecord, RawPoint, SiteRecord};
use super::error::MatchingError;
use super::model::{BusyBlock, DoctorProfile, OpenRequest, Shift, Slot};
use crate::calendar::{Department, Interval, ShiftKind, shift_interval};
use crate::domain::{
    AvailabilityId, AvailabilityStatus, DoctorId, DoctorStatus, FacilityId, GeoPoint,
    Qualification, RequestId, SiteId, Specialty,
};
use crate::geo::{Commune, CommuneKind, gazetteer};

/// Relative weights of specialties (per thousand doctors and requests).
pub const SPECIALTY_WEIGHTS: &[(&str, u32)] = &[
    ("medecine-generale", 500),
    ("urgences", 80),
    ("anesthesie-reanimation", 60),
    ("pediatrie", 40),
    ("psychiatrie", 40),
    ("gynecologie-obstetrique", 30),
    ("radiologie", 30),
    ("cardiologie", 30),
    ("geriatrie", 25),
    ("medecine-interne", 20),
    ("ophtalmologie", 20),
    ("chirurgie-orthopedique", 15),
    ("chirurgie-generale", 15),
    ("dermatologie", 15),
    ("pneumologie", 10),
    ("gastro-enterologie", 10),
    ("neurologie", 10),
    ("orl", 10),
    ("medecine-intensive-reanimation", 10),
    ("nephrologie", 5),
    ("oncologie", 5),
    ("endocrinologie", 5),
    ("rhumatologie", 5),
    ("soins-palliatifs", 5),
];

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticConfig {
    /// Seed of the random stream.
    pub seed: u64,
    /// Number of doctors.
    pub doctors: usize,
    /// Slots per doctor.
    pub slots_per_doctor: usize,
    /// Number of facilities (each with one to three sites).
    pub facilities: usize,
    /// Number of open requests.
    pub requests: usize,
    /// First day of the horizon (a Monday).
    pub start: NaiveDate,
    /// Length of the horizon in weeks.
    pub weeks: u32,
}

impl SyntheticConfig {
    /// The national benchmark sizes.
    pub fn national(seed: u64) -> Self {
        Self {
            seed,
            doctors: 50_000,
            slots_per_doctor: 100,
            facilities: 10_000,
            requests: 100_000,
            start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap_or_default(),
            weeks: 26,
        }
    }

    /// A small dataset for tests.
    pub fn small(seed: u64) -> Self {
        Self {
            doctors: 300,
            slots_per_doctor: 40,
            facilities: 40,
            requests: 200,
            ..Self::national(seed)
        }
    }
}

/// Largest sizes accepted (a typo must not eat the machine's memory).
const MAX_DOCTORS: usize = 1_000_000;
const MAX_SLOTS: usize = 1_000;
const MAX_REQUESTS: usize = 2_000_000;

/// The random stream and the two mappings every draw goes through.
struct Draw(ChaCha8Rng);

impl Draw {
    /// Uniform in `0..n` (`n > 0`), by multiply-and-shift: bias below n / 2^64, negligible here.
    fn below(&mut self, n: usize) -> usize {
        let n = n as u128;
        usize::try_from((u128::from(self.0.next_u64()) * n) >> 64).unwrap_or(0)
    }
    /// Uniform in `[0, 1)` with 53 bits.
    fn unit(&mut self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let v = (self.0.next_u64() >> 11) as f64;
        v / 9_007_199_254_740_992.0 // 2^53
    }
    /// True with probability `p` (in per mille).
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }
    fn uuid(&mut self) -> uuid::Uuid {
        let mut bytes = [0_u8; 16];
        self.0.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
    /// An index drawn with probability proportional to `cumulative[i] - cumulative[i-1]`.
    fn weighted(&mut self, cumulative: &[u64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let x = (u128::from(self.0.next_u64()) * u128::from(total)) >> 64;
        cumulative.partition_point(|&c| u128::from(c) <= x)
    }
}

/// Communes with their cumulative population, for drawing places.
struct Places<'a> {
    communes: Vec<&'a Commune>,
    cumulative: Vec<u64>,
}

impl<'a> Places<'a> {
    fn new(all: &'a [Commune]) -> Self {
        // Arrondissements would count Paris, Lyon and Marseille twice.
        let communes: Vec<&Commune> = all
            .iter()
            .filter(|c| c.kind == CommuneKind::Commune && c.population > 0)
            .collect();
        let mut sum = 0_u64;
        let cumulative = communes
            .iter()
            .map(|c| {
                sum += u64::from(c.population);
                sum
            })
            .collect();
        Self {
            communes,
            cumulative,
        }
    }

    /// A commune and a point within ~2 km of it.
    fn draw(&self, d: &mut Draw) -> (&'a Commune, GeoPoint) {
        let c = self.communes[d.weighted(&self.cumulative).min(self.communes.len() - 1)];
        let lat = (c.location.lat + (d.unit() - 0.5) * 0.036).clamp(-90.0, 90.0);
        let lon = (c.location.lon + (d.unit() - 0.5) * 0.05).clamp(-180.0, 180.0);
        (c, GeoPoint::new(lat, lon).unwrap_or(c.location))
    }
}

fn specialty_table() -> (Vec<Specialty>, Vec<u64>) {
    let mut sum = 0;
    SPECIALTY_WEIGHTS
        .iter()
        .filter_map(|(code, w)| {
            sum += u64::from(*w);
            Specialty::parse(code).ok().map(|s| (s, sum))
        })
        .unzip()
}

/// The habit a doctor's slots follow.
#[derive(Clone, Copy)]
enum Habit {
    Days,
    NightsAndGardes,
    HalfDays,
    Weekends,
    Mixed,
}

fn habit_kind(habit: Habit, date: NaiveDate, d: &mut Draw) -> ShiftKind {
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    let sunday = date.weekday() == Weekday::Sun;
    let pick = |d: &mut Draw, kinds: &[ShiftKind]| kinds[d.below(kinds.len())];
    match habit {
        Habit::Days => ShiftKind::Day,
        Habit::NightsAndGardes if sunday => pick(d, &[ShiftKind::GardeDay, ShiftKind::GardeNight]),
        Habit::NightsAndGardes => pick(
            d,
            &[
                ShiftKind::Night,
                ShiftKind::GardeNight,
                ShiftKind::Astreinte,
            ],
        ),
        Habit::HalfDays => pick(d, &[ShiftKind::Morning, ShiftKind::Afternoon]),
        Habit::Weekends if sunday => pick(
            d,
            &[ShiftKind::GardeDay, ShiftKind::GardeNight, ShiftKind::Day],
        ),
        Habit::Weekends if weekend => pick(d, &[ShiftKind::Day, ShiftKind::Night]),
        Habit::Weekends => ShiftKind::Night,
        Habit::Mixed => pick(
            d,
            &[
                ShiftKind::Day,
                ShiftKind::Day,
                ShiftKind::Night,
                ShiftKind::Morning,
                ShiftKind::Afternoon,
                ShiftKind::GardeNight,
            ],
        ),
    }
}

/// Generates a dataset (see the module documentation for what it looks like).
pub fn generate(config: &SyntheticConfig) -> Result<Dataset, MatchingError> {
    if config.doctors > MAX_DOCTORS
        || config.slots_per_doctor > MAX_SLOTS
        || config.requests > MAX_REQUESTS
        || config.facilities > MAX_REQUESTS
    {
        return Err(MatchingError::InvalidGeneratorConfig {
            reason: format!(
                "au plus {MAX_DOCTORS} médecins, {MAX_SLOTS} créneaux par médecin, {MAX_REQUESTS} demandes et établissements"
            ),
        });
    }
    if config.weeks == 0 || config.weeks > 104 {
        return Err(MatchingError::InvalidGeneratorConfig {
            reason: "l'horizon compte de 1 à 104 semaines".into(),
        });
    }
    if config.requests > 0 && config.facilities == 0 {
        return Err(MatchingError::InvalidGeneratorConfig {
            reason: "des demandes sans établissement : donner au moins un établissement".into(),
        });
    }
    let g = gazetteer()?;
    let places = Places::new(g.communes());
    if places.communes.is_empty() {
        return Err(MatchingError::InvalidGeneratorConfig {
            reason: "gazetteer vide".into(),
        });
    }
    let (specialties, spec_cum) = specialty_table();
    let mut d = Draw(ChaCha8Rng::seed_from_u64(config.seed));
    let days = u64::from(config.weeks) * 7;
    let day = |n: u64| {
        config
            .start
            .checked_add_days(Days::new(n))
            .unwrap_or(config.start)
    };
    let mut out = Dataset {
        meta: json!({
            "generator": "rempla synthetic",
            "seed": config.seed,
            "doctors": config.doctors,
            "slots_per_doctor": config.slots_per_doctor,
            "facilities": config.facilities,
            "requests": config.requests,
            "start": config.start.to_string(),
            "weeks": config.weeks,
        }),
        ..Dataset::default()
    };

    // ----- doctors and their calendars -----
    for _ in 0..config.doctors {
        let id = DoctorId::from_uuid(d.uuid());
        let (commune, point) = places.draw(&mut d);
        let mut specs = vec![specialties[d.weighted(&spec_cum)]];
        if d.chance(100) {
            let second = specialties[d.weighted(&spec_cum)];
            if !specs.contains(&second) {
                specs.push(second);
            }
        }
        let status = match d.below(100) {
            0..=91 => DoctorStatus::Verified,
            92..=95 => DoctorStatus::Pending,
            96..=97 => DoctorStatus::Suspended,
            _ => DoctorStatus::Rejected,
        };
        let qualification = if d.chance(150) {
            Qualification::Intern {
                licence_valid_until: day(d.below(usize::try_from(days).unwrap_or(1)) as u64),
            }
        } else {
            Qualification::Thesed
        };
        let has_base = !d.chance(30);
        let mut departments = Vec::new();
        if !has_base || d.chance(200) {
            departments.push(commune.department);
            for _ in 0..d.below(3) {
                let other = places.draw(&mut d).0.department;
                if !departments.contains(&other) {
                    departments.push(other);
                }
            }
        }
        let mut languages = Vec::new();
        for (code, per_mille) in [("en", 200), ("es", 50), ("de", 30), ("ar", 20), ("it", 20)] {
            if d.chance(per_mille) {
                languages.push(code.to_owned());
            }
        }
        let radius = 10 + 5 * d.below(29);
        out.doctors.push(DoctorProfile {
            id,
            status,
            active: !d.chance(40),
            specialties: specs,
            qualification,
            base: has_base.then_some(point),
            travel_radius_km: u16::try_from(radius).unwrap_or(150),
            departments,
            languages,
        });
        let habit = [
            Habit::Days,
            Habit::NightsAndGardes,
            Habit::HalfDays,
            Habit::Weekends,
            Habit::Mixed,
        ][d.below(5)];
        let mut taken: Vec<Interval> = Vec::with_capacity(config.slots_per_doctor);
        let mut tries = 0;
        while taken.len() < config.slots_per_doctor && tries < config.slots_per_doctor * 20 {
            tries += 1;
            let date = day(d.below(usize::try_from(days).unwrap_or(1)) as u64);
            let kind = habit_kind(habit, date, &mut d);
            let Ok(interval) = shift_interval(kind, date, &commune.department) else {
                continue;
            };
            let at = taken.partition_point(|t| t.start() < interval.start());
            let clash = taken[at.saturating_sub(1)..(at + 1).min(taken.len())]
                .iter()
                .any(|t| t.overlaps(&interval));
            if clash {
                continue;
            }
            taken.insert(at, interval);
            let status = match d.below(100) {
                0..=7 => AvailabilityStatus::Booked,
                8..=9 => AvailabilityStatus::Held,
                _ => AvailabilityStatus::Open,
            };
            out.slots.push(Slot {
                id: AvailabilityId::from_uuid(d.uuid()),
                doctor: id,
                interval,
                kind,
                status,
            });
        }
        for _ in 0..d.below(5) {
            let date = day(d.below(usize::try_from(days).unwrap_or(1)) as u64);
            let start_hour = 7 + d.below(10);
            let hours = 2 + d.below(8);
            let local = date.and_hms_opt(u32::try_from(start_hour).unwrap_or(8), 0, 0);
            let Some(local) = local else { continue };
            let Ok(start) = crate::calendar::resolve_local(commune.department.time_zone(), local)
            else {
                continue;
            };
            let start = start.with_timezone(&chrono::Utc);
            let end = start + TimeDelta::hours(i64::try_from(hours).unwrap_or(2));
            if let Ok(interval) = Interval::new(start, end) {
                out.busy.push(BusyBlock {
                    doctor: id,
                    interval,
                });
            }
        }
    }

    // ----- facilities and sites -----
    let mut sites: Vec<(FacilityId, SiteId, Department, GeoPoint)> = Vec::new();
    for i in 0..config.facilities {
        let fid = FacilityId::from_uuid(d.uuid());
        let mut records = Vec::new();
        let n_sites = 1 + d.below(3);
        let (home, _) = places.draw(&mut d);
        for s in 0..n_sites {
            let (commune, point) = if s == 0 {
                (home, home.location)
            } else {
                places.draw(&mut d)
            };
            let sid = SiteId::from_uuid(d.uuid());
            sites.push((fid, sid, commune.department, point));
            records.push(SiteRecord {
                id: sid,
                name: format!("Site {} — {}", s + 1, commune.name),
                commune: commune.insee.to_string(),
                department: commune.department.code().to_owned(),
                location: RawPoint {
                    lat: point.lat,
                    lon: point.lon,
                },
            });
        }
        out.facilities.push(FacilityRecord {
            id: fid,
            name: format!("Établissement n° {}", i + 1),
            sites: records,
        });
    }

    // ----- requests -----
    let doctor_ids: Vec<DoctorId> = out.doctors.iter().map(|x| x.id).collect();
    while out.requests.len() < config.requests {
        let (fid, sid, dept, location) = sites[d.below(sites.len())];
        let id = RequestId::from_uuid(d.uuid());
        let specialty = specialties[d.weighted(&spec_cum)];
        let first = d.below(usize::try_from(days.saturating_sub(14)).unwrap_or(1).max(1)) as u64;
        let plan: Vec<(u64, ShiftKind)> = match d.below(100) {
            0..=34 => vec![(first, ShiftKind::Day)],
            35..=49 => vec![(first, [ShiftKind::Night, ShiftKind::GardeNight][d.below(2)])],
            50..=59 => vec![(
                first,
                [ShiftKind::Morning, ShiftKind::Afternoon][d.below(2)],
            )],
            60..=74 => {
                // The Saturday on or after `first`, then Sunday.
                let sat = first + u64::from((12 - day(first).weekday().num_days_from_monday()) % 7);
                let sat = sat.min(days.saturating_sub(2));
                if d.chance(500) {
                    vec![(sat, ShiftKind::Day), (sat + 1, ShiftKind::Day)]
                } else {
                    vec![(sat, ShiftKind::Night), (sat + 1, ShiftKind::GardeDay)]
                }
            }
            75..=94 => (0..3 + d.below(3) as u64)
                .map(|k| (first + k, ShiftKind::Day))
                .collect(),
            _ => (0..14)
                .filter(|k| k % 7 < 5)
                .map(|k| (first + k, ShiftKind::Day))
                .collect(),
        };
        let shifts: Vec<Shift> = plan
            .into_iter()
            .filter_map(|(n, kind)| {
                shift_interval(kind, day(n), &dept)
                    .ok()
                    .map(|interval| Shift { kind, interval })
            })
            .collect();
        if shifts.is_empty() {
            continue;
        }
        let thesed_only = d.chance(100);
        let languages = if d.chance(30) {
            vec!["en".to_owned()]
        } else {
            Vec::new()
        };
        if d.chance(20) && !doctor_ids.is_empty() {
            for _ in 0..=d.below(3) {
                out.declines
                    .push((id, doctor_ids[d.below(doctor_ids.len())]));
            }
        }
        out.request_sites.insert(id, (Some(fid), Some(sid)));
        out.requests.push(OpenRequest {
            id,
            specialty,
            location,
            department: dept,
            zone: dept.time_zone(),
            shifts,
            thesed_only,
            languages,
        });
    }
    Ok(out)
}
