//! The accounts endpoints' bodies (`docs/sync-protocol.md`, "Accounts"), one definition for the server
//! that reads them and the clients that send them: sign-up of doctors and facilities, activation, login,
//! lost and reset password, terms (CGU).
//!
//! Requests refuse unknown fields (`deny_unknown_fields`: a misspelt field is an error, not silently
//! dropped); answers accept them, so the server may add fields without breaking older devices. Secrets
//! (passwords, tokens) never appear in `Debug` output.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{Delegation, DeviceId, FacilityId, FacilityKind, MemberId, MemberRole};

/// `POST /v1/accounts/doctors`: a doctor signs up (an activation e-mail follows).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorSignUp {
    /// Login e-mail.
    pub email: String,
    /// Password (secret; at least 10 characters, checked by the server).
    pub password: String,
    /// RPPS number.
    pub rpps: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Specialty codes (`medecine-generale`…).
    pub specialties: Vec<String>,
}

impl fmt::Debug for DoctorSignUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoctorSignUp")
            .field("email", &self.email)
            .field("password", &"<secret>")
            .field("rpps", &self.rpps)
            .finish_non_exhaustive()
    }
}

/// Answer to every sign-up, [`DoctorSignUp`] and [`FacilitySignUp`] (202): "look in your mailbox".
/// It is the same whether the address or RPPS was free or not, so the form tells nobody who is
/// registered: a new account gets its activation link, an existing one a notice (see
/// `docs/security.md`, finding 12). The ids come with the first sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignUpReceived {
    /// The address the mail went to (lowercased).
    pub email: String,
}

/// The facility part of a [`FacilitySignUp`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFacility {
    /// Legal name.
    pub name: String,
    /// SIRET.
    pub siret: String,
    /// Kind of structure.
    pub kind: FacilityKind,
}

/// `POST /v1/accounts/facilities`: a facility signs up with its first administrator.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilitySignUp {
    /// Login e-mail of the first administrator.
    pub email: String,
    /// Password (secret; at least 10 characters).
    pub password: String,
    /// The administrator's display name.
    pub display_name: String,
    /// The facility.
    pub facility: NewFacility,
}

impl fmt::Debug for FacilitySignUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FacilitySignUp")
            .field("email", &self.email)
            .field("password", &"<secret>")
            .field("facility", &self.facility)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/accounts/activate`: the token of the activation e-mail.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activate {
    /// Token from the e-mail link (secret).
    pub token: String,
    /// Password, required for invited members who have none yet (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl fmt::Debug for Activate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activate")
            .field("token", &"<secret>")
            .field("with_password", &self.password.is_some())
            .finish()
    }
}

/// `POST /v1/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Account e-mail.
    pub email: String,
    /// Password (secret; never logged).
    pub password: String,
    /// This device: the token will belong to it.
    pub device_id: DeviceId,
    /// Name shown in the account's device list.
    pub device_name: String,
    /// `cli`, `android`, `ios`, `desktop`.
    pub platform: String,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("email", &self.email)
            .field("password", &"<secret>")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// One facility membership of the signed-in account, as the login answer and `GET /v1/me` list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Membership {
    /// The facility.
    pub facility_id: FacilityId,
    /// Its legal name.
    pub facility_name: String,
    /// The membership record.
    pub member_id: MemberId,
    /// The member's role.
    pub role: MemberRole,
    /// Rights delegated beyond the role.
    #[serde(default)]
    pub delegations: Vec<Delegation>,
    /// Whether Rempla's staff verified the facility. Until then its members may read their facility and
    /// manage its members, not post requests, see candidates or read doctors' profiles.
    #[serde(default = "verified_by_default")]
    pub facility_verified: bool,
}

/// A server that predates facility verification only had verified facilities in effect.
const fn verified_by_default() -> bool {
    true
}

/// Answer to [`LoginRequest`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// The device's bearer token (secret).
    pub token: String,
    /// The account.
    pub account_id: String,
    /// `doctor`, `facility` or `staff`.
    pub role: String,
    /// The doctor profile, for a doctor.
    #[serde(default)]
    pub doctor_id: Option<String>,
    /// Facility memberships.
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// Whether the terms in force must be accepted before anything else.
    #[serde(default)]
    pub terms_required: bool,
}

impl fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginResponse")
            .field("token", &"<secret>")
            .field("account_id", &self.account_id)
            .field("role", &self.role)
            .field("doctor_id", &self.doctor_id)
            .field("terms_required", &self.terms_required)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/auth/lost-password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LostPassword {
    /// Login e-mail.
    pub email: String,
}

/// `POST /v1/auth/reset-password`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// Token from the e-mail link (secret).
    pub token: String,
    /// New password (secret).
    pub password: String,
}

impl fmt::Debug for ResetPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetPassword { <secret> }")
    }
}

/// `GET /v1/terms/current`: the terms in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// Version, quoted back when accepting.
    pub version: String,
    /// SHA-256 of the text, quoted back when accepting.
    pub sha256: String,
    /// The text (French).
    #[serde(default)]
    pub text: String,
}

/// `POST /v1/terms/accept`: quotes the version and the hash of the text the user saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptTerms {
    /// Version accepted.
    pub version: String,
    /// SHA-256 of the text the user saw.
    pub sha256: String,
}

impl From<&Terms> for AcceptTerms {
    fn from(terms: &Terms) -> Self {
        Self {
            version: terms.version.clone(),
            sha256: terms.sha256.clone(),
        }
    }
}

/// One acceptance of the terms, as `GET /v1/me` lists them (the proof kept: version, text hash, device,
/// time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsProof {
    /// Terms version accepted.
    pub version: String,
    /// SHA-256 of the text accepted.
    pub sha256: String,
    /// The device that accepted.
    pub device_id: String,
    /// When, ms since the epoch.
    pub accepted_ms: i64,
}

/// Answer of `GET /v1/me`: the signed-in account, its device, its doctor record or its facility
/// memberships, and its acceptances of the terms. Fields a client may not need default, so an older or
/// newer server still reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Me {
    /// The account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Login e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Display name, when the server sends one.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `doctor`, `facility`, `staff`.
    #[serde(default)]
    pub role: Option<String>,
    /// This device, as the server knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub device_id: Option<String>,
    /// The doctor's whole record, for a doctor account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub doctor: Option<serde_json::Value>,
    /// Facility memberships.
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// Whether the terms in force are accepted.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub terms_accepted: bool,
    /// Every acceptance kept.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub terms_acceptances: Vec<TermsProof>,
}

/// Answer of `GET /v1/facilities/{id}`: the facility and its sites, for its members and staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FacilityView {
    /// The facility.
    pub facility: crate::domain::Facility,
    /// Its sites.
    #[serde(default)]
    pub sites: Vec<crate::domain::Site>,
}

/// `DELETE /v1/me` body: the current password, checked again because closing is irreversible.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseAccount {
    /// The current password.
    pub password: String,
}

impl fmt::Debug for CloseAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloseAccount").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let login = LoginRequest {
            email: "a@b.fr".into(),
            password: "hunter2hunter2".into(),
            device_id: DeviceId::new(),
            device_name: "cli".into(),
            platform: "cli".into(),
        };
        let sign_up = DoctorSignUp {
            email: "a@b.fr".into(),
            password: "hunter2hunter2".into(),
            rpps: "10000001916".into(),
            first_name: "A".into(),
            last_name: "B".into(),
            specialties: vec![],
        };
        let reset = ResetPassword {
            token: "tok-secret".into(),
            password: "hunter2hunter2".into(),
        };
        let activate = Activate {
            token: "tok-secret".into(),
            password: Some("hunter2hunter2".into()),
        };
        for shown in [
            format!("{login:?}"),
            format!("{sign_up:?}"),
            format!("{reset:?}"),
            format!("{activate:?}"),
        ] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains("tok-secret"), "{shown}");
        }
    }

    #[test]
    fn requests_refuse_unknown_fields_and_answers_accept_them() {
        let misspelt = r#"{"email":"a@b.fr","pasword":"x"}"#;
        assert!(serde_json::from_str::<LostPassword>(misspelt).is_err());
        let answer = r#"{"token":"t","account_id":"a","role":"doctor","new_field":1}"#;
        let parsed: LoginResponse = serde_json::from_str(answer).expect("tolerant answer");
        assert!(parsed.memberships.is_empty());
        assert!(!parsed.terms_required);
        let terms = Terms {
            version: "2026-11-01".into(),
            sha256: "abc".into(),
            text: "…".into(),
        };
        assert_eq!(AcceptTerms::from(&terms).version, "2026-11-01");
    }
}

/// `POST /v1/me/password`: change the password while signed in. The current one is required (a
/// borrowed unlocked device must not be enough); every other session of the account ends.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password in use (secret).
    pub current_password: String,
    /// The new password (secret; at least 10 characters).
    pub new_password: String,
}

impl fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChangePassword { <secret> }")
    }
}

/// Answer of `POST /v1/me/password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PasswordChanged {
    /// How many other sessions were ended.
    pub sessions_ended: u32,
}

/// One device signed in to the account (`GET /v1/me/devices`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceView {
    /// The device.
    pub device_id: String,
    /// Its name, as it gave it at sign-in.
    pub device_name: String,
    /// `android`, `ios`, `desktop`, `cli`…
    pub platform: String,
    /// When it signed in (ms since the epoch).
    pub signed_in_ms: i64,
    /// When its session lapses.
    pub expires_ms: i64,
    /// The device asking.
    pub this_device: bool,
}

/// Answer of `GET /v1/me/devices`: the live sessions, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceList {
    /// One per device.
    #[serde(default)]
    pub devices: Vec<DeviceView>,
}
