//! The doctor's account beyond the calendar: signing up from the sign-in screen, the document vault
//! (upload as raw bytes, list, delete), « Mon profil » (read, correct field by field, the audit trail
//! of who read it), the data export streamed to a ZIP in the downloads folder, and closing the account.
//! Every field a user types is checked here with core's validators before anything is sent, with the
//! same codes as the server, whose refusals come back in plain French.

use rempla_client::ApiClient;
use rempla_client::uploads::DocumentUpload;
use rempla_core::api::accounts::DoctorSignUp;
use rempla_core::domain::{Rpps, Specialty};
use serde::Deserialize;
use serde_json::Value;
use tauri::AppHandle;
use tauri::ipc::{InvokeBody, Request};
use ts_rs::TS;

use crate::commands::{Feature, blocking, checked_id, with_api};
use crate::error::DesktopError;

/// Fields `PATCH /v1/me/profile` takes; anything else is refused before sending.
const PROFILE_FIELDS: [&str; 8] = [
    "display_name",
    "first_name",
    "last_name",
    "contact_email",
    "phone",
    "travel_radius_km",
    "departments",
    "languages",
];

/// The sign-up form of the sign-in screen.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DoctorSignUpForm {
    /// Server address.
    pub server: String,
    /// Login e-mail.
    pub email: String,
    /// Password (secret).
    pub password: String,
    /// RPPS number (11 digits, check digit verified).
    pub rpps: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Specialty codes of core's catalogue.
    pub specialties: Vec<String>,
}

impl std::fmt::Debug for DoctorSignUpForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DoctorSignUpForm { <personal data> }")
    }
}

fn required(label: &str, value: &str, max: usize) -> Result<String, DesktopError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DesktopError::new(
            "empty",
            format!("Indiquez votre {label}."),
        ));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(DesktopError::new(
            "too_long",
            format!("{label} illisible ou trop long."),
        ));
    }
    Ok(v.to_owned())
}

impl DoctorSignUpForm {
    /// The request, every field checked with core's validators.
    fn request(&self) -> Result<DoctorSignUp, DesktopError> {
        let email = required("adresse e-mail", &self.email, 254)?;
        if !email.contains('@') {
            return Err(DesktopError::new(
                "invalid_email",
                "Adresse e-mail invalide.",
            ));
        }
        if self.password.chars().count() < 10 {
            return Err(DesktopError::new(
                "password_too_short",
                "Le mot de passe doit compter au moins 10 caractères.",
            ));
        }
        let rpps = Rpps::parse(&self.rpps).map_err(|e| {
            DesktopError::new(
                e.code(),
                "Numéro RPPS invalide : vérifiez ses 11 chiffres (la clé de contrôle ne correspond pas).",
            )
        })?;
        if self.specialties.is_empty() {
            return Err(DesktopError::new(
                "empty",
                "Choisissez au moins une spécialité.",
            ));
        }
        for s in &self.specialties {
            Specialty::parse(s).map_err(|_| {
                DesktopError::new("unknown_specialty", format!("Spécialité inconnue : {s}"))
            })?;
        }
        Ok(DoctorSignUp {
            email,
            password: self.password.clone(),
            rpps: rpps.as_str().to_owned(),
            first_name: required("prénom", &self.first_name, 100)?,
            last_name: required("nom", &self.last_name, 100)?,
            specialties: self.specialties.clone(),
        })
    }
}

/// Signs a doctor up (`POST /v1/accounts/doctors`); returns the address the activation mail went to.
#[tauri::command]
pub async fn doctor_sign_up(form: DoctorSignUpForm) -> Result<String, DesktopError> {
    blocking(move || {
        let request = form.request()?;
        let client = ApiClient::new(form.server.trim(), &rempla_client::ClientConfig::default())?;
        Ok(client.sign_up_doctor(&request)?.email)
    })
    .await
}

/// The doctor's vault (`GET /v1/me/documents`), newest first.
#[tauri::command]
pub async fn my_vault(app: AppHandle) -> Result<Feature<Value>, DesktopError> {
    blocking(move || {
        with_api(&app, |api| {
            api.my_documents()
                .map(|docs| serde_json::json!({ "documents": docs }))
        })
    })
    .await
}

fn header(request: &Request<'_>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The upload the request's headers describe, checked with the client's rules (the phones' too).
fn upload_meta(request: &Request<'_>, bytes: &[u8]) -> Result<DocumentUpload, DesktopError> {
    let raw_name = header(request, "x-name").unwrap_or_default();
    let name = percent_decode(&raw_name)
        .ok_or_else(|| DesktopError::new("invalid_name", "Nom de fichier illisible."))?;
    DocumentUpload::checked(
        &header(request, "x-kind").unwrap_or_default(),
        &name,
        header(request, "x-media-type").as_deref(),
        header(request, "x-expires-on").as_deref(),
        header(request, "x-birth-date").as_deref(),
        bytes,
    )
    .map_err(|e| DesktopError::new(e.code, e.message))
}

/// `encodeURIComponent`'s inverse: `%XX` escapes to UTF-8 (headers carry ASCII only).
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    // Hand-written because no crate of the tree decodes percent escapes on its own, and the grammar is
    // three cases; `encodeURIComponent` never emits `+` for spaces.
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Uploads a document: the file's bytes are the raw request body (no JSON, no base64), its kind, name,
/// expiry and birth date in `x-…` headers. Checked here first (size, type by content, kind, dates).
#[tauri::command]
pub async fn document_upload(
    app: AppHandle,
    request: Request<'_>,
) -> Result<Feature<Value>, DesktopError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(DesktopError::new(
            "document_empty",
            "Le fichier n'est pas arrivé : choisissez-le de nouveau.",
        ));
    };
    let meta = upload_meta(&request, bytes)?;
    let bytes = bytes.clone();
    blocking(move || {
        with_api(&app, |api| {
            api.upload_document(&meta, &bytes).and_then(|d| {
                serde_json::to_value(d).map_err(|e| rempla_client::SyncClientError::Protocol {
                    reason: e.to_string(),
                })
            })
        })
    })
    .await
}

/// Deletes a document of the vault (every share of it ends).
#[tauri::command]
pub async fn document_delete(app: AppHandle, id: String) -> Result<Feature<()>, DesktopError> {
    blocking(move || {
        let id: uuid::Uuid = checked_id(&id)?;
        with_api(&app, |api| api.delete_document(id))
    })
    .await
}

/// « Mon profil » as the server holds it (`GET /v1/me/profile`).
#[tauri::command]
pub async fn my_profile(app: AppHandle) -> Result<Feature<Value>, DesktopError> {
    blocking(move || with_api(&app, ApiClient::profile)).await
}

/// Corrects the fields sent (`PATCH /v1/me/profile`); an unknown field is refused before sending.
#[tauri::command]
pub async fn profile_update(
    app: AppHandle,
    changes: serde_json::Map<String, Value>,
) -> Result<Feature<Value>, DesktopError> {
    blocking(move || {
        if changes.is_empty() {
            return Err(DesktopError::new("empty", "Rien à corriger."));
        }
        if let Some(bad) = changes
            .keys()
            .find(|k| !PROFILE_FIELDS.contains(&k.as_str()))
        {
            return Err(DesktopError::new(
                "unexpected_field",
                format!("Ce champ ne se corrige pas ici : {bad}"),
            ));
        }
        with_api(&app, |api| api.update_profile(&Value::Object(changes)))
    })
    .await
}

/// "Only contact me when I am available" (`GET /v1/me/matching-preferences`).
#[tauri::command]
pub async fn matching_preferences(app: AppHandle) -> Result<Feature<bool>, DesktopError> {
    blocking(move || {
        with_api(&app, |api| {
            api.matching_preferences().map(|p| p.only_when_available)
        })
    })
    .await
}

/// Sets it (`PUT /v1/me/matching-preferences`).
#[tauri::command]
pub async fn matching_preferences_set(
    app: AppHandle,
    only_when_available: bool,
) -> Result<Feature<bool>, DesktopError> {
    blocking(move || {
        with_api(&app, |api| {
            api.set_matching_preferences(&rempla_core::api::workflow::MatchPreferences {
                only_when_available,
            })
            .map(|p| p.only_when_available)
        })
    })
    .await
}

/// Who read or changed the doctor's data (`GET /v1/me/audit`).
#[tauri::command]
pub async fn my_audit(app: AppHandle) -> Result<Feature<Value>, DesktopError> {
    blocking(move || with_api(&app, ApiClient::my_audit)).await
}

/// The whole export (`GET /v1/me/export`) streamed into a temporary file of the downloads folder,
/// renamed `rempla-mes-donnees-<date>.zip` only when complete; returns its path.
#[tauri::command]
pub async fn data_export(app: AppHandle) -> Result<Feature<String>, DesktopError> {
    blocking(move || {
        let dir = crate::downloads::folder(&app)?;
        let failed = |e: std::io::Error| {
            DesktopError::new(
                "file_write",
                format!(
                    "L'export n'a pas pu être enregistré dans {} : {e}",
                    dir.display()
                ),
            )
        };
        std::fs::create_dir_all(&dir).map_err(failed)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(failed)?;
        let got = with_api(&app, |api| api.export_my_data_to(tmp.as_file_mut()))?;
        if got.data.is_none() {
            return Ok(Feature {
                available: false,
                data: None,
            });
        }
        tmp.as_file().sync_all().map_err(failed)?;
        let name = format!(
            "rempla-mes-donnees-{}.zip",
            chrono::Utc::now().format("%Y-%m-%d")
        );
        let path = dir.join(name);
        tmp.persist(&path).map_err(|e| failed(e.error))?;
        Ok(Feature {
            available: true,
            data: Some(path.display().to_string()),
        })
    })
    .await
}

/// Closes the account with its password (`DELETE /v1/me`); this computer is then signed out.
#[tauri::command]
pub async fn account_close(app: AppHandle, password: String) -> Result<Feature<()>, DesktopError> {
    blocking(move || {
        if password.is_empty() {
            return Err(DesktopError::new(
                "password_required",
                "Saisissez votre mot de passe.",
            ));
        }
        let done = with_api(&app, |api| api.close_account(&password))?;
        if done.available {
            let state = tauri::Manager::state::<crate::state::AppState>(&app);
            let mut store = state.ui()?;
            let _ = rempla_client::session::sign_out(
                &mut store,
                &rempla_client::ClientConfig::default(),
            );
        }
        Ok(done)
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn form() -> DoctorSignUpForm {
        DoctorSignUpForm {
            server: "http://127.0.0.1:8080".into(),
            email: " jeanne@exemple.fr ".into(),
            password: "un-mot-de-passe".into(),
            rpps: "10000001916".into(),
            first_name: "Jeanne".into(),
            last_name: "Le Goff".into(),
            specialties: vec!["medecine-generale".into()],
        }
    }

    #[test]
    fn a_sign_up_is_checked_with_cores_validators_before_sending() {
        let r = form().request().unwrap();
        assert_eq!(
            (r.email.as_str(), r.rpps.as_str()),
            ("jeanne@exemple.fr", "10000001916")
        );
        let code = |f: DoctorSignUpForm| f.request().unwrap_err().code;
        assert_eq!(
            code(DoctorSignUpForm {
                rpps: "10000001917".into(),
                ..form()
            }),
            "rpps_checksum"
        );
        assert_eq!(
            code(DoctorSignUpForm {
                password: "court".into(),
                ..form()
            }),
            "password_too_short"
        );
        assert_eq!(
            code(DoctorSignUpForm {
                specialties: vec![],
                ..form()
            }),
            "empty"
        );
        assert_eq!(
            code(DoctorSignUpForm {
                specialties: vec!["astrologie".into()],
                ..form()
            }),
            "unknown_specialty"
        );
        assert_eq!(
            code(DoctorSignUpForm {
                last_name: "  ".into(),
                ..form()
            }),
            "empty"
        );
        assert_eq!(
            code(DoctorSignUpForm {
                email: "pas-une-adresse".into(),
                ..form()
            }),
            "invalid_email"
        );
        assert!(!format!("{:?}", form()).contains("Jeanne"));
    }

    #[test]
    fn names_come_back_from_their_percent_escapes_and_bad_ones_are_refused() {
        assert_eq!(
            percent_decode("Attestation%20RCP%20%C3%A9t%C3%A9.pdf").unwrap(),
            "Attestation RCP été.pdf"
        );
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("%ZZ"), None);
        assert_eq!(percent_decode("%FF"), None);
    }
}
