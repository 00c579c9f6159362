//! The feeds' table and queries (`impl Storage`): the feeds themselves (made, listed, rotated,
//! revoked), and what one feed publishes, read from the change feed's records in one read
//! transaction: missions, open requests and (if the doctor chose) availabilities, with the names the
//! events show.

use std::collections::{BTreeMap, BTreeSet};

use rempla_core::domain::{Availability, Doctor, Facility, Mission, Request, RequestShift, Site};
use rempla_core::sync::hlc::Hlc;
use rempla_core::sync::merge::MergeState;
use serde_json::Value;

use crate::audit::{self, AuditEntry};
use crate::db::{Row, Storage, StorageError, Tx, int, json, opt_int, opt_text, text};

/// The feeds table (a part of `crate::areas::SCHEMA`). `generation` is signed into the address:
/// rotating bumps it, so the old address stops working without any secret being stored.
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS calendar_feeds (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, \
     scope TEXT NOT NULL, doctor_id TEXT, facility_id TEXT, site_id TEXT, \
     include_availabilities BIGINT NOT NULL, generation BIGINT NOT NULL, created_ms BIGINT NOT NULL, \
     rotated_ms BIGINT, revoked_ms BIGINT, last_read_ms BIGINT)",
    "CREATE INDEX IF NOT EXISTS calendar_feeds_account ON calendar_feeds (account_id)",
];

/// Most feeds an account holds.
pub const MAX_FEEDS_PER_ACCOUNT: i64 = 20;

/// Whose calendar a feed is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedScope {
    /// A doctor's own calendar.
    Doctor {
        /// The doctor.
        doctor_id: String,
        /// Whether the open availabilities are published too.
        include_availabilities: bool,
    },
    /// A facility's calendar, or one of its sites'.
    Facility {
        /// The facility.
        facility_id: String,
        /// Only this site.
        site_id: Option<String>,
    },
}

/// A stored feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedRow {
    /// Its id.
    pub id: String,
    /// The account that made it (the feed lives only while this account may still read it).
    pub account_id: String,
    /// Whose calendar.
    pub scope: FeedScope,
    /// Signed into the address; bumped by a rotation.
    pub generation: i64,
    /// When it was made.
    pub created_ms: i64,
    /// Last rotation.
    pub rotated_ms: Option<i64>,
    /// Last fetch by a calendar program.
    pub last_read_ms: Option<i64>,
}

const COLUMNS: &str = "id, account_id, scope, doctor_id, facility_id, site_id, include_availabilities, \
                       generation, created_ms, rotated_ms, last_read_ms";

fn feed_from(r: &Row) -> Result<FeedRow, StorageError> {
    let scope = match text(r, 2)?.as_str() {
        "doctor" => FeedScope::Doctor {
            doctor_id: opt_text(r, 3)?.unwrap_or_default(),
            include_availabilities: int(r, 6)? != 0,
        },
        _ => FeedScope::Facility {
            facility_id: opt_text(r, 4)?.unwrap_or_default(),
            site_id: opt_text(r, 5)?,
        },
    };
    Ok(FeedRow {
        id: text(r, 0)?,
        account_id: text(r, 1)?,
        scope,
        generation: int(r, 7)?,
        created_ms: int(r, 8)?,
        rotated_ms: opt_int(r, 9)?,
        last_read_ms: opt_int(r, 10)?,
    })
}

/// What a feed publishes.
#[derive(Clone, Debug, Default)]
pub struct FeedContent {
    /// Missions, with their parties' names.
    pub missions: Vec<MissionEntry>,
    /// Open requests of the facility (facility feeds).
    pub requests: Vec<Request>,
    /// Open availabilities (doctor feeds that chose them).
    pub availabilities: Vec<Availability>,
    /// The newest change among everything published (ms): `Last-Modified` and `DTSTAMP`.
    pub changed_ms: i64,
    /// Names of the sites concerned, by id (addresses shown as locations).
    pub sites: BTreeMap<String, Site>,
}

/// One mission with what its event shows.
#[derive(Clone, Debug)]
pub struct MissionEntry {
    /// The mission.
    pub mission: Mission,
    /// The facility's name.
    pub facility_name: String,
    /// The doctor's name.
    pub doctor_name: String,
    /// Which parties signed the contract (`doctor`, `facility`).
    pub signed_by: BTreeSet<String>,
}

/// The live records of `entity` owned by `column` = `owner`, each with its newest change (ms).
fn live_records(
    tx: &mut dyn Tx,
    entity: &str,
    column: &str,
    owner: &str,
) -> Result<Vec<(Value, i64)>, StorageError> {
    // `column` is one of two fixed names, never user input.
    let rows = tx.query(
        &format!("SELECT id, state, hlc FROM records WHERE entity = $1 AND {column} = $2"),
        &[entity.into(), owner.into()],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let state: MergeState = json(r, 1)?;
        if !state.is_live() {
            continue;
        }
        let changed = text(r, 2)?
            .parse::<Hlc>()
            .map_or(0, |h| i64::try_from(h.physical_ms()).unwrap_or(0));
        let mut fields = state.fields;
        fields.insert("id".into(), Value::String(text(r, 0)?));
        out.push((Value::Object(fields), changed));
    }
    Ok(out)
}

fn load_site(tx: &mut dyn Tx, id: &str) -> Result<Option<Site>, StorageError> {
    let rows = tx.query("SELECT record FROM sites WHERE id = $1", &[id.into()])?;
    rows.first().map(|r| json(r, 0)).transpose()
}

fn name_of_doctor(tx: &mut dyn Tx, id: &str) -> Result<String, StorageError> {
    let rows = tx.query("SELECT record FROM doctors WHERE id = $1", &[id.into()])?;
    Ok(rows
        .first()
        .map(|r| json::<Doctor>(r, 0))
        .transpose()?
        .map(|d| format!("Dr {} {}", d.first_name, d.last_name))
        .unwrap_or_default())
}

fn name_of_facility(tx: &mut dyn Tx, id: &str) -> Result<String, StorageError> {
    let rows = tx.query("SELECT record FROM facilities WHERE id = $1", &[id.into()])?;
    Ok(rows
        .first()
        .map(|r| json::<Facility>(r, 0))
        .transpose()?
        .map(|f| f.name)
        .unwrap_or_default())
}

/// The name of `id` from `names`, read once with `read`.
fn cached(
    names: &mut BTreeMap<String, String>,
    tx: &mut dyn Tx,
    id: &str,
    read: fn(&mut dyn Tx, &str) -> Result<String, StorageError>,
) -> Result<String, StorageError> {
    if let Some(n) = names.get(id) {
        return Ok(n.clone());
    }
    let n = read(tx, id)?;
    names.insert(id.to_owned(), n.clone());
    Ok(n)
}

/// Keeps the site `id` (its name and address are on the events) once.
fn remember_site(content: &mut FeedContent, tx: &mut dyn Tx, id: &str) -> Result<(), StorageError> {
    if !content.sites.contains_key(id)
        && let Some(s) = load_site(tx, id)?
    {
        content.sites.insert(id.to_owned(), s);
    }
    Ok(())
}

fn content_tx(
    tx: &mut dyn Tx,
    scope: &FeedScope,
    window: (i64, i64),
) -> Result<FeedContent, StorageError> {
    let in_window = |start: i64, end: i64| end >= window.0 && start <= window.1;
    let mut content = FeedContent::default();
    let (column, owner) = match scope {
        FeedScope::Doctor { doctor_id, .. } => ("doctor_id", doctor_id.as_str()),
        FeedScope::Facility { facility_id, .. } => ("facility_id", facility_id.as_str()),
    };
    let site_filter = match scope {
        FeedScope::Facility {
            site_id: Some(s), ..
        } => Some(s.clone()),
        _ => None,
    };
    // Shown: some shift in the window, and the feed's site when it has one.
    let shown = |shifts: &[RequestShift], site: &str| {
        let start = shifts
            .iter()
            .map(|s| s.interval.start().timestamp_millis())
            .min();
        let end = shifts
            .iter()
            .map(|s| s.interval.end().timestamp_millis())
            .max();
        matches!((start, end), (Some(a), Some(b)) if in_window(a, b))
            && site_filter.as_deref().is_none_or(|s| s == site)
    };
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let signatures = tx.query(
        &format!(
            "SELECT s.mission_id, s.party FROM contract_signatures s \
             JOIN missions m ON m.id = s.mission_id WHERE m.{column} = $1"
        ),
        &[owner.into()],
    )?;
    let mut signed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &signatures {
        signed.entry(text(r, 0)?).or_default().insert(text(r, 1)?);
    }
    for (value, changed) in live_records(tx, "mission", column, owner)? {
        let Ok(mission) = serde_json::from_value::<Mission>(value) else {
            continue;
        };
        if !shown(&mission.shifts, &mission.site_id.to_string()) {
            continue;
        }
        content.changed_ms = content.changed_ms.max(changed);
        let facility = mission.facility_id.to_string();
        let doctor = mission.doctor_id.to_string();
        let facility_name = cached(&mut names, tx, &facility, name_of_facility)?;
        let doctor_name = cached(&mut names, tx, &doctor, name_of_doctor)?;
        remember_site(&mut content, tx, &mission.site_id.to_string())?;
        content.missions.push(MissionEntry {
            signed_by: signed.remove(&mission.id.to_string()).unwrap_or_default(),
            mission,
            facility_name,
            doctor_name,
        });
    }
    match scope {
        FeedScope::Facility { facility_id, .. } => {
            for (value, changed) in live_records(tx, "request", "facility_id", facility_id)? {
                let Ok(request) = serde_json::from_value::<Request>(value) else {
                    continue;
                };
                if request.status != rempla_core::domain::RequestStatus::Open
                    || !shown(&request.shifts, &request.site_id.to_string())
                {
                    continue;
                }
                content.changed_ms = content.changed_ms.max(changed);
                remember_site(&mut content, tx, &request.site_id.to_string())?;
                content.requests.push(request);
            }
        }
        FeedScope::Doctor {
            doctor_id,
            include_availabilities: true,
        } => {
            for (value, changed) in live_records(tx, "availability", "doctor_id", doctor_id)? {
                let Ok(a) = serde_json::from_value::<Availability>(value) else {
                    continue;
                };
                let (start, end) = (
                    a.interval.start().timestamp_millis(),
                    a.interval.end().timestamp_millis(),
                );
                if a.status != rempla_core::domain::AvailabilityStatus::Open
                    || (a.recurrence.is_none() && !in_window(start, end))
                {
                    continue;
                }
                content.changed_ms = content.changed_ms.max(changed);
                content.availabilities.push(a);
            }
        }
        FeedScope::Doctor { .. } => {}
    }
    Ok(content)
}

impl Storage {
    /// How many live feeds the account holds.
    pub async fn feed_count(&self, account_id: &str) -> Result<i64, StorageError> {
        let id = account_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                "SELECT COUNT(*) FROM calendar_feeds WHERE account_id = $1 AND revoked_ms IS NULL",
                &[id.into()],
            )?;
            rows.first().map_or(Ok(0), |r| int(r, 0))
        })
        .await
    }

    /// Stores a new feed, refusing (`Ok(false)`) past [`MAX_FEEDS_PER_ACCOUNT`] in the same
    /// transaction, so two at once cannot both pass.
    pub async fn create_feed(
        &self,
        feed: FeedRow,
        entry: AuditEntry,
    ) -> Result<bool, StorageError> {
        self.write(move |tx| {
            let rows = tx.query(
                "SELECT COUNT(*) FROM calendar_feeds WHERE account_id = $1 AND revoked_ms IS NULL",
                &[(&feed.account_id).into()],
            )?;
            if rows.first().map_or(Ok(0), |r| int(r, 0))? >= MAX_FEEDS_PER_ACCOUNT {
                return Ok(false);
            }
            let (scope, doctor_id, facility_id, site_id, include) = match &feed.scope {
                FeedScope::Doctor {
                    doctor_id,
                    include_availabilities,
                } => (
                    "doctor",
                    Some(doctor_id.clone()),
                    None,
                    None,
                    *include_availabilities,
                ),
                FeedScope::Facility {
                    facility_id,
                    site_id,
                } => (
                    "facility",
                    None,
                    Some(facility_id.clone()),
                    site_id.clone(),
                    false,
                ),
            };
            tx.execute(
                &format!(
                    "INSERT INTO calendar_feeds ({COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)"
                ),
                &[
                    (&feed.id).into(),
                    (&feed.account_id).into(),
                    scope.into(),
                    doctor_id.into(),
                    facility_id.into(),
                    site_id.into(),
                    include.into(),
                    feed.generation.into(),
                    feed.created_ms.into(),
                ],
            )?;
            audit::record_tx(tx, &entry)?;
            Ok(true)
        })
        .await
    }

    /// The account's live feeds, newest first.
    pub async fn feeds_of(&self, account_id: &str) -> Result<Vec<FeedRow>, StorageError> {
        let id = account_id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {COLUMNS} FROM calendar_feeds WHERE account_id = $1 \
                     AND revoked_ms IS NULL ORDER BY created_ms DESC, id DESC"
                ),
                &[id.into()],
            )?;
            rows.iter().map(feed_from).collect()
        })
        .await
    }

    /// A live feed by id.
    pub async fn feed(&self, id: &str) -> Result<Option<FeedRow>, StorageError> {
        let id = id.to_owned();
        self.read(move |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {COLUMNS} FROM calendar_feeds WHERE id = $1 AND revoked_ms IS NULL"
                ),
                &[id.into()],
            )?;
            rows.first().map(feed_from).transpose()
        })
        .await
    }

    /// Gives the account's feed a new address (the old one stops at once); `None` when the account
    /// has no such live feed.
    pub async fn rotate_feed(
        &self,
        account_id: String,
        id: String,
        now_ms: i64,
        entry: AuditEntry,
    ) -> Result<Option<FeedRow>, StorageError> {
        self.write(move |tx| {
            let done = tx.execute(
                "UPDATE calendar_feeds SET generation = generation + 1, rotated_ms = $1 \
                 WHERE id = $2 AND account_id = $3 AND revoked_ms IS NULL",
                &[now_ms.into(), (&id).into(), (&account_id).into()],
            )?;
            if done == 0 {
                return Ok(None);
            }
            audit::record_tx(tx, &entry)?;
            let rows = tx.query(
                &format!("SELECT {COLUMNS} FROM calendar_feeds WHERE id = $1"),
                &[id.into()],
            )?;
            rows.first().map(feed_from).transpose()
        })
        .await
    }

    /// Revokes the account's feed; `false` when it had no such live feed.
    pub async fn revoke_feed(
        &self,
        account_id: String,
        id: String,
        now_ms: i64,
        entry: AuditEntry,
    ) -> Result<bool, StorageError> {
        self.write(move |tx| {
            let done = tx.execute(
                "UPDATE calendar_feeds SET revoked_ms = $1 \
                 WHERE id = $2 AND account_id = $3 AND revoked_ms IS NULL",
                &[now_ms.into(), (&id).into(), (&account_id).into()],
            )?;
            if done > 0 {
                audit::record_tx(tx, &entry)?;
            }
            Ok(done > 0)
        })
        .await
    }

    /// What the feed publishes between `window` (ms) bounds.
    pub async fn feed_content(
        &self,
        scope: FeedScope,
        window: (i64, i64),
    ) -> Result<FeedContent, StorageError> {
        self.read(move |tx| content_tx(tx, &scope, window)).await
    }

    /// Records a fetch of the feed: its time, and an audit entry (a feed carries people's names and
    /// times: who reads them is kept, as for any personal-data read).
    pub async fn feed_read(&self, id: String, entry: AuditEntry) -> Result<(), StorageError> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE calendar_feeds SET last_read_ms = $1 WHERE id = $2",
                &[entry.at_ms.into(), id.into()],
            )?;
            audit::record_tx(tx, &entry)
        })
        .await
    }
}
