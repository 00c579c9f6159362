//! Accounts on [`OfflineCalendar`]: doctor sign-up, activation, terms, login and logout, through core's
//! blocking sync client (`rempla_client`), the same code as `rempla login`.
//!
//! Every function here does network I/O and blocks its thread for at most the client's timeouts times its
//! retries: the apps call them from a background thread, never the UI thread.

use std::time::Duration;

use rempla_client::session::{self, Credentials, TermsChoice, TermsState};
use rempla_client::{ApiClient, ClientConfig, DoctorSignUp, RetryPolicy, SyncClient};
use rempla_store::{Store, settings};

use crate::calendar::OfflineCalendar;
use crate::convert;
use crate::error::RemplaError;
use crate::records::{SessionInfo, SignUpInput, SignUpResult, TermsRecord};

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
        && let Some(doctor) = me.doctor.filter(serde_json::Value::is_object)
    {
        store.set_setting(&settings::DOCTOR_PROFILE, &doctor)?;
    }
    Ok(())
}

#[uniffi::export]
impl OfflineCalendar {
    /// Signs a doctor up on `server` (`https://…`). The account must then be activated with the token of
    /// the e-mail it receives ([`Self::activate_account`]), and staff verify the doctor before requests
    /// are shown. A bad RPPS or e-mail is refused with its domain code (`rpps_checksum`…); an e-mail or
    /// RPPS already registered is answered like a new one (the mailbox's owner is told by mail), so the
    /// form reveals nobody's registration.
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
            email: answer.email,
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
            version: terms.version.clone(),
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
        let mut store = self.store();
        let signed_in = session::sign_in(
            &mut store,
            Credentials {
                server: &server,
                email: &email,
                password: &password,
                device_name: &device_name,
                platform: &platform,
            },
            if accept_terms {
                TermsChoice::Accept
            } else {
                TermsChoice::Refuse
            },
            &client_config(),
        )?;
        let terms_accepted = match &signed_in.terms {
            TermsState::Accepted(t) => Some(t.version.clone()),
            TermsState::UpToDate | TermsState::Pending(_) => None,
        };
        let adopted = signed_in.adopted;
        if let Some(doctor) = signed_in.doctor {
            self.set_doctor(doctor);
            save_profile(&mut store)?;
        }
        let answer = signed_in.answer;
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
        Ok(session::sign_out(&mut self.store(), &client_config())?)
    }
}
