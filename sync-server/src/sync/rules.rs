//! The server-side rules of one pushed op, as a pure function over values: who may write what, which
//! invariants hold (a booked slot stays put, `status` is server-owned), the merge, and the validation of
//! the merged record against its domain type. Storage calls [`decide`] inside the op's transaction.

use chrono::{DateTime, Utc};
use rempla_core::api::ErrorCode;
use rempla_core::domain::{
    Availability, BusyPeriod, DeviceId, Member, Request, RequestStatus, Right, SiteId,
};
use rempla_core::sync::merge::{MergeRejection, MergeState, merge};
use rempla_core::sync::{EntityKind, OpKind, OutboxOp};
use serde_json::{Map, Value};

use crate::db::StorageError;

/// Who pushes, as established from the bearer token.
#[derive(Clone, Debug)]
pub struct PushContext {
    /// The caller's account.
    pub account_id: String,
    /// The token's device, as text.
    pub device_id: String,
    /// The token's device.
    pub device: DeviceId,
    /// The caller's doctor profile, if a doctor.
    pub doctor_id: Option<String>,
    /// The caller's facility memberships.
    pub members: Vec<Member>,
    /// Server wall clock, Unix ms.
    pub now_ms: i64,
    /// Largest accepted lead of an op's clock over the server clock.
    pub max_drift_ms: u64,
}

/// The stored state of a record and its owners.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// Owning doctor (availability, busy period).
    pub doctor_id: Option<String>,
    /// Owning facility (request).
    pub facility_id: Option<String>,
    /// Owning account (notification read mark).
    pub account_id: Option<String>,
    /// Merged fields and clocks.
    pub state: MergeState,
}

/// A refusal: stable code and French reason, sent back to the device as `rejected`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Stable code.
    pub code: ErrorCode,
    /// French reason.
    pub reason: String,
}

fn reject(code: ErrorCode, reason: impl Into<String>) -> Rejection {
    Rejection {
        code,
        reason: reason.into(),
    }
}

/// Reads from other tables inside the op's transaction.
pub trait Lookup {
    /// The facility a site belongs to.
    fn site_facility(&mut self, site_id: &str) -> Result<Option<String>, StorageError>;
    /// The stored fields of the doctor's live (not deleted) availabilities other than `except_id`, for
    /// the duplicate-offer rule.
    fn live_availabilities(
        &mut self,
        doctor_id: &str,
        except_id: &str,
    ) -> Result<Vec<Map<String, Value>>, StorageError>;
}

/// Fields each entity may carry; anything else is refused (`invalid_record`), so nobody parks data in
/// the sync log.
fn known_fields(entity: EntityKind) -> &'static [&'static str] {
    match entity {
        EntityKind::Availability => &[
            "id",
            "doctor_id",
            "interval",
            "zone",
            "kind",
            "recurrence",
            "status",
            "note",
            "revision",
        ],
        EntityKind::BusyPeriod => &["id", "doctor_id", "interval", "source_uid", "summary"],
        EntityKind::NotificationRead => &["read_at"],
        EntityKind::Request => &[
            "id",
            "facility_id",
            "site_id",
            "specialty",
            "shifts",
            "zone",
            "department",
            "location",
            "doctors_needed",
            "requirements",
            "remuneration_cents_per_day",
            "status",
            "revision",
        ],
        _ => &[],
    }
}

/// Fields that make an availability the offer it is: two live availabilities of one doctor equal on
/// all of them are the same offer published twice (`duplicate_offer`).
const OFFER_FIELDS: &[&str] = &["interval", "zone", "kind", "recurrence"];

/// Whether `fields` (the merged availability `id`) offers exactly what one of `others` already offers:
/// same interval (as instants), zone, kind and recurrence. Compared as domain values, so two spellings
/// of one instant are equal; records that do not parse are never duplicates.
fn is_duplicate_offer(
    id: uuid::Uuid,
    fields: &Map<String, Value>,
    others: &[Map<String, Value>],
) -> bool {
    let parse = |f: &Map<String, Value>, id: Option<uuid::Uuid>| {
        let mut f = f.clone();
        if let Some(id) = id {
            f.insert("id".into(), Value::String(id.to_string()));
        }
        serde_json::from_value::<Availability>(Value::Object(f)).ok()
    };
    let Some(me) = parse(fields, Some(id)) else {
        return false;
    };
    others.iter().filter_map(|o| parse(o, None)).any(|o| {
        o.interval == me.interval
            && o.zone == me.zone
            && o.kind == me.kind
            && o.recurrence == me.recurrence
    })
}

/// Fields of a booked availability a device may not change.
const BOOKED_FIXED: &[&str] = &["interval", "zone", "recurrence"];

fn owner_mismatch() -> Rejection {
    reject(
        ErrorCode::Forbidden,
        "cet enregistrement ne vous appartient pas",
    )
}

/// Decides one op: `Ok(Ok(next))` to store `next`, `Ok(Err(rejection))` to refuse it, `Err` when the
/// database failed.
pub fn decide(
    ctx: &PushContext,
    op: &OutboxOp,
    current: Option<&Stored>,
    lookup: &mut dyn Lookup,
) -> Result<Result<Stored, Rejection>, StorageError> {
    if op.hlc.device() != ctx.device {
        return Ok(Err(reject(
            ErrorCode::Forbidden,
            "l'horodatage de l'opération vient d'un autre appareil",
        )));
    }
    let now = u64::try_from(ctx.now_ms).unwrap_or(0);
    if op.hlc.physical_ms() > now.saturating_add(ctx.max_drift_ms) {
        return Ok(Err(reject(
            ErrorCode::ClockDrift,
            format!(
                "horloge de l'appareil en avance de {} ms (maximum {} ms) : remettez l'appareil à l'heure",
                op.hlc.physical_ms() - now,
                ctx.max_drift_ms
            ),
        )));
    }
    let known = known_fields(op.entity);
    if known.is_empty() {
        return Ok(Err(reject(
            ErrorCode::Forbidden,
            "type d'enregistrement non modifiable",
        )));
    }
    if let Some(bad) = op.fields.keys().find(|k| !known.contains(&k.as_str())) {
        return Ok(Err(reject(
            ErrorCode::InvalidRecord,
            format!("champ inconnu « {} »", truncate(bad)),
        )));
    }
    if let Some(Value::String(id)) = op.fields.get("id")
        && *id != op.entity_id.to_string()
    {
        return Ok(Err(reject(
            ErrorCode::InvalidRecord,
            "le champ id ne correspond pas à l'identifiant de l'enregistrement",
        )));
    }
    let owners = match owners(ctx, op, current, lookup)? {
        Ok(o) => o,
        Err(r) => return Ok(Err(r)),
    };
    if let Err(r) = invariants(op, current) {
        return Ok(Err(r));
    }
    let base = current.map(|c| c.state.clone()).unwrap_or_default();
    let state = match merge(&base, op) {
        Ok(s) => s,
        Err(MergeRejection::RecordDeleted) => {
            return Ok(Err(reject(
                ErrorCode::RecordDeleted,
                "cet enregistrement a été supprimé",
            )));
        }
    };
    if state.deleted.is_none()
        && let Err(reason) = validate(op.entity, op.entity_id, &state.fields, &owners)
    {
        return Ok(Err(reject(ErrorCode::InvalidRecord, reason)));
    }
    if op.entity == EntityKind::Availability
        && state.deleted.is_none()
        && (current.is_none() || OFFER_FIELDS.iter().any(|f| op.fields.contains_key(*f)))
        && let Some(doctor) = owners.doctor_id.as_deref()
    {
        let others = lookup.live_availabilities(doctor, &op.entity_id.to_string())?;
        if is_duplicate_offer(op.entity_id, &state.fields, &others) {
            return Ok(Err(reject(
                ErrorCode::DuplicateOffer,
                "vous proposez déjà exactement cette disponibilité",
            )));
        }
    }
    Ok(Ok(Stored { state, ..owners }))
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Works out (and checks) the owners of the record after the op.
fn owners(
    ctx: &PushContext,
    op: &OutboxOp,
    current: Option<&Stored>,
    lookup: &mut dyn Lookup,
) -> Result<Result<Stored, Rejection>, StorageError> {
    let field_text = |name: &str| op.fields.get(name).and_then(Value::as_str);
    let empty = Stored {
        doctor_id: None,
        facility_id: None,
        account_id: None,
        state: MergeState::default(),
    };
    Ok(match op.entity {
        EntityKind::Availability | EntityKind::BusyPeriod => {
            let Some(doctor) = &ctx.doctor_id else {
                return Ok(Err(reject(
                    ErrorCode::Forbidden,
                    "seul un médecin écrit dans son agenda",
                )));
            };
            if current.is_some_and(|c| c.doctor_id.as_ref() != Some(doctor)) {
                return Ok(Err(owner_mismatch()));
            }
            if op.fields.contains_key("doctor_id") && field_text("doctor_id") != Some(doctor) {
                return Ok(Err(owner_mismatch()));
            }
            Ok(Stored {
                doctor_id: Some(doctor.clone()),
                ..empty
            })
        }
        EntityKind::NotificationRead => {
            if current.is_some_and(|c| c.account_id.as_ref() != Some(&ctx.account_id)) {
                return Ok(Err(owner_mismatch()));
            }
            Ok(Stored {
                account_id: Some(ctx.account_id.clone()),
                ..empty
            })
        }
        EntityKind::Request => {
            let facility = match current.and_then(|c| c.facility_id.clone()) {
                Some(f) => {
                    if op.fields.contains_key("facility_id")
                        && field_text("facility_id") != Some(&f)
                    {
                        return Ok(Err(owner_mismatch()));
                    }
                    f
                }
                None => match field_text("facility_id") {
                    Some(f) => f.to_owned(),
                    None => {
                        return Ok(Err(reject(
                            ErrorCode::InvalidRecord,
                            "facility_id manquant à la création",
                        )));
                    }
                },
            };
            let site = op
                .fields
                .get("site_id")
                .or_else(|| current.and_then(|c| c.state.fields.get("site_id")))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let site_id = site.as_deref().and_then(|s| s.parse::<SiteId>().ok());
            let allowed = ctx.members.iter().any(|m| {
                m.facility_id.to_string() == facility && m.can(Right::PostRequests, site_id)
            });
            if !allowed {
                return Ok(Err(reject(
                    ErrorCode::Forbidden,
                    "droit « publier des demandes » requis dans cet établissement",
                )));
            }
            if let Some(site) = site.as_deref()
                && op.fields.contains_key("site_id")
                && lookup.site_facility(site)?.as_deref() != Some(facility.as_str())
            {
                return Ok(Err(reject(
                    ErrorCode::Forbidden,
                    "ce site n'appartient pas à l'établissement",
                )));
            }
            Ok(Stored {
                facility_id: Some(facility),
                ..empty
            })
        }
        _ => Err(reject(
            ErrorCode::Forbidden,
            "type d'enregistrement non modifiable",
        )),
    })
}

/// Business invariants checked against the stored state before merging.
fn invariants(op: &OutboxOp, current: Option<&Stored>) -> Result<(), Rejection> {
    let current_fields = current.map(|c| &c.state.fields);
    let current_status = current_fields
        .and_then(|f| f.get("status"))
        .and_then(Value::as_str);
    match op.entity {
        EntityKind::Availability => {
            if current_status == Some("booked") {
                if op.kind == OpKind::Delete {
                    return Err(reject(
                        ErrorCode::SlotBooked,
                        "ce créneau est pourvu : il ne peut plus être supprimé",
                    ));
                }
                let moved = BOOKED_FIXED.iter().any(|name| {
                    op.fields
                        .get(*name)
                        .is_some_and(|v| current_fields.and_then(|f| f.get(*name)) != Some(v))
                });
                if moved {
                    return Err(reject(
                        ErrorCode::SlotBooked,
                        "ce créneau est pourvu : sa période ne peut plus être modifiée",
                    ));
                }
            }
            if let Some(status) = op.fields.get("status") {
                let allowed = current_status.unwrap_or("open");
                if status.as_str() != Some(allowed) {
                    return Err(reject(
                        ErrorCode::ForbiddenField,
                        "le statut d'une disponibilité est fixé par le serveur",
                    ));
                }
            }
        }
        EntityKind::Request => {
            if let Some(status) = op.fields.get("status") {
                let wanted: Option<RequestStatus> = serde_json::from_value(status.clone()).ok();
                let same = current_fields.and_then(|f| f.get("status")) == Some(status);
                if !same && !matches!(wanted, Some(RequestStatus::Open | RequestStatus::Cancelled))
                {
                    return Err(reject(
                        ErrorCode::ForbiddenField,
                        "seuls les statuts « open » et « cancelled » sont choisis par l'établissement",
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks the merged record by deserialising it into its domain type, plus the ownership fields.
///
/// The record's identity is the op's `entity_id`: devices may leave `id` out of their fields (the offline
/// store keeps it as the op's entity id only), and an `id` field that names another record is refused, so
/// an op can never store a record under one id that claims another.
fn validate(
    entity: EntityKind,
    entity_id: uuid::Uuid,
    fields: &Map<String, Value>,
    owners: &Stored,
) -> Result<(), String> {
    let mut fields = fields.clone();
    if entity != EntityKind::NotificationRead {
        let id = Value::String(entity_id.to_string());
        match fields.get("id") {
            None => {
                fields.insert("id".to_owned(), id);
            }
            Some(given) if *given == id => {}
            Some(_) => return Err("le champ id doit être l'identifiant de l'enregistrement".into()),
        }
    }
    let fields = &fields;
    let value = Value::Object(fields.clone());
    let describe = |e: serde_json::Error| format!("enregistrement invalide : {e}");
    match entity {
        EntityKind::Availability => {
            let a: Availability = serde_json::from_value(value).map_err(describe)?;
            if Some(a.doctor_id.to_string()) != owners.doctor_id {
                return Err("doctor_id doit être le vôtre".into());
            }
            if a.note.as_ref().is_some_and(|n| n.len() > 2_000) {
                return Err("note trop longue (2 000 caractères au plus)".into());
            }
        }
        EntityKind::BusyPeriod => {
            let b: BusyPeriod = serde_json::from_value(value).map_err(describe)?;
            if Some(b.doctor_id.to_string()) != owners.doctor_id {
                return Err("doctor_id doit être le vôtre".into());
            }
            if b.source_uid.len() > 1_000 || b.summary.as_ref().is_some_and(|s| s.len() > 1_000) {
                return Err("texte trop long".into());
            }
        }
        EntityKind::NotificationRead => {
            let read_at = fields
                .get("read_at")
                .and_then(Value::as_str)
                .ok_or("read_at manquant")?;
            read_at
                .parse::<DateTime<Utc>>()
                .map_err(|e| format!("read_at illisible : {e}"))?;
        }
        EntityKind::Request => {
            let r: Request = serde_json::from_value(value).map_err(describe)?;
            if Some(r.facility_id.to_string()) != owners.facility_id {
                return Err("facility_id ne peut pas changer".into());
            }
            if r.shifts.is_empty() || r.shifts.len() > 366 {
                return Err("entre 1 et 366 créneaux par demande".into());
            }
            if r.doctors_needed == 0 {
                return Err("au moins un médecin demandé".into());
            }
            rempla_core::domain::Specialty::parse(&r.specialty).map_err(|e| e.to_string())?;
        }
        _ => return Err("type d'enregistrement non modifiable".into()),
    }
    Ok(())
}
