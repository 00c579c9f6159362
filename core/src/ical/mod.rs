//! iCalendar (RFC 5545): export of a doctor's availabilities and missions to the calendars they already use,
//! and import of busy times from those calendars (Google Calendar, Apple, Thunderbird exports).
//!
//! - `text`: escaping, line folding and the content-line reader shared by both directions.
//! - [`vtimezone`]: `VTIMEZONE` components generated from chrono-tz by searching offset changes.
//! - [`export`]: writes a doctor's calendar ([`export_calendar`]).
//! - [`limits`]: the bounds that make import safe on hostile files ([`ImportOptions`]).
//! - `parse`: the component tree of a file, built without recursion and within the limits.
//! - `zones`: `TZID` → IANA zone resolution for imported files.
//! - [`import`]: busy times from other calendars, all-or-nothing ([`import_busy`], [`import_busy_bytes`]).
//! - `error`: [`IcalError`], a leaf so the modules above never import this file.

mod error;
pub mod export;
pub mod import;
pub mod limits;
mod parse;
mod text;
pub mod vtimezone;
mod zones;

pub use error::IcalError;
pub use export::{CalendarExport, CalendarHeader, MissionEvent, OpenShiftEvent, export_calendar};
pub use import::{ImportedBusy, fuzz_import, fuzz_invariants_hold, import_busy, import_busy_bytes};
pub use limits::ImportOptions;
