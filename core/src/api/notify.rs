//! The notification endpoints' request bodies (`docs/api/notifications.md`), one definition for the server
//! that reads them and the clients that send them.

use serde::{Deserialize, Serialize};

/// `PUT /v1/me/push-targets`: a push target to register for the calling device, tagged by `kind`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PushTarget {
    /// A Web Push subscription (also UnifiedPush distributors, which speak Web Push):
    /// `PushSubscription.toJSON()` flattened.
    #[serde(rename = "webpush")]
    WebPush {
        /// The push service URL (`https://…`).
        endpoint: String,
        /// The subscription's P-256 public point, base64url.
        p256dh: String,
        /// The subscription's 16-byte auth secret, base64url.
        auth: String,
    },
    /// A Firebase Cloud Messaging registration token (Android with Google services).
    Fcm {
        /// The registration token.
        token: String,
    },
    /// An Apple Push Notification service device token, with an optional topic.
    Apns {
        /// The device token, hex.
        token: String,
        /// The app's bundle id; the server's default when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
}

impl std::fmt::Debug for PushTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens and endpoints address one phone: kept out of logs.
        f.write_str(match self {
            Self::Fcm { .. } => "PushTarget::Fcm",
            Self::Apns { .. } => "PushTarget::Apns",
            Self::WebPush { .. } => "PushTarget::WebPush",
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies_follow_the_api_and_debug_hides_addresses() {
        let fcm = PushTarget::Fcm {
            token: "tok:secret".into(),
        };
        assert_eq!(
            serde_json::to_value(&fcm).unwrap_or_default(),
            json!({"kind": "fcm", "token": "tok:secret"})
        );
        assert!(!format!("{fcm:?}").contains("secret"));
        let apns = PushTarget::Apns {
            token: "ab".into(),
            topic: None,
        };
        assert_eq!(
            serde_json::to_value(&apns).unwrap_or_default(),
            json!({"kind": "apns", "token": "ab"})
        );
        let web: PushTarget = serde_json::from_value(
            json!({"kind": "webpush", "endpoint": "https://p", "p256dh": "k", "auth": "a"}),
        )
        .expect("a web push body");
        assert!(matches!(web, PushTarget::WebPush { .. }));
        let unknown = json!({"kind": "fcm", "token": "t", "extra": 1});
        assert!(serde_json::from_value::<PushTarget>(unknown).is_err());
    }
}
