//! Each matching rule on a hand-made case: filters, coverage, caps, ranking and split coverage.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDate;
use common::span;
use rempla_core::calendar::{CoverageStatus, Department, ShiftKind};
use rempla_core::domain::{
    AvailabilityId, AvailabilityStatus, DoctorId, DoctorStatus, GeoPoint, Qualification, RequestId,
    Specialty,
};
use rempla_core::matching::{
    BusyBlock, DoctorProfile, MatchingIndex, OpenRequest, Reach, Shift, Slot, SplitMethod,
    match_request, requests_for_doctor,
};

const LYON: (f64, f64) = (45.7578, 4.8320);
const SAINT_ETIENNE: (f64, f64) = (45.4339, 4.3900); // ~50 km from Lyon

fn gp() -> Specialty {
    Specialty::parse("medecine-generale").unwrap()
}

fn at((lat, lon): (f64, f64)) -> GeoPoint {
    GeoPoint::new(lat, lon).unwrap()
}

fn doc(base: (f64, f64), radius: u16) -> DoctorProfile {
    DoctorProfile {
        id: DoctorId::new(),
        status: DoctorStatus::Verified,
        active: true,
        specialties: vec![gp()],
        qualification: Qualification::Thesed,
        base: Some(at(base)),
        travel_radius_km: radius,
        departments: vec![],
        languages: vec![],
    }
}

fn open(d: &DoctorProfile, a: i64, b: i64, kind: ShiftKind) -> Slot {
    Slot {
        id: AvailabilityId::new(),
        doctor: d.id,
        interval: span(a, b),
        kind,
        status: AvailabilityStatus::Open,
    }
}

/// A request in Lyon (69) for the given (start, end, kind) hours.
fn req(shifts: &[(i64, i64, ShiftKind)]) -> OpenRequest {
    let dept = Department::parse("69").unwrap();
    OpenRequest {
        id: RequestId::new(),
        specialty: gp(),
        location: at(LYON),
        department: dept,
        zone: dept.time_zone(),
        shifts: shifts
            .iter()
            .map(|&(a, b, kind)| Shift {
                kind,
                interval: span(a, b),
            })
            .collect(),
        thesed_only: false,
        languages: vec![],
    }
}

fn index(
    doctors: &[DoctorProfile],
    slots: &[Slot],
    busy: &[BusyBlock],
    r: &OpenRequest,
) -> MatchingIndex {
    MatchingIndex::build(
        doctors.to_vec(),
        slots.to_vec(),
        busy.to_vec(),
        vec![r.clone()],
        &[],
    )
    .unwrap()
}

fn candidates(ix: &MatchingIndex, r: &OpenRequest) -> Vec<DoctorId> {
    match_request(ix, r.id)
        .unwrap()
        .candidates
        .iter()
        .map(|c| c.doctor)
        .collect()
}

#[test]
fn only_verified_active_doctors_of_the_specialty_within_reach() {
    let r = req(&[(8, 20, ShiftKind::Day)]);
    let near = doc(LYON, 10);
    let mut pending = doc(LYON, 10);
    pending.status = DoctorStatus::Pending;
    let mut inactive = doc(LYON, 10);
    inactive.active = false;
    let mut paediatrician = doc(LYON, 10);
    paediatrician.specialties = vec![Specialty::parse("pediatrie").unwrap()];
    let too_far = doc(SAINT_ETIENNE, 40);
    let far_enough = doc(SAINT_ETIENNE, 60);
    let mut by_department = doc(SAINT_ETIENNE, 10);
    by_department.departments = vec![Department::parse("69").unwrap()];
    let mut no_base = doc(LYON, 0);
    no_base.base = None;
    no_base.departments = vec![Department::parse("69").unwrap()];
    let all = [
        near.clone(),
        pending,
        inactive,
        paediatrician,
        too_far,
        far_enough.clone(),
        by_department.clone(),
        no_base.clone(),
    ];
    let slots: Vec<Slot> = all.iter().map(|d| open(d, 0, 24, ShiftKind::Day)).collect();
    let ix = index(&all, &slots, &[], &r);
    let mut got = candidates(&ix, &r);
    got.sort();
    let mut want = vec![near.id, far_enough.id, by_department.id, no_base.id];
    want.sort();
    assert_eq!(got, want);
    let m = match_request(&ix, r.id).unwrap();
    let reach_of = |id| m.candidates.iter().find(|c| c.doctor == id).unwrap().reach;
    assert!(
        matches!(reach_of(by_department.id), Reach::Department { distance_km: Some(d) } if (45.0..55.0).contains(&d))
    );
    assert!(matches!(
        reach_of(no_base.id),
        Reach::Department { distance_km: None }
    ));
    assert!(matches!(
        reach_of(far_enough.id),
        Reach::Radius { radius_km: 60, .. }
    ));
}

#[test]
fn requirements_thesis_licence_languages() {
    let mut r = req(&[(8, 20, ShiftKind::Day), (32, 44, ShiftKind::Day)]);
    let thesed = doc(LYON, 10);
    let mut intern = doc(LYON, 10);
    // Hours count from 2027-03-01 00:00 UTC; the licence covers the whole of 1 March (Paris time) only.
    intern.qualification = Qualification::Intern {
        licence_valid_until: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
    };
    let mut english = doc(LYON, 10);
    english.languages = vec!["en".into()];
    let all = [thesed.clone(), intern.clone(), english.clone()];
    let slots: Vec<Slot> = all.iter().map(|d| open(d, 0, 48, ShiftKind::Day)).collect();
    let ix = index(&all, &slots, &[], &r);
    let m = match_request(&ix, r.id).unwrap();
    let intern_c = m.candidates.iter().find(|c| c.doctor == intern.id).unwrap();
    assert_eq!(
        intern_c.status,
        CoverageStatus::Partial,
        "licence ends before the second day"
    );
    assert_eq!(intern_c.coverage.shifts[0].status, CoverageStatus::Complete);
    assert_eq!(
        intern_c.coverage.shifts[1].status,
        CoverageStatus::NotCovered
    );

    r.thesed_only = true;
    r.languages = vec!["en".into()];
    let ix = index(&all, &slots, &[], &r);
    assert_eq!(candidates(&ix, &r), [english.id]);
}

#[test]
fn booked_held_and_busy_time_never_counts() {
    let r = req(&[(8, 20, ShiftKind::Day)]);
    let d = doc(LYON, 10);
    let mut booked = open(&d, 8, 12, ShiftKind::Day);
    booked.status = AvailabilityStatus::Booked;
    let mut held = open(&d, 18, 20, ShiftKind::Day);
    held.status = AvailabilityStatus::Held;
    let slots = [open(&d, 0, 24, ShiftKind::Day), booked, held];
    let busy = [BusyBlock {
        doctor: d.id,
        interval: span(14, 15),
    }];
    let ix = index(std::slice::from_ref(&d), &slots, &busy, &r);
    let m = match_request(&ix, r.id).unwrap();
    let c = &m.candidates[0];
    assert_eq!(c.status, CoverageStatus::Partial);
    assert_eq!(c.coverage.shifts[0].covered, [span(12, 14), span(15, 18)]);
    assert_eq!(
        c.coverage.shifts[0].uncovered,
        [span(8, 12), span(14, 15), span(18, 20)]
    );
}

#[test]
fn hour_caps_drop_shifts_in_chronological_order() {
    // Five 12-hour days in a row: the fifth would make 60 h in 7 days.
    let days: Vec<(i64, i64, ShiftKind)> = (0..5)
        .map(|k| (24 * k + 8, 24 * k + 20, ShiftKind::Day))
        .collect();
    let r = req(&days);
    let d = doc(LYON, 10);
    let ix = index(
        std::slice::from_ref(&d),
        &[open(&d, 0, 24 * 6, ShiftKind::Day)],
        &[],
        &r,
    );
    let c = &match_request(&ix, r.id).unwrap().candidates[0];
    let statuses: Vec<CoverageStatus> = c.coverage.shifts.iter().map(|s| s.status).collect();
    let (full, none) = (CoverageStatus::Complete, CoverageStatus::NotCovered);
    assert_eq!(statuses, [full, full, full, full, none]);
    assert!(
        c.criteria[0].explanation().contains("plafonds"),
        "{}",
        c.criteria[0].explanation()
    );

    // A booked night before a day shift makes 24 h in a row plus one hour: refused.
    let r = req(&[(32, 44, ShiftKind::Day)]);
    let mut night = open(&d, 19, 32, ShiftKind::Night);
    night.status = AvailabilityStatus::Booked;
    let ix = index(
        std::slice::from_ref(&d),
        &[open(&d, 32, 44, ShiftKind::Day), night],
        &[],
        &r,
    );
    assert!(candidates(&ix, &r).is_empty());
}

#[test]
fn declined_requests_are_not_proposed_again_in_either_direction() {
    let r = req(&[(8, 20, ShiftKind::Day)]);
    let d = doc(LYON, 10);
    let mut ix = index(
        std::slice::from_ref(&d),
        &[open(&d, 0, 24, ShiftKind::Day)],
        &[],
        &r,
    );
    assert_eq!(candidates(&ix, &r), [d.id]);
    assert_eq!(requests_for_doctor(&ix, d.id).unwrap().len(), 1);
    ix.add_decline(r.id, d.id);
    assert!(candidates(&ix, &r).is_empty());
    assert!(requests_for_doctor(&ix, d.id).unwrap().is_empty());
}

#[test]
fn ranking_weighs_coverage_distance_and_kind_and_explains_in_french() {
    let r = req(&[(20, 32, ShiftKind::Night)]);
    let close_night = doc(LYON, 30);
    let close_day_kind = doc(LYON, 30);
    let far_night = doc(SAINT_ETIENNE, 80);
    let half = doc(LYON, 30);
    let slots = [
        open(&close_night, 20, 32, ShiftKind::Night),
        open(&close_day_kind, 20, 32, ShiftKind::Day),
        open(&far_night, 20, 32, ShiftKind::Night),
        open(&half, 20, 26, ShiftKind::Night),
    ];
    let ix = index(
        &[
            close_night.clone(),
            close_day_kind.clone(),
            far_night.clone(),
            half.clone(),
        ],
        &slots,
        &[],
        &r,
    );
    let m = match_request(&ix, r.id).unwrap();
    let order: Vec<DoctorId> = m.candidates.iter().map(|c| c.doctor).collect();
    // 1000 = 600 + 250 + 150; 958 (50 km away); 850 (a day slot for a night: other family); 700 (half).
    assert_eq!(
        order,
        [close_night.id, far_night.id, close_day_kind.id, half.id]
    );
    let scores: Vec<u32> = m.candidates.iter().map(|c| c.score).collect();
    assert_eq!(scores[2..], [850, 700]);
    let best = &m.candidates[0];
    assert_eq!(best.score, 1000);
    assert_eq!(
        best.criteria.iter().map(|c| c.name).collect::<Vec<_>>(),
        ["coverage", "distance", "shift_kind"]
    );
    assert!(
        best.criteria[0]
            .explanation()
            .starts_with("Couvre 12 h sur 12 h demandées (100 %)"),
        "{}",
        best.criteria[0].explanation()
    );
    assert!(
        best.criteria[1]
            .explanation()
            .contains("rayon de déplacement de 30 km")
    );
    // Nobody is complete? Someone is: no split.
    assert!(m.split.is_none());
}

#[test]
fn split_when_nobody_covers_everything() {
    let r = req(&[(8, 20, ShiftKind::Day), (32, 44, ShiftKind::Day)]);
    let first_day = doc(LYON, 10);
    let second_day = doc(LYON, 10);
    let morning = doc(LYON, 10);
    let slots = [
        open(&first_day, 8, 20, ShiftKind::Day),
        open(&second_day, 32, 44, ShiftKind::Day),
        open(&morning, 8, 14, ShiftKind::Morning),
    ];
    let ix = index(
        &[first_day.clone(), second_day.clone(), morning.clone()],
        &slots,
        &[],
        &r,
    );
    let m = match_request(&ix, r.id).unwrap();
    assert_eq!(m.complete().count(), 0);
    let split = m.split.unwrap();
    assert!(split.complete);
    assert_eq!(split.method, SplitMethod::Exact);
    let mut who: Vec<DoctorId> = split.parts.iter().map(|p| p.doctor).collect();
    who.sort();
    let mut want = vec![first_day.id, second_day.id];
    want.sort();
    assert_eq!(who, want);
}
