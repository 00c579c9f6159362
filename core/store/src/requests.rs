//! Cache of open replacement requests pulled from the server, so the doctor can browse them offline. The
//! record is stored as JSON, with indexed columns for the time span (first shift start, last shift end)
//! and the site position. Pulled copies queue no outbox ops; a facility's own device (the desktop app)
//! posts a request with [`Store::save_own_request`], which writes the copy and its upsert op together.

use rusqlite::{OptionalExtension, params};

use rempla_core::calendar::Interval;
use rempla_core::domain::{OpId, Request, RequestId, RequestStatus};
use rempla_core::sync::{EntityKind, OpKind};

use crate::codec::{decode, encode, encode_object, millis};
use crate::error::{DbResultExt, Result};
use crate::open::Store;
use crate::outbox::enqueue;

const ENTITY: &str = "request";

/// A latitude/longitude rectangle (the visible map). `west > east` means the box crosses the
/// antimeridian (French Polynesia, Wallis-et-Futuna views).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    /// Southern latitude, degrees.
    pub south: f64,
    /// Western longitude, degrees.
    pub west: f64,
    /// Northern latitude, degrees.
    pub north: f64,
    /// Eastern longitude, degrees.
    pub east: f64,
}

pub(crate) const fn status_text(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Open => "open",
        RequestStatus::Filled => "filled",
        RequestStatus::Cancelled => "cancelled",
        RequestStatus::Closed => "closed",
    }
}

impl Store {
    /// Saves a request posted (or edited) on this device by a facility member: the cached copy and its
    /// upsert op in one transaction, so the next sync pushes it. The server decides whether the caller
    /// may post for that facility and site (`post_requests` right) and validates the whole record; a
    /// refusal rolls the copy back as a sync conflict.
    pub fn save_own_request(&mut self, request: &Request) -> Result<OpId> {
        let tx = self.conn.transaction().db()?;
        let start = request
            .shifts
            .iter()
            .map(|s| millis(s.interval.start()))
            .min();
        let end = request
            .shifts
            .iter()
            .map(|s| millis(s.interval.end()))
            .max();
        tx.prepare_cached(
            "INSERT INTO request_cache (id, start_ms, end_ms, lat, lon, status, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms,
                lat = excluded.lat, lon = excluded.lon, status = excluded.status, json = excluded.json",
        )
        .db()?
        .execute(params![
            request.id.to_string(),
            start,
            end,
            request.location.lat,
            request.location.lon,
            status_text(request.status),
            encode(request)?
        ])
        .db()?;
        let mut fields = encode_object(request)?;
        fields.remove("id");
        let op = enqueue(
            &tx,
            &mut self.clock,
            EntityKind::Request,
            *request.id.as_uuid(),
            OpKind::Upsert,
            &fields,
        )?;
        tx.commit().db()?;
        Ok(op)
    }

    /// Every open request of the cache, by first shift start (a facility's dashboard).
    pub fn list_open_requests(&self) -> Result<Vec<Request>> {
        self.query_requests(
            "SELECT id, json FROM request_cache WHERE status = 'open' ORDER BY start_ms, id",
            [],
        )
    }

    /// Inserts or replaces requests received from the server, in one transaction.
    pub fn upsert_requests(&mut self, requests: &[Request]) -> Result<()> {
        let tx = self.conn.transaction().db()?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO request_cache (id, start_ms, end_ms, lat, lon, status, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (id) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms,
                        lat = excluded.lat, lon = excluded.lon, status = excluded.status, json = excluded.json",
                )
                .db()?;
            for r in requests {
                let start = r.shifts.iter().map(|s| millis(s.interval.start())).min();
                let end = r.shifts.iter().map(|s| millis(s.interval.end())).max();
                stmt.execute(params![
                    r.id.to_string(),
                    start,
                    end,
                    r.location.lat,
                    r.location.lon,
                    status_text(r.status),
                    encode(r)?
                ])
                .db()?;
            }
        }
        tx.commit().db()
    }

    /// One cached request, whatever its status.
    pub fn get_request(&self, id: RequestId) -> Result<Option<Request>> {
        let key = id.to_string();
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT json FROM request_cache WHERE id = ?1")
            .db()?
            .query_row([&key], |row| row.get(0))
            .optional()
            .db()?;
        json.map(|j| decode(ENTITY, &key, &j)).transpose()
    }

    /// Open requests whose shifts span overlaps `window`, by first shift start.
    pub fn list_requests_in_range(&self, window: Interval) -> Result<Vec<Request>> {
        self.query_requests(
            "SELECT id, json FROM request_cache
              WHERE status = 'open' AND start_ms < ?1 AND end_ms > ?2 ORDER BY start_ms, id",
            params![millis(window.end()), millis(window.start())],
        )
    }

    /// Open requests whose site lies in `bbox` (edges included), by first shift start.
    pub fn list_requests_in_box(&self, bbox: &BoundingBox) -> Result<Vec<Request>> {
        if bbox.west <= bbox.east {
            self.query_requests(
                "SELECT id, json FROM request_cache
                  WHERE status = 'open' AND lat BETWEEN ?1 AND ?2 AND lon BETWEEN ?3 AND ?4
                  ORDER BY start_ms, id",
                params![bbox.south, bbox.north, bbox.west, bbox.east],
            )
        } else {
            self.query_requests(
                "SELECT id, json FROM request_cache
                  WHERE status = 'open' AND lat BETWEEN ?1 AND ?2 AND (lon >= ?3 OR lon <= ?4)
                  ORDER BY start_ms, id",
                params![bbox.south, bbox.north, bbox.west, bbox.east],
            )
        }
    }

    /// Drops every cached request that is no longer open (filled, cancelled or closed): the cache only
    /// serves browsing open requests. Returns how many were removed.
    pub fn remove_closed_requests(&mut self) -> Result<usize> {
        self.conn
            .execute("DELETE FROM request_cache WHERE status <> 'open'", [])
            .db()
    }

    fn query_requests(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Request>> {
        let mut stmt = self.conn.prepare_cached(sql).db()?;
        let rows = stmt
            .query_map(params, |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        rows.iter()
            .map(|(id, json)| decode(ENTITY, id, json))
            .collect()
    }
}
