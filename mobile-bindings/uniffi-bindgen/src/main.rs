//! The workspace's `uniffi-bindgen`, pinned to the same uniffi version as `rempla-ffi` (a bindgen of
//! another version would generate bindings that do not match the library's scaffolding).
//! Used by `mobile-bindings/generate.sh`: `uniffi-bindgen generate --library librempla_ffi.so …`.

fn main() {
    uniffi::uniffi_bindgen_main();
}
