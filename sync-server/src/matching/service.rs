//! [`MatchingService`]: this instance's in-memory matching index, caught up on the feed and on the doctor
//! profiles changed since its position before every query, and rebuilt every [`REBUILD_AFTER_MS`] (see the
//! area's doc in `mod.rs`).

use super::queries::{DoctorChange, Positions, REBUILD_AFTER_MS, Snapshot};
use crate::db::{Storage, StorageError, StoredChange};
use chrono::{DateTime, Duration, Utc};
use rempla_core::calendar::Interval;
use rempla_core::domain::{
    Availability, AvailabilityId, AvailabilityStatus, BusyPeriod, Doctor, DoctorId, Mission,
    MissionStatus, Proposal, ProposalState, Request, RequestId,
};
use rempla_core::matching::from_domain::{
    availability_slots, doctor_profile, occurrence_id, open_request,
};
use rempla_core::matching::{MatchingError, MatchingIndex, Slot};
use rempla_core::sync::EntityKind;
use rempla_core::sync::merge::MergeState;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use tokio::sync::{Mutex, MutexGuard};

/// How far back recurring series are expanded (a request may have started yesterday).
const HORIZON_BACK_DAYS: i64 = 2;

/// How far ahead recurring series are expanded: requests are posted up to about a year ahead.
const HORIZON_AHEAD_DAYS: i64 = 550;

/// The in-memory index and what it was built from.
#[derive(Debug)]
pub struct Loaded {
    /// The core index.
    pub index: MatchingIndex,
    positions: Positions,
    built_ms: i64,
    horizon: Interval,
    /// The slot ids each availability (slot or series) put in the index, with its owner.
    slots_of: HashMap<AvailabilityId, (DoctorId, Vec<AvailabilityId>)>,
    /// Busy periods per doctor, by record id (the index takes a doctor's whole list).
    busy_of: HashMap<DoctorId, BTreeMap<String, Interval>>,
}

/// The matching service of one server instance.
#[derive(Debug, Default)]
pub struct MatchingService {
    loaded: Mutex<Option<Loaded>>,
}

fn fields<T: DeserializeOwned>(state: &MergeState) -> Result<T, serde_json::Error> {
    serde_json::from_value(Value::Object(state.fields.clone()))
}

fn horizon_at(now_ms: i64) -> Option<Interval> {
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms)?;
    Interval::new(
        now - Duration::days(HORIZON_BACK_DAYS),
        now + Duration::days(HORIZON_AHEAD_DAYS),
    )
    .ok()
}

impl Loaded {
    fn build(snapshot: Snapshot, now_ms: i64) -> Result<Self, StorageError> {
        let horizon = horizon_at(now_ms).ok_or(StorageError::Corrupt("horloge".into()))?;
        let mut loaded = Self {
            index: MatchingIndex::new(),
            positions: snapshot.positions,
            built_ms: now_ms,
            horizon,
            slots_of: HashMap::new(),
            busy_of: HashMap::new(),
        };
        loaded.set_doctors(snapshot.doctors);
        for change in &snapshot.records {
            loaded.apply(change);
        }
        Ok(loaded)
    }

    /// Puts one doctor profile in the index (its slots and busy periods are kept by the index).
    fn upsert_doctor(&mut self, doctor: &Doctor, active: bool) {
        match doctor_profile(doctor, active) {
            Ok(profile) => {
                if let Err(e) = self.index.upsert_doctor(profile) {
                    tracing::warn!(doctor = %doctor.id, error = %e, "doctor left out of matching");
                }
            }
            Err(e) => {
                tracing::warn!(doctor = %doctor.id, error = %e, "doctor left out of matching");
            }
        }
    }

    /// Applies the doctor-profile changes read since the index's profile position, oldest first.
    fn apply_doctor_changes(&mut self, changes: Vec<DoctorChange>) {
        for change in changes {
            match change {
                DoctorChange::Profile(doctor) => self.upsert_doctor(&doctor, true),
                DoctorChange::Gone(id) => {
                    if let Ok(id) = id.parse::<DoctorId>()
                        && self.index.doctor(id).is_ok()
                    {
                        let _ = self.index.remove_doctor(id);
                    }
                }
            }
        }
    }

    /// Replaces the doctor profiles (slots and busy periods are kept by the index).
    fn set_doctors(&mut self, doctors: Vec<(Doctor, bool)>) {
        let mut seen = std::collections::HashSet::new();
        for (doctor, active) in doctors {
            seen.insert(doctor.id);
            self.upsert_doctor(&doctor, active);
        }
        let gone: Vec<DoctorId> = self
            .index
            .doctors()
            .map(|d| d.profile.id)
            .filter(|id| !seen.contains(id))
            .collect();
        for id in gone {
            let _ = self.index.remove_doctor(id);
        }
    }

    /// Applies one feed change of a matched record. A record that does not fit the index (damaged,
    /// or owned by an unknown doctor) is logged and left out: one bad record never blocks matching.
    fn apply(&mut self, change: &StoredChange) {
        let result = match change.entity {
            EntityKind::Availability => self.apply_availability(change),
            EntityKind::BusyPeriod => self.apply_busy(change),
            EntityKind::Request => self.apply_request(change),
            EntityKind::Proposal => self.apply_proposal(change),
            EntityKind::Mission => self.apply_mission(change),
            _ => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(entity = %change.entity, id = %change.id, error = %e, "record left out of matching");
        }
    }

    fn apply_availability(&mut self, change: &StoredChange) -> Result<(), MatchingError> {
        let Ok(id) = change.id.parse::<AvailabilityId>() else {
            return Ok(());
        };
        if let Some((doctor, old)) = self.slots_of.remove(&id) {
            for slot in old {
                let _ = self.index.remove_slot(doctor, slot);
            }
        }
        if !change.state.is_live() {
            return Ok(());
        }
        let availability: Availability = fields(&change.state).map_err(|e| invalid(change, &e))?;
        // Booked time is the doctor's missions (`apply_mission`), counted once for the hour caps.
        let slots: Vec<_> = availability_slots(&availability, &self.horizon)?
            .into_iter()
            .filter(|s| s.status != AvailabilityStatus::Booked)
            .collect();
        let ids = slots.iter().map(|s| s.id).collect();
        for slot in slots {
            self.index.upsert_slot(slot)?;
        }
        self.slots_of.insert(id, (availability.doctor_id, ids));
        Ok(())
    }

    fn apply_busy(&mut self, change: &StoredChange) -> Result<(), MatchingError> {
        let doctor = match (&change.doctor_id, fields::<BusyPeriod>(&change.state)) {
            (_, Ok(busy)) => busy.doctor_id,
            (Some(d), Err(_)) => d.parse().map_err(|_| invalid(change, &"médecin"))?,
            (None, Err(e)) => return Err(invalid(change, &e)),
        };
        let list = self.busy_of.entry(doctor).or_default();
        list.remove(&change.id);
        if change.state.is_live() {
            let busy: BusyPeriod = fields(&change.state).map_err(|e| invalid(change, &e))?;
            list.insert(change.id.clone(), busy.interval);
        }
        let all = list.values().copied().collect();
        self.index.set_busy(doctor, all)
    }

    fn apply_request(&mut self, change: &StoredChange) -> Result<(), MatchingError> {
        let Ok(id) = change.id.parse::<RequestId>() else {
            return Ok(());
        };
        let open = if change.state.is_live() {
            let request: Request = fields(&change.state).map_err(|e| invalid(change, &e))?;
            open_request(&request)?
        } else {
            None
        };
        if let Some(open) = open {
            self.index.upsert_request(open)
        } else {
            if self.index.request(id).is_ok() {
                self.index.remove_request(id)?;
            }
            Ok(())
        }
    }
}

impl Loaded {
    /// A declined proposal: the doctor is never a candidate of that request again (core's rule).
    fn apply_proposal(&mut self, change: &StoredChange) -> Result<(), MatchingError> {
        if !change.state.is_live() {
            return Ok(());
        }
        let proposal: Proposal = fields(&change.state).map_err(|e| invalid(change, &e))?;
        if proposal.state == ProposalState::Declined {
            self.index
                .add_decline(proposal.request_id, proposal.doctor_id);
        }
        Ok(())
    }

    /// A confirmed mission is booked time of its doctor (blocks, counts towards the hour caps); a
    /// cancelled one frees it. Its slots are kept under the mission id, like a series' occurrences.
    fn apply_mission(&mut self, change: &StoredChange) -> Result<(), MatchingError> {
        let Ok(id) = change.id.parse::<uuid::Uuid>() else {
            return Ok(());
        };
        let key = AvailabilityId::from_uuid(id);
        if let Some((doctor, old)) = self.slots_of.remove(&key) {
            for slot in old {
                let _ = self.index.remove_slot(doctor, slot);
            }
        }
        if !change.state.is_live() {
            return Ok(());
        }
        let mission: Mission = fields(&change.state).map_err(|e| invalid(change, &e))?;
        if mission.status != MissionStatus::Confirmed {
            return Ok(());
        }
        let mut ids = Vec::new();
        for shift in mission
            .shifts
            .iter()
            .filter(|s| s.interval.overlaps(&self.horizon))
        {
            let slot = Slot {
                id: occurrence_id(key, shift.interval.start()),
                doctor: mission.doctor_id,
                interval: shift.interval,
                kind: shift.kind,
                status: AvailabilityStatus::Booked,
            };
            self.index.upsert_slot(slot)?;
            ids.push(slot.id);
        }
        self.slots_of.insert(key, (mission.doctor_id, ids));
        Ok(())
    }
}

fn invalid(change: &StoredChange, e: &dyn std::fmt::Display) -> MatchingError {
    MatchingError::InvalidField {
        what: format!("{} {}", change.entity, change.id),
        reason: e.to_string(),
        code: "invalid_record",
    }
}

impl MatchingService {
    /// An empty service; the index is built at the first query.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index, brought up to date with everything committed before this call.
    pub async fn fresh(
        &self,
        storage: &Storage,
        now_ms: i64,
    ) -> Result<MutexGuard<'_, Option<Loaded>>, StorageError> {
        let mut guard = self.loaded.lock().await;
        let stale = guard
            .as_ref()
            .is_none_or(|l| now_ms - l.built_ms >= REBUILD_AFTER_MS || now_ms < l.built_ms);
        if stale {
            let snapshot = storage.matching_snapshot().await?;
            let loaded = tokio::task::spawn_blocking(move || Loaded::build(snapshot, now_ms))
                .await
                .map_err(|_| StorageError::Task)??;
            tracing::info!(
                doctors = loaded.index.doctor_count(),
                slots = loaded.index.slot_count(),
                requests = loaded.index.request_count(),
                "matching index built"
            );
            *guard = Some(loaded);
            return Ok(guard);
        }
        let Some(loaded) = guard.as_mut() else {
            return Err(StorageError::Task);
        };
        let now = storage.matching_positions().await?;
        if now.doctors_rev != loaded.positions.doctors_rev {
            let (positions, changes) = storage
                .matching_doctor_changes_since(loaded.positions.doctors_rev)
                .await?;
            loaded.apply_doctor_changes(changes);
            loaded.positions.doctors_rev = positions.doctors_rev;
        }
        if now.seq != loaded.positions.seq {
            let (positions, changes) = storage.matching_changes_since(loaded.positions.seq).await?;
            for change in &changes {
                loaded.apply(change);
            }
            loaded.positions.seq = positions.seq;
        }
        Ok(guard)
    }
}
