//! The push channels: Web Push / UnifiedPush (RFC 8030 delivery, RFC 8291 encryption, RFC 8292
//! VAPID), Firebase Cloud Messaging HTTP v1 (OAuth 2 service-account assertion), and APNs over HTTP/2
//! (ES256 provider token). Each is a real HTTP client whose base URL comes from the configuration.

use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::channel::{
    Channel, Destination, FailKind, Outgoing, SendError, SendFuture, wrong_destination,
};
use super::crypto::{self, Es256Key, Rs256Key};
use crate::outbound::OutboundPolicy;

/// The JSON every push carries (Web Push plaintext; FCM data; APNs custom keys): enough for the app to
/// show the message and open the right screen. The body is dropped if the whole would not fit.
pub fn push_document(message: &Outgoing) -> Value {
    let doc = json!({
        "id": message.notice_id,
        "kind": message.kind,
        "title": message.title,
        "body": message.body,
        "payload": message.payload,
    });
    if doc.to_string().len() > 3000 {
        return json!({"id": message.notice_id, "kind": message.kind, "title": message.title,
                      "body": "", "payload": message.payload});
    }
    doc
}

fn client(timeout_secs: u64) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(timeout_secs))
        .build()
}

/// Web Push / UnifiedPush: the push service URL comes with each subscription.
#[derive(Debug)]
pub struct WebPushChannel {
    client: reqwest::Client,
    policy: OutboundPolicy,
    vapid: Es256Key,
    subject: String,
}

impl WebPushChannel {
    /// A channel signing with `vapid` and announcing `subject` (`mailto:` or `https:` contact). The
    /// endpoints are the users' choice: every send goes through `policy`'s guarded client.
    pub fn new(
        vapid: Es256Key,
        subject: &str,
        policy: OutboundPolicy,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: policy.client(Duration::from_secs(20))?,
            policy,
            vapid,
            subject: subject.to_owned(),
        })
    }

    /// The application server key web clients subscribe with (base64url, 65-byte point).
    pub fn public_key(&self) -> String {
        crypto::b64url(self.vapid.public_key())
    }

    /// The RFC 8292 `Authorization` header for an endpoint: a JWT for its origin, valid 12 hours.
    pub fn authorization(&self, endpoint: &str, now_ms: i64) -> Result<String, SendError> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| SendError::permanent("bad_endpoint", e.to_string()))?;
        let audience = url.origin().ascii_serialization();
        let jwt = self
            .vapid
            .jwt(
                &json!({"typ": "JWT", "alg": "ES256"}),
                &json!({"aud": audience, "exp": now_ms / 1000 + 12 * 3600, "sub": self.subject}),
            )
            .map_err(|e| SendError::permanent("vapid", e.to_string()))?;
        Ok(format!("vapid t={jwt}, k={}", self.public_key()))
    }
}

impl Channel for WebPushChannel {
    fn send<'a>(&'a self, to: &'a Destination, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let Destination::WebPush {
                endpoint,
                p256dh,
                auth,
            } = to
            else {
                return Err(wrong_destination());
            };
            // IP literals never reach the guarded resolver: check the URL again before each send
            // (the registration-time check predates any change of policy).
            self.policy
                .check_url(endpoint)
                .map_err(|e| SendError::refused(&e))?;
            let plaintext = push_document(message).to_string();
            let body = crypto::webpush_encrypt(plaintext.as_bytes(), p256dh, auth)
                .map_err(|e| SendError::permanent("encryption", e.to_string()))?;
            let response = self
                .client
                .post(endpoint)
                .header("TTL", "86400")
                .header("Content-Encoding", "aes128gcm")
                .header("Content-Type", "application/octet-stream")
                .header("Urgency", if message.urgent { "high" } else { "normal" })
                .header("Topic", topic_of(&message.notice_id))
                .header(
                    "Authorization",
                    self.authorization(endpoint, message.now_ms)?,
                )
                .body(body)
                .send()
                .await
                .map_err(SendError::network)?;
            let status = response.status().as_u16();
            if status == 404 || status == 410 {
                return Err(SendError::unregistered(format!(
                    "abonnement Web Push expiré ({status})"
                )));
            }
            SendError::check_status(response, "service Web Push").map(|_| ())
        })
    }
}

/// RFC 8030 `Topic`: at most 32 URL-safe characters; a replaced message with the same topic is
/// collapsed by the push service.
fn topic_of(notice_id: &str) -> String {
    notice_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect()
}

/// The fields of a Google service-account JSON file that FCM needs.
#[derive(Clone, Debug, Deserialize)]
pub struct ServiceAccount {
    /// Firebase project id.
    pub project_id: String,
    /// PKCS#8 PEM RSA key.
    pub private_key: String,
    /// Key id (JWT `kid`).
    #[serde(default)]
    pub private_key_id: String,
    /// The account's e-mail (JWT `iss`).
    pub client_email: String,
    /// OAuth 2 token endpoint (JWT `aud`).
    pub token_uri: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: i64,
}

/// FCM HTTP v1 with an OAuth 2 access token obtained from a signed service-account assertion.
#[derive(Debug)]
pub struct FcmChannel {
    client: reqwest::Client,
    account: ServiceAccount,
    key: Rs256Key,
    base_url: String,
    /// The access token and its expiry; held across a refresh so concurrent sends fetch it once.
    token: tokio::sync::Mutex<Option<(String, i64)>>,
}

/// The OAuth 2 scope of FCM sends.
pub const FCM_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

impl FcmChannel {
    /// A channel for the service account, sending to `base_url` (`https://fcm.googleapis.com`).
    pub fn new(account: ServiceAccount, base_url: &str) -> Result<Self, String> {
        let key = Rs256Key::from_pem(&account.private_key).map_err(|e| e.to_string())?;
        Ok(Self {
            client: client(20).map_err(|e| e.to_string())?,
            account,
            key,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: tokio::sync::Mutex::new(None),
        })
    }

    async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    /// An access token, from the cache or the token endpoint (RFC 7523 JWT bearer grant).
    async fn access_token(&self, now_ms: i64) -> Result<String, SendError> {
        let mut cached = self.token.lock().await;
        if let Some((t, expires)) = cached.as_ref()
            && *expires > now_ms + 60_000
        {
            return Ok(t.clone());
        }
        let iat = now_ms / 1000;
        let assertion = self
            .key
            .jwt(
                &json!({"alg": "RS256", "typ": "JWT", "kid": self.account.private_key_id}),
                &json!({"iss": self.account.client_email, "scope": FCM_SCOPE,
                        "aud": self.account.token_uri, "iat": iat, "exp": iat + 3600}),
            )
            .map_err(|e| SendError::permanent("fcm_key", e.to_string()))?;
        // A JWS is base64url and dots: nothing to escape in the form body.
        let body = format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
        );
        let response = self
            .client
            .post(&self.account.token_uri)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(SendError::network)?;
        let response = SendError::check_status_reason(response, "jeton OAuth FCM").await?;
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|e| SendError::retry("fcm_token", e.to_string()))?;
        *cached = Some((
            answer.access_token.clone(),
            now_ms + answer.expires_in.saturating_mul(1000),
        ));
        Ok(answer.access_token)
    }
}

impl Channel for FcmChannel {
    fn send<'a>(&'a self, to: &'a Destination, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let Destination::Fcm { token } = to else {
                return Err(wrong_destination());
            };
            let access = self.access_token(message.now_ms).await?;
            let doc = push_document(message);
            let body = json!({"message": {
                "token": token,
                "notification": {"title": message.title, "body": doc["body"]},
                "data": {"id": message.notice_id, "kind": message.kind,
                         "payload": message.payload.to_string()},
                "android": {"priority": if message.urgent { "high" } else { "normal" }},
            }});
            let response = self
                .client
                .post(format!(
                    "{}/v1/projects/{}/messages:send",
                    self.base_url, self.account.project_id
                ))
                .bearer_auth(access)
                .json(&body)
                .send()
                .await
                .map_err(SendError::network)?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            if status == reqwest::StatusCode::UNAUTHORIZED {
                self.forget_token().await;
                return Err(SendError::retry(
                    "fcm_auth",
                    "jeton OAuth refusé : renouvelé",
                ));
            }
            let Err(mut error) = SendError::check_status_reason(response, "FCM").await else {
                return Ok(());
            };
            // google.firebase.fcm.v1.FcmError: UNREGISTERED (404) means the app was uninstalled.
            if error.message.contains("UNREGISTERED")
                || (status == reqwest::StatusCode::NOT_FOUND && error.kind == FailKind::Permanent)
            {
                error = SendError::unregistered(error.message);
            }
            Err(error)
        })
    }
}

/// APNs over HTTP/2 with a provider token.
#[derive(Debug)]
pub struct ApnsChannel {
    client: reqwest::Client,
    key: Es256Key,
    key_id: String,
    team_id: String,
    base_url: String,
    default_topic: String,
    token: Mutex<Option<(String, i64)>>,
}

/// Settings of [`ApnsChannel`].
#[derive(Debug)]
pub struct ApnsSettings {
    /// Provider key.
    pub key: Es256Key,
    /// Key id.
    pub key_id: String,
    /// Team id.
    pub team_id: String,
    /// Base URL.
    pub base_url: String,
    /// Default `apns-topic`.
    pub default_topic: String,
    /// Extra trusted root (PEM), for a local test CA.
    pub extra_root_pem: Option<Vec<u8>>,
}

impl ApnsChannel {
    /// An HTTP/2-only client (APNs speaks nothing else): ALPN `h2` over TLS, prior knowledge over a
    /// plain loopback connection.
    pub fn new(settings: ApnsSettings) -> Result<Self, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .http2_prior_knowledge();
        if let Some(pem) = &settings.extra_root_pem {
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
        }
        Ok(Self {
            client: builder.build()?,
            key: settings.key,
            key_id: settings.key_id,
            team_id: settings.team_id,
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            default_topic: settings.default_topic,
            token: Mutex::new(None),
        })
    }

    /// The provider token, reused for 50 minutes (Apple refuses refreshes more often than every 20
    /// minutes and tokens older than an hour).
    fn provider_token(&self, now_ms: i64) -> Result<String, SendError> {
        if let Ok(guard) = self.token.lock()
            && let Some((t, made)) = guard.as_ref()
            && now_ms - made < 50 * 60_000
            && now_ms >= *made
        {
            return Ok(t.clone());
        }
        let jwt = self
            .key
            .jwt(
                &json!({"alg": "ES256", "kid": self.key_id}),
                &json!({"iss": self.team_id, "iat": now_ms / 1000}),
            )
            .map_err(|e| SendError::permanent("apns_key", e.to_string()))?;
        if let Ok(mut guard) = self.token.lock() {
            *guard = Some((jwt.clone(), now_ms));
        }
        Ok(jwt)
    }
}

impl Channel for ApnsChannel {
    fn send<'a>(&'a self, to: &'a Destination, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let Destination::Apns { token, topic } = to else {
                return Err(wrong_destination());
            };
            let doc = push_document(message);
            let body = json!({
                "aps": {"alert": {"title": message.title, "body": doc["body"]}, "sound": "default"},
                "id": message.notice_id,
                "kind": message.kind,
                "payload": message.payload,
            });
            let response = self
                .client
                .post(format!("{}/3/device/{token}", self.base_url))
                .header(
                    "authorization",
                    format!("bearer {}", self.provider_token(message.now_ms)?),
                )
                .header(
                    "apns-topic",
                    topic.as_deref().unwrap_or(&self.default_topic),
                )
                .header("apns-push-type", "alert")
                .header("apns-priority", if message.urgent { "10" } else { "5" })
                .header(
                    "apns-expiration",
                    (message.now_ms / 1000 + 86_400).to_string(),
                )
                .json(&body)
                .send()
                .await
                .map_err(SendError::network)?;
            let status = response.status();
            if status == reqwest::StatusCode::GONE {
                return Err(SendError::unregistered("APNs : appareil désinscrit (410)"));
            }
            let result = SendError::check_status_reason(response, "APNs")
                .await
                .map(|_| ());
            match result {
                Err(e)
                    if status == reqwest::StatusCode::BAD_REQUEST
                        && e.message.contains("BadDeviceToken") =>
                {
                    Err(SendError::unregistered(e.message))
                }
                Err(e) if status == reqwest::StatusCode::FORBIDDEN => {
                    if let Ok(mut guard) = self.token.lock() {
                        *guard = None;
                    }
                    Err(e)
                }
                other => other,
            }
        })
    }
}
