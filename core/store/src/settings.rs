//! Typed device settings: what a front end remembers between runs (the local doctor id, whether the
//! calendar already belongs to an account, the cached profile, the last sync…), each a [`Setting`] with a
//! name and a value type, kept as text in the `sync_state` table.
//!
//! Why typed: each front end used to pick its own string keys (`cli.doctor_id`, `local.doctor_id`,
//! `ffi.doctor_from_account`, `desktop.me`…) and read core's private ones by their literal strings, so two
//! front ends on one store disagreed about the same fact. Every setting is declared once here, as a
//! constant; migration 5 renamed the old per-front-end keys to these.

use std::borrow::Cow;
use std::marker::PhantomData;

use rempla_core::domain::DoctorId;
use serde_json::Value;

use crate::error::Result;
use crate::open::Store;

/// How a setting's value is written as text (unchanged from the keys' old plain-text forms, so no
/// stored value needs rewriting).
pub trait SettingValue: Sized {
    /// The stored text.
    fn encode(&self) -> String;
    /// The value of a stored text; `None` for a text this type cannot read (treated as unset).
    fn decode(text: &str) -> Option<Self>;
}

impl SettingValue for String {
    fn encode(&self) -> String {
        self.clone()
    }
    fn decode(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

impl SettingValue for bool {
    fn encode(&self) -> String {
        if *self { "1" } else { "0" }.to_owned()
    }
    fn decode(text: &str) -> Option<Self> {
        match text {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }
    }
}

impl SettingValue for DoctorId {
    fn encode(&self) -> String {
        self.to_string()
    }
    fn decode(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl SettingValue for Value {
    fn encode(&self) -> String {
        self.to_string()
    }
    fn decode(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

impl SettingValue for rempla_core::api::accounts::Me {
    fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    fn decode(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// One named setting holding values of type `T`.
#[derive(Debug)]
pub struct Setting<T> {
    key: Cow<'static, str>,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Setting<T> {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
            value: PhantomData,
        }
    }
}

impl<T> Setting<T> {
    /// A setting stored under `key`.
    pub const fn new(key: &'static str) -> Self {
        Self {
            key: Cow::Borrowed(key),
            value: PhantomData,
        }
    }

    /// Its key in `sync_state`.
    pub fn key(&self) -> &str {
        &self.key
    }
}

// ---- every device setting

/// The doctor id the device's calendar is written under: provisional (made on the device) until a
/// doctor signs in, the account's doctor id after.
pub const LOCAL_DOCTOR: Setting<DoctorId> = Setting::new("local.doctor_id");
/// Whether an account has ever signed in on this store: from then on the calendar is that account's,
/// and a later sign-in of another account never adopts it.
pub const CALENDAR_OWNED: Setting<bool> = Setting::new("device.calendar_owned");
/// The signed-in doctor's profile, as `GET /v1/doctors/{id}` returned it (offline reads).
pub const DOCTOR_PROFILE: Setting<Value> = Setting::new("ffi.doctor_profile");
/// The signed-in account, as `GET /v1/me` returned it (offline reads).
pub const ME: Setting<rempla_core::api::accounts::Me> = Setting::new("desktop.me");
/// Whether the terms in force still wait for this account's acceptance.
pub const TERMS_PENDING: Setting<bool> = Setting::new("desktop.terms_pending");
/// The last document list of the vault (offline reads).
pub const DOCUMENTS: Setting<Value> = Setting::new("ffi.documents");
/// When the last sync round was tried (RFC 3339).
pub const LAST_ATTEMPT_AT: Setting<String> = Setting::new("ffi.last_attempt_at");
/// The code of the last failed sync round (empty after a success).
pub const LAST_ERROR: Setting<String> = Setting::new("ffi.last_error");
/// When the last sync round succeeded (RFC 3339), written by the sync engine.
pub const LAST_SYNC_AT: Setting<String> = Setting::new("last_sync_at");
/// The pull cursor, written with the page it ends (see `sync_apply`).
pub const CURSOR: Setting<String> = Setting::new("cursor");
/// The server of the saved session (see `sync_session`).
pub const SESSION_SERVER: Setting<String> = Setting::new("session.server");
/// The desktop's cached facility view of `id` (`desktop.facility.<id>`, one per facility).
pub fn facility_view(id: &str) -> Setting<Value> {
    Setting {
        key: format!("desktop.facility.{id}").into(),
        value: PhantomData,
    }
}

/// A form's draft (`draft.<key>`): what a person typed, kept so closing the app mid-edit loses nothing.
pub fn draft(key: &str) -> Setting<Value> {
    Setting {
        key: format!("draft.{key}").into(),
        value: PhantomData,
    }
}

impl Store {
    /// The value of a setting, `None` when unset (or unreadable).
    pub fn setting<T: SettingValue>(&self, setting: &Setting<T>) -> Result<Option<T>> {
        Ok(self
            .sync_state(&setting.key)?
            .and_then(|text| T::decode(&text)))
    }

    /// Sets a setting.
    pub fn set_setting<T: SettingValue>(&mut self, setting: &Setting<T>, value: &T) -> Result<()> {
        self.set_sync_state(&setting.key, &value.encode())
    }

    /// Removes a setting.
    pub fn clear_setting<T>(&mut self, setting: &Setting<T>) -> Result<()> {
        self.clear_sync_state(&setting.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_back_their_type_and_unreadable_text_is_unset() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.setting(&CALENDAR_OWNED).unwrap(), None);
        store.set_setting(&CALENDAR_OWNED, &true).unwrap();
        assert_eq!(store.setting(&CALENDAR_OWNED).unwrap(), Some(true));
        let id = DoctorId::new();
        store.set_setting(&LOCAL_DOCTOR, &id).unwrap();
        assert_eq!(store.setting(&LOCAL_DOCTOR).unwrap(), Some(id));
        let me = rempla_core::api::accounts::Me {
            role: Some("doctor".into()),
            ..Default::default()
        };
        store.set_setting(&ME, &me).unwrap();
        assert_eq!(store.setting(&ME).unwrap(), Some(me));
        store
            .set_sync_state(LOCAL_DOCTOR.key(), "not a uuid")
            .unwrap();
        assert_eq!(store.setting(&LOCAL_DOCTOR).unwrap(), None);
        store.clear_setting(&ME).unwrap();
        assert_eq!(store.setting(&ME).unwrap(), None);
        assert_eq!(facility_view("f1").key(), "desktop.facility.f1");
    }
}
