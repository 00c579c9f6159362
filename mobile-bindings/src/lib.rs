//! `rempla-ffi`: the uniffi facade over `rempla-core` for the phone apps.
//!
//! Thin by design: every function parses its boundary values (ids, dates, RFC 3339 instants), calls one
//! thing in core and converts the answer to a plain record. Business rules live in core, so the phones,
//! the CLI and the desktop app apply the same ones and report the same error codes.
//!
//! - [`error`]: the one public error, [`RemplaError`], with a stable `code` and a French `message`.
//! - [`records`]: the plain values that cross the boundary (strings for ids and instants, enums for kinds).
//! - [`events`]: the [`EventListener`] callback interface and the [`RemplaEvent`]s it receives.
//! - [`calendar`]: [`OfflineCalendar`], the doctor's offline store (availabilities, inbox, cached requests).
//! - [`account`]: sign-up, activation, terms, login and logout (methods of [`OfflineCalendar`]).
//! - [`sync`]: one sync round now, the sync banner's state, the refused changes (methods of
//!   [`OfflineCalendar`]).
//! - [`requests`]: requests near me (core matching, offline) and map clusters over the cached requests.
//! - [`workflow`]: the proposals inbox with deadlines, answering a proposal, missions and their contacts.
//! - [`documents`]: the doctor's document vault list (kept for offline).
//! - [`privacy`]: the personal data export (ZIP, written atomically) and push targets (FCM, APNs,
//!   UnifiedPush / Web Push).
//! - [`rules`]: French rules as free functions (RPPS check, public holidays, answer deadline, shift kinds).
//!
//! Only synchronous functions, objects and callback interfaces cross the boundary: no `async`, so the
//! bindings need no coroutine library (the JVM test toolchain has none). Objects are `AutoCloseable` in
//! Kotlin; closing one frees its native memory at once.

// uniffi lifts every argument into an owned value (String, Vec, records): exported functions must take
// them by value even when they only read them.
#![allow(clippy::needless_pass_by_value)]

uniffi::setup_scaffolding!();

pub mod account;
pub mod calendar;
mod convert;
pub mod documents;
pub mod error;
pub mod events;
pub mod feeds;
pub mod privacy;
pub mod records;
pub mod requests;
pub mod rules;
pub mod sync;
pub mod workflow;

pub use calendar::OfflineCalendar;
pub use error::RemplaError;
pub use events::{EventListener, RemplaEvent};
pub use records::*;
