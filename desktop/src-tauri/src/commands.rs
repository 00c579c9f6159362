//! The commands the UI invokes (`invoke('sign_in', …)`). Each runs its blocking work (SQLite, the core
//! HTTP client) on a plain thread and answers a [`DesktopError`] in plain French on failure. No business
//! rule lives here: core builds and checks records, the server decides rights and matching.

use rempla_client::facility::{
    Candidates, ChargeStatement, FacilityView, Invitation, Invited, InvoiceList, Me, MemberChanged,
    MemberList, MemberRights, MissionList, NewProposal, ProposalList, ProposalView,
    ReceivedInvitations, SentInvitations,
};
use rempla_client::feeds::FeedList;
use rempla_client::inbox::InboxPage;
use rempla_client::session::{self, Credentials, TermsChoice};
use rempla_client::staff::{
    DecidedDoctor, DecidedFacility, Decision, FacilityDecision, FacilityQueue,
    VerificationDecision, VerificationQueue,
};
use rempla_client::{ApiClient, ClientConfig, SyncClient, SyncClientError};
use rempla_core::calendar::ShiftKind;
use rempla_core::domain::{DoctorId, FacilityId, MemberId, Request, RequestId, Site};
use rempla_store::{Store, settings};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::error::DesktopError;
use crate::state::{AppState, SyncStatusView};
use crate::worker;
use rempla_core::domain::{RequestDraft, build_request};

/// Runs `work` on a plain thread (never inside tokio: the core client is blocking) and awaits it.
pub(crate) async fn blocking<T: Send + 'static>(
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
#[derive(Clone, Debug, Deserialize, TS)]
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
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TermsView {
    /// Version label.
    pub version: Value,
    /// Full text (French).
    pub text: String,
}

/// Who is signed in on this device.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// Server address.
    pub server: String,
    /// Account id.
    pub account_id: String,
    /// `facility_member`, `staff`…
    pub role: String,
    /// The last `GET /v1/me` answer (memberships with rights), `null` before the first one.
    pub me: Option<Me>,
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
        me: store.setting(&settings::ME)?,
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

/// "Mot de passe oublié": asks `server` for a reset link for `email`. The server answers the same
/// whether the address has an account; the link opens the server's own page to choose a new password.
#[tauri::command]
pub async fn lost_password(server: String, email: String) -> Result<(), DesktopError> {
    blocking(move || {
        let email = email.trim().to_owned();
        if email.is_empty() || !email.contains('@') {
            return Err(DesktopError::invalid(
                "Saisissez l'adresse e-mail de votre compte, puis « Mot de passe oublié ».",
            ));
        }
        ApiClient::new(&server, &ClientConfig::default())?.lost_password(&email)?;
        Ok(())
    })
    .await
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
pub async fn facility(app: AppHandle, id: String) -> Result<FacilityView, DesktopError> {
    blocking(move || {
        let state = app.state::<AppState>();
        let mut store = state.ui()?;
        let id: FacilityId = id
            .parse()
            .map_err(|_| DesktopError::invalid("Établissement inconnu."))?;
        match api(&store)?.api().facility(id) {
            Ok(view) => {
                let copy = serde_json::to_value(&view)
                    .map_err(|_| DesktopError::new("internal", "Erreur interne : réessayez."))?;
                store.set_setting(&settings::facility_view(&id.to_string()), &copy)?;
                Ok(view)
            }
            Err(e) if e.is_transient() => {
                state.set_online(false);
                cached_facility(&store, id)?.ok_or_else(|| e.into())
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// The last copy of a facility's view, if any (a copy this version cannot read counts as none).
fn cached_facility(store: &Store, id: FacilityId) -> Result<Option<FacilityView>, DesktopError> {
    Ok(store
        .setting(&settings::facility_view(&id.to_string()))?
        .and_then(|v| serde_json::from_value(v).ok()))
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
    let facility = cached_facility(store, draft.facility_id)?.ok_or_else(|| {
        DesktopError::invalid(
            "Les sites de l'établissement ne sont pas encore chargés : reconnectez-vous au réseau.",
        )
    })?;
    facility
        .sites
        .into_iter()
        .find(|s| s.id.to_string() == draft.site_id)
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
#[derive(Clone, Debug, Serialize, TS)]
pub struct Feature<T> {
    /// Whether the server offers the feature.
    pub available: bool,
    /// Its answer; `null` when unavailable.
    pub data: Option<T>,
}

impl<T> Feature<T> {
    fn map<U>(self, into: impl FnOnce(T) -> U) -> Feature<U> {
        Feature {
            available: self.available,
            data: self.data.map(into),
        }
    }
}

fn feature<T>(result: Result<T, SyncClientError>) -> Result<Feature<T>, DesktopError> {
    match result {
        Ok(data) => Ok(Feature {
            available: true,
            data: Some(data),
        }),
        // 404 (`not_found`, or a bare 404) and 405 (a path that exists only for another method, e.g.
        // `GET /v1/facilities/{id}/members` where the server has only the invitation `POST`): the
        // endpoint is not on this server, which the screen says plainly rather than as an error.
        Err(SyncClientError::ServerRejected { code, .. })
            if matches!(code.as_str(), "not_found" | "http_404" | "http_405") =>
        {
            Ok(Feature {
                available: false,
                data: None,
            })
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn checked_id<T: std::str::FromStr>(id: &str) -> Result<T, DesktopError> {
    id.trim()
        .parse()
        .map_err(|_| DesktopError::invalid("Identifiant invalide."))
}

/// Runs one typed call of the signed-in client and wraps its answer as a [`Feature`].
pub(crate) fn with_api<T>(
    app: &AppHandle,
    call: impl FnOnce(&ApiClient) -> Result<T, SyncClientError>,
) -> Result<Feature<T>, DesktopError> {
    let state = app.state::<AppState>();
    let store = state.ui()?;
    let client = api(&store)?;
    drop(store);
    feature(call(client.api()))
}

/// Ranked candidates of a request with their explanations (`GET /v1/requests/{id}/candidates`).
#[tauri::command]
pub async fn candidates(
    app: AppHandle,
    request_id: String,
) -> Result<Feature<Candidates>, DesktopError> {
    blocking(move || {
        let id: RequestId = checked_id(&request_id)?;
        with_api(&app, |api| api.candidates(id))
    })
    .await
}

/// Sends a proposal to a doctor for a request (`POST /v1/requests/{id}/proposals`).
#[tauri::command]
pub async fn send_proposal(
    app: AppHandle,
    request_id: String,
    proposal: NewProposal,
) -> Result<Feature<ProposalView>, DesktopError> {
    blocking(move || {
        let id: RequestId = checked_id(&request_id)?;
        let answer = with_api(&app, |api| api.send_proposal(id, &proposal))?;
        app.state::<AppState>().wake_sync();
        Ok(answer)
    })
    .await
}

/// Missions the caller may read (`GET /v1/missions`), for the planning and the payroll export; the UI
/// keeps those of the chosen facility and site.
#[tauri::command]
pub async fn missions(app: AppHandle) -> Result<Feature<MissionList>, DesktopError> {
    blocking(move || with_api(&app, ApiClient::missions)).await
}

/// Proposals of one request (`GET /v1/proposals?request_id=`), with their state (sent, accepted…).
#[tauri::command]
pub async fn proposals(
    app: AppHandle,
    request_id: String,
) -> Result<Feature<ProposalList>, DesktopError> {
    blocking(move || {
        let id: RequestId = checked_id(&request_id)?;
        with_api(&app, |api| api.proposals_of_request(id))
    })
    .await
}

/// The answer of one read-only list of [`area_list`], as the server sends it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(untagged)]
pub enum AreaList {
    /// `invoices`: the facility's invoices and credit notes.
    Invoices(InvoiceList),
    /// `charges`: the facility's statement of charges.
    Charges(ChargeStatement),
    /// `members`: the facility's members and rights.
    Members(MemberList),
    /// `verifications`: the doctors waiting for verification (staff).
    Verifications(VerificationQueue),
    /// `facility_verifications`: the self-registered facilities waiting for verification (staff).
    FacilityVerifications(FacilityQueue),
    /// `notifications`: the account's inbox.
    Notifications(InboxPage),
    /// `invitations`: the offers the facility sent and where each stands.
    Invitations(SentInvitations),
    /// `my_invitations`: the offers made to the signed-in account.
    MyInvitations(ReceivedInvitations),
    /// `feeds`: the account's calendar feeds, with their secret addresses.
    Feeds(FeedList),
}

/// Any read-only list of an area that may not exist yet (`invoices`, `charges`, `members`,
/// `invitations`, `my_invitations`, `verifications`, `notifications`), by name: the UI never builds a URL itself.
#[tauri::command]
pub async fn area_list(
    app: AppHandle,
    area: String,
    facility_id: Option<String>,
) -> Result<Feature<AreaList>, DesktopError> {
    blocking(move || {
        let facility: Option<FacilityId> = facility_id.as_deref().map(checked_id).transpose()?;

        Ok(match (area.as_str(), facility) {
            ("invoices", Some(f)) => with_api(&app, |a| a.invoices(f))?.map(AreaList::Invoices),
            ("charges", Some(f)) => {
                with_api(&app, |a| a.charges(f, None, None))?.map(AreaList::Charges)
            }
            ("members", Some(f)) => with_api(&app, |a| a.members(f))?.map(AreaList::Members),
            ("verifications", _) => {
                with_api(&app, ApiClient::verification_queue)?.map(AreaList::Verifications)
            }
            ("facility_verifications", _) => {
                with_api(&app, ApiClient::facility_queue)?.map(AreaList::FacilityVerifications)
            }
            ("notifications", _) => {
                with_api(&app, |a| a.notifications(None, None))?.map(AreaList::Notifications)
            }
            ("invitations", Some(f)) => {
                with_api(&app, |a| a.sent_invitations(f))?.map(AreaList::Invitations)
            }
            ("feeds", _) => with_api(&app, ApiClient::feeds)?.map(AreaList::Feeds),
            ("my_invitations", _) => {
                with_api(&app, ApiClient::received_invitations)?.map(AreaList::MyInvitations)
            }
            _ => return Err(DesktopError::invalid("Écran inconnu.")),
        })
    })
    .await
}

/// Changes a member's role and rights (`PUT /v1/facilities/{id}/members/{member_id}`); the server
/// checks the caller's right and refuses to demote the last administrator (`last_admin`).
#[tauri::command]
pub async fn member_change(
    app: AppHandle,
    facility_id: String,
    member_id: String,
    rights: MemberRights,
) -> Result<Feature<MemberChanged>, DesktopError> {
    blocking(move || {
        let (f, m): (FacilityId, MemberId) = (checked_id(&facility_id)?, checked_id(&member_id)?);
        with_api(&app, |api| api.change_member(f, m, &rights))
    })
    .await
}

/// Removes a member from the facility (`DELETE /v1/facilities/{id}/members/{member_id}`).
#[tauri::command]
pub async fn member_remove(
    app: AppHandle,
    facility_id: String,
    member_id: String,
) -> Result<Feature<()>, DesktopError> {
    blocking(move || {
        let (f, m): (FacilityId, MemberId) = (checked_id(&facility_id)?, checked_id(&member_id)?);
        with_api(&app, |api| api.remove_member(f, m))
    })
    .await
}

/// Offers someone a place in the facility (`POST /v1/facilities/{id}/members`): the server mails the
/// offer; nobody joins until the person accepts it.
#[tauri::command]
pub async fn member_invite(
    app: AppHandle,
    facility_id: String,
    email: String,
    display_name: String,
    rights: MemberRights,
) -> Result<Feature<Invited>, DesktopError> {
    blocking(move || {
        let f: FacilityId = checked_id(&facility_id)?;
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
        let invitation = Invitation::new(email, display_name, rights);
        with_api(&app, |api| api.invite_member(f, &invitation))
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
) -> Result<Feature<DecidedDoctor>, DesktopError> {
    blocking(move || {
        let id: DoctorId = checked_id(&doctor_id)?;
        let (decision, reason) = staff_decision(&decision, &reason, 1_000)?;
        let body = VerificationDecision { decision, reason };
        with_api(&app, |api| api.decide_verification(id, &body))
    })
    .await
}

/// Saves an invoice's or credit note's PDF to the downloads folder as `facture-<number>.pdf` (or
/// `avoir-…`) and returns its path (`GET /v1/invoices/{id}.pdf`; the server checks the billing right).
#[tauri::command]
pub async fn invoice_pdf(
    app: AppHandle,
    invoice_id: String,
    number: String,
    credit_note: bool,
) -> Result<Feature<String>, DesktopError> {
    blocking(move || {
        let id: uuid::Uuid = checked_id(&invoice_id)?;
        let dir = crate::downloads::folder(&app)?;
        let got = with_api(&app, |api| api.invoice_pdf(id))?;
        let Some(bytes) = got.data else {
            return Ok(Feature {
                available: false,
                data: None,
            });
        };
        let stem = format!(
            "{}-{}",
            if credit_note { "avoir" } else { "facture" },
            crate::downloads::safe_stem(&number)
        );
        let path = crate::downloads::save(&dir, &stem, &bytes)?;
        Ok(Feature {
            available: true,
            data: Some(path.display().to_string()),
        })
    })
    .await
}

/// A staff verdict from the queue screens: `approve` or `reject`, a reason required to reject, kept to
/// the `max` characters the server takes; no reason is "none" (an approval's note is optional).
fn staff_decision(
    decision: &str,
    reason: &str,
    max: usize,
) -> Result<(Decision, Option<String>), DesktopError> {
    let decision = match decision {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return Err(DesktopError::invalid("Décision inconnue.")),
    };
    let reason = reason.trim();
    if decision == Decision::Reject && reason.is_empty() {
        return Err(DesktopError::invalid("Indiquez le motif du refus."));
    }
    Ok((
        decision,
        (!reason.is_empty()).then(|| reason.chars().take(max).collect()),
    ))
}

/// Staff decision on a self-registered facility (`POST /v1/staff/facility-verifications/{id}` with
/// `{decision: approve|reject, reason}`): approved, it may post requests and read doctors' profiles.
#[tauri::command]
pub async fn facility_decide(
    app: AppHandle,
    facility_id: String,
    decision: String,
    reason: String,
) -> Result<Feature<DecidedFacility>, DesktopError> {
    blocking(move || {
        let id: FacilityId = checked_id(&facility_id)?;
        let (decision, reason) = staff_decision(&decision, &reason, 500)?;
        let body = FacilityDecision { decision, reason };
        with_api(&app, |api| api.decide_facility(id, &body))
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
        let id: DoctorId = checked_id(&doctor_id)?;
        let dir = crate::downloads::folder(&app)?;
        let bytes = {
            let state = app.state::<AppState>();
            let store = state.ui()?;
            api(&store)?.api().identity_document(id)?
        };
        let path = crate::downloads::save(&dir, &format!("piece-identite-{id}"), &bytes)?;
        Ok(path.display().to_string())
    })
    .await
}

/// One entry of a catalogue: a stable code and its French label.
#[derive(Clone, Debug, Serialize, TS)]
pub struct CatalogueEntry<C> {
    /// Stable code.
    pub code: C,
    /// French label.
    pub label: String,
}

/// Core's catalogues for the forms.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Catalogue {
    /// Specialties (`medecine-generale`…).
    pub specialties: Vec<CatalogueEntry<String>>,
    /// Shift kinds.
    pub shift_kinds: Vec<CatalogueEntry<ShiftKind>>,
}

/// Core's catalogues for the forms: specialties and shift kinds with their French labels.
#[tauri::command]
pub fn catalogue() -> Catalogue {
    Catalogue {
        specialties: rempla_core::domain::Specialty::all()
            .map(|s| CatalogueEntry {
                code: s.code().to_owned(),
                label: s.label().to_owned(),
            })
            .collect(),
        shift_kinds: ShiftKind::ALL
            .iter()
            .map(|k| CatalogueEntry {
                code: *k,
                label: k.label_fr().to_owned(),
            })
            .collect(),
    }
}
