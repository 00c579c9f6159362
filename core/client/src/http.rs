//! The HTTP transport of the sync client: JSON over HTTPS with `reqwest`, rustls only (no OpenSSL on
//! phones), with retries.
//!
//! **Blocking by design.** The FFI exposes synchronous functions only (no `async` across uniffi) and the CLI
//! is synchronous, so this client uses `reqwest::blocking`, which runs its own small runtime on a
//! background thread. Consequences: call it from a plain thread (a phone's worker thread, the CLI's main
//! thread), never from inside a tokio runtime; one call blocks its thread for at most the request timeout
//! times the attempts of the [`RetryPolicy`].
//!
//! The bearer token is sent in the `Authorization` header only; it is never logged and never part of a
//! URL or an error message.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use rempla_core::domain::DeviceId;
use rempla_core::sync::protocol::{ApiError, PullRequest, PushRequest, PushResponse};
use rempla_core::sync::rebase::PulledPage;

use crate::error::SyncClientError;
use crate::retry::{Jitter, RetryPolicy, is_retryable_status};

/// Transport settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Retries and backoff.
    pub retry: RetryPolicy,
    /// Longest wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request and its answer.
    pub request_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_mins(1),
        }
    }
}

/// `POST /v1/auth/login` body.
#[derive(Clone, Serialize)]
pub struct LoginRequest {
    /// Account e-mail.
    pub email: String,
    /// Password (secret; never logged).
    pub password: String,
    /// This device (the token will belong to it).
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

/// `POST /v1/auth/login` answer (unknown fields ignored, so the server may add some).
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct LoginResponse {
    /// The device's bearer token (secret).
    pub token: String,
    /// The account.
    pub account_id: String,
    /// `doctor`, `facility_member`, `staff`…
    pub role: String,
    /// The doctor profile, for a doctor.
    #[serde(default)]
    pub doctor_id: Option<String>,
    /// Facility memberships, as sent.
    #[serde(default)]
    pub memberships: Vec<Value>,
    /// Whether the current terms must be accepted before anything else.
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

/// `GET /v1/terms/current` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// Version, sent back as received when accepting.
    pub version: Value,
    /// SHA-256 of the text, sent back when accepting.
    pub sha256: String,
    /// The text (French).
    #[serde(default)]
    pub text: String,
}

/// `POST /v1/accounts/doctors` body: a doctor signs up (an activation e-mail follows).
#[derive(Clone, Serialize)]
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

/// `POST /v1/accounts/doctors` answer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SignedUp {
    /// The new account (not activated yet).
    pub account_id: String,
    /// The new doctor profile (pending verification by staff).
    pub doctor_id: String,
}

/// Why one attempt failed.
enum Attempt {
    /// Worth another attempt.
    Retry {
        reason: String,
        status: Option<u16>,
        retry_after: Option<Duration>,
    },
    /// Final.
    Fatal(SyncClientError),
}

/// A blocking client of one Rempla server, optionally signed in with a device token.
pub struct ApiClient {
    base: String,
    token: Option<String>,
    http: Client,
    retry: RetryPolicy,
    jitter: Jitter,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .field("signed_in", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

/// Checks and normalizes a server address (`http://` or `https://`, no trailing slash).
pub fn normalize_server_url(server: &str) -> Result<String, SyncClientError> {
    let trimmed = server.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| SyncClientError::InvalidServerUrl {
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(SyncClientError::InvalidServerUrl {
            reason: "http:// ou https:// attendu".to_owned(),
        });
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(SyncClientError::InvalidServerUrl {
            reason: "pas de paramètres dans l'adresse".to_owned(),
        });
    }
    Ok(trimmed.to_owned())
}

impl ApiClient {
    /// A client of `server` (e.g. `https://sync.rempla.fr`), not signed in.
    pub fn new(server: &str, config: &ClientConfig) -> Result<Self, SyncClientError> {
        let base = normalize_server_url(server)?;
        let http = Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("rempla-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncClientError::Protocol {
                reason: format!("client HTTP : {e}"),
            })?;
        Ok(Self {
            base,
            token: None,
            http,
            retry: config.retry.clone(),
            jitter: Jitter::new(),
        })
    }

    /// The same client, signed in with a device token.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The normalized server address.
    pub fn server(&self) -> &str {
        &self.base
    }

    /// Logs in and returns the device token (retried like every call: a login whose answer was lost only
    /// leaves an unused token behind).
    pub fn login(&self, request: &LoginRequest) -> Result<LoginResponse, SyncClientError> {
        self.post_json("/v1/auth/login", request)
    }

    /// Signs a doctor up (`POST /v1/accounts/doctors`). Retried like every call: a sign-up whose answer was
    /// lost comes back `conflict` (e-mail already registered) on the retry, which the caller shows as such.
    pub fn sign_up_doctor(&self, request: &DoctorSignUp) -> Result<SignedUp, SyncClientError> {
        self.post_json("/v1/accounts/doctors", request)
    }

    /// Activates an account with the token of its activation e-mail (`POST /v1/accounts/activate`);
    /// `password` only for accounts created without one (invited members).
    pub fn activate(&self, token: &str, password: Option<&str>) -> Result<(), SyncClientError> {
        let mut body = serde_json::json!({ "token": token });
        if let Some(password) = password {
            body["password"] = Value::String(password.to_owned());
        }
        self.call(
            self.path_post("/v1/accounts/activate"),
            Some(&encode(&body)?),
        )
        .map(|_| ())
    }

    /// Revokes this device's token on the server.
    pub fn logout(&self) -> Result<(), SyncClientError> {
        self.call(self.path_post("/v1/auth/logout"), Some(b"{}"))
            .map(|_| ())
    }

    /// The caller's account (`GET /v1/me`); also proves the token is valid.
    pub fn me(&self) -> Result<Value, SyncClientError> {
        let bytes = self.call(self.path_get("/v1/me"), None)?;
        decode(&bytes)
    }

    /// The current terms of use.
    pub fn current_terms(&self) -> Result<Terms, SyncClientError> {
        let bytes = self.call(self.path_get("/v1/terms/current"), None)?;
        decode(&bytes)
    }

    /// Accepts the given terms for this account and device.
    pub fn accept_terms(&self, terms: &Terms) -> Result<(), SyncClientError> {
        let body = serde_json::json!({"version": terms.version, "sha256": terms.sha256});
        self.call(self.path_post("/v1/terms/accept"), Some(&encode(&body)?))
            .map(|_| ())
    }

    /// Pushes one outbox batch (at most [`rempla_core::sync::protocol::MAX_PUSH_OPS`] ops).
    pub fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncClientError> {
        self.post_json("/v1/sync/push", request)
    }

    /// Pulls one page of changes after a cursor.
    pub fn pull(&self, request: &PullRequest) -> Result<PulledPage, SyncClientError> {
        self.post_json("/v1/sync/pull", request)
    }

    /// `GET` of any JSON endpoint of the API (e.g. `/v1/facilities/{id}`), with the same retries and
    /// error mapping as the sync calls. Front ends use it for the read endpoints that have no typed call.
    pub fn get_value(&self, path: &str) -> Result<Value, SyncClientError> {
        let bytes = self.call(self.path_get(path), None)?;
        decode(&bytes)
    }

    /// `POST` of a JSON body to any endpoint of the API; an empty answer (204) is returned as `null`.
    pub fn post_value(&self, path: &str, body: &Value) -> Result<Value, SyncClientError> {
        let bytes = self.call(self.path_post(path), Some(&encode(body)?))?;
        json_or_null(&bytes)
    }

    /// `PUT` of a JSON body to any endpoint of the API (e.g. `/v1/me/push-targets`, a member's rights);
    /// an empty answer is returned as `null`.
    pub fn put_value(&self, path: &str, body: &Value) -> Result<Value, SyncClientError> {
        let bytes = self.call(self.at(reqwest::Method::PUT, path), Some(&encode(body)?))?;
        json_or_null(&bytes)
    }

    /// `DELETE` of any endpoint of the API (a 204 is the usual answer).
    pub fn delete(&self, path: &str) -> Result<(), SyncClientError> {
        self.call(self.at(reqwest::Method::DELETE, path), None)
            .map(|_| ())
    }

    /// `DELETE` of any endpoint of the API whose answer the caller reads (e.g. removing a member); an
    /// empty answer (204) is `null`.
    pub fn delete_value(&self, path: &str) -> Result<Value, SyncClientError> {
        let bytes = self.call(self.at(reqwest::Method::DELETE, path), None)?;
        json_or_null(&bytes)
    }

    /// `DELETE` with a JSON body (`DELETE /v1/me` re-checks the password).
    pub fn delete_with_body(&self, path: &str, body: &Value) -> Result<(), SyncClientError> {
        self.call(self.at(reqwest::Method::DELETE, path), Some(&encode(body)?))
            .map(|_| ())
    }

    /// `GET` of a binary endpoint (the privacy export ZIP, a document): the body as received, after
    /// the same retries and error mapping as the JSON calls.
    pub fn get_bytes(&self, path: &str) -> Result<Vec<u8>, SyncClientError> {
        self.call(self.path_get(path), None)
    }

    /// Sends a pre-encoded push body (the engine measures the body size before sending).
    pub(crate) fn push_encoded(&self, body: &[u8]) -> Result<PushResponse, SyncClientError> {
        let bytes = self.call(self.path_post("/v1/sync/push"), Some(body))?;
        decode(&bytes)
    }

    fn post_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, SyncClientError> {
        let bytes = self.call(self.path_post(path), Some(&encode(body)?))?;
        decode(&bytes)
    }

    fn path_post(&self, path: &str) -> (reqwest::Method, String) {
        self.at(reqwest::Method::POST, path)
    }

    fn path_get(&self, path: &str) -> (reqwest::Method, String) {
        self.at(reqwest::Method::GET, path)
    }

    /// A method and the full URL of an API path, as [`Self::call`] takes them.
    fn at(&self, method: reqwest::Method, path: &str) -> (reqwest::Method, String) {
        (method, format!("{}{path}", self.base))
    }

    /// One request with retries; returns the body of a 2xx answer.
    fn call(
        &self,
        (method, url): (reqwest::Method, String),
        body: Option<&[u8]>,
    ) -> Result<Vec<u8>, SyncClientError> {
        let mut retries = 0u32;
        loop {
            let mut request = self.http.request(method.clone(), &url);
            if let Some(body) = body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.to_vec());
            }
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            match Self::attempt(request) {
                Ok(bytes) => return Ok(bytes),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry {
                    reason,
                    status,
                    retry_after,
                }) => {
                    retries += 1;
                    if retries >= self.retry.max_attempts.max(1) {
                        return Err(match status {
                            Some(status) => SyncClientError::ServerUnavailable { status },
                            None => SyncClientError::Offline { reason },
                        });
                    }
                    let wait = self
                        .retry
                        .delay(retries - 1, self.jitter.next(), retry_after);
                    tracing::debug!(%url, retries, ?status, %reason, ?wait, "retrying");
                    std::thread::sleep(wait);
                }
            }
        }
    }

    fn attempt(request: RequestBuilder) -> Result<Vec<u8>, Attempt> {
        let response = request.send().map_err(|e| Attempt::Retry {
            reason: transport_reason(&e),
            status: None,
            retry_after: None,
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let announced = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        // A connection cut in the middle of the answer fails here: the request may have been applied, so
        // it is retried (a push replay is harmless: ops are idempotent by op id).
        let bytes = response.bytes().map_err(|e| Attempt::Retry {
            reason: format!("réponse interrompue : {}", transport_reason(&e)),
            status: None,
            retry_after: None,
        })?;
        if announced.is_some_and(|n| n != bytes.len()) {
            return Err(Attempt::Retry {
                reason: "réponse tronquée".to_owned(),
                status: None,
                retry_after: None,
            });
        }
        let code = status.as_u16();
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        if is_retryable_status(code) {
            return Err(Attempt::Retry {
                reason: format!("HTTP {code}"),
                status: Some(code),
                retry_after,
            });
        }
        let api: Option<ApiError> = serde_json::from_slice(&bytes).ok();
        Err(Attempt::Fatal(match (status, api) {
            (StatusCode::UNAUTHORIZED, Some(e)) if e.code == "token_revoked" => {
                SyncClientError::TokenRevoked
            }
            (StatusCode::UNAUTHORIZED, _) => SyncClientError::Unauthorized,
            (s, _) if s.is_server_error() => SyncClientError::ServerUnavailable { status: code },
            (_, Some(e)) => SyncClientError::ServerRejected {
                code: e.code,
                message: e.message,
            },
            (_, None) => SyncClientError::ServerRejected {
                code: format!("http_{code}"),
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            },
        }))
    }
}

/// A transport error in words, without anything secret (reqwest errors name the URL, never headers).
fn transport_reason(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connexion impossible"
    } else if e.is_timeout() {
        "délai dépassé"
    } else {
        "échange interrompu"
    };
    format!("{kind} ({e})")
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, SyncClientError> {
    serde_json::to_vec(value).map_err(|e| SyncClientError::Protocol {
        reason: format!("encodage : {e}"),
    })
}

/// An answer that may be empty (204): `null`, else the decoded JSON.
fn json_or_null(bytes: &[u8]) -> Result<Value, SyncClientError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    decode(bytes)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SyncClientError> {
    serde_json::from_slice(bytes).map_err(|e| SyncClientError::Protocol {
        reason: format!("JSON inattendu : {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_checked_and_normalized() {
        assert_eq!(
            normalize_server_url(" https://sync.rempla.fr/ ").unwrap(),
            "https://sync.rempla.fr"
        );
        assert_eq!(
            normalize_server_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in ["ftp://x", "sync.rempla.fr", "", "https://x/?token=1"] {
            assert_eq!(
                normalize_server_url(bad).unwrap_err().code(),
                "invalid_server_url",
                "{bad}"
            );
        }
    }

    /// Serves each canned answer to one connection, recording the request line and body.
    fn one_shot_server(
        answers: Vec<&'static str>,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for answer in answers {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    if header.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                seen.push(format!(
                    "{} {}",
                    line.trim(),
                    String::from_utf8(body).unwrap()
                ));
                (&stream).write_all(answer.as_bytes()).unwrap();
            }
            seen
        });
        (addr, handle)
    }

    #[test]
    fn put_and_delete_reach_the_server_and_map_empty_answers_to_null() {
        let (addr, server) = one_shot_server(vec![
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"ok\":true}",
            "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n",
            "HTTP/1.1 409 Conflict\r\ncontent-type: application/json\r\ncontent-length: 40\r\nconnection: close\r\n\r\n{\"code\":\"last_admin\",\"message\":\"garder\"}",
        ]);
        let client = ApiClient::new(&addr, &ClientConfig::default())
            .unwrap()
            .with_token("t");
        let body = serde_json::json!({"role": "viewer"});
        assert_eq!(
            client.put_value("/v1/x/1", &body).unwrap(),
            serde_json::json!({"ok": true})
        );
        assert_eq!(client.delete_value("/v1/x/1").unwrap(), Value::Null);
        let refused = client.delete_value("/v1/x/2").unwrap_err();
        assert_eq!(refused.server_code(), "last_admin");
        assert_eq!(
            server.join().unwrap(),
            [
                "PUT /v1/x/1 HTTP/1.1 {\"role\":\"viewer\"}",
                "DELETE /v1/x/1 HTTP/1.1 ",
                "DELETE /v1/x/2 HTTP/1.1 "
            ]
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let req = LoginRequest {
            email: "a@b.fr".into(),
            password: "hunter2hunter2".into(),
            device_id: DeviceId::new(),
            device_name: "cli".into(),
            platform: "cli".into(),
        };
        assert!(!format!("{req:?}").contains("hunter2"));
        let sign_up = DoctorSignUp {
            email: "a@b.fr".into(),
            password: "hunter2hunter2".into(),
            rpps: "10000001916".into(),
            first_name: "A".into(),
            last_name: "B".into(),
            specialties: vec![],
        };
        assert!(!format!("{sign_up:?}").contains("hunter2"));
        let client = ApiClient::new("http://127.0.0.1:9", &ClientConfig::default())
            .unwrap()
            .with_token("tok-secret");
        assert!(!format!("{client:?}").contains("tok-secret"));
    }
}
