//! The signed-in session of this device: which server, which account, and the bearer token, kept in the
//! `sync_state` table so the CLI and the apps find it again after a restart.
//!
//! The token is a secret: [`SyncSession`]'s `Debug` never prints it and nothing here logs it. On a phone
//! the app may keep it in the platform keystore instead; the CLI relies on the store file's permissions.

use std::fmt;

use rusqlite::params;
use serde_json::Value;

use rempla_core::domain::{Availability, BusyPeriod, DoctorId};

use crate::calendar::write_row as write_availability;
use crate::codec::{decode, encode, millis, query_optional_text};
use crate::error::{DbResultExt, Result};
use crate::open::Store;

const SERVER_KEY: &str = "session.server";
const TOKEN_KEY: &str = "session.token";
const ACCOUNT_KEY: &str = "session.account_id";
const DOCTOR_KEY: &str = "session.doctor_id";
const ROLE_KEY: &str = "session.role";

/// Keys of the sync state that belong to one server account: cleared at logout or when switching server.
const SERVER_SCOPED_KEYS: &[&str] = &[
    SERVER_KEY,
    TOKEN_KEY,
    ACCOUNT_KEY,
    DOCTOR_KEY,
    ROLE_KEY,
    "cursor",
    "last_sync_at",
];

/// A signed-in session: enough to call the sync server on behalf of one account from this device.
#[derive(Clone, PartialEq, Eq)]
pub struct SyncSession {
    /// Base URL of the server, e.g. `https://sync.rempla.fr` (no trailing slash).
    pub server: String,
    /// Bearer token of this device (secret).
    pub token: String,
    /// Account the token belongs to.
    pub account_id: String,
    /// The account's doctor profile, for a doctor.
    pub doctor_id: Option<String>,
    /// Role given at login (`doctor`, `facility_member`, `staff`…).
    pub role: String,
}

impl fmt::Debug for SyncSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncSession")
            .field("server", &self.server)
            .field("token", &"<secret>")
            .field("account_id", &self.account_id)
            .field("doctor_id", &self.doctor_id)
            .field("role", &self.role)
            .finish()
    }
}

impl Store {
    /// Saves the session after a login, in one transaction. Logging in to another server or account
    /// forgets the previous pull cursor, so the next sync downloads the new account's data from scratch.
    pub fn save_sync_session(&mut self, session: &SyncSession) -> Result<()> {
        let tx = self.conn.transaction().db()?;
        let old_server = query_optional_text(
            &tx,
            "SELECT value FROM sync_state WHERE key = ?1",
            SERVER_KEY,
        )?;
        let old_account = query_optional_text(
            &tx,
            "SELECT value FROM sync_state WHERE key = ?1",
            ACCOUNT_KEY,
        )?;
        if old_server.as_deref() != Some(session.server.as_str())
            || old_account.as_deref() != Some(session.account_id.as_str())
        {
            for key in ["cursor", "last_sync_at"] {
                tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])
                    .db()?;
            }
        }
        let mut pairs = vec![
            (SERVER_KEY, session.server.as_str()),
            (TOKEN_KEY, session.token.as_str()),
            (ACCOUNT_KEY, session.account_id.as_str()),
            (ROLE_KEY, session.role.as_str()),
        ];
        if let Some(doctor) = &session.doctor_id {
            pairs.push((DOCTOR_KEY, doctor.as_str()));
        } else {
            tx.execute("DELETE FROM sync_state WHERE key = ?1", [DOCTOR_KEY])
                .db()?;
        }
        for (key, value) in pairs {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .db()?;
        }
        tx.commit().db()
    }

    /// The saved session, if this device is signed in.
    pub fn sync_session(&self) -> Result<Option<SyncSession>> {
        let get = |key| self.sync_state(key);
        let (Some(server), Some(token), Some(account_id)) =
            (get(SERVER_KEY)?, get(TOKEN_KEY)?, get(ACCOUNT_KEY)?)
        else {
            return Ok(None);
        };
        Ok(Some(SyncSession {
            server,
            token,
            account_id,
            doctor_id: get(DOCTOR_KEY)?,
            role: get(ROLE_KEY)?.unwrap_or_default(),
        }))
    }

    /// Forgets the token (logout). The server, account and cursor are kept only when `keep_cursor` is set,
    /// so logging in again to the same account resumes where it stopped; local data and pending ops stay.
    pub fn clear_sync_session(&mut self, keep_cursor: bool) -> Result<()> {
        let tx = self.conn.transaction().db()?;
        let keys: &[&str] = if keep_cursor {
            &[TOKEN_KEY]
        } else {
            SERVER_SCOPED_KEYS
        };
        for key in keys {
            tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])
                .db()?;
        }
        tx.commit().db()
    }
}

impl Store {
    /// Gives the calendar made offline before the first login (under a provisional local doctor id) to the
    /// account's doctor: availabilities and busy periods of `local` that were never synced, and their
    /// pending ops, are rewritten to `account`, in one transaction. Without this, the server would refuse
    /// them (`forbidden`: not your calendar) and the rollback would remove them. Returns how many records
    /// were moved.
    pub fn adopt_local_calendar(&mut self, local: DoctorId, account: DoctorId) -> Result<usize> {
        if local == account {
            return Ok(0);
        }
        let (from, to) = (local.to_string(), account.to_string());
        let tx = self.conn.transaction().db()?;
        let mut moved = 0;
        let never_synced = "AND id NOT IN (SELECT entity_id FROM sync_shadow WHERE entity = ?2)";
        let rows: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT id, json FROM availability WHERE doctor_id = ?1 {never_synced}"
                ))
                .db()?;
            stmt.query_map(params![from, "availability"], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()?
        };
        for (id, json) in rows {
            let mut a: Availability = decode("availability", &id, &json)?;
            a.doctor_id = account;
            write_availability(&tx, &a, true)?;
            moved += 1;
        }
        let rows: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT id, json FROM busy_period WHERE doctor_id = ?1 {never_synced}"
                ))
                .db()?;
            stmt.query_map(params![from, "busy_period"], |r| Ok((r.get(0)?, r.get(1)?)))
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?
        };
        for (id, json) in rows {
            let mut b: BusyPeriod = decode("busy_period", &id, &json)?;
            b.doctor_id = account;
            tx.execute(
                "UPDATE busy_period SET doctor_id = ?2, json = ?3, start_ms = ?4, end_ms = ?5 WHERE id = ?1",
                params![id, to, encode(&b)?, millis(b.interval.start()), millis(b.interval.end())],
            )
            .db()?;
            moved += 1;
        }
        // Pending ops that carry the provisional id.
        let ops: Vec<(String, String)> = {
            let mut stmt = tx
                .prepare("SELECT op_id, fields FROM outbox WHERE entity IN ('availability', 'busy_period')")
                .db()?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?
        };
        for (op_id, fields) in ops {
            let mut map: serde_json::Map<String, Value> = decode("outbox", &op_id, &fields)?;
            if map.get("doctor_id").and_then(Value::as_str) == Some(from.as_str()) {
                map.insert("doctor_id".to_owned(), Value::String(to.clone()));
                tx.execute(
                    "UPDATE outbox SET fields = ?2 WHERE op_id = ?1",
                    params![op_id, encode(&map)?],
                )
                .db()?;
            }
        }
        tx.commit().db()?;
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(server: &str, account: &str) -> SyncSession {
        SyncSession {
            server: server.into(),
            token: "s3cr3t-token".into(),
            account_id: account.into(),
            doctor_id: Some("d1".into()),
            role: "doctor".into(),
        }
    }

    #[test]
    fn a_session_round_trips_and_its_debug_hides_the_token() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.sync_session().unwrap(), None);
        let s = session("http://127.0.0.1:1", "a1");
        store.save_sync_session(&s).unwrap();
        assert_eq!(store.sync_session().unwrap(), Some(s.clone()));
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("a1"));
    }

    #[test]
    fn switching_account_forgets_the_cursor_and_logout_keeps_it_on_request() {
        let mut store = Store::open_in_memory().unwrap();
        store.save_sync_session(&session("http://s", "a1")).unwrap();
        store.set_sync_state("cursor", "c-9").unwrap();
        store.save_sync_session(&session("http://s", "a1")).unwrap();
        assert_eq!(store.sync_state("cursor").unwrap().as_deref(), Some("c-9"));
        store.clear_sync_session(true).unwrap();
        assert_eq!(store.sync_session().unwrap(), None);
        assert_eq!(store.sync_state("cursor").unwrap().as_deref(), Some("c-9"));
        store.save_sync_session(&session("http://s", "a2")).unwrap();
        assert_eq!(store.sync_state("cursor").unwrap(), None);
        store.clear_sync_session(false).unwrap();
        assert_eq!(store.sync_state("session.account_id").unwrap(), None);
    }
}

#[cfg(test)]
mod adopt_tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use rempla_core::calendar::{Interval, ShiftKind};
    use rempla_core::domain::{AvailabilityId, AvailabilityStatus};

    #[test]
    fn a_calendar_made_before_login_moves_to_the_accounts_doctor_with_its_pending_ops() {
        let mut store = Store::open_in_memory().unwrap();
        let (local, account) = (DoctorId::new(), DoctorId::new());
        let a = Availability {
            id: AvailabilityId::new(),
            doctor_id: local,
            interval: Interval::new(
                Utc.with_ymd_and_hms(2027, 1, 4, 7, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2027, 1, 4, 19, 0, 0).unwrap(),
            )
            .unwrap(),
            zone: chrono_tz::Europe::Paris,
            kind: ShiftKind::Day,
            recurrence: None,
            status: AvailabilityStatus::Open,
            note: None,
            revision: 0,
        };
        store.add_availability(&a).unwrap();
        assert_eq!(store.adopt_local_calendar(local, account).unwrap(), 1);
        assert_eq!(store.list_availabilities(local).unwrap(), vec![]);
        assert_eq!(store.list_availabilities(account).unwrap()[0].id, a.id);
        let op = &store.pending_ops(1).unwrap()[0];
        assert_eq!(op.fields["doctor_id"], Value::String(account.to_string()));
        assert_eq!(store.adopt_local_calendar(account, account).unwrap(), 0);
    }
}
