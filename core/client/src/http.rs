//! The typed API client: every call the devices make, with retries and one error mapping, over a
//! [`Transport`] (the real one is [`ReqwestTransport`]; tests and simulations plug in their own).
//!
//! One call blocks its thread for at most the request timeout times the attempts of the [`RetryPolicy`]
//! (see [`crate::transport`] for why the client is blocking). The bearer token is sent in the
//! `Authorization` header only; it is never logged and never part of a URL or an error message.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use rempla_core::api::accounts::{
    AcceptTerms, Activate, DoctorSignUp, LoginRequest, LoginResponse, SignUpReceived, Terms,
};
use rempla_core::api::{ApiError, ErrorCode};
use rempla_core::sync::protocol::{PullRequest, PushRequest, PushResponse};
use rempla_core::sync::rebase::PulledPage;

use crate::error::SyncClientError;
use crate::retry::{Jitter, RetryPolicy, is_retryable_status};
use crate::transport::{
    HttpRequest, HttpResponse, Method, ReqwestTransport, StreamingResponse, Timeouts, Transport,
    TransportError,
};

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
#[derive(Clone)]
pub struct ApiClient {
    base: String,
    token: Option<String>,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    jitter: Arc<Jitter>,
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
    /// A client of `server` (e.g. `https://sync.rempla.fr`), not signed in, over the real transport.
    pub fn new(server: &str, config: &ClientConfig) -> Result<Self, SyncClientError> {
        let transport = ReqwestTransport::new(Timeouts {
            connect: config.connect_timeout,
            request: config.request_timeout,
        })
        .map_err(|e| SyncClientError::Protocol {
            reason: e.to_string(),
        })?;
        Self::with_transport(server, Arc::new(transport), config)
    }

    /// A client of `server` over another transport (tests, a simulated network).
    pub fn with_transport(
        server: &str,
        transport: Arc<dyn Transport>,
        config: &ClientConfig,
    ) -> Result<Self, SyncClientError> {
        Ok(Self {
            base: normalize_server_url(server)?,
            token: None,
            transport,
            retry: config.retry.clone(),
            jitter: Arc::new(Jitter::new()),
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

    /// Opens a stream of the API (`GET` with the token, no overall time limit): the live events.
    pub(crate) fn open_stream(&self, path: &str) -> Result<StreamingResponse, TransportError> {
        self.transport.open_stream(&HttpRequest {
            method: Method::Get,
            url: format!("{}{path}", self.base),
            bearer: self.token.clone(),
            body: None,
            content_type: None,
        })
    }

    /// Logs in and returns the device token (retried like every call: a login whose answer was lost only
    /// leaves an unused token behind).
    pub fn login(&self, request: &LoginRequest) -> Result<LoginResponse, SyncClientError> {
        self.post_json("/v1/auth/login", request)
    }

    /// Signs a doctor up (`POST /v1/accounts/doctors`): the answer only says where the mail went (the
    /// same for an address already registered, whose owner is told by mail instead). Retried like every
    /// call: a retry after a lost answer sends the account's owner that notice, nothing more.
    pub fn sign_up_doctor(
        &self,
        request: &DoctorSignUp,
    ) -> Result<SignUpReceived, SyncClientError> {
        self.post_json("/v1/accounts/doctors", request)
    }

    /// Activates an account with the token of its activation e-mail (`POST /v1/accounts/activate`);
    /// `password` only for accounts created without one (invited members).
    pub fn activate(&self, token: &str, password: Option<&str>) -> Result<(), SyncClientError> {
        let body = Activate {
            token: token.to_owned(),
            password: password.map(str::to_owned),
        };
        self.call(
            self.path_post("/v1/accounts/activate"),
            Some(&encode(&body)?),
        )
        .map(|_| ())
    }

    /// Asks for a reset link for `email` (`POST /v1/auth/lost-password`): the answer is the same
    /// whether the address has an account (no enumeration); nothing is revoked until the reset is done.
    pub fn lost_password(&self, email: &str) -> Result<(), SyncClientError> {
        let body = rempla_core::api::accounts::LostPassword {
            email: email.to_owned(),
        };
        self.call(
            self.path_post("/v1/auth/lost-password"),
            Some(&encode(&body)?),
        )
        .map(|_| ())
    }

    /// The devices signed in to the account (`GET /v1/me/devices`).
    pub fn devices(&self) -> Result<rempla_core::api::accounts::DeviceList, SyncClientError> {
        self.get_json("/v1/me/devices")
    }

    /// Signs another device out (`DELETE /v1/me/devices/{device_id}`).
    pub fn sign_out_device(&self, device: uuid::Uuid) -> Result<(), SyncClientError> {
        self.delete(&format!("/v1/me/devices/{device}"))
    }

    /// Changes the password with the current one (`POST /v1/me/password`): every other session ends.
    pub fn change_password(
        &self,
        current: &str,
        new: &str,
    ) -> Result<rempla_core::api::accounts::PasswordChanged, SyncClientError> {
        self.post_json(
            "/v1/me/password",
            &rempla_core::api::accounts::ChangePassword {
                current_password: current.to_owned(),
                new_password: new.to_owned(),
            },
        )
    }

    /// Revokes this device's token on the server.
    pub fn logout(&self) -> Result<(), SyncClientError> {
        self.call(self.path_post("/v1/auth/logout"), Some(b"{}"))
            .map(|_| ())
    }

    /// The caller's account (`GET /v1/me`); also proves the token is valid.
    pub fn me(&self) -> Result<rempla_core::api::accounts::Me, SyncClientError> {
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
        self.call(
            self.path_post("/v1/terms/accept"),
            Some(&encode(&AcceptTerms::from(terms))?),
        )
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

    /// `GET` of a JSON endpoint of the API, decoded into its answer type, with the same retries and error
    /// mapping as the sync calls (the typed calls of [`crate::facility`], [`crate::doctor`]… use it).
    pub(crate) fn get_json<R: DeserializeOwned>(&self, path: &str) -> Result<R, SyncClientError> {
        let bytes = self.call(self.path_get(path), None)?;
        decode_answer(&bytes)
    }

    /// `PUT` of a JSON body, the answer decoded into its type (an empty answer reads as `null`).
    pub(crate) fn put_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, SyncClientError> {
        let bytes = self.call(self.at(Method::Put, path), Some(&encode(body)?))?;
        decode_answer(&bytes)
    }

    /// `DELETE` of any endpoint of the API (a 204 is the usual answer).
    pub fn delete(&self, path: &str) -> Result<(), SyncClientError> {
        self.call(self.at(Method::Delete, path), None).map(|_| ())
    }

    /// `DELETE` with a JSON body (`DELETE /v1/me` re-checks the password).
    pub fn delete_with_body<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<(), SyncClientError> {
        self.call(self.at(Method::Delete, path), Some(&encode(body)?))
            .map(|_| ())
    }

    /// `GET` of a long binary answer (the privacy export) written into `out` as it arrives, so memory
    /// stays bounded whatever its size. Not retried: a download cut short is an error (the caller writes
    /// to a temporary file and keeps nothing of it). Returns the bytes written.
    pub fn download(
        &self,
        path: &str,
        out: &mut dyn std::io::Write,
    ) -> Result<u64, SyncClientError> {
        let response = self
            .open_stream(path)
            .map_err(|e| SyncClientError::Offline {
                reason: e.to_string(),
            })?;
        let mut body = response.body;
        if !(200..300).contains(&response.status) {
            let mut refusal = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(&mut body, 64 * 1024),
                &mut refusal,
            )
            .map_err(|e| SyncClientError::Offline {
                reason: e.to_string(),
            })?;
            let answer = HttpResponse {
                status: response.status,
                retry_after: None,
                body: refusal,
            };
            return Err(match classify(Ok(answer)) {
                Ok(_) => SyncClientError::Protocol {
                    reason: "réponse inattendue".to_owned(),
                },
                Err(Attempt::Fatal(e)) => e,
                Err(Attempt::Retry { status, reason, .. }) => match status {
                    Some(status) => SyncClientError::ServerUnavailable { status },
                    None => SyncClientError::Offline { reason },
                },
            });
        }
        std::io::copy(&mut body, out).map_err(|e| SyncClientError::Offline {
            reason: format!("téléchargement interrompu : {e}"),
        })
    }

    /// `GET` of a binary endpoint (a document): the body as received, after the same retries and error
    /// mapping as the JSON calls.
    pub fn get_bytes(&self, path: &str) -> Result<Vec<u8>, SyncClientError> {
        self.call(self.path_get(path), None)
    }

    /// Sends a pre-encoded push body (the engine measures the body size before sending).
    pub(crate) fn push_encoded(&self, body: &[u8]) -> Result<PushResponse, SyncClientError> {
        let bytes = self.call(self.path_post("/v1/sync/push"), Some(body))?;
        decode(&bytes)
    }

    /// `POST` of a JSON body, the answer decoded into its type (an empty answer reads as `null`).
    pub(crate) fn post_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, SyncClientError> {
        let bytes = self.call(self.path_post(path), Some(&encode(body)?))?;
        decode_answer(&bytes)
    }

    fn path_post(&self, path: &str) -> (Method, String) {
        self.at(Method::Post, path)
    }

    fn path_get(&self, path: &str) -> (Method, String) {
        self.at(Method::Get, path)
    }

    /// A method and the full URL of an API path, as [`Self::call`] takes them.
    fn at(&self, method: Method, path: &str) -> (Method, String) {
        (method, format!("{}{path}", self.base))
    }

    /// One request with retries; returns the body of a 2xx answer.
    fn call(&self, at: (Method, String), body: Option<&[u8]>) -> Result<Vec<u8>, SyncClientError> {
        self.call_typed(at, body, None)
    }

    /// `PATCH` of a JSON body, the answer decoded into its type.
    pub(crate) fn patch_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, SyncClientError> {
        let bytes = self.call(self.at(Method::Patch, path), Some(&encode(body)?))?;
        decode_answer(&bytes)
    }

    /// `POST` of raw bytes of `media_type` (a document), the answer decoded into its type. Retried like
    /// every call: a retry after a lost answer may store the file twice (the vault lists both).
    pub(crate) fn post_bytes<R: DeserializeOwned>(
        &self,
        path: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<R, SyncClientError> {
        let answer = self.call_typed(self.path_post(path), Some(bytes), Some(media_type))?;
        decode_answer(&answer)
    }

    /// [`Self::call`] with the body's media type when it is not JSON.
    fn call_typed(
        &self,
        (method, url): (Method, String),
        body: Option<&[u8]>,
        content_type: Option<&str>,
    ) -> Result<Vec<u8>, SyncClientError> {
        let request = HttpRequest {
            method,
            url,
            bearer: self.token.clone(),
            body: body.map(<[u8]>::to_vec),
            content_type: content_type.map(str::to_owned),
        };
        let mut retries = 0u32;
        loop {
            match classify(self.transport.send(&request)) {
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
                    tracing::debug!(url = %request.url, retries, ?status, %reason, ?wait, "retrying");
                    std::thread::sleep(wait);
                }
            }
        }
    }
}

/// What one answer means: its body (2xx), worth another attempt (no answer, overload), or final.
fn classify(answer: Result<HttpResponse, TransportError>) -> Result<Vec<u8>, Attempt> {
    // A connection cut in the middle of the answer: the request may have been applied, so it is retried
    // (a push replay is harmless: ops are idempotent by op id).
    let answer = answer.map_err(|e| Attempt::Retry {
        reason: e.to_string(),
        status: None,
        retry_after: None,
    })?;
    let code = answer.status;
    if (200..300).contains(&code) {
        return Ok(answer.body);
    }
    if is_retryable_status(code) {
        return Err(Attempt::Retry {
            reason: format!("HTTP {code}"),
            status: Some(code),
            retry_after: answer.retry_after,
        });
    }
    let api: Option<ApiError> = serde_json::from_slice(&answer.body).ok();
    Err(Attempt::Fatal(match (code, api) {
        (401, Some(e)) if e.error_code() == ErrorCode::TokenRevoked => {
            SyncClientError::TokenRevoked
        }
        // Wrong credentials at sign-in are a refusal to show, not a lost session.
        (401, Some(e)) if e.error_code() == ErrorCode::InvalidCredentials => {
            SyncClientError::rejected(e)
        }
        (401, _) => SyncClientError::Unauthorized,
        (500..=599, _) => SyncClientError::ServerUnavailable { status: code },
        (_, Some(e)) => SyncClientError::rejected(e),
        (_, None) => SyncClientError::ServerRejected {
            code: format!("http_{code}"),
            detail: None,
            message: String::from_utf8_lossy(&answer.body)
                .chars()
                .take(200)
                .collect(),
        },
    }))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, SyncClientError> {
    serde_json::to_vec(value).map_err(|e| SyncClientError::Protocol {
        reason: format!("encodage : {e}"),
    })
}

/// An answer that may be empty (204) decoded as `null`, else the decoded JSON; a shape the client does
/// not know is a protocol error.
fn decode_answer<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SyncClientError> {
    decode(if bytes.is_empty() { b"null" } else { bytes })
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
            client
                .put_json::<_, serde_json::Value>("/v1/x/1", &body)
                .unwrap(),
            serde_json::json!({"ok": true})
        );
        assert_eq!(
            client
                .put_json::<_, serde_json::Value>("/v1/x/1", &body)
                .unwrap(),
            serde_json::Value::Null
        );
        let refused = client.delete("/v1/x/2").unwrap_err();
        assert_eq!(refused.server_code(), "last_admin");
        assert_eq!(
            server.join().unwrap(),
            [
                "PUT /v1/x/1 HTTP/1.1 {\"role\":\"viewer\"}",
                "PUT /v1/x/1 HTTP/1.1 {\"role\":\"viewer\"}",
                "DELETE /v1/x/2 HTTP/1.1 "
            ]
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        use rempla_core::domain::DeviceId;
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
