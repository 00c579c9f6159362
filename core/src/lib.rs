//! Rempla core: the rules and values of Rempla, shared by the devices and the server.
//!
//! The crate is pure (sans-I/O): it never touches the disk or the network. The device's SQLite store is
//! the `rempla-store` crate and its HTTP sync client the `rempla-client` crate, both built on this one;
//! the server (`rempla-server`) depends on this crate only. Modules, from the floor up:
//!
//! - [`text`]: small text helpers (error-message truncation); the floor every module may use.
//! - [`calendar`]: French calendar rules (shift templates, public holidays per département, business days,
//!   answer deadlines), recurrence and interval algebra. Pure functions.
//! - [`domain`]: the records of the product (doctors, facilities, availabilities, requests…) and the
//!   validators of French identifiers (RPPS, SIRET, postcodes, phone numbers).
//! - [`geo`]: the French gazetteer (every commune: INSEE code, postcodes, point, time zone), name search
//!   and great-circle distance. Pure; the data is compiled in.
//! - [`ical`]: iCalendar export and import of domain records (availabilities, missions, busy periods).
//! - [`sync`]: values shared with the sync protocol (hybrid logical clock, outbox operations, wire format,
//!   the server's merge rule) and the pure rebase of pulled records under pending local ops.
//! - [`matching`]: request → candidates (complete, partial, split coverage) and doctor → requests, over an
//!   incrementally updated spatial and interval index; ranking with French explanations. Pure.
//!
//! Each module exposes one flat error type whose variants carry a stable machine-readable code
//! (`code()`), so that every front end (CLI, FFI, desktop) reports the same codes.
//!
//! With the `uniffi` feature (turned on by `rempla-ffi` only), the enums the phones see
//! ([`calendar::ShiftKind`], [`domain::AvailabilityStatus`], [`domain::ProposalState`]) derive their uniffi
//! shape here instead of being mirrored in the bindings; this crate is then a uniffi component of its own
//! (namespace `rempla_core`), linked into the bindings' library.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod api;
pub mod calendar;
pub mod domain;
pub mod geo;
pub mod ical;
pub mod matching;
pub mod sync;
pub mod text;
