//! Authorization of reads and endpoint actions: one place that decides what a caller may see or do.
//! Per-op write rules of the sync push live in `sync::rules` (they need the stored record).
//!
//! Roles: doctor (own calendar; open requests once verified), facility member (admin / planner /
//! viewer plus delegations, via `Member::can`; members of a facility staff have not verified yet act as
//! viewers who may manage members), staff (back office). A facility sees a doctor's profile minimised
//! ([`facility_doctor_view`]); contact details and RPPS only after an unlock.

use rempla_core::domain::{DoctorStatus, Right};
use rempla_core::sync::protocol::Change;
use rempla_core::sync::{EntityKind, Hlc};
use serde_json::Value;

use crate::auth::Caller;
use crate::db::{Scope, StoredChange};

/// An action on an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// Invite members or change their rights in a facility.
    ManageMembers(&'a str),
    /// Add or edit the sites of a facility.
    ManageSites(&'a str),
    /// Read a facility, its sites and members.
    ReadFacility(&'a str),
    /// Change a doctor's trust status.
    SetDoctorStatus,
    /// Read a facility's invoices and statement of charges.
    ReadBilling(&'a str),
    /// Set the tariff grid, read every facility's sales journal (staff).
    ManageBilling,
}

/// Whether `caller` may perform `action`.
pub fn allowed(caller: &Caller, action: Action<'_>) -> bool {
    match action {
        Action::ManageMembers(f) | Action::ManageSites(f) => caller
            .member_of(f)
            .is_some_and(|m| m.can(Right::ManageMembers, None)),
        Action::ReadFacility(f) => {
            caller.is_staff()
                || caller
                    .member_of(f)
                    .is_some_and(|m| m.can(Right::Read, None))
        }
        Action::SetDoctorStatus | Action::ManageBilling => caller.is_staff(),
        Action::ReadBilling(f) => {
            caller.is_staff()
                || caller
                    .member_of(f)
                    .is_some_and(|m| m.can(Right::Billing, None))
        }
    }
}

/// How much of a doctor profile a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoctorSight {
    /// The doctor themselves and staff: the whole record.
    Whole,
    /// A member of a verified facility, about a verified doctor: the public profile (names,
    /// specialties, qualification, languages, départements, radius) and the commune of the doctor's
    /// base, never its coordinates; RPPS and contact details only once `unlocked` (a mission between
    /// them).
    Facility {
        /// Whether one of the caller's verified facilities has a mission with the doctor.
        unlocked: bool,
    },
    /// Anyone else: nothing (answered as not found).
    Nothing,
}

/// Whether `caller` sees anything of `doctor_id`'s profile (before the unlock is known).
pub fn doctor_sight(caller: &Caller, doctor_id: &str, record: &Value) -> DoctorSight {
    if caller.is_staff() || caller.doctor_id() == Some(doctor_id) {
        return DoctorSight::Whole;
    }
    let verified =
        record.get("status").and_then(Value::as_str) == Some(DoctorStatus::Verified.as_str());
    if verified && caller.members.iter().any(|m| m.facility_verified) {
        return DoctorSight::Facility { unlocked: false };
    }
    DoctorSight::Nothing
}

/// The profile a facility member sees (data minimisation): named fields only, the base replaced by
/// its commune (`commune`: name, INSEE code, département), RPPS and contact details once `unlocked`.
pub fn facility_doctor_view(record: &Value, commune: Option<Value>, unlocked: bool) -> Value {
    let mut public = serde_json::Map::new();
    for field in [
        "id",
        "first_name",
        "last_name",
        "specialties",
        "qualification",
        "status",
        "travel_radius_km",
        "departments",
        "languages",
    ] {
        if let Some(v) = record.get(field) {
            public.insert(field.to_owned(), v.clone());
        }
    }
    public.insert("commune".to_owned(), commune.unwrap_or(Value::Null));
    if unlocked {
        for field in ["rpps", "contact"] {
            if let Some(v) = record.get(field) {
                public.insert(field.to_owned(), v.clone());
            }
        }
    }
    public.insert("unlocked".to_owned(), Value::Bool(unlocked));
    Value::Object(public)
}

/// The change-feed scope of a caller.
pub fn scope(caller: &Caller) -> Scope {
    Scope {
        account_id: caller.account.id.clone(),
        doctor_id: caller.doctor_id().map(str::to_owned),
        all_requests: caller.is_staff() || caller.doctor_status == Some(DoctorStatus::Verified),
        facilities: caller
            .members
            .iter()
            .filter(|m| m.member.can(Right::Read, None))
            .map(|m| m.member.facility_id.to_string())
            .collect(),
    }
}

/// Whether a stored change is in the caller's scope at all.
pub fn in_scope(scope: &Scope, change: &StoredChange) -> bool {
    match change.entity {
        EntityKind::Availability | EntityKind::BusyPeriod => {
            scope.doctor_id.is_some() && change.doctor_id == scope.doctor_id
        }
        EntityKind::NotificationRead | EntityKind::Notification => {
            change.account_id.as_deref() == Some(&scope.account_id)
        }
        // A proposal or mission is seen by its doctor and by the members of its facility, nobody else;
        // contact details are never in the feed (`GET /v1/missions/{id}` serves them, audited).
        EntityKind::Proposal | EntityKind::Mission => {
            (scope.doctor_id.is_some() && change.doctor_id == scope.doctor_id)
                || change
                    .facility_id
                    .as_ref()
                    .is_some_and(|f| scope.facilities.contains(f))
        }
        EntityKind::Request => {
            scope.all_requests
                || change
                    .facility_id
                    .as_ref()
                    .is_some_and(|f| scope.facilities.contains(f))
        }
        _ => false,
    }
}

/// The change as this caller may see it (`None` when out of scope). A request that is no longer open
/// reaches doctors as a deletion, so their devices drop it; its facility sees every state.
pub fn project(scope: &Scope, change: &StoredChange) -> Option<Change> {
    if !in_scope(scope, change) {
        return None;
    }
    let mut record = change
        .state
        .is_live()
        .then(|| Value::Object(change.state.fields.clone()));
    if change.entity == EntityKind::Request {
        let own = change
            .facility_id
            .as_ref()
            .is_some_and(|f| scope.facilities.contains(f));
        let open = record
            .as_ref()
            .and_then(|r| r.get("status"))
            .and_then(Value::as_str)
            == Some("open");
        if !own && !open {
            record = None;
        }
    }
    let hlc: Hlc = change.hlc.parse().ok()?;
    let entity_id = change.id.parse().ok()?;
    Some(Change {
        entity: change.entity,
        entity_id,
        record,
        hlc,
    })
}
