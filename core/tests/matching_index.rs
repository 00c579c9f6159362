//! Property tests: the index gives exactly the brute-force answer, before and after random incremental
//! updates, and the answer does not depend on the order the data came in.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;

use common::{Rng, World, doctor, request, slot, world};
use proptest::prelude::*;
use rempla_core::domain::{DoctorId, RequestId};
use rempla_core::matching::{
    MatchingIndex, brute_force_candidates, brute_force_requests_for_doctor, match_request,
    requests_for_doctor,
};

fn assert_index_is_exact(index: &MatchingIndex, w: &World) -> Result<(), TestCaseError> {
    for r in &w.requests {
        let fast = match_request(index, r.id).unwrap();
        let slow = brute_force_candidates(index, r.id).unwrap();
        prop_assert_eq!(&fast, &slow);
    }
    for d in &w.doctors {
        let fast = requests_for_doctor(index, d.id).unwrap();
        let slow = brute_force_requests_for_doctor(index, d.id).unwrap();
        prop_assert_eq!(&fast, &slow);
    }
    Ok(())
}

/// Both directions agree: d is a candidate of r iff r fits d, with the same coverage and score.
fn assert_directions_agree(index: &MatchingIndex, w: &World) -> Result<(), TestCaseError> {
    for r in &w.requests {
        let m = match_request(index, r.id).unwrap();
        for d in &w.doctors {
            let from_request = m.candidates.iter().find(|c| c.doctor == d.id);
            let fits = requests_for_doctor(index, d.id).unwrap();
            let from_doctor = fits.iter().find(|f| f.request == r.id);
            prop_assert_eq!(
                from_request.map(|c| (&c.coverage, c.score)),
                from_doctor.map(|f| (&f.coverage, f.score))
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn index_equals_brute_force(seed in any::<u64>()) {
        let mut r = Rng::new(seed);
        let w = world(&mut r, 25, 12);
        let index = w.index();
        assert_index_is_exact(&index, &w)?;
        assert_directions_agree(&index, &w)?;
        // Something actually matched in most worlds (the test would be vacuous otherwise).
        let total: usize = w.requests.iter().map(|q| match_request(&index, q.id).unwrap().candidates.len()).sum();
        prop_assume!(total > 0);
    }

    #[test]
    fn incremental_updates_equal_a_rebuild_and_brute_force(seed in any::<u64>()) {
        let mut r = Rng::new(seed);
        let mut w = world(&mut r, 20, 10);
        let mut index = w.index();
        for _ in 0..30 {
            match r.below(9) {
                0 => {
                    let id = DoctorId::from_uuid(r.uuid());
                    let d = doctor(&mut r, id);
                    index.upsert_doctor(d.clone()).unwrap();
                    w.doctors.push(d);
                }
                1 if !w.doctors.is_empty() => {
                    // Move, re-specialise or change the radius of an existing doctor.
                    let i = r.below(w.doctors.len() as u64) as usize;
                    let d = doctor(&mut r, w.doctors[i].id);
                    index.upsert_doctor(d.clone()).unwrap();
                    w.doctors[i] = d;
                }
                2 if !w.doctors.is_empty() => {
                    let i = r.below(w.doctors.len() as u64) as usize;
                    let gone = w.doctors.remove(i).id;
                    index.remove_doctor(gone).unwrap();
                    w.slots.retain(|s| s.doctor != gone);
                    w.busy.retain(|b| b.doctor != gone);
                    w.declines.retain(|x| x.1 != gone);
                }
                3 if !w.doctors.is_empty() => {
                    let owner = w.doctors[r.below(w.doctors.len() as u64) as usize].id;
                    let s = slot(&mut r, owner);
                    index.upsert_slot(s).unwrap();
                    w.slots.push(s);
                }
                4 if !w.slots.is_empty() => {
                    // Book, release or move an existing slot.
                    let i = r.below(w.slots.len() as u64) as usize;
                    let mut s = slot(&mut r, w.slots[i].doctor);
                    s.id = w.slots[i].id;
                    index.upsert_slot(s).unwrap();
                    w.slots[i] = s;
                }
                5 if !w.slots.is_empty() => {
                    let i = r.below(w.slots.len() as u64) as usize;
                    let s = w.slots.remove(i);
                    index.remove_slot(s.doctor, s.id).unwrap();
                }
                6 => {
                    let id = RequestId::from_uuid(r.uuid());
                    let q = request(&mut r, id);
                    index.upsert_request(q.clone()).unwrap();
                    w.requests.push(q);
                }
                7 if !w.requests.is_empty() => {
                    let i = r.below(w.requests.len() as u64) as usize;
                    if r.chance(50) {
                        let q = request(&mut r, w.requests[i].id);
                        index.upsert_request(q.clone()).unwrap();
                        w.requests[i] = q;
                    } else {
                        let q = w.requests.remove(i);
                        index.remove_request(q.id).unwrap();
                        w.declines.retain(|x| x.0 != q.id);
                    }
                }
                8 if !w.requests.is_empty() && !w.doctors.is_empty() => {
                    let q = w.requests[r.below(w.requests.len() as u64) as usize].id;
                    let d = w.doctors[r.below(w.doctors.len() as u64) as usize].id;
                    index.add_decline(q, d);
                    w.declines.push((q, d));
                }
                _ => {}
            }
        }
        assert_index_is_exact(&index, &w)?;
        let rebuilt = w.index();
        for q in &w.requests {
            prop_assert_eq!(match_request(&index, q.id).unwrap(), match_request(&rebuilt, q.id).unwrap());
        }
    }

    #[test]
    fn ranking_is_deterministic_and_independent_of_input_order(seed in any::<u64>(), shuffle in any::<u64>()) {
        let mut r = Rng::new(seed);
        let w = world(&mut r, 25, 8);
        let a = w.index();
        let mut s = Rng::new(shuffle);
        let mut shuffled = w.clone();
        for v in [&mut shuffled.doctors] {
            for i in (1..v.len()).rev() { v.swap(i, s.below(i as u64 + 1) as usize); }
        }
        for i in (1..shuffled.slots.len()).rev() { shuffled.slots.swap(i, s.below(i as u64 + 1) as usize); }
        for i in (1..shuffled.requests.len()).rev() { shuffled.requests.swap(i, s.below(i as u64 + 1) as usize); }
        let b = shuffled.index();
        for q in &w.requests {
            let (x, y) = (match_request(&a, q.id).unwrap(), match_request(&b, q.id).unwrap());
            prop_assert_eq!(&x, &y);
            prop_assert_eq!(&x, &match_request(&a, q.id).unwrap());
            // Best first, ties by the per-request hash.
            for pair in x.candidates.windows(2) {
                prop_assert!((pair[0].score, std::cmp::Reverse(pair[0].tie_break)) >= (pair[1].score, std::cmp::Reverse(pair[1].tie_break)));
            }
        }
    }
}

#[test]
fn unknown_ids_are_errors() {
    let w = world(&mut Rng::new(1), 3, 2);
    let mut index = w.index();
    assert_eq!(
        match_request(&index, RequestId::new()).unwrap_err().code(),
        "unknown_request"
    );
    assert_eq!(
        requests_for_doctor(&index, DoctorId::new())
            .unwrap_err()
            .code(),
        "unknown_doctor"
    );
    assert_eq!(
        index.remove_doctor(DoctorId::new()).unwrap_err().code(),
        "unknown_doctor"
    );
    assert_eq!(
        index.remove_request(RequestId::new()).unwrap_err().code(),
        "unknown_request"
    );
    let orphan = slot(&mut Rng::new(2), DoctorId::new());
    assert_eq!(
        index.upsert_slot(orphan).unwrap_err().code(),
        "orphan_record"
    );
    let d = w.doctors[0].id;
    assert_eq!(
        index
            .remove_slot(d, rempla_core::domain::AvailabilityId::new())
            .unwrap_err()
            .code(),
        "unknown_slot"
    );
    let mut bad = w.doctors[0].clone();
    bad.specialties.clear();
    assert_eq!(
        index.upsert_doctor(bad).unwrap_err().code(),
        "empty_specialties"
    );
    let mut q = w.requests[0].clone();
    q.shifts.clear();
    assert_eq!(index.upsert_request(q).unwrap_err().code(), "no_shifts");
    let mut q = w.requests[0].clone();
    q.shifts.push(q.shifts[0]);
    assert_eq!(
        index.upsert_request(q).unwrap_err().code(),
        "overlapping_shifts"
    );
    let dup = MatchingIndex::build(
        vec![w.doctors[0].clone(), w.doctors[0].clone()],
        vec![],
        vec![],
        vec![],
        &[],
    );
    assert_eq!(dup.unwrap_err().code(), "duplicate_id");
}
