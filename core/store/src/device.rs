//! This device's identity and clock, kept in `device_meta`: the device id created on first open and the
//! last HLC issued, so timestamps keep increasing across restarts even if the phone's clock was set back.

use rempla_core::domain::DeviceId;
use rempla_core::sync::{Hlc, HlcClock};
use rusqlite::{Connection, TransactionBehavior, params};

use crate::codec::query_optional_text;
use crate::error::{DbResultExt, Result, StoreError};

/// Key of this device's id in `device_meta`.
const DEVICE_ID_KEY: &str = "device_id";
/// Key of the last HLC issued in `device_meta` (written by the outbox and by pulls).
pub(crate) const LAST_HLC_KEY: &str = "last_hlc";

/// Creates (first open) or reads this device's id and the last HLC it issued.
pub(crate) fn load_clock(conn: &mut Connection) -> Result<HlcClock> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    tx.execute(
        "INSERT OR IGNORE INTO device_meta (key, value) VALUES (?1, ?2)",
        params![DEVICE_ID_KEY, DeviceId::new().to_string()],
    )
    .db()?;
    let device_text = query_optional_text(
        &tx,
        "SELECT value FROM device_meta WHERE key = ?1",
        DEVICE_ID_KEY,
    )?
    .unwrap_or_default();
    let device: DeviceId = device_text
        .parse()
        .map_err(|_| corrupt_meta(DEVICE_ID_KEY, &device_text))?;
    let last = query_optional_text(
        &tx,
        "SELECT value FROM device_meta WHERE key = ?1",
        LAST_HLC_KEY,
    )?;
    tx.commit().db()?;
    let clock = HlcClock::new(device);
    match last {
        None => Ok(clock),
        Some(text) => {
            let last: Hlc = text
                .parse()
                .map_err(|_| corrupt_meta(LAST_HLC_KEY, &text))?;
            Ok(clock.resume_after(last))
        }
    }
}

fn corrupt_meta(key: &str, value: &str) -> StoreError {
    StoreError::CorruptRecord {
        table: "device_meta",
        id: key.to_owned(),
        reason: format!(
            "valeur illisible « {} »",
            rempla_core::text::truncate_for_message(value)
        ),
    }
}
