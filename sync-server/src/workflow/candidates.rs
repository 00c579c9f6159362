//! Matching glue: the candidates of one request, evaluated by core's matching rules over the doctors,
//! availabilities and busy periods stored on the server, inside the caller's transaction (so a
//! proposal is checked against exactly what it commits with).
//!
//! The lead's `matching` service (a maintained index) replaces the loading part when it lands; the rules
//! stay core's (`rempla_core::matching::evaluate`), so the answers do not change.

use chrono::Duration;
use rempla_core::calendar::Interval;
use rempla_core::domain::{
    Availability, AvailabilityId, AvailabilityStatus, BusyPeriod, Doctor, DoctorId, DoctorStatus,
    Mission, Request,
};
use rempla_core::matching::from_domain::{
    availability_slots, doctor_profile, occurrence_id, open_request,
};
use rempla_core::matching::{Candidate, MatchingIndex, Slot, match_request};
use rempla_core::sync::merge::MergeState;
use serde_json::Value;

use crate::db::{StorageError, Tx, Val, json, text};

fn live_fields(state: &MergeState, id: &str) -> Option<Value> {
    if !state.is_live() {
        return None;
    }
    let mut fields = state.fields.clone();
    fields.insert("id".into(), Value::String(id.to_owned()));
    Some(Value::Object(fields))
}

/// The ranked candidates of `request` (best first), among every verified doctor, or only `only` when
/// given. Doctors who declined the request are excluded, as core's rules say.
pub(crate) fn candidates_tx(
    tx: &mut dyn Tx,
    request: &Request,
    only: Option<&str>,
) -> Result<Vec<Candidate>, StorageError> {
    // Conversions are core's `from_domain`, shared with the matching service and the phones.
    let Ok(Some(open)) = open_request(request) else {
        return Ok(Vec::new());
    };
    let Some((from, to)) = open.span() else {
        return Ok(Vec::new());
    };
    let window = Interval::new(from - Duration::days(8), to + Duration::days(8))
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let mut index = MatchingIndex::new();
    let rows = match only {
        Some(id) => tx.query(
            "SELECT id, record FROM doctors WHERE status = $1 AND id = $2",
            &[DoctorStatus::Verified.as_str().into(), id.into()],
        )?,
        None => tx.query(
            "SELECT id, record FROM doctors WHERE status = $1",
            &[DoctorStatus::Verified.as_str().into()],
        )?,
    };
    let mut doctor_ids: Vec<String> = Vec::new();
    for row in &rows {
        let doctor: Doctor = json(row, 1)?;
        if !doctor.specialties.contains(&open.specialty) {
            continue;
        }
        // A profile core refuses (no specialty, bad département…) is simply not a candidate.
        let Ok(profile) = doctor_profile(&doctor, true) else {
            continue;
        };
        if index.upsert_doctor(profile).is_ok() {
            doctor_ids.push(text(row, 0)?);
        }
    }
    for doctor_id in &doctor_ids {
        let did: DoctorId = doctor_id
            .parse()
            .map_err(|_| StorageError::Corrupt(format!("doctor id {doctor_id}")))?;
        let records = tx.query(
            "SELECT entity, id, state FROM records WHERE doctor_id = $1 \
             AND entity IN ('availability', 'busy_period')",
            &[Val::from(doctor_id)],
        )?;
        let mut busy = Vec::new();
        for r in &records {
            let state: MergeState = json(r, 2)?;
            let Some(fields) = live_fields(&state, &text(r, 1)?) else {
                continue;
            };
            if text(r, 0)? == "availability" {
                let Ok(a) = serde_json::from_value::<Availability>(fields) else {
                    continue;
                };
                // The doctor's missions stand for their booked time below (hour caps count them once).
                if a.status == AvailabilityStatus::Booked {
                    continue;
                }
                for slot in availability_slots(&a, &window).unwrap_or_default() {
                    let _ = index.upsert_slot(slot);
                }
            } else if let Ok(b) = serde_json::from_value::<BusyPeriod>(fields)
                && b.interval.overlaps(&window)
            {
                busy.push(b.interval);
            }
        }
        let _ = index.set_busy(did, busy);
        // Confirmed missions block their shifts and count towards the hour caps, series included.
        for r in tx.query(
            "SELECT record FROM missions WHERE doctor_id = $1 AND status = 'confirmed'",
            &[Val::from(doctor_id)],
        )? {
            let mission: Mission = json(&r, 0)?;
            for shift in mission
                .shifts
                .iter()
                .filter(|s| s.interval.overlaps(&window))
            {
                let _ = index.upsert_slot(Slot {
                    id: occurrence_id(
                        AvailabilityId::from_uuid(*mission.id.as_uuid()),
                        shift.interval.start(),
                    ),
                    doctor: did,
                    interval: shift.interval,
                    kind: shift.kind,
                    status: AvailabilityStatus::Booked,
                });
            }
        }
    }
    for row in tx.query(
        "SELECT doctor_id FROM proposals WHERE request_id = $1 AND state = 'declined'",
        &[request.id.to_string().into()],
    )? {
        if let Ok(d) = text(&row, 0)?.parse::<DoctorId>() {
            index.add_decline(request.id, d);
        }
    }
    if index.upsert_request(open).is_err() {
        return Ok(Vec::new());
    }
    Ok(match_request(&index, request.id)
        .map(|m| m.candidates)
        .unwrap_or_default())
}
