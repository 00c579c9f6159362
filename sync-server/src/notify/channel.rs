//! The one trait every delivery channel implements, what it sends, where, and how it fails.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

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

    /// A transport failure (connection refused, timeout): retried.
    #[allow(clippy::needless_pass_by_value)] // used as `map_err(SendError::network)`
    pub fn network(e: reqwest::Error) -> Self {
        Self::retry("network", e.to_string())
    }

    /// Maps an HTTP answer: success passes; 408, 429 and 5xx are retried (honouring `Retry-After`
    /// seconds); other statuses are permanent, with up to 300 bytes of the body kept for the record.
    pub async fn check_status(
        response: reqwest::Response,
        service: &str,
    ) -> Result<reqwest::Response, Self> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let after_ms = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|s| s.saturating_mul(1000));
        let body = response.text().await.unwrap_or_default();
        let message = format!(
            "{service} a répondu {status} : {}",
            body.chars().take(300).collect::<String>()
        );
        let code = format!("http_{}", status.as_u16());
        let retry = status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT;
        Err(Self {
            code,
            message,
            kind: if retry {
                FailKind::Retry { after_ms }
            } else {
                FailKind::Permanent
            },
        })
    }
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
