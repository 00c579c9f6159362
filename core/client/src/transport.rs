//! The one seam between the typed API and the network: [`Transport`] sends one HTTP request and returns
//! the whole answer, nothing more. Retries, error mapping and the meaning of statuses stay in
//! [`crate::http::ApiClient`], so a test, a simulated network or another platform's HTTP stack plugs in
//! here without forking any of that.
//!
//! [`ReqwestTransport`] is the real one: blocking `reqwest` with rustls only (no OpenSSL on phones). It is
//! blocking by design: the FFI exposes synchronous functions only (no `async` across uniffi) and the CLI is
//! synchronous; `reqwest::blocking` runs its own small runtime on a background thread, so call it from a
//! plain thread, never from inside a tokio runtime.

use std::fmt;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
    /// `PATCH` (field-level corrections: `PATCH /v1/me/profile`).
    Patch,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
            Self::Patch => "PATCH",
        }
    }
}

/// One request: method, full URL, the bearer token if signed in, and a JSON body if any.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL (server address + API path).
    pub url: String,
    /// The device token, sent as `Authorization: Bearer` (secret: never logged).
    pub bearer: Option<String>,
    /// The body: JSON unless `content_type` says otherwise.
    pub body: Option<Vec<u8>>,
    /// The body's media type when it is not JSON (a document's raw bytes: `application/pdf`…).
    pub content_type: Option<String>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("signed_in", &self.bearer.is_some())
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// One whole answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The server's `Retry-After`, in seconds, when it sent one.
    pub retry_after: Option<Duration>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why no whole answer arrived. Either way the request may or may not have reached the server, so the
/// caller may only retry requests that are safe to replay (every API call is: ops are idempotent by id).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No connection, a timeout, or a refused TLS handshake.
    #[error("{0}")]
    Unreachable(String),
    /// The connection broke in the middle of the answer (or the answer is shorter than announced).
    #[error("réponse interrompue : {0}")]
    Interrupted(String),
}

/// An answer read as it arrives (the live-events stream): its status and its body as a reader.
pub struct StreamingResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, read line by line by the caller until the server or the network ends it.
    pub body: Box<dyn std::io::BufRead + Send>,
}

impl fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Sends one request and returns the whole answer.
pub trait Transport: Send + Sync {
    /// Sends `request`; any status is an `Ok` answer, only a missing or broken answer is an error.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Opens a long answer read as it arrives, with no overall time limit (`GET /v1/events`). A
    /// transport without streaming says so with [`TransportError::Unreachable`].
    fn open_stream(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        let _ = request;
        Err(TransportError::Unreachable(
            "ce transport ne lit pas de flux".to_owned(),
        ))
    }
}

/// Timeouts of the real transport.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Longest wait for a TCP/TLS connection.
    pub connect: Duration,
    /// Longest wait for a whole request and its answer.
    pub request: Duration,
}

/// The real transport: blocking `reqwest` over rustls.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: Client,
    /// The same settings without the overall request timeout, for streams.
    streaming: Client,
}

impl ReqwestTransport {
    /// A transport with these timeouts; fails only if the TLS stack cannot be set up.
    pub fn new(timeouts: Timeouts) -> Result<Self, TransportError> {
        let http = Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .user_agent(concat!("rempla-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Unreachable(format!("client HTTP : {e}")))?;
        let streaming = Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(None)
            .user_agent(concat!("rempla-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Unreachable(format!("client HTTP : {e}")))?;
        Ok(Self { http, streaming })
    }

    fn builder(client: &Client, request: &HttpRequest) -> reqwest::blocking::RequestBuilder {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
        };
        let mut builder = client.request(method, &request.url);
        if let Some(body) = &request.body {
            let media_type = request
                .content_type
                .as_deref()
                .unwrap_or("application/json");
            builder = builder.header(CONTENT_TYPE, media_type).body(body.clone());
        }
        if let Some(token) = &request.bearer {
            builder = builder.bearer_auth(token);
        }
        builder
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = Self::builder(&self.http, request)
            .send()
            .map_err(|e| TransportError::Unreachable(reason(&e)))?;
        let status = response.status().as_u16();
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
        let body = response
            .bytes()
            .map_err(|e| TransportError::Interrupted(reason(&e)))?;
        if announced.is_some_and(|n| n != body.len()) {
            return Err(TransportError::Interrupted("réponse tronquée".to_owned()));
        }
        Ok(HttpResponse {
            status,
            retry_after,
            body: body.to_vec(),
        })
    }

    fn open_stream(&self, request: &HttpRequest) -> Result<StreamingResponse, TransportError> {
        let response = Self::builder(&self.streaming, request)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .map_err(|e| TransportError::Unreachable(reason(&e)))?;
        Ok(StreamingResponse {
            status: response.status().as_u16(),
            body: Box::new(std::io::BufReader::new(response)),
        })
    }
}

/// A transport error in words, without anything secret (reqwest errors name the URL, never headers).
pub(crate) fn reason(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connexion impossible"
    } else if e.is_timeout() {
        "délai dépassé"
    } else {
        "échange interrompu"
    };
    format!("{kind} ({e})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_never_show_their_token() {
        let request = HttpRequest {
            method: Method::Post,
            url: "https://sync.rempla.fr/v1/sync/push".into(),
            bearer: Some("tok-secret".into()),
            body: Some(b"{}".to_vec()),
            content_type: None,
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("tok-secret"));
        assert!(shown.contains("signed_in: true"));
        assert_eq!(Method::Delete.as_str(), "DELETE");
    }

    #[test]
    fn an_unreachable_server_is_a_transport_error_not_a_panic() {
        let transport = ReqwestTransport::new(Timeouts {
            connect: Duration::from_millis(200),
            request: Duration::from_millis(500),
        })
        .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let answer = transport.send(&HttpRequest {
            method: Method::Get,
            url: format!("http://127.0.0.1:{port}/v1/health"),
            bearer: None,
            body: None,
            content_type: None,
        });
        assert!(
            matches!(answer, Err(TransportError::Unreachable(_))),
            "{answer:?}"
        );
    }
}
