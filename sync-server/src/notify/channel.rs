//! The one trait every delivery channel implements, what it sends, where, and how it fails.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::outbound::OutboundError;

/// The future of one send.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// The message as every channel renders it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    /// The notice (and inbox notification) id, so the app opens the right message.
    pub notice_id: String,
    /// Notice kind (`proposal_received`…).
    pub kind: String,
    /// French title.
    pub title: String,
    /// French body.
    pub body: String,
    /// Ids the app needs; never contact details.
    pub payload: Value,
    /// High priority (deadline within hours).
    pub urgent: bool,
    /// Server time of the send, Unix ms (token lifetimes, TTLs).
    pub now_ms: i64,
}

/// Where one delivery goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An e-mail address, with the name used in the greeting.
    Email {
        /// Address.
        address: String,
        /// Greeting name.
        name: String,
    },
    /// A Web Push / UnifiedPush subscription.
    WebPush {
        /// Push service URL.
        endpoint: String,
        /// The user agent's P-256 public point (65 bytes, uncompressed).
        p256dh: Vec<u8>,
        /// The 16-byte authentication secret.
        auth: Vec<u8>,
    },
    /// A Firebase registration token.
    Fcm {
        /// Registration token.
        token: String,
    },
    /// An APNs device token.
    Apns {
        /// Hex device token.
        token: String,
        /// App bundle id (`apns-topic`); the configured default when `None`.
        topic: Option<String>,
    },
    /// A phone number, and the name the text is sent under.
    Sms {
        /// E.164 number.
        phone: String,
        /// Facility name (or "Rempla"): put in the text.
        sender: String,
    },
}

/// What to do after a failed send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    /// Try again later (network, 429, 5xx); `after_ms` from `Retry-After` when given.
    Retry {
        /// Delay the service asked for, ms.
        after_ms: Option<i64>,
    },
    /// Never retry this delivery (refused message, bad configuration).
    Permanent,
    /// The push target no longer exists: remove it and stop.
    Unregistered,
}

/// A failed send: a stable code, a message kept with the delivery, and what to do next.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code} : {message}")]
pub struct SendError {
    /// Stable snake_case code (`http_503`, `unregistered`, `network`…).
    pub code: String,
    /// Detail, never a secret.
    pub message: String,
    /// Retry, give up, or drop the target.
    pub kind: FailKind,
}

impl SendError {
    /// A failure that will not get better by retrying.
    pub fn permanent(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            kind: FailKind::Permanent,
        }
    }

    /// A failure worth retrying.
    pub fn retry(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            kind: FailKind::Retry { after_ms: None },
        }
    }

    /// A gone push target.
    pub fn unregistered(message: impl Into<String>) -> Self {
        Self {
            code: "unregistered".to_owned(),
            message: message.into(),
            kind: FailKind::Unregistered,
        }
    }

    /// A transport failure (connection refused, timeout): retried; a destination the outbound guard
    /// refused at connect time (a name now resolving to a private address) is permanent.
    #[allow(clippy::needless_pass_by_value)] // used as `map_err(SendError::network)`
    pub fn network(e: reqwest::Error) -> Self {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<OutboundError>() {
                return Self::permanent(refused.code(), refused.to_string());
            }
            source = cause.source();
        }
        Self::retry("network", e.to_string())
    }

    /// A destination the outbound guard refuses.
    pub fn refused(e: &OutboundError) -> Self {
        Self::permanent(e.code(), e.to_string())
    }

    /// Maps an HTTP answer: success passes; 408, 429 and 5xx are retried (honouring `Retry-After`
    /// seconds); other statuses (redirects included: none is followed) are permanent. Only the status is
    /// kept, never the body: for a user-chosen endpoint it could be anything the endpoint's owner wants
    /// the server to fetch and show back (an SSRF read primitive).
    pub fn check_status(
        response: reqwest::Response,
        service: &str,
    ) -> Result<reqwest::Response, Self> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        Err(Self::failure(status, response.headers(), service, None))
    }

    /// [`Self::check_status`] for an operator-configured service (FCM, APNs) whose error bodies name a
    /// reason (`UNREGISTERED`, `BadDeviceToken`): that one word is kept, nothing else of the body.
    pub async fn check_status_reason(
        response: reqwest::Response,
        service: &str,
    ) -> Result<reqwest::Response, Self> {
        if response.status().is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let status = response.status();
        let body = response.bytes().await.unwrap_or_default();
        let reason = error_reason(&body);
        Err(Self::failure(status, &headers, service, reason.as_deref()))
    }

    fn failure(
        status: reqwest::StatusCode,
        headers: &reqwest::header::HeaderMap,
        service: &str,
        reason: Option<&str>,
    ) -> Self {
        let after_ms = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|s| s.saturating_mul(1000));
        let message = match reason {
            Some(reason) => format!("{service} a répondu {} ({reason})", status.as_u16()),
            None => format!("{service} a répondu {}", status.as_u16()),
        };
        let retry = status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT;
        Self {
            code: format!("http_{}", status.as_u16()),
            message,
            kind: if retry {
                FailKind::Retry { after_ms }
            } else {
                FailKind::Permanent
            },
        }
    }
}

/// The reason word of an FCM (`error.details[].errorCode`, else `error.status`) or APNs (`reason`)
/// error body, when it is a plain identifier.
fn error_reason(body: &[u8]) -> Option<String> {
    let doc: Value = serde_json::from_slice(body.get(..body.len().min(16 * 1024))?).ok()?;
    let fcm_detail = doc["error"]["details"]
        .as_array()
        .and_then(|d| d.iter().find_map(|x| x["errorCode"].as_str()));
    let word = fcm_detail
        .or_else(|| doc["error"]["status"].as_str())
        .or_else(|| doc["reason"].as_str())?;
    let plain = !word.is_empty()
        && word.len() <= 40
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    plain.then(|| word.to_owned())
}

/// One way of reaching a user (e-mail, a push service, SMS). Implementations hold a real client whose
/// base URL comes from the configuration, so tests point them at local servers.
pub trait Channel: Send + Sync {
    /// Sends `message` to `to`; a destination of another channel is a permanent failure.
    fn send<'a>(&'a self, to: &'a Destination, message: &'a Outgoing) -> SendFuture<'a>;
}

/// The permanent failure of a channel handed a destination it does not serve.
pub fn wrong_destination() -> SendError {
    SendError::permanent("wrong_destination", "destination d'un autre canal")
}
