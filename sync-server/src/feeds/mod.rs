//! Calendar feeds (`docs/calendar-sync.md`): a secret, revocable, rotatable address per feed that
//! Google Calendar, Apple Calendar, Outlook or Thunderbird subscribe to. A doctor's feed publishes
//! their missions (and, if they choose, their open availabilities); a facility's, per site or for the
//! whole facility, its missions and the shifts still to fill. The address is signed with the server
//! key (`crate::server_key`), checked at every fetch together with the owner's right to read.
//!
//! - [`queries`]: the `calendar_feeds` table, and what one feed publishes (read from the change feed).
//! - [`render`]: that content as iCalendar text, with its `ETag` and `Last-Modified`.
//! - [`http`]: `/v1/me/feeds` (list, make, rotate, revoke) and the public `GET /feeds/{id}/{secret}.ics`.

pub mod http;
pub mod queries;
pub mod render;

pub use queries::SCHEMA;
