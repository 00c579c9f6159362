//! Busy periods imported from other calendars. A re-import of one source (one external calendar) replaces
//! all of that source's periods in one transaction, so the doctor never sees half an import.
//!
//! Busy periods are synced (matching on the server must respect them) but their titles stay on the device:
//! outbox ops carry the interval and `source_uid`, never the `summary`. Ops are only queued for periods that
//! were removed, added or changed, so callers should reuse ids for events they already imported (match on
//! `source_uid`) to avoid churn.

use std::collections::HashMap;

use rusqlite::params;
use serde_json::Map;

use rempla_core::calendar::Interval;
use rempla_core::domain::{BusyPeriod, DoctorId};
use rempla_core::sync::{EntityKind, OpKind};

use crate::codec::{decode, encode, encode_object, millis};
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;
use crate::outbox::enqueue;

const ENTITY: &str = "busy_period";

/// What a re-import of one source changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BusyImportSummary {
    /// Periods added or changed.
    pub upserted: usize,
    /// Periods of the source no longer in the import, removed.
    pub removed: usize,
    /// Periods identical to the stored ones.
    pub unchanged: usize,
}

impl Store {
    /// Replaces every busy period of `doctor` imported from `source` (e.g. `google:primary`) with `periods`,
    /// in one transaction, queueing sync ops for the differences. Periods of another doctor are refused.
    pub fn replace_busy_source(
        &mut self,
        doctor: DoctorId,
        source: &str,
        periods: &[BusyPeriod],
    ) -> Result<BusyImportSummary> {
        if let Some(stray) = periods.iter().find(|p| p.doctor_id != doctor) {
            return Err(StoreError::InvalidInput {
                reason: format!("la période {} appartient à un autre médecin", stray.id),
            });
        }
        let tx = self.conn.transaction().db()?;
        let old: HashMap<String, BusyPeriod> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id, json FROM busy_period WHERE doctor_id = ?1 AND source = ?2",
                )
                .db()?;
            let rows = stmt
                .query_map(params![doctor.to_string(), source], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .db()?
                .collect::<rusqlite::Result<Vec<_>>>()
                .db()?;
            rows.into_iter()
                .map(|(id, json)| decode(ENTITY, &id, &json).map(|p| (id, p)))
                .collect::<Result<_>>()?
        };
        // Periods are matched by their source UID, not by id: a re-import of the same file builds new
        // values, and must update in place (keeping ids, so synced copies follow) rather than delete and
        // re-create every period.
        let mut by_uid: HashMap<String, BusyPeriod> = old
            .values()
            .map(|p| (p.source_uid.clone(), p.clone()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let periods: Vec<BusyPeriod> = periods
            .iter()
            .map(|p| {
                let mut p = p.clone();
                if !seen.insert(p.source_uid.clone()) {
                    // Two events with one UID (allowed by some exporters): the start disambiguates.
                    p.source_uid = format!("{}#{}", p.source_uid, millis(p.interval.start()));
                }
                if let Some(previous) = by_uid.remove(&p.source_uid) {
                    p.id = previous.id;
                }
                p
            })
            .collect();
        let mut summary = BusyImportSummary::default();
        let new_ids: std::collections::HashSet<String> =
            periods.iter().map(|p| p.id.to_string()).collect();
        for (id, period) in &old {
            if !new_ids.contains(id) {
                tx.execute("DELETE FROM busy_period WHERE id = ?1", [id])
                    .db()?;
                enqueue(
                    &tx,
                    &mut self.clock,
                    EntityKind::BusyPeriod,
                    *period.id.as_uuid(),
                    OpKind::Delete,
                    &Map::new(),
                )?;
                summary.removed += 1;
            }
        }
        for period in &periods {
            let id = period.id.to_string();
            if old.get(&id) == Some(period) {
                summary.unchanged += 1;
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO busy_period (id, doctor_id, source, start_ms, end_ms, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET doctor_id = excluded.doctor_id, source = excluded.source,
                    start_ms = excluded.start_ms, end_ms = excluded.end_ms, json = excluded.json",
            )
            .db()?
            .execute(params![
                id,
                doctor.to_string(),
                source,
                millis(period.interval.start()),
                millis(period.interval.end()),
                encode(period)?
            ])
            .db()?;
            let mut fields = encode_object(period)?;
            fields.remove("id");
            fields.remove("summary");
            enqueue(
                &tx,
                &mut self.clock,
                EntityKind::BusyPeriod,
                *period.id.as_uuid(),
                OpKind::Upsert,
                &fields,
            )?;
            summary.upserted += 1;
        }
        tx.commit().db()?;
        Ok(summary)
    }

    /// Busy periods of `doctor`, all sources, overlapping `window`, by start.
    pub fn list_busy_range(&self, doctor: DoctorId, window: Interval) -> Result<Vec<BusyPeriod>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, json FROM busy_period WHERE doctor_id = ?1 AND end_ms > ?2 AND start_ms < ?3
                 ORDER BY start_ms, id",
            )
            .db()?;
        let rows = stmt
            .query_map(
                params![
                    doctor.to_string(),
                    millis(window.start()),
                    millis(window.end())
                ],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        rows.iter()
            .map(|(id, json)| decode(ENTITY, id, json))
            .collect()
    }
}
