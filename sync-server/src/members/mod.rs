//! Members and rights of a facility (`docs/api/members.md`): list, invite (an offer the invitee
//! accepts), change a member's role and
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
//! - [`http`]: the members endpoints and [`http::routes`].
//! - [`invitations`]: the invitations' table and queries — offers a person accepts, never an account
//!   made for them.
//! - [`invitations_http`]: the invitation endpoints (send, list, withdraw; accept or decline signed in
//!   or with the e-mail's token).
//! - [`invitation_page`]: the page the e-mail's link opens (server-rendered, no script).

pub mod error;
pub mod http;
pub mod invitation_page;
pub mod invitations;
pub mod invitations_http;
pub mod model;
pub mod queries;

pub use error::MembersError;
pub use invitations::SCHEMA;

/// The members and invitation routes.
pub fn routes() -> axum::Router<crate::http::state::AppState> {
    http::routes()
        .merge(invitations_http::routes())
        .merge(invitation_page::routes())
}
pub use model::{DelegationBody, Invite, MAX_DELEGATIONS, RightsBody, parse_rights};
pub(crate) use queries::other_admins_tx;
