//! The commands the UI invokes (`invoke('sign_in', …)`). Each runs its blocking work (SQLite, the core
//! HTTP client) on a plain thread and answers a [`DesktopError`] in plain French on failure. No business
//! rule lives here: core builds and checks records, the server decides rights and matching.

use rempla_client::session::{self, Credentials, TermsChoice};
use rempla_client::{ClientConfig, SyncClient, SyncClientError};
use rempla_core::domain::{Request, Site};
use rempla_store::{Store, settings};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tauri::{AppHandle, Manager};

use crate::error::DesktopError;
use crate::requests::{RequestDraft, build_request};
use crate::state::{AppState, SyncStatusView};
use crate::worker;

/// Runs `work` on a plain thread (never inside tokio: the core client is blocking) and awaits it.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DesktopError> + Send + 'static,
) -> Result<T, DesktopError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    rx.await
        .map_err(|_| DesktopError::new("internal", "Erreur interne : réessayez."))?
}

/// The sign-in form.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInForm {
    /// Server address.
    pub server: String,
    /// Account e-mail.
    pub email: String,
    /// Password (never logged).
    pub password: String,
}

/// The current terms, when they still have to be accepted.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsView {
    /// Version label.
    pub version: Value,
    /// Full text (French).
    pub text: String,
}

/// Who is signed in on this device.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// Server address.
    pub server: String,
    /// Account id.
    pub account_id: String,
    /// `facility_member`, `staff`…
    pub role: String,
    /// The last `GET /v1/me` answer (memberships with rights), `null` before the first one.
    pub me: Value,
    /// The terms to accept before anything else, if any.
    pub terms: Option<TermsView>,
}

fn session_view(store: &Store) -> Result<Option<SessionView>, DesktopError> {
    let Some(session) = store.sync_session()? else {
        return Ok(None);
    };
    let terms = if store.setting(&settings::TERMS_PENDING)? == Some(true) {
        Some(current_terms(store)?)
    } else {
        None
    };
    Ok(Some(SessionView {
        server: session.server,
        account_id: session.account_id,
        role: session.role,
        me: store.setting(&settings::ME)?.unwrap_or(Value::Null),
        terms,
    }))
}

fn api(store: &Store) -> Result<SyncClient, DesktopError> {
    Ok(SyncClient::from_store(store, &ClientConfig::default())?)
}

fn current_terms(store: &Store) -> Result<TermsView, DesktopError> {
    let terms = api(store)?.api().current_terms()?;
    Ok(TermsView {
        version: Value::String(terms.version),
        text: terms.text,
    })
}

fn sign_in_blocking(state: &AppState, form: &SignInForm) -> Result<SessionView, DesktopError> {
    let email = form.email.trim();
    if email.is_empty() || form.password.is_empty() {
        return Err(DesktopError::invalid(
            "Saisissez votre adresse e-mail et votre mot de passe.",
        ));
    }
    let mut store = state.ui()?;
    // The terms screen follows when they are pending: the session is kept until the user decides.
    let signed_in = session::sign_in(
        &mut store,
        Credentials {
            server: &form.server,
            email,
            password: &form.password,
            device_name: "Rempla (ordinateur)",
            platform: "desktop",
        },
        TermsChoice::Ask,
        &ClientConfig::default(),
    )?;
    tracing::info!(account = %signed_in.answer.account_id, role = %signed_in.answer.role, "signed in");
    session_view(&store)?.ok_or_else(DesktopError::not_signed_in)
}

/// Signs in (`POST /v1/auth/login` through core's client) and keeps the session in the local store.
#[tauri::command]
pub async fn sign_in(app: AppHandle, form: SignInForm) -> Result<SessionView, DesktopError> {
    let handle = app.clone();
    let view = blocking(move || sign_in_blocking(&handle.state::<AppState>(), &form)).await?;
    app.state::<AppState>().wake_sync();
    Ok(view)
}

/// Signs in with the credentials given by the environment (`REMPLA_DESKTOP_SERVER`, `_EMAIL`,
/// `_PASSWORD`): what `scripts/run.sh` uses to open the app on a demo facility. `None` when unset.
#[tauri::command]
pub async fn auto_sign_in(app: AppHandle) -> Result<Option<SessionView>, DesktopError> {
    let (Ok(server), Ok(email), Ok(password)) = (
        std::env::var("REMPLA_DESKTOP_SERVER"),
        std::env::var("REMPLA_DESKTOP_EMAIL"),
        std::env::var("REMPLA_DESKTOP_PASSWORD"),
    ) else {
        return Ok(None);
    };
    let accept = std::env::var("REMPLA_DESKTOP_ACCEPT_TERMS").is_ok_and(|v| v == "1");
    let view = sign_in(
        app.clone(),
        SignInForm {
            server,
            email,
            password,
        },
    )
    .await?;
    if accept && view.terms.is_some() {
        return accept_terms(app).await.map(Some);
    }
    Ok(Some(view))
}

/// Accepts the current terms (`POST /v1/terms/accept`), then loads the account.
#[tauri::command]
pub async fn accept_terms(app: AppHandle) -> Result<SessionView, DesktopError> {
    let handle = app.clone();
    let view = blocking(move || {
        let state = handle.state::<AppState>();
        let mut store = state.ui()?;
        session::accept_terms(&mut store, &ClientConfig::default())?;
        session_view(&store)?.ok_or_else(DesktopError::not_signed_in)
    })
    .await?;
    app.state::<AppState>().wake_sync();
    Ok(view)
}

/// The signed-in session, if any (works offline: memberships come from the last copy).
#[tauri::command]
pub async fn session(app: AppHandle) -> Result<Option<SessionView>, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let mut store = state.ui()?;
        if store.sync_session()?.is_some()
            && store.setting(&settings::TERMS_PENDING)? != Some(true)
            && let Err(e) = session::refresh_me(&mut store, &ClientConfig::default())
        {
            tracing::debug!(code = %e.precise_code(), "me not refreshed");
        }
        session_view(&store)
    })
    .await
}

/// Signs out: revokes this device's token (best effort offline) and forgets the cached account data.
#[tauri::command]
pub async fn sign_out(app: AppHandle) -> Result<(), DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let mut store = state.ui()?;
        session::sign_out(&mut store, &ClientConfig::default())?;
        state.announcer()?.reset();
        Ok(())
    })
    .await
}

/// A facility and its sites (`GET /v1/facilities/{id}`), from the last copy when offline.
#[tauri::command]
pub async fn facility(app: AppHandle, id: String) -> Result<Value, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let mut store = state.ui()?;
        let id: rempla_core::domain::FacilityId = id
            .parse()
            .map_err(|_| DesktopError::invalid("Établissement inconnu."))?;
        let cache = settings::facility_view(&id.to_string());
        match api(&store)?
            .api()
            .get_value(&format!("/v1/facilities/{id}"))
        {
            Ok(v) => {
                store.set_setting(&cache, &v)?;
                Ok(v)
            }
            Err(e) if e.is_transient() => {
                state.set_online(false);
                store.setting(&cache)?.ok_or_else(|| e.into())
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Open requests of a facility (or all cached ones), from the local store: instant and offline.
#[tauri::command]
pub async fn list_requests(
    app: AppHandle,
    facility_id: Option<String>,
) -> Result<Vec<Request>, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let store = state.ui()?;
        let all = store.list_open_requests()?;
        Ok(match facility_id {
            Some(f) => all
                .into_iter()
                .filter(|r| r.facility_id.to_string() == f)
                .collect(),
            None => all,
        })
    })
    .await
}

fn site_of(store: &Store, draft: &RequestDraft) -> Result<Site, DesktopError> {
    let facility = store
        .setting(&settings::facility_view(&draft.facility_id.to_string()))?
        .ok_or_else(|| {
        DesktopError::invalid(
            "Les sites de l'établissement ne sont pas encore chargés : reconnectez-vous au réseau.",
        )
    })?;
    let sites = facility
        .get("sites")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    sites
        .into_iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some(draft.site_id.as_str()))
        .and_then(|s| serde_json::from_value::<Site>(s).ok())
        .ok_or_else(|| DesktopError::invalid("Choisissez un site de l'établissement."))
}

/// Posts a request: built and checked by core, saved with its outbox op, pushed by the sync worker
/// right away (or when the network comes back).
#[tauri::command]
pub async fn create_request(app: AppHandle, draft: RequestDraft) -> Result<Request, DesktopError> {
    let handle = app.clone();
    let request = blocking(move || {
        let state = handle.state::<AppState>();
        let mut store = state.ui()?;
        let site = site_of(&store, &draft)?;
        let request = build_request(&draft, &site)?;
        store.save_own_request(&request)?;
        tracing::info!(id = %request.id, shifts = request.shifts.len(), "request saved");
        Ok(request)
    })
    .await?;
    app.state::<AppState>().wake_sync();
    worker::emit_status(&app);
    Ok(request)
}

/// Runs a sync round now (the "Synchroniser" button) and returns the status.
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> Result<SyncStatusView, DesktopError> {
    let handle = app.clone();
    blocking(move || {
        worker::sync_round(&handle)?;
        handle.state::<AppState>().status()
    })
    .await
}

/// The status behind the offline banner.
#[tauri::command]
pub async fn sync_status(app: AppHandle) -> Result<SyncStatusView, DesktopError> {
    blocking(move || app.state::<AppState>().status()).await
}

/// The answer of a server feature that may not exist yet on the server this app talks to: `available`
/// false (the screen shows its "indisponible" state, never invented data) when the route is unknown.
#[derive(Clone, Debug, Serialize)]
pub struct Feature {
    /// Whether the server offers the feature.
    pub available: bool,
    /// Its answer.
    pub data: Value,
}

fn feature(result: Result<Value, SyncClientError>) -> Result<Feature, DesktopError> {
    match result {
        Ok(data) => Ok(Feature {
            available: true,
            data,
        }),
        // 404 (`not_found`, or a bare 404) and 405 (a path that exists only for another method, e.g.
        // `GET /v1/facilities/{id}/members` where the server has only the invitation `POST`): the
        // endpoint is not on this server, which the screen says plainly rather than as an error.
        Err(SyncClientError::ServerRejected { code, .. })
            if matches!(code.as_str(), "not_found" | "http_404" | "http_405") =>
        {
            Ok(Feature {
                available: false,
                data: Value::Null,
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn checked_id(id: &str) -> Result<uuid::Uuid, DesktopError> {
    uuid::Uuid::try_parse(id).map_err(|_| DesktopError::invalid("Identifiant invalide."))
}

/// Ranked candidates of a request with their explanations (`GET /v1/requests/{id}/candidates`).
#[tauri::command]
pub async fn candidates(app: AppHandle, request_id: String) -> Result<Feature, DesktopError> {
    blocking(move || {
        let id = checked_id(&request_id)?;
        let store = app.state::<AppState>();
        let store = store.ui()?;
        feature(
            api(&store)?
                .api()
                .get_value(&format!("/v1/requests/{id}/candidates")),
        )
    })
    .await
}

/// Sends a proposal to a doctor for a request (`POST /v1/requests/{id}/proposals`).
#[tauri::command]
pub async fn send_proposal(
    app: AppHandle,
    request_id: String,
    proposal: Value,
) -> Result<Feature, DesktopError> {
    blocking(move || {
        let id = checked_id(&request_id)?;
        let state = app.state::<AppState>();
        let store = state.ui()?;
        let answer = feature(
            api(&store)?
                .api()
                .post_value(&format!("/v1/requests/{id}/proposals"), &proposal),
        )?;
        state.wake_sync();
        Ok(answer)
    })
    .await
}

/// Missions the caller may read (`GET /v1/missions`), for the planning and the payroll export; the UI
/// keeps those of the chosen facility and site.
#[tauri::command]
pub async fn missions(app: AppHandle) -> Result<Feature, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(api(&store)?.api().get_value("/v1/missions"))
    })
    .await
}

/// Proposals of one request (`GET /v1/proposals?request_id=`), with their state (sent, accepted…).
#[tauri::command]
pub async fn proposals(app: AppHandle, request_id: String) -> Result<Feature, DesktopError> {
    blocking(move || {
        let id = checked_id(&request_id)?;
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(
            api(&store)?
                .api()
                .get_value(&format!("/v1/proposals?request_id={id}")),
        )
    })
    .await
}

/// Any read-only list endpoint of an area that may not exist yet (`invoices`, `charges`,
/// `staff/verifications`, `notifications`), by name: the UI never builds a URL itself.
#[tauri::command]
pub async fn area_list(
    app: AppHandle,
    area: String,
    facility_id: Option<String>,
) -> Result<Feature, DesktopError> {
    blocking(move || {
        let facility = facility_id.as_deref().map(checked_id).transpose()?;
        let path = match (area.as_str(), facility) {
            ("invoices", Some(f)) => format!("/v1/facilities/{f}/invoices"),
            ("charges", Some(f)) => format!("/v1/facilities/{f}/charges"),
            ("members", Some(f)) => format!("/v1/facilities/{f}/members"),
            ("verifications", _) => "/v1/staff/verifications".to_owned(),
            ("notifications", _) => "/v1/notifications".to_owned(),
            _ => return Err(DesktopError::invalid("Écran inconnu.")),
        };
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(api(&store)?.api().get_value(&path))
    })
    .await
}

/// One delegated right as the members screen sends it (the server checks names and sites).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct DelegationIn {
    /// Right name (`billing`, `propose`…).
    pub right: String,
    /// Site the right is limited to; absent for the whole facility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
}

/// A member's new role and delegated rights, as the members screen sends them.
#[derive(Clone, Debug, Deserialize)]
pub struct MemberRights {
    /// `admin`, `planner` or `viewer`.
    pub role: String,
    /// Rights beyond the role (the whole set: it replaces the previous one).
    #[serde(default)]
    pub delegations: Vec<DelegationIn>,
}

fn rights_body(r: &MemberRights) -> Value {
    json!({"role": r.role, "delegations": r.delegations})
}

/// Changes a member's role and rights (`PUT /v1/facilities/{id}/members/{member_id}`); the server
/// checks the caller's right and refuses to demote the last administrator (`last_admin`).
#[tauri::command]
pub async fn member_change(
    app: AppHandle,
    facility_id: String,
    member_id: String,
    rights: MemberRights,
) -> Result<Feature, DesktopError> {
    blocking(move || {
        let (f, m) = (checked_id(&facility_id)?, checked_id(&member_id)?);
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(api(&store)?.api().put_value(
            &format!("/v1/facilities/{f}/members/{m}"),
            &rights_body(&rights),
        ))
    })
    .await
}

/// Removes a member from the facility (`DELETE /v1/facilities/{id}/members/{member_id}`).
#[tauri::command]
pub async fn member_remove(
    app: AppHandle,
    facility_id: String,
    member_id: String,
) -> Result<Feature, DesktopError> {
    blocking(move || {
        let (f, m) = (checked_id(&facility_id)?, checked_id(&member_id)?);
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(
            api(&store)?
                .api()
                .delete_value(&format!("/v1/facilities/{f}/members/{m}")),
        )
    })
    .await
}

/// Invites someone to the facility (`POST /v1/facilities/{id}/members`): the server e-mails an
/// activation link to a new account.
#[tauri::command]
pub async fn member_invite(
    app: AppHandle,
    facility_id: String,
    email: String,
    display_name: String,
    rights: MemberRights,
) -> Result<Feature, DesktopError> {
    blocking(move || {
        let f = checked_id(&facility_id)?;
        let (email, display_name) = (email.trim().to_owned(), display_name.trim().to_owned());
        if email.is_empty() || !email.contains('@') {
            return Err(DesktopError::invalid(
                "Indiquez l'adresse e-mail de la personne invitée.",
            ));
        }
        if display_name.is_empty() {
            return Err(DesktopError::invalid(
                "Indiquez le nom de la personne invitée.",
            ));
        }
        let mut body = rights_body(&rights);
        body["email"] = json!(email);
        body["display_name"] = json!(display_name);
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(
            api(&store)?
                .api()
                .post_value(&format!("/v1/facilities/{f}/members"), &body),
        )
    })
    .await
}

/// Staff decision on a doctor waiting for verification (docs/api/documents.md)
/// (`POST /v1/staff/verifications/{doctor_id}` with `{decision: approve|reject, reason}`). The server
/// checks the caller is staff; a server without the queue answers `available: false`.
#[tauri::command]
pub async fn verification_decide(
    app: AppHandle,
    doctor_id: String,
    decision: String,
    reason: String,
) -> Result<Feature, DesktopError> {
    blocking(move || {
        let id = checked_id(&doctor_id)?;
        if decision != "approve" && decision != "reject" {
            return Err(DesktopError::invalid("Décision inconnue."));
        }
        let reason = reason.trim();
        if decision == "reject" && reason.is_empty() {
            return Err(DesktopError::invalid("Indiquez le motif du refus."));
        }
        // The server takes at most 1 000 characters, and no reason as "none" (an approval's note is optional).
        let reason: Option<String> =
            (!reason.is_empty()).then(|| reason.chars().take(1_000).collect());
        let body = json!({"decision": decision, "reason": reason});
        let state = app.state::<AppState>();
        let store = state.ui()?;
        feature(
            api(&store)?
                .api()
                .post_value(&format!("/v1/staff/verifications/{id}"), &body),
        )
    })
    .await
}

/// Saves a waiting doctor's identity document in the user's downloads folder so staff can look at it
/// before deciding (`GET /v1/staff/verifications/{doctor_id}/document`; the server audits the read).
/// Returns the path written. Saved rather than shown inline: the system webview has no PDF viewer.
#[tauri::command]
pub async fn verification_document(
    app: AppHandle,
    doctor_id: String,
) -> Result<String, DesktopError> {
    blocking(move || {
        let id = checked_id(&doctor_id)?;
        // The XDG downloads folder; a machine without XDG user folders gets `~/Downloads`.
        let dir = app
            .path()
            .download_dir()
            .or_else(|_| app.path().home_dir().map(|home| home.join("Downloads")))
            .map_err(|e| {
                DesktopError::new(
                    "file_write",
                    format!("Dossier de téléchargements introuvable : {e}"),
                )
            })?;
        let bytes = {
            let state = app.state::<AppState>();
            let store = state.ui()?;
            api(&store)?
                .api()
                .get_bytes(&format!("/v1/staff/verifications/{id}/document"))?
        };
        let path = crate::downloads::save(&dir, &format!("piece-identite-{id}"), &bytes)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Core's catalogues for the forms: specialties and shift kinds with their French labels.
#[tauri::command]
pub fn catalogue() -> Value {
    let specialties: Vec<Value> = rempla_core::domain::Specialty::all()
        .map(|s| json!({"code": s.code(), "label": s.label()}))
        .collect();
    let kinds: Vec<Value> = rempla_core::calendar::ShiftKind::ALL
        .iter()
        .map(|k| json!({"code": k.as_str(), "label": k.label_fr()}))
        .collect();
    json!({"specialties": specialties, "shiftKinds": kinds})
}
