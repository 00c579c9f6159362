//! Handlers of the account, terms, profile and facility endpoints (`docs/sync-protocol.md`,
//! "Accounts"). Sync and live updates are in `crate::sync` and `crate::live`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use rempla_core::api::ErrorCode;
use rempla_core::api::accounts::{
    AcceptTerms, Activate, DoctorSignUp, FacilitySignUp, FacilityView, LoginRequest, LoginResponse,
    LostPassword, Me, Membership, ResetPassword, SignUpReceived, Terms, TermsProof,
};
use rempla_core::domain::{
    ContactDetails, Doctor, DoctorId, DoctorStatus, Email, Facility, FacilityId, Member, MemberId,
    MemberRole, Qualification, Rpps, Siret, Site, SiteId, Specialty,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::queries::{Account, AccountKind, MailTokenUse, NewToken};
use super::throttle;
use crate::auth::{
    self, Authed, AuthedAnyTerms, Caller, authenticate, check_password_policy, random_token,
    sha256_hex,
};
use crate::authz::{self, Action};
use crate::db::StorageError;
use crate::http::error::AppError;
use crate::http::extract::{ClientIp, JsonBody, no_content};
use crate::http::state::AppState;
use crate::mail;

/// A trimmed text field, refused when empty or longer than `max` bytes.
pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(
            ErrorCode::Empty,
            format!("le champ {field} est vide"),
        ));
    }
    if v.len() > max {
        return Err(AppError::invalid(
            ErrorCode::TooLong,
            format!("le champ {field} dépasse {max} caractères"),
        ));
    }
    Ok(v.to_owned())
}

/// A checked e-mail address, lowercased.
pub(crate) fn parse_email(email: &str) -> Result<String, AppError> {
    let parsed = Email::parse(email.trim()).map_err(|e| AppError::domain(&e))?;
    Ok(parsed.as_str().to_lowercase())
}

/// `GET /v1/health`: the process is up.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /v1/ready`: the database answers.
pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    state
        .storage
        .ping()
        .await
        .map_err(|_| AppError::Storage(StorageError::Busy))?;
    Ok(Json(
        json!({"status": "ready", "backend": state.storage.backend().name()}),
    ))
}

/// Stores a fresh one-time link token of `purpose` for the account and returns it (to put in a mail).
async fn new_mail_token(
    state: &AppState,
    account: &Account,
    purpose: &'static str,
) -> Result<String, AppError> {
    let token = random_token()?;
    let hours = state.config.mail_token_ttl_hours;
    let expires = state.clock.now_ms() + i64::from(hours) * 3_600_000;
    state
        .storage
        .insert_mail_token(
            sha256_hex(token.as_bytes()),
            account.id.clone(),
            purpose,
            expires,
        )
        .await?;
    Ok(token)
}

/// Sends a mail; a failure is logged, not shown (the user can ask again, and the answer must not
/// differ with the mail server's mood).
pub(crate) async fn deliver(state: &AppState, message: mail::Mail, what: &'static str) {
    if let Err(e) = state.mailer.send(message).await {
        tracing::error!(error = %e, what, "mail not sent");
    }
}

/// The address of the link page `path` with its token.
fn link(state: &AppState, path: &str, token: &str) -> String {
    let base = state.config.public_url.trim_end_matches('/');
    format!("{base}{path}?token={token}")
}

/// Sends an activation or reset link; a mail failure is logged, not shown (the account exists and the
/// user can ask again).
pub(crate) async fn send_link(
    state: &AppState,
    account: &Account,
    purpose: &'static str,
) -> Result<(), AppError> {
    let token = new_mail_token(state, account, purpose).await?;
    let hours = state.config.mail_token_ttl_hours;
    let message = if purpose == "activate" {
        mail::activation(
            &account.email,
            &account.display_name,
            &link(state, "/v1/accounts/activate", &token),
            hours,
        )
    } else {
        mail::reset(
            &account.email,
            &account.display_name,
            &link(state, "/reinitialiser-mot-de-passe", &token),
            hours,
        )
    };
    deliver(state, message, purpose).await;
    Ok(())
}

/// A sign-up with an address or RPPS already registered: no account is made, and the answer is the
/// one of any sign-up (so the form tells nobody which addresses or numbers are on Rempla). The mail
/// goes to the address given: its owner learns that it has an account (with a way back in), or that
/// the RPPS is held by another account (and whom to write to). Those mails are limited per address.
async fn tell_sign_up_refused(
    state: &AppState,
    email: &str,
    rpps: Option<&str>,
    why: StorageError,
) -> Result<(), AppError> {
    let what = match &why {
        StorageError::Duplicate(what) => what.as_str(),
        _ => return Err(AppError::Storage(why)),
    };
    if !throttle::may_send_reset(state, email) {
        return Ok(());
    }
    match (what, state.storage.account_by_email(email).await?) {
        ("email", Some(account)) => {
            if state.storage.account_closed(&account.id).await? {
                return Ok(());
            }
            let token = new_mail_token(state, &account, "reset").await?;
            let message = mail::already_registered(
                &account.email,
                &account.display_name,
                &link(state, "/reinitialiser-mot-de-passe", &token),
                state.config.mail_token_ttl_hours,
            );
            deliver(state, message, "already_registered").await;
        }
        ("rpps", None) => {
            let message =
                mail::rpps_taken(email, rpps.unwrap_or_default(), &state.config.support_email);
            deliver(state, message, "rpps_taken").await;
        }
        _ => {}
    }
    Ok(())
}

/// The one answer of every sign-up, new or not (202).
fn sign_up_received(email: &str) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(SignUpReceived {
            email: email.to_owned(),
        }),
    )
        .into_response()
}

/// `POST /v1/accounts/doctors`.
pub async fn sign_up_doctor(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<DoctorSignUp>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    let email = parse_email(&body.email)?;
    check_password_policy(&body.password)?;
    let rpps = Rpps::parse(body.rpps.trim()).map_err(|e| AppError::domain(&e))?;
    let specialties = body
        .specialties
        .iter()
        .take(20)
        .map(|s| Specialty::parse(s).map_err(|e| AppError::domain(&e)))
        .collect::<Result<Vec<_>, _>>()?;
    let doctor = Doctor {
        id: DoctorId::new(),
        rpps,
        first_name: check_text("first_name", &body.first_name, 100)?,
        last_name: check_text("last_name", &body.last_name, 100)?,
        specialties,
        status: DoctorStatus::Pending,
        qualification: Qualification::Thesed,
        base: None,
        travel_radius_km: 0,
        departments: vec![],
        languages: vec![],
        contact: Some(ContactDetails {
            email: Email::parse(&email).map_err(|e| AppError::domain(&e))?,
            phone: None,
        }),
    };
    doctor.validate().map_err(|e| AppError::domain(&e))?;
    let account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        email,
        password_hash: Some(auth::hash_password(&state, body.password).await?),
        kind: AccountKind::Doctor,
        doctor_id: Some(doctor.id.to_string()),
        display_name: format!("Dr {} {}", doctor.first_name, doctor.last_name),
        activated: false,
        created_ms: state.clock.now_ms(),
    };
    let rpps = doctor.rpps.to_string();
    match state.storage.create_doctor(account.clone(), doctor).await {
        Ok(()) => send_link(&state, &account, "activate").await?,
        Err(e) => tell_sign_up_refused(&state, &account.email, Some(&rpps), e).await?,
    }
    Ok(sign_up_received(&account.email))
}

/// `POST /v1/accounts/facilities`.
pub async fn sign_up_facility(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<FacilitySignUp>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    let email = parse_email(&body.email)?;
    check_password_policy(&body.password)?;
    let facility = Facility {
        id: FacilityId::new(),
        name: check_text("facility.name", &body.facility.name, 200)?,
        siret: Siret::parse(body.facility.siret.trim()).map_err(|e| AppError::domain(&e))?,
        kind: body.facility.kind,
    };
    let member = Member {
        id: MemberId::new(),
        facility_id: facility.id,
        display_name: check_text("display_name", &body.display_name, 100)?,
        role: MemberRole::Admin,
        delegations: vec![],
    };
    let account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        email,
        password_hash: Some(auth::hash_password(&state, body.password).await?),
        kind: AccountKind::Facility,
        doctor_id: None,
        display_name: member.display_name.clone(),
        activated: false,
        created_ms: state.clock.now_ms(),
    };
    match state
        .storage
        .create_facility(account.clone(), facility, member)
        .await
    {
        Ok(()) => send_link(&state, &account, "activate").await?,
        Err(e) => tell_sign_up_refused(&state, &account.email, None, e).await?,
    }
    Ok(sign_up_received(&account.email))
}

/// Activates an account with its link's token (the JSON route and the link's page share it).
pub(crate) async fn do_activate(
    state: &AppState,
    token: &str,
    password: Option<String>,
) -> Result<(), AppError> {
    if let Some(p) = &password {
        check_password_policy(p)?;
    }
    // The link first (one indexed read), the 19 MiB hash only for a live one.
    let token_hash = sha256_hex(token.as_bytes());
    if !state
        .storage
        .mail_token_live(token_hash.clone(), "activate", state.clock.now_ms())
        .await?
    {
        return Err(AppError::invalid(
            ErrorCode::InvalidToken,
            "lien d'activation invalide, déjà utilisé ou expiré",
        ));
    }
    let hash = match password {
        Some(p) => Some(auth::hash_password(state, p).await?),
        None => None,
    };
    match state
        .storage
        .consume_mail_token(token_hash, "activate", state.clock.now_ms(), hash, true)
        .await?
    {
        MailTokenUse::Used(_) => Ok(()),
        MailTokenUse::Invalid => Err(AppError::invalid(
            ErrorCode::InvalidToken,
            "lien d'activation invalide, déjà utilisé ou expiré",
        )),
        MailTokenUse::PasswordRequired => Err(AppError::invalid(
            ErrorCode::PasswordRequired,
            "choisissez un mot de passe pour activer ce compte",
        )),
    }
}

/// `POST /v1/accounts/activate`.
pub async fn activate(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<Activate>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    do_activate(&state, &body.token, body.password).await?;
    Ok(no_content())
}

fn membership_views(rows: &[super::queries::MemberRow]) -> Vec<Membership> {
    rows.iter()
        .map(|m| Membership {
            facility_id: m.granted.facility_id,
            facility_name: m.facility_name.clone(),
            member_id: m.granted.id,
            role: m.granted.role,
            delegations: m.granted.delegations.clone(),
            facility_verified: m.facility_verified,
        })
        .collect()
}

/// The client address the rate-limit layer recorded.
pub(crate) fn address(ip: Option<Extension<ClientIp>>) -> String {
    ip.map_or_else(|| "local".to_owned(), |Extension(ClientIp(ip))| ip)
}

/// `POST /v1/auth/login`.
pub async fn login(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    let email = body.email.trim().to_lowercase();
    let ip = address(ip);
    throttle::may_try_login(&state, &email, &ip)?;
    let bad = || {
        throttle::login_failed(&state, &email, &ip);
        AppError::InvalidCredentials
    };
    let account = state.storage.account_by_email(&email).await?;
    // An unknown address, or an account without a password (invited, closed), costs the same hash
    // as a real check, so timing does not tell which addresses exist.
    let Some((account, hash)) = account.and_then(|a| a.password_hash.clone().map(|h| (a, h)))
    else {
        let _ =
            auth::verify_password(&state, auth::dummy_hash(&state).await?, body.password).await?;
        return Err(bad());
    };
    if !auth::verify_password(&state, hash, body.password).await? {
        return Err(bad());
    }
    throttle::login_succeeded(&state, &email, &ip);
    if !account.activated {
        return Err(AppError::NotActivated);
    }
    let token = random_token()?;
    let now = state.clock.now_ms();
    state
        .storage
        .insert_token(NewToken {
            hash: sha256_hex(token.as_bytes()),
            account_id: account.id.clone(),
            device_id: body.device_id.to_string(),
            device_name: body.device_name.chars().take(100).collect(),
            platform: body.platform.chars().take(30).collect(),
            created_ms: now,
            expires_ms: now + i64::from(state.config.token_ttl_days) * 86_400_000,
        })
        .await?;
    let members = state.storage.memberships(&account.id).await?;
    let accepted = state
        .storage
        .has_accepted_terms(&account.id, &state.terms.version)
        .await?;
    Ok(Json(LoginResponse {
        token,
        account_id: account.id,
        role: account.kind.as_str().to_owned(),
        doctor_id: account.doctor_id,
        memberships: membership_views(&members),
        terms_required: !accepted,
    }))
}

/// `POST /v1/auth/logout`.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let caller = authenticate(&state, &headers, false).await?;
    state
        .storage
        .revoke_token(&caller.token_hash, state.clock.now_ms())
        .await?;
    Ok(no_content())
}

/// `POST /v1/auth/lost-password`: always 202 (no account enumeration).
pub async fn lost_password(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<LostPassword>,
) -> Result<Response, AppError> {
    let email = body.email.trim().to_lowercase();
    let ip = address(ip);
    throttle::attempt(&state, &ip)?;
    // Nothing is revoked here: anyone can ask, so asking must not log the owner out. The reset itself
    // revokes every token when it completes. A closed account gets no link (closure is irreversible).
    if let Some(account) = state.storage.account_by_email(&email).await?
        && !state.storage.account_closed(&account.id).await?
        && throttle::may_send_reset(&state, &email)
    {
        send_link(&state, &account, "reset").await?;
    }
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "accepted"}))).into_response())
}

/// `POST /v1/auth/reset-password`.
pub async fn reset_password(
    State(state): State<AppState>,
    ip: Option<Extension<ClientIp>>,
    JsonBody(body): JsonBody<ResetPassword>,
) -> Result<Response, AppError> {
    throttle::attempt(&state, &address(ip))?;
    reset_with_token(&state, &body.token, body.password).await?;
    Ok(no_content())
}

/// Sets a new password with a reset link's token and ends every session of the account (the JSON
/// route and the link's page share it). The link is checked first (one indexed read), the 19 MiB hash
/// only for a live one.
pub(crate) async fn reset_with_token(
    state: &AppState,
    token: &str,
    password: String,
) -> Result<(), AppError> {
    check_password_policy(&password)?;
    let invalid = || {
        AppError::invalid(
            ErrorCode::InvalidToken,
            "lien de réinitialisation invalide, déjà utilisé ou expiré",
        )
    };
    let token_hash = sha256_hex(token.as_bytes());
    if !state
        .storage
        .mail_token_live(token_hash.clone(), "reset", state.clock.now_ms())
        .await?
    {
        return Err(invalid());
    }
    let hash = auth::hash_password(state, password).await?;
    match state
        .storage
        .consume_mail_token(token_hash, "reset", state.clock.now_ms(), Some(hash), false)
        .await?
    {
        MailTokenUse::Used(_) => Ok(()),
        _ => Err(invalid()),
    }
}

/// Whether a reset link's token is live (the link's page shows its form only then).
pub(crate) async fn reset_link_live(state: &AppState, token: &str) -> Result<bool, AppError> {
    Ok(state
        .storage
        .mail_token_live(sha256_hex(token.as_bytes()), "reset", state.clock.now_ms())
        .await?)
}

/// `GET /v1/terms/current`.
pub async fn terms_current(State(state): State<AppState>) -> Json<Terms> {
    Json(Terms {
        version: state.terms.version.clone(),
        sha256: state.terms.sha256.clone(),
        text: state.terms.text.clone(),
    })
}

/// `POST /v1/terms/accept`: keeps the proof (time, version, hash, account, device).
pub async fn terms_accept(
    State(state): State<AppState>,
    AuthedAnyTerms(caller): AuthedAnyTerms,
    JsonBody(body): JsonBody<AcceptTerms>,
) -> Result<Response, AppError> {
    if body.version != state.terms.version || body.sha256 != state.terms.sha256 {
        return Err(AppError::invalid(
            ErrorCode::TermsOutdated,
            "ces conditions ne sont pas celles en vigueur : rechargez-les",
        ));
    }
    state
        .storage
        .accept_terms(
            caller.account.id,
            caller.device_id,
            body.version,
            body.sha256,
            state.clock.now_ms(),
        )
        .await?;
    Ok(no_content())
}

/// `GET /v1/me`: allowed before the terms are accepted, so the app can show them.
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, AppError> {
    let caller = authenticate(&state, &headers, false).await?;
    let doctor = match caller.doctor_id() {
        Some(id) => state.storage.doctor(id).await?.map(|d| d.record),
        None => None,
    };
    let proofs = state
        .storage
        .terms_proofs(&caller.account.id)
        .await?
        .into_iter()
        .map(|(version, sha256, device_id, accepted_ms)| TermsProof {
            version,
            sha256,
            device_id,
            accepted_ms,
        })
        .collect();
    Ok(Json(Me {
        account_id: Some(caller.account.id.clone()),
        email: Some(caller.account.email.clone()),
        display_name: Some(caller.account.display_name.clone()),
        role: Some(caller.account.kind.as_str().to_owned()),
        device_id: Some(caller.device_id.clone()),
        doctor,
        memberships: membership_views(&caller.members),
        terms_accepted: caller.terms_accepted,
        terms_acceptances: proofs,
    }))
}

/// `GET /v1/doctors/{id}`: the profile as the caller may see it (never contact details to facilities).
pub async fn doctor(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let caller = authenticate(&state, &headers, true).await?;
    let row = state.storage.doctor(&id).await?.ok_or(AppError::NotFound)?;
    match authz::doctor_sight(&caller, &id, &row.record) {
        authz::DoctorSight::Whole => Ok(Json(row.record)),
        authz::DoctorSight::Nothing => Err(AppError::NotFound),
        authz::DoctorSight::Facility { .. } => {
            let facilities: Vec<String> = caller
                .members
                .iter()
                .filter(|m| m.facility_verified)
                .map(|m| m.member.facility_id.to_string())
                .collect();
            let unlocked = state.storage.unlocked_for(&id, &facilities).await?;
            let commune = row
                .record
                .get("base")
                .and_then(|b| serde_json::from_value::<rempla_core::domain::GeoPoint>(b.clone()).ok())
                .and_then(|base| {
                    let gazetteer = rempla_core::geo::gazetteer().ok()?;
                    gazetteer.nearest(base).map(|c| {
                        json!({"name": &*c.name, "insee": &*c.insee, "department": c.department.to_string()})
                    })
                });
            // Every read of a doctor's profile by a facility is in the doctor's « qui a consulté
            // mes données ».
            state
                .storage
                .record_audit(crate::audit::AuditEntry {
                    at_ms: state.clock.now_ms(),
                    account_id: Some(caller.account.id.clone()),
                    device_id: Some(caller.device_id.clone()),
                    action: "doctor_profile_read".into(),
                    entity: "doctor".into(),
                    entity_id: id.clone(),
                    doctor_id: Some(id.clone()),
                    facility_id: facilities.first().cloned(),
                    detail: json!({"facilities": facilities, "unlocked": unlocked}).to_string(),
                })
                .await?;
            Ok(Json(authz::facility_doctor_view(
                &row.record,
                commune,
                unlocked,
            )))
        }
    }
}

/// Body of `POST /v1/staff/doctors/{id}/status`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// New status.
    pub status: DoctorStatus,
}

/// `POST /v1/staff/doctors/{id}/status`: staff suspend a verified doctor or reinstate a suspended one
/// (registrations are decided from the verification queue, `documents::verification`).
pub async fn set_doctor_status(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SetStatus>,
) -> Result<Json<Value>, AppError> {
    if !authz::allowed(&caller, Action::SetDoctorStatus) {
        return Err(AppError::Forbidden("réservé à l'équipe Rempla".into()));
    }
    let wanted = body.status;
    let record = state
        .storage
        .change_doctor_status(&id, move |doctor| {
            // A registration is decided only from the verification queue, which requires the
            // identity document and a reason to reject; this endpoint suspends and reinstates
            // verified doctors.
            if matches!(
                doctor.status,
                DoctorStatus::Pending | DoctorStatus::Rejected
            ) {
                return Err(AppError::WrongState(
                    ErrorCode::UseVerificationQueue,
                    "une inscription se valide ou se refuse depuis la file de vérification".into(),
                ));
            }
            doctor.status = doctor
                .status
                .transition(wanted)
                .map_err(|e| AppError::domain(&e))?;
            Ok(())
        })
        .await?
        .ok_or(AppError::NotFound)??;
    Ok(Json(record))
}

/// `GET /v1/facilities/{id}`: the facility and its sites, for its members and staff.
pub async fn facility(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<FacilityView>, AppError> {
    let caller = authenticate(&state, &headers, true).await?;
    if !authz::allowed(&caller, Action::ReadFacility(&id)) {
        return Err(AppError::NotFound);
    }
    let facility = state
        .storage
        .facility(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sites = state.storage.sites(&id).await?;
    let unreadable =
        |e: serde_json::Error| AppError::Internal(format!("établissement illisible : {e}"));
    Ok(Json(FacilityView {
        facility: serde_json::from_value(facility).map_err(unreadable)?,
        sites: sites
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()
            .map_err(unreadable)?,
    }))
}

fn require(caller: &Caller, action: Action<'_>) -> Result<(), AppError> {
    if authz::allowed(caller, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "droit « gérer les membres » requis dans cet établissement".into(),
        ))
    }
}

/// `POST /v1/facilities/{id}/sites`: add or update a site (body: a `Site`; `facility_id` is forced).
pub async fn put_site(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    JsonBody(mut site): JsonBody<Site>,
) -> Result<Response, AppError> {
    require(&caller, Action::ManageSites(&id))?;
    site.facility_id = id.parse().map_err(|_| AppError::NotFound)?;
    site.validate().map_err(|e| AppError::domain(&e))?;
    let site_id: SiteId = site.id;
    state.storage.put_site(site).await?;
    Ok((StatusCode::CREATED, Json(json!({"site_id": site_id}))).into_response())
}

/// The accounts, terms, profile and facility endpoints, merged into the router by `crate::areas`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/ready", get(ready))
        .route("/v1/accounts/doctors", post(sign_up_doctor))
        .route("/v1/accounts/facilities", post(sign_up_facility))
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/lost-password", post(lost_password))
        .route("/v1/auth/reset-password", post(reset_password))
        .route("/v1/terms/current", get(terms_current))
        .route("/v1/terms/accept", post(terms_accept))
        .route("/v1/me", get(me))
        .route("/v1/doctors/{id}", get(doctor))
        .route("/v1/staff/doctors/{id}/status", post(set_doctor_status))
        .route("/v1/facilities/{id}", get(facility))
        .route("/v1/facilities/{id}/sites", post(put_site))
}
