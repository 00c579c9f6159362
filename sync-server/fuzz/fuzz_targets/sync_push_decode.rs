//! Feeds arbitrary bytes to the sync server's push decoder (`rempla_server::sync::decode_push`, the
//! function the `POST /v1/sync/push` handler calls) and every decoded op to the per-op rules
//! (`sync::rules::decide`: authorization, invariants, merge, record validation). Both must answer
//! with a value or a coded error, never panic; an accepted batch must respect the limits and survive a
//! re-encoding. Run with `cargo +nightly fuzz run sync_push_decode` from sync-server/.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rempla_core::domain::{DeviceId, Member};
use rempla_core::sync::protocol::MAX_PUSH_OPS;
use rempla_server::db::StorageError;
use rempla_server::sync::decode_push;
use rempla_server::sync::rules::{Lookup, PushContext, decide};

struct NoSites;

impl Lookup for NoSites {
    fn site_facility(&mut self, _site_id: &str) -> Result<Option<String>, StorageError> {
        Ok(None)
    }

    fn live_availabilities(
        &mut self,
        _doctor_id: &str,
        _except_id: &str,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StorageError> {
        Ok(Vec::new())
    }
}

fuzz_target!(|data: &[u8]| {
    // Decode as the token's device would: the device named in the body, if any, else a fixed one.
    let named = serde_json::from_slice::<serde_json::Value>(data)
        .ok()
        .and_then(|v| v.get("device_id").and_then(|d| d.as_str()).map(str::to_owned));
    let device = named.unwrap_or_else(|| "0190f5d2-0000-7000-8000-000000000001".to_owned());
    let Ok(request) = decode_push(data, &device) else {
        return;
    };
    assert!(request.ops.len() <= MAX_PUSH_OPS);
    assert_eq!(request.device_id.to_string(), device);
    let again = serde_json::to_vec(&request).expect("encodable");
    assert!(decode_push(&again, &device).is_ok(), "re-encoding stays valid");
    let Ok(device_id) = device.parse::<DeviceId>() else {
        return;
    };
    let ctx = PushContext {
        account_id: "fuzz".into(),
        device_id: device.clone(),
        device: device_id,
        doctor_id: Some("0190f5d2-0000-7000-8000-0000000000d0".into()),
        members: Vec::<Member>::new(),
        now_ms: 1_800_000_000_000,
        max_drift_ms: 300_000,
    };
    for op in &request.ops {
        let _ = decide(&ctx, op, None, &mut NoSites);
    }
});
