//! The session every front end opens and closes the same way: sign in, settle the terms (CGU), give a
//! calendar typed before the first sign-in to the account, remember the account; and sign out.
//!
//! Why one copy: the CLI, the FFI and the desktop each wrote this sequence, and they disagreed. The CLI
//! adopted whatever local calendar the store held at every sign-in, so a second doctor signing in on the
//! same store after the first one signed out took the first one's unsent records. The rule here is the
//! FFI's: only a calendar typed before **any** doctor signed in on this store is adopted
//! ([`settings::CALENDAR_OWNED`]); after that, unsent records stay their doctor's (the server refuses them
//! for anyone else and the rollback removes them from view).

use rempla_core::domain::DoctorId;
use rempla_store::{Store, StoreError, settings};

use crate::error::SyncClientError;
use rempla_core::api::accounts::{LoginResponse, Terms};

use crate::http::ClientConfig;
use crate::{SyncClient, login, logout};

/// What to do when the account must accept the terms in force before anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermsChoice {
    /// The user read and accepted them: accept them now.
    Accept,
    /// The user did not accept them: sign the device out again and refuse.
    Refuse,
    /// Keep the session and let the user read them next (the desktop's terms screen): the account stays
    /// gated until [`accept_terms`].
    Ask,
}

/// The terms after sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermsState {
    /// Nothing to accept.
    UpToDate,
    /// Accepted during this sign-in.
    Accepted(Terms),
    /// Still to accept ([`TermsChoice::Ask`]).
    Pending(Terms),
}

/// A completed sign-in.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The server's answer (the token is already saved in the store).
    pub answer: LoginResponse,
    /// The terms.
    pub terms: TermsState,
    /// The account's doctor, for a doctor.
    pub doctor: Option<DoctorId>,
    /// Records of a calendar typed before the first sign-in that now belong to the account.
    pub adopted: usize,
}

/// Why a sign-in did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The server or the network refused or failed (wrong credentials come as a refusal with the code
    /// `invalid_credentials`).
    #[error(transparent)]
    Client(#[from] SyncClientError),
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The terms must be accepted and [`TermsChoice::Refuse`] was given: the device is signed out.
    #[error("les conditions générales d'utilisation (version {}) doivent être acceptées", terms.version)]
    TermsNotAccepted {
        /// The terms in force.
        terms: Terms,
    },
}

impl SignInError {
    /// The stable code: the client's, the store's, or `terms_not_accepted`.
    pub fn code(&self) -> &str {
        match self {
            Self::Client(e) => e.precise_code(),
            Self::Store(e) => e.code(),
            Self::TermsNotAccepted { .. } => "terms_not_accepted",
        }
    }
}

/// What a sign-in needs.
#[derive(Clone, Copy, Debug)]
pub struct Credentials<'a> {
    /// The server address.
    pub server: &'a str,
    /// The account's e-mail.
    pub email: &'a str,
    /// The password (never logged).
    pub password: &'a str,
    /// The name of this device in the account's device list.
    pub device_name: &'a str,
    /// `cli`, `android`, `ios`, `desktop`.
    pub platform: &'a str,
}

/// Signs this device in and settles the terms as `terms` says; a doctor's calendar typed before any
/// doctor signed in on this store becomes the account's.
pub fn sign_in(
    store: &mut Store,
    credentials: Credentials<'_>,
    terms: TermsChoice,
    config: &ClientConfig,
) -> Result<SignedIn, SignInError> {
    let answer = login(
        store,
        credentials.server,
        credentials.email,
        credentials.password,
        credentials.device_name,
        credentials.platform,
        config,
    )?;
    let terms = if answer.terms_required {
        let client = SyncClient::from_store(store, config)?;
        let current = client.api().current_terms()?;
        match terms {
            TermsChoice::Accept => {
                client.api().accept_terms(&current)?;
                TermsState::Accepted(current)
            }
            TermsChoice::Ask => TermsState::Pending(current),
            TermsChoice::Refuse => {
                // Without the terms nothing else works: leave the device signed out.
                let _ = logout(store, config);
                return Err(SignInError::TermsNotAccepted { terms: current });
            }
        }
    } else {
        TermsState::UpToDate
    };
    store.set_setting(
        &settings::TERMS_PENDING,
        &matches!(terms, TermsState::Pending(_)),
    )?;
    let doctor = answer
        .doctor_id
        .as_deref()
        .map(str::parse::<DoctorId>)
        .transpose()
        .map_err(|_| SyncClientError::Protocol {
            reason: "identifiant de médecin illisible".to_owned(),
        })?;
    let mut adopted = 0;
    if let Some(account) = doctor {
        if store.setting(&settings::CALENDAR_OWNED)? != Some(true)
            && let Some(local) = store.setting(&settings::LOCAL_DOCTOR)?
        {
            adopted = store.adopt_local_calendar(local, account)?;
        }
        store.set_setting(&settings::CALENDAR_OWNED, &true)?;
        store.set_setting(&settings::LOCAL_DOCTOR, &account)?;
    }
    refresh_me(store, config)?;
    Ok(SignedIn {
        answer,
        terms,
        doctor,
        adopted,
    })
}

/// Accepts the terms in force for the signed-in account (after [`TermsChoice::Ask`]).
pub fn accept_terms(store: &mut Store, config: &ClientConfig) -> Result<Terms, SyncClientError> {
    let client = SyncClient::from_store(store, config)?;
    let terms = client.api().current_terms()?;
    client.api().accept_terms(&terms)?;
    store.set_setting(&settings::TERMS_PENDING, &false)?;
    refresh_me(store, config)?;
    Ok(terms)
}

/// Refreshes the cached account (`GET /v1/me`: roles, memberships, doctor profile) while online; offline
/// the copy saved before stays.
pub fn refresh_me(store: &mut Store, config: &ClientConfig) -> Result<(), SyncClientError> {
    match SyncClient::from_store(store, config)?.api().me() {
        Ok(me) => {
            store.set_setting(&settings::ME, &me)?;
            Ok(())
        }
        Err(e) if e.is_transient() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Signs this device out (the token is revoked when the server answers) and forgets the cached account.
/// Pending changes stay for the next sign-in of their doctor. Returns whether the server revoked the
/// token.
pub fn sign_out(store: &mut Store, config: &ClientConfig) -> Result<bool, SyncClientError> {
    let revoked = logout(store, config)?;
    store.clear_setting(&settings::ME)?;
    store.clear_setting(&settings::TERMS_PENDING)?;
    Ok(revoked)
}

/// The doctor id the device's calendar is written under: the account's after a doctor signed in, else a
/// provisional one made now and kept.
pub fn local_doctor(store: &mut Store) -> Result<DoctorId, StoreError> {
    if let Some(id) = store.setting(&settings::LOCAL_DOCTOR)? {
        return Ok(id);
    }
    let id = DoctorId::new();
    store.set_setting(&settings::LOCAL_DOCTOR, &id)?;
    Ok(id)
}
