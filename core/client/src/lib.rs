//! `rempla-client`: the sync client of a device. It sends the outbox, pulls the changes in its scopes, retries with backoff,
//! resumes after any interruption, rolls back rejected ops and raises conflicts.
//!
//! - [`transport`]: the one seam to the network ([`transport::Transport`]; the real one is blocking
//!   `reqwest` + rustls);
//! - [`http`]: the typed API client over a transport, with retries and one error mapping;
//! - [`live`]: the live-events stream (`GET /v1/events`), its parser and reconnection backoff;
//! - [`retry`]: what is retried and how long to wait;
//! - [`engine`]: one sync round (push batches, then pull pages); how pulled records and pending local ops
//!   combine is the pure [`rempla_core::sync::rebase`], applied by the store (`rempla-store`);
//! - [`conflict`]: events (progress, conflicts, completion) and the sink callback;
//! - [`service`]: one round with its bookkeeping, the sync status, the background worker;
//! - [`session`]: sign-in (terms, adoption of a calendar typed before it), sign-out — one copy for every
//!   front end;
//! - [`doctor`]: the doctor's calls beside sync (answer a proposal, documents, push targets, export);
//! - [`facility`]: the coordinators' calls (facility and sites, candidates, proposals, missions, invoices
//!   and charges, members and rights);
//! - [`contracts`]: a mission's contract (read, sign, PDF), for both parties;
//! - [`feeds`]: calendar feeds (secret subscription addresses), for doctors and coordinators alike;
//! - [`staff`]: the staff calls (verification queue, decisions, identity documents);
//! - [`inbox`]: the account's notifications inbox;
//! - [`views`]: the read models of the workflow screens (proposals inbox, missions, a mission's contacts,
//!   the snapshot telling which screens a sync round changed), built from the store's pulled records;
//! - [`error`]: the flat [`SyncClientError`].
//!
//! Typical use (CLI, FFI, desktop): [`session::sign_in`] once, then [`SyncClient::from_store`] and
//! [`SyncClient::sync`] on each round, with [`live::listen`] waking the rounds. Everything is synchronous; see [`http`] for why.

pub mod busy_import;
pub mod conflict;
pub mod contracts;
pub mod doctor;
pub mod engine;
pub mod error;
pub mod facility;
pub mod feeds;
pub mod http;
pub mod inbox;
pub mod live;
pub mod nearby;
pub mod retry;
pub mod service;
pub mod session;
pub mod staff;
pub mod transport;
pub mod uploads;
pub mod views;

pub use conflict::{NoEvents, SyncEvent, SyncEventSink, SyncPhase, SyncReport};
pub use doctor::{ProposalAnswer, PushTarget, RegisteredPushTarget, VaultDocument};
pub use engine::{SyncOptions, sync_once};
pub use error::SyncClientError;
pub use http::{ApiClient, ClientConfig};
pub use rempla_core::api::accounts::{
    DoctorSignUp, LoginRequest, LoginResponse, SignUpReceived, Terms,
};
pub use retry::RetryPolicy;

use rempla_store::{Store, SyncSession};

/// A signed-in sync client for one store.
#[derive(Debug)]
pub struct SyncClient {
    api: ApiClient,
    options: SyncOptions,
}

impl SyncClient {
    /// A client for a saved session.
    pub fn from_session(
        session: &SyncSession,
        config: &ClientConfig,
    ) -> Result<Self, SyncClientError> {
        Ok(Self {
            api: ApiClient::new(&session.server, config)?.with_token(session.token.clone()),
            options: SyncOptions::default(),
        })
    }

    /// A client for the session saved in `store`; [`SyncClientError::NotLoggedIn`] without one.
    pub fn from_store(store: &Store, config: &ClientConfig) -> Result<Self, SyncClientError> {
        let session = store.sync_session()?.ok_or(SyncClientError::NotLoggedIn)?;
        Self::from_session(&session, config)
    }

    /// Changes batch and page sizes.
    #[must_use]
    pub fn with_options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    /// The transport, for account calls (terms, logout).
    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    /// One sync round (see [`engine`]).
    pub fn sync(
        &self,
        store: &mut Store,
        sink: &dyn SyncEventSink,
    ) -> Result<SyncReport, SyncClientError> {
        sync_once(store, &self.api, self.options, sink)
    }
}

/// Logs this device in and saves the session in `store`. Returns the server's answer (its
/// `terms_required` tells whether [`ApiClient::accept_terms`] must be called before syncing).
///
/// A login replayed by the network (a duplicated request) makes the server issue a second token for this
/// device and revoke the first; if the answer that arrived carries the revoked one, the token is checked
/// (`GET /v1/me`) and the login done again (at most three times).
pub fn login(
    store: &mut Store,
    server: &str,
    email: &str,
    password: &str,
    device_name: &str,
    platform: &str,
    config: &ClientConfig,
) -> Result<LoginResponse, SyncClientError> {
    let api = ApiClient::new(server, config)?;
    let request = LoginRequest {
        email: email.to_owned(),
        password: password.to_owned(),
        device_id: store.device_id(),
        device_name: device_name.to_owned(),
        platform: platform.to_owned(),
    };
    let mut attempt = 0;
    let answer = loop {
        attempt += 1;
        let answer = api.login(&request)?;
        let check = ApiClient::new(server, config)?
            .with_token(answer.token.clone())
            .me();
        match check {
            Err(SyncClientError::TokenRevoked | SyncClientError::Unauthorized) if attempt < 3 => {}
            Err(e @ (SyncClientError::TokenRevoked | SyncClientError::Unauthorized)) => {
                return Err(e);
            }
            // Valid, or not checkable right now (offline, 5xx, older server): keep it.
            _ => break answer,
        }
    };
    store.save_sync_session(&SyncSession {
        server: api.server().to_owned(),
        token: answer.token.clone(),
        account_id: answer.account_id.clone(),
        doctor_id: answer.doctor_id.clone(),
        role: answer.role.clone(),
    })?;
    Ok(answer)
}

/// Revokes this device's token on the server (best effort: an unreachable server still signs the device
/// out locally) and forgets it locally, keeping the cursor and the pending ops for the next login.
pub fn logout(store: &mut Store, config: &ClientConfig) -> Result<bool, SyncClientError> {
    let Some(session) = store.sync_session()? else {
        return Ok(false);
    };
    let revoked = SyncClient::from_session(&session, config)?.api().logout();
    store.clear_sync_session(true)?;
    match revoked {
        Ok(()) | Err(SyncClientError::Unauthorized | SyncClientError::TokenRevoked) => Ok(true),
        Err(e) if e.is_transient() => Ok(false),
        Err(e) => Err(e),
    }
}
