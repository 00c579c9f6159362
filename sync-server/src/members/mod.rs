//! Members and rights of a facility (`docs/api/members.md`): list, invite, change a member's role and
//! delegated rights, remove a member. Only members holding the « gérer les membres » right act; staff may
//! list (read-only, for support); anyone else learns nothing (404). A facility always keeps an
//! administrator (`last_admin`), and every change writes an audit entry in its own transaction.
//!
//! Members are not synced records: devices learn their own memberships from `POST /v1/auth/login` and
//! `GET /v1/me`, and the server reads them again at every request, so a change applies at once.
//!
//! - [`error`]: [`MembersError`], the refusals with their codes.
//! - [`model`]: request bodies, parsing of roles and delegated rights (pure).
//! - [`queries`]: the `impl Storage` blocks and `other_admins_tx`.
//! - [`http`]: the endpoints and [`http::routes`].

pub mod error;
pub mod http;
pub mod model;
pub mod queries;

pub use error::MembersError;
pub use http::routes;
pub use model::{DelegationBody, Invite, MAX_DELEGATIONS, RightsBody, parse_rights};
pub(crate) use queries::other_admins_tx;
