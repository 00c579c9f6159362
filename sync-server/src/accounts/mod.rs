//! The accounts area: sign-up of doctors and facilities, activation, login and device tokens, lost
//! password, terms (CGU) acceptance, the caller's profile, facilities and their sites. Endpoints:
//! `docs/sync-protocol.md`, "Accounts".
//!
//! - [`devices`]: the account's own sessions (list, sign one out) and password change.
//! - [`link_pages`]: the pages the activation and reset e-mails' links open (no script).
//! - [`queries`]: the tables' rows and their queries (`impl Storage`).
//! - [`http`]: the endpoints, [`http::routes`], and the small input checks other areas' handlers reuse.
//! - [`facility_verification`] (endpoints) and [`facility_queue`] (queries): staff verify facilities.
//! - [`throttle`]: the limits of the password and link routes (the invitation links use them too).

pub mod devices;
pub mod facility_queue;
pub mod facility_verification;
pub mod http;
pub mod link_pages;
pub mod queries;
pub(crate) mod throttle;
