//! The doctor's calendar: availabilities (single slots and recurring series).
//!
//! Indexed columns: `(doctor_id, start_ms)` for the month view, plus `series_end_ms` (see `series`) and
//! `long_span`. A range read is two index range scans, `UNION ALL`-ed:
//!
//! - short rows (single slots, series ending within a week of their start): `start_ms` in
//!   `[window_start − 1 week, window_end)` on `availability_doctor_start`, filtered by `series_end_ms`;
//! - long rows (endless or long series, long periods): every long row of the doctor starting before the
//!   window end, on the partial index `availability_doctor_series`, filtered by `series_end_ms`. A doctor has
//!   few of those, so this stays small even with 100,000 slots.

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Map;

use rempla_core::calendar::Interval;
use rempla_core::domain::{Availability, AvailabilityId, AvailabilityStatus, DoctorId, OpId};
use rempla_core::sync::op::changed_fields;
use rempla_core::sync::{EntityKind, OpKind};

use crate::codec::{decode, encode, encode_object, millis};
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;
use crate::outbox::enqueue;
use crate::series::{LONG_SPAN_MS, is_long_span, series_end};

const ENTITY: &str = "availability";

/// The month-view query; `?2`/`?3` are the window bounds in ms, `?4` the long-span threshold.
const RANGE_SQL: &str = "
    SELECT id, json FROM (
        SELECT id, json, start_ms FROM availability
         WHERE doctor_id = ?1 AND long_span = 0
           AND start_ms >= ?2 - ?4 AND start_ms < ?3 AND series_end_ms > ?2
        UNION ALL
        SELECT id, json, start_ms FROM availability
         WHERE doctor_id = ?1 AND long_span = 1
           AND start_ms < ?3 AND (series_end_ms IS NULL OR series_end_ms > ?2)
    ) ORDER BY start_ms, id";

const fn status_text(status: AvailabilityStatus) -> &'static str {
    match status {
        AvailabilityStatus::Open => "open",
        AvailabilityStatus::Held => "held",
        AvailabilityStatus::Booked => "booked",
    }
}

/// Indexed columns of one row, computed from the record.
struct Columns {
    start_ms: i64,
    end_ms: i64,
    series_end_ms: Option<i64>,
    long_span: bool,
    json: String,
}

impl Columns {
    fn of(a: &Availability) -> Result<Self> {
        let start_ms = millis(a.interval.start());
        let series_end_ms = series_end(a).map(millis);
        Ok(Self {
            start_ms,
            end_ms: millis(a.interval.end()),
            series_end_ms,
            long_span: is_long_span(start_ms, series_end_ms),
            json: encode(a)?,
        })
    }
}

pub(super) fn write_row(tx: &Transaction<'_>, a: &Availability, upsert: bool) -> Result<()> {
    let c = Columns::of(a)?;
    let sql = if upsert {
        "INSERT INTO availability (id, doctor_id, start_ms, end_ms, series_end_ms, long_span, status, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET doctor_id = excluded.doctor_id, start_ms = excluded.start_ms,
            end_ms = excluded.end_ms, series_end_ms = excluded.series_end_ms, long_span = excluded.long_span,
            status = excluded.status, json = excluded.json"
    } else {
        "INSERT INTO availability (id, doctor_id, start_ms, end_ms, series_end_ms, long_span, status, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    };
    tx.prepare_cached(sql)
        .db()?
        .execute(params![
            a.id.to_string(),
            a.doctor_id.to_string(),
            c.start_ms,
            c.end_ms,
            c.series_end_ms,
            c.long_span,
            status_text(a.status),
            c.json
        ])
        .db()?;
    Ok(())
}

pub(super) fn read_one(
    conn: &rusqlite::Connection,
    id: AvailabilityId,
) -> Result<Option<Availability>> {
    let key = id.to_string();
    let json: Option<String> = conn
        .prepare_cached("SELECT json FROM availability WHERE id = ?1")
        .db()?
        .query_row([&key], |row| row.get(0))
        .optional()
        .db()?;
    json.map(|j| decode(ENTITY, &key, &j)).transpose()
}

fn not_found(id: AvailabilityId) -> StoreError {
    StoreError::NotFound {
        entity: ENTITY,
        id: id.to_string(),
    }
}

fn booked(id: AvailabilityId) -> StoreError {
    StoreError::AvailabilityBooked { id: id.to_string() }
}

impl Store {
    /// Adds a new availability made on this device and queues its creation for the server (all fields).
    /// Only the server books slots, so a `Booked` availability is refused.
    pub fn add_availability(&mut self, availability: &Availability) -> Result<OpId> {
        if availability.status == AvailabilityStatus::Booked {
            return Err(booked(availability.id));
        }
        let tx = self.conn.transaction().db()?;
        if read_one(&tx, availability.id)?.is_some() {
            return Err(StoreError::AlreadyExists {
                entity: ENTITY,
                id: availability.id.to_string(),
            });
        }
        write_row(&tx, availability, false)?;
        let mut fields = encode_object(availability)?;
        fields.remove("id");
        let op = enqueue(
            &tx,
            &mut self.clock,
            EntityKind::Availability,
            *availability.id.as_uuid(),
            OpKind::Upsert,
            &fields,
        )?;
        tx.commit().db()?;
        Ok(op)
    }

    /// Replaces an availability with an edited version and queues the changed fields. The stored revision
    /// is bumped (the caller's is ignored). Refused when the stored slot is booked, or when the edit books
    /// it. Returns `None` (and queues nothing) when nothing changed.
    pub fn update_availability(&mut self, availability: &Availability) -> Result<Option<OpId>> {
        let tx = self.conn.transaction().db()?;
        let old = read_one(&tx, availability.id)?.ok_or_else(|| not_found(availability.id))?;
        if old.status == AvailabilityStatus::Booked
            || availability.status == AvailabilityStatus::Booked
        {
            return Err(booked(availability.id));
        }
        let mut new = availability.clone();
        new.revision = old.revision;
        let fields = changed_fields(&encode_object(&old)?, &encode_object(&new)?);
        if fields.is_empty() {
            return Ok(None);
        }
        new.revision = old.revision.saturating_add(1);
        write_row(&tx, &new, true)?;
        let mut fields = fields;
        fields.insert("revision".to_owned(), new.revision.into());
        let op = enqueue(
            &tx,
            &mut self.clock,
            EntityKind::Availability,
            *new.id.as_uuid(),
            OpKind::Upsert,
            &fields,
        )?;
        tx.commit().db()?;
        Ok(Some(op))
    }

    /// Removes an availability and queues its deletion. A booked slot is refused.
    pub fn remove_availability(&mut self, id: AvailabilityId) -> Result<OpId> {
        let tx = self.conn.transaction().db()?;
        let old = read_one(&tx, id)?.ok_or_else(|| not_found(id))?;
        if old.status == AvailabilityStatus::Booked {
            return Err(booked(id));
        }
        tx.execute("DELETE FROM availability WHERE id = ?1", [id.to_string()])
            .db()?;
        let op = enqueue(
            &tx,
            &mut self.clock,
            EntityKind::Availability,
            *id.as_uuid(),
            OpKind::Delete,
            &Map::new(),
        )?;
        tx.commit().db()?;
        Ok(op)
    }

    /// One availability, if stored.
    pub fn get_availability(&self, id: AvailabilityId) -> Result<Option<Availability>> {
        read_one(&self.conn, id)
    }

    /// Every availability of a doctor, by start.
    pub fn list_availabilities(&self, doctor: DoctorId) -> Result<Vec<Availability>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, json FROM availability WHERE doctor_id = ?1 ORDER BY start_ms, id",
            )
            .db()?;
        let rows = stmt
            .query_map([doctor.to_string()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        rows.iter()
            .map(|(id, json)| decode(ENTITY, id, json))
            .collect()
    }

    /// Availabilities of a doctor that may overlap `window`: single slots overlapping it, and series whose
    /// first occurrence starts before its end and whose (conservative) end is after its start. Series are
    /// The occurrences of the doctor's availabilities overlapping `window`, series expanded and
    /// exceptions removed, by start then id: what a month or week view draws. More than `max` is
    /// refused ([`StoreError::WindowTooWide`]) rather than cut, so a view never shows half a period.
    pub fn occurrences(
        &self,
        doctor: DoctorId,
        window: Interval,
        max: usize,
    ) -> Result<Vec<(Interval, Availability)>> {
        let mut rows: Vec<(Interval, Availability)> = Vec::new();
        for a in self.list_range(doctor, window)? {
            let found = a.occurrences_in(&window, max)?;
            if rows.len() + found.len() > max {
                return Err(StoreError::WindowTooWide { max });
            }
            rows.extend(found.into_iter().map(|o| (o, a.clone())));
        }
        rows.sort_by_key(|(o, a)| (o.start(), a.id));
        Ok(rows)
    }

    /// returned whole; `calendar::recurrence` expands them exactly. Ordered by (first) start.
    pub fn list_range(&self, doctor: DoctorId, window: Interval) -> Result<Vec<Availability>> {
        let mut stmt = self.conn.prepare_cached(RANGE_SQL).db()?;
        let rows = stmt
            .query_map(
                params![
                    doctor.to_string(),
                    millis(window.start()),
                    millis(window.end()),
                    LONG_SPAN_MS
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

    /// Writes availabilities received from the server (pull), in one transaction, without outbox ops: the
    /// server is authoritative for them (including `Booked` status). Pending local ops on the same records
    /// stay in the outbox; re-applying them over the pulled state is the sync client's job.
    pub fn put_remote_availabilities(&mut self, availabilities: &[Availability]) -> Result<()> {
        let tx = self.conn.transaction().db()?;
        for a in availabilities {
            write_row(&tx, a, true)?;
        }
        tx.commit().db()
    }

    /// The query plan of the month-view read, for tests that check the indexes are used.
    #[doc(hidden)]
    pub fn explain_list_range(&self, doctor: DoctorId, window: Interval) -> Result<Vec<String>> {
        let sql = format!("EXPLAIN QUERY PLAN {RANGE_SQL}");
        let mut stmt = self.conn.prepare(&sql).db()?;
        stmt.query_map(
            params![
                doctor.to_string(),
                millis(window.start()),
                millis(window.end()),
                LONG_SPAN_MS
            ],
            |row| row.get::<_, String>(3),
        )
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()
    }
}
