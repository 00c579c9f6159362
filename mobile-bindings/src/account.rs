//! Accounts on [`OfflineCalendar`]: doctor sign-up, activation, terms, login and logout, through core's
//! blocking sync client (`rempla_client`), the same code as `rempla login`.
//!
//! Every function here does network I/O and blocks its thread for at most the client's timeouts times its
//! retries: the apps call them from a background thread, never the UI thread.

use std::time::Duration;

use rempla_client::{
    self as client, ApiClient, ClientConfig, DoctorSignUp, RetryPolicy, SyncClient, SyncClientError,
};
use rempla_core::domain::DoctorId;
use rempla_store::Store;

use crate::calendar::{DOCTOR_KEY, OfflineCalendar};
use crate::convert;
use crate::error::RemplaError;
use crate::records::{SessionInfo, SignUpInput, SignUpResult, TermsRecord};
use crate::requests::PROFILE_KEY;

/// Sync-state key set once the calendar's doctor came from an account (no longer provisional).
const ACCOUNT_DOCTOR_KEY: &str = "ffi.doctor_from_account";

/// Longest e-mail, name or token accepted before anything is sent (the server has its own limits).
const MAX_FIELD: usize = 320;

/// Transport settings of the phones: shorter waits than the CLI's, since a person is looking at a
/// spinner; an unreachable server is reported after about two seconds of retries.
pub(crate) fn client_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        },
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
    }
}

fn field(name: &str, value: &str) -> Result<String, RemplaError> {
    let value = value.trim();
    if value.is_empty() || value.len() > MAX_FIELD {
        return Err(RemplaError::invalid(
            "invalid_field",
            format!("{name} : entre 1 et {MAX_FIELD} caractères"),
        ));
    }
    Ok(value.to_owned())
}

/// Saves the doctor's profile (`GET /v1/me`) for requests near me; best effort: offline or refused, the
/// profile saved before stays.
pub(crate) fn save_profile(store: &mut Store) -> Result<(), RemplaError> {
    let me = SyncClient::from_store(store, &client_config()).and_then(|c| c.api().me());
    if let Ok(me) = me
        && let Some(doctor) = me.get("doctor").filter(|d| d.is_object())
    {
        store.set_sync_state(PROFILE_KEY, &doctor.to_string())?;
    }
    Ok(())
}

/// A terms version as text (the server sends a string; a number is shown as written).
fn version_text(version: &serde_json::Value) -> String {
    match version {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A login refused for its credentials is not an expired session: say which.
fn login_error(e: SyncClientError) -> RemplaError {
    match e {
        SyncClientError::Unauthorized => RemplaError::Auth {
            code: "invalid_credentials".to_owned(),
            reason: "adresse e-mail ou mot de passe incorrect".to_owned(),
        },
        other => other.into(),
    }
}

#[uniffi::export]
impl OfflineCalendar {
    /// Signs a doctor up on `server` (`https://…`). The account must then be activated with the token of
    /// the e-mail it receives ([`Self::activate_account`]), and staff verify the doctor before requests
    /// are shown. A bad RPPS or e-mail is refused with its domain code (`rpps_checksum`…); an e-mail or
    /// RPPS already registered is `Conflict` (`conflict`).
    pub fn sign_up_doctor(
        &self,
        server: String,
        input: SignUpInput,
    ) -> Result<SignUpResult, RemplaError> {
        // The RPPS is checked here too, so the form answers offline with the same code as the server.
        let rpps = convert::rpps(&input.rpps)?;
        let request = DoctorSignUp {
            email: field("e-mail", &input.email)?,
            password: input.password,
            rpps,
            first_name: field("prénom", &input.first_name)?,
            last_name: field("nom", &input.last_name)?,
            specialties: input.specialties,
        };
        let answer = ApiClient::new(&server, &client_config())?.sign_up_doctor(&request)?;
        Ok(SignUpResult {
            account_id: answer.account_id,
            doctor_id: answer.doctor_id,
        })
    }

    /// Activates an account with the token of its activation e-mail (the app receives it through the
    /// link). An unknown or expired token is `Invalid` or `NotFound` with the server's code.
    pub fn activate_account(&self, server: String, token: String) -> Result<(), RemplaError> {
        let token = field("jeton", &token)?;
        ApiClient::new(&server, &client_config())?.activate(&token, None)?;
        Ok(())
    }

    /// The current terms of use of `server`, to show before [`Self::login`] with `accept_terms`.
    pub fn current_terms(&self, server: String) -> Result<TermsRecord, RemplaError> {
        let terms = ApiClient::new(&server, &client_config())?.current_terms()?;
        Ok(TermsRecord {
            version: version_text(&terms.version),
            sha256: terms.sha256,
            text: terms.text,
        })
    }

    /// Signs this device in and keeps the session in the calendar file. When the account still has to
    /// accept the current terms, `accept_terms` must be true (the user has read them: see
    /// [`Self::current_terms`]), else the session is dropped again and `Auth` (`terms_not_accepted`) is
    /// raised. A doctor's calendar typed before the first login becomes the account's, so it is sent
    /// rather than refused. Wrong credentials are `Auth` (`invalid_credentials`); a non-activated account
    /// `Auth` (`account_not_activated`); no network `Offline`.
    pub fn login(
        &self,
        server: String,
        email: String,
        password: String,
        device_name: String,
        platform: String,
        accept_terms: bool,
    ) -> Result<SessionInfo, RemplaError> {
        let server = convert::server(&server)?;
        let email = field("e-mail", &email)?;
        let device_name = field("nom de l'appareil", &device_name)?;
        let platform = field("plateforme", &platform)?;
        let config = client_config();
        let mut store = self.store();
        let answer = client::login(
            &mut store,
            &server,
            &email,
            &password,
            &device_name,
            &platform,
            &config,
        )
        .map_err(login_error)?;
        let mut terms_accepted = None;
        if answer.terms_required {
            let api = SyncClient::from_store(&store, &config)?;
            let terms = api.api().current_terms()?;
            if !accept_terms {
                // Without the terms nothing else works: leave the device signed out.
                let _ = client::logout(&mut store, &config);
                return Err(RemplaError::Auth {
                    code: "terms_not_accepted".to_owned(),
                    reason: format!(
                        "les conditions générales d'utilisation (version {}) doivent être acceptées",
                        version_text(&terms.version)
                    ),
                });
            }
            api.api().accept_terms(&terms)?;
            terms_accepted = Some(version_text(&terms.version));
        }
        let mut adopted = 0;
        if let Some(text) = &answer.doctor_id {
            let account: DoctorId = convert::id(text)?;
            // Only a provisional calendar (typed before any login) is adopted: after another doctor's
            // session, their unsent records stay theirs.
            if store.sync_state(ACCOUNT_DOCTOR_KEY)?.is_none() {
                adopted = store.adopt_local_calendar(self.doctor(), account)?;
            }
            store.set_sync_state(ACCOUNT_DOCTOR_KEY, "1")?;
            store.set_sync_state(DOCTOR_KEY, text)?;
            self.set_doctor(account);
            save_profile(&mut store)?;
        }
        drop(store);
        Ok(SessionInfo {
            server,
            account_id: answer.account_id,
            role: answer.role,
            doctor_id: answer.doctor_id,
            terms_accepted,
            adopted_records: adopted as u64,
        })
    }

    /// Signs this device out: its token is revoked on the server (best effort) and forgotten here; the
    /// calendar and the changes not sent yet stay, for the next login. Returns whether the server
    /// confirmed the revocation (false when offline or already signed out).
    pub fn logout(&self) -> Result<bool, RemplaError> {
        Ok(client::logout(&mut self.store(), &client_config())?)
    }
}
