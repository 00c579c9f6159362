//! Rempla core: everything a Rempla device knows how to do without a server.
//!
//! The crate is layered so that most of it is pure (sans-I/O):
//!
//! - [`domain`]: the records of the product (doctors, facilities, availabilities, requests…) and the
//!   validators of French identifiers (RPPS, SIRET, postcodes, phone numbers).
//! - [`calendar`]: French calendar rules (shift templates, public holidays per département, business days,
//!   answer deadlines), recurrence, interval algebra and iCalendar import/export. Pure functions.
//! - [`geo`]: the French gazetteer (every commune: INSEE code, postcodes, point, time zone), name search
//!   and great-circle distance. Pure; the data is compiled in.
//! - [`matching`]: request → candidates (complete, partial, split coverage) and doctor → requests, over an
//!   incrementally updated spatial and interval index; ranking with French explanations. Pure.
//! - [`store`]: the offline store on SQLite; the only module that touches the disk.
//! - [`sync`]: values shared with the sync protocol (hybrid logical clock, outbox operations).
//!
//! Each module exposes one flat error type whose variants carry a stable machine-readable code
//! (`code()`), so that every front end (CLI, FFI, desktop) reports the same codes.

pub mod api;
pub mod calendar;
pub mod domain;
pub mod geo;
pub mod matching;
pub mod store;
pub mod sync;
