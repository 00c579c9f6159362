//! Authentication: argon2id password hashes, random bearer tokens stored only as SHA-256, and the
//! [`Caller`] every authenticated handler receives (account, device, doctor profile, memberships),
//! with revocation, expiry, per-account rate limit and terms gating checked on the way in.

pub mod secret;
pub mod terms;

pub use secret::{random_token, sha256_hex};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::HeaderMap;
use rempla_core::api::ErrorCode;
use rempla_core::domain::{DoctorStatus, Member};

use crate::accounts::queries::{Account, AccountKind, MemberRow};
use crate::http::error::AppError;
use crate::http::state::AppState;

/// Shortest accepted password (characters).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest accepted password (bytes): argon2 would take it, but nobody needs more.
pub const MAX_PASSWORD_BYTES: usize = 1_024;

/// Checks the password policy.
pub fn check_password_policy(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            ErrorCode::PasswordTooShort,
            "le mot de passe doit compter au moins 10 caractères",
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(
            ErrorCode::PasswordTooLong,
            "le mot de passe dépasse 1 024 octets",
        ));
    }
    Ok(())
}

fn argon2(memory_kib: u32, iterations: u32) -> Result<Argon2<'static>, AppError> {
    let params = Params::new(memory_kib, iterations, 1, None)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id (PHC string) with the given costs; blocking.
pub fn hash_password_with(
    memory_kib: u32,
    iterations: u32,
    password: &str,
) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    argon2(memory_kib, iterations)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Hashes a password with argon2id (PHC string), on the blocking pool.
pub async fn hash_password(state: &AppState, password: String) -> Result<String, AppError> {
    let (m, t) = (
        state.config.argon2_memory_kib,
        state.config.argon2_iterations,
    );
    let _permit = hashing_permit(state).await?;
    tokio::task::spawn_blocking(move || hash_password_with(m, t, &password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// A place among the `max_concurrent_hashes` argon2 computations (19 MiB each) this instance runs at
/// once: a burst of sign-ups, resets or logins queues here instead of taking the memory, and gets
/// `503 unavailable` after 10 s.
async fn hashing_permit(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    let busy = || {
        AppError::Unavailable(
            ErrorCode::Unavailable,
            "serveur très sollicité : réessayez dans un instant".into(),
        )
    };
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        std::sync::Arc::clone(&state.gates.hashing).acquire_owned(),
    )
    .await
    .map_err(|_| busy())?
    .map_err(|_| busy())
}

/// A hash of a random password with the configured costs, computed once: login verifies against it
/// when the e-mail is unknown, so answering takes as long as for a real account.
pub async fn dummy_hash(state: &AppState) -> Result<String, AppError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| async {
            let password = random_token()?;
            hash_password(state, password).await
        })
        .await
        .cloned()
}

/// Checks a password against a stored PHC string (its own parameters), on the blocking pool, within
/// the same bound on concurrent hashes as [`hash_password`].
pub async fn verify_password(
    state: &AppState,
    hash: String,
    password: String,
) -> Result<bool, AppError> {
    let _permit = hashing_permit(state).await?;
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The authenticated user of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The account.
    pub account: Account,
    /// The token's device.
    pub device_id: String,
    /// SHA-256 of the bearer token (for logout).
    pub token_hash: String,
    /// The doctor's trust status, for a doctor account.
    pub doctor_status: Option<DoctorStatus>,
    /// Facility memberships.
    pub members: Vec<MemberRow>,
    /// Whether the current terms were accepted.
    pub terms_accepted: bool,
}

impl Caller {
    /// Whether the caller is platform staff.
    pub fn is_staff(&self) -> bool {
        self.account.kind == AccountKind::Staff
    }

    /// The caller's doctor id, if a doctor.
    pub fn doctor_id(&self) -> Option<&str> {
        self.account.doctor_id.as_deref()
    }

    /// The member records.
    pub fn member_records(&self) -> Vec<Member> {
        self.members.iter().map(|m| m.member.clone()).collect()
    }

    /// The membership in a facility.
    pub fn member_of(&self, facility_id: &str) -> Option<&Member> {
        self.members
            .iter()
            .map(|m| &m.member)
            .find(|m| m.facility_id.to_string() == facility_id)
    }
}

/// Reads the bearer token of a request.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty() && token.len() <= 128).then_some(token)
}

/// Authenticates a request: token known, not revoked, not expired; account rate limit; when
/// `require_terms`, the current terms accepted.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    require_terms: bool,
) -> Result<Caller, AppError> {
    let token =
        bearer(headers).ok_or_else(|| AppError::Unauthorized("jeton d'accès manquant".into()))?;
    let hash = sha256_hex(token.as_bytes());
    let row = state
        .storage
        .token(&hash)
        .await?
        .ok_or_else(|| AppError::Unauthorized("jeton d'accès inconnu".into()))?;
    if row.revoked_ms.is_some() {
        return Err(AppError::TokenRevoked);
    }
    let now = state.clock.now_ms();
    if row.expires_ms <= now {
        return Err(AppError::TokenExpired);
    }
    if !state.limits.per_account.check(&row.account_id, now) {
        return Err(AppError::RateLimited);
    }
    let account = state
        .storage
        .account(&row.account_id)
        .await?
        .ok_or_else(|| AppError::Unauthorized("compte supprimé".into()))?;
    let doctor_status = match &account.doctor_id {
        Some(id) => state
            .storage
            .doctor(id)
            .await?
            .and_then(|d| serde_json::from_value(d.record["status"].clone()).ok()),
        None => None,
    };
    let members = state.storage.memberships(&account.id).await?;
    let terms_accepted = state
        .storage
        .has_accepted_terms(&account.id, &state.terms.version)
        .await?;
    if require_terms && !terms_accepted {
        return Err(AppError::TermsNotAccepted);
    }
    Ok(Caller {
        account,
        device_id: row.device_id,
        token_hash: hash,
        doctor_status,
        members,
        terms_accepted,
    })
}

/// Extractor: the authenticated caller, terms accepted. Runs before any body extractor, so an
/// anonymous request is refused before its body is even read.
#[derive(Clone, Debug)]
pub struct Authed(pub Caller);

impl axum::extract::FromRequestParts<AppState> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, &parts.headers, true).await.map(Self)
    }
}

/// Extractor: the authenticated caller, whether or not the terms were accepted (terms, logout, me).
#[derive(Clone, Debug)]
pub struct AuthedAnyTerms(pub Caller);

impl axum::extract::FromRequestParts<AppState> for AuthedAnyTerms {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, &parts.headers, false).await.map(Self)
    }
}
