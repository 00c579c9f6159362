//! [`Channels`]: the notification channels of one instance (e-mail, push services, SMS gateway), built
//! once from the configuration and held in the shared state; a missing one makes its deliveries fail
//! with `channel_unconfigured`.

use std::sync::Arc;

use super::channel::{Channel, Destination, Outgoing, SendFuture, wrong_destination};
use super::crypto;
use super::email::EmailChannel;
use super::push::{ApnsChannel, ApnsSettings, FcmChannel, ServiceAccount, WebPushChannel};
use super::sms::{HttpSmsGateway, SmsGateway, compose};
use crate::config::{Config, NotifyConfig};
use crate::mail::Mailer;

/// The SMS channel: composes the text (sender's name first) and hands it to the gateway.
pub struct SmsChannel {
    gateway: Arc<dyn SmsGateway>,
}

impl SmsChannel {
    /// Over a gateway.
    pub fn new(gateway: Arc<dyn SmsGateway>) -> Self {
        Self { gateway }
    }
}

impl Channel for SmsChannel {
    fn send<'a>(&'a self, to: &'a Destination, message: &'a Outgoing) -> SendFuture<'a> {
        Box::pin(async move {
            let Destination::Sms { phone, sender } = to else {
                return Err(wrong_destination());
            };
            let text = compose(sender, &message.title, &message.body);
            self.gateway
                .send(phone, sender, &text, &message.notice_id)
                .await
        })
    }
}

/// The configured channels; a missing one makes its deliveries fail with `channel_unconfigured`.
#[derive(Default)]
pub struct Channels {
    /// E-mail.
    pub email: Option<Arc<dyn Channel>>,
    /// Web Push (kept concrete for its public key).
    pub webpush: Option<Arc<WebPushChannel>>,
    /// FCM.
    pub fcm: Option<Arc<dyn Channel>>,
    /// APNs.
    pub apns: Option<Arc<dyn Channel>>,
    /// SMS.
    pub sms: Option<Arc<dyn Channel>>,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("email", &self.email.is_some())
            .field("webpush", &self.webpush.is_some())
            .field("fcm", &self.fcm.is_some())
            .field("apns", &self.apns.is_some())
            .field("sms", &self.sms.is_some())
            .finish()
    }
}

/// Reads a secret file (service keys), trimmed of nothing: callers decide.
pub(crate) fn read_secret(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{} : {e}", path.display()))
}

impl Channels {
    /// Builds every channel the configuration enables. A key file that cannot be used is logged and
    /// leaves its channel off (the server still starts; deliveries show `channel_unconfigured`).
    pub fn from_config(config: &Config, mailer: Arc<dyn Mailer>) -> Self {
        let n: &NotifyConfig = &config.notify;
        let warn = |channel: &str, e: String| {
            tracing::error!(channel, error = %e, "notification channel disabled");
        };
        let mut channels = Self {
            email: Some(Arc::new(EmailChannel::new(mailer, &config.public_url))),
            ..Self::default()
        };
        if let Some(path) = &n.vapid_key_file {
            match read_secret(path)
                .and_then(|pem| crypto::Es256Key::from_pem(&pem).map_err(|e| e.0))
                .and_then(|key| {
                    WebPushChannel::new(key, &n.vapid_subject, n.outbound_policy())
                        .map_err(|e| e.to_string())
                }) {
                Ok(c) => channels.webpush = Some(Arc::new(c)),
                Err(e) => warn("webpush", e),
            }
        }
        if let Some(path) = &n.fcm_service_account_file {
            match read_secret(path)
                .and_then(|t| serde_json::from_str::<ServiceAccount>(&t).map_err(|e| e.to_string()))
                .and_then(|a| FcmChannel::new(a, &n.fcm_base_url))
            {
                Ok(c) => channels.fcm = Some(Arc::new(c)),
                Err(e) => warn("fcm", e),
            }
        }
        if let Some(path) = &n.apns_key_file {
            let ca = n
                .apns_ca_file
                .as_ref()
                .map(|p| std::fs::read(p).map_err(|e| e.to_string()))
                .transpose();
            match read_secret(path)
                .and_then(|pem| crypto::Es256Key::from_pem(&pem).map_err(|e| e.0))
                .and_then(|key| {
                    ApnsChannel::new(ApnsSettings {
                        key,
                        key_id: n.apns_key_id.clone(),
                        team_id: n.apns_team_id.clone(),
                        base_url: n.apns_base_url.clone(),
                        default_topic: n.apns_topic.clone(),
                        extra_root_pem: ca?,
                    })
                    .map_err(|e| e.to_string())
                }) {
                Ok(c) => channels.apns = Some(Arc::new(c)),
                Err(e) => warn("apns", e),
            }
        }
        if let Some(url) = &n.sms_gateway_url {
            let key = n
                .sms_api_key_file
                .as_ref()
                .map(|p| read_secret(p).map(|k| k.trim().to_owned()))
                .transpose()
                .map(Option::unwrap_or_default);
            match key.and_then(|k| HttpSmsGateway::new(url, k).map_err(|e| e.to_string())) {
                Ok(g) => channels.sms = Some(Arc::new(SmsChannel::new(Arc::new(g)))),
                Err(e) => warn("sms", e),
            }
        }
        channels
    }

    /// The channel of that name, when configured.
    pub(crate) fn get(&self, channel: &str) -> Option<Arc<dyn Channel>> {
        match channel {
            "email" => self.email.clone(),
            "webpush" => self.webpush.clone().map(|c| -> Arc<dyn Channel> { c }),
            "fcm" => self.fcm.clone(),
            "apns" => self.apns.clone(),
            "sms" => self.sms.clone(),
            _ => None,
        }
    }
}
