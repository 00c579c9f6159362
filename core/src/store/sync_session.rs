//! The signed-in session of this device: which server, which account, and the bearer token, kept in the
//! `sync_state` table so the CLI and the apps find it again after a restart.
//!
//! The token is a secret: [`SyncSession`]'s `Debug` never prints it and nothing here logs it. On a phone
//! the app may keep it in the platform keystore instead; the CLI relies on the store file's permissions.

use std::fmt;

use rusqlite::params;

use super::{DbResultExt, Result, Store, query_optional_text};

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
