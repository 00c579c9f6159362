//! The notification endpoints' bodies (`docs/api/notifications.md`), one definition for the server and
//! the clients: push targets (registered and as listed), preferences (with what they mean: which
//! channels a kind of notice uses, when quiet hours end), the inbox page, deliveries, SMS credits and
//! the Web Push key. Requests refuse unknown fields; answers accept them.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::Notification;

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

/// A registered push target as the server answers it (`PUT` and `GET /v1/me/push-targets`): never the
/// Web Push `auth` secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredPushTarget {
    /// Id, for `DELETE /v1/me/push-targets/{id}`.
    pub id: String,
    /// The device it belongs to.
    pub device_id: String,
    /// `fcm`, `apns` or `webpush`.
    pub kind: String,
    /// The token or endpoint.
    pub address: String,
    /// Web Push subscriber key (base64url); omitted for the other kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p256dh: Option<String>,
    /// APNs topic, when one was given; omitted otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Registration time, ms since the epoch.
    pub created_ms: i64,
}

/// Answer of `GET /v1/me/push-targets`: the account's targets, every device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushTargets {
    /// Oldest first.
    #[serde(default)]
    pub targets: Vec<RegisteredPushTarget>,
}

/// The external channels a user chooses among (push covers every registered push target).
pub const CHANNELS: &[&str] = &["email", "push", "sms"];

/// On/off per channel; a missing channel keeps the level above.
pub type ChannelSwitches = BTreeMap<String, bool>;

/// Quiet hours: nothing but urgent notices between `start` and `end` (local time, may span midnight).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
    /// IANA zone (`Europe/Paris`, `America/Martinique`…).
    pub time_zone: String,
}

/// `GET` and `PUT /v1/me/notification-preferences`: a user's preferences, as stored and as sent (the
/// server checks a `PUT` before storing it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Defaults per channel (e-mail and push on, SMS off).
    #[serde(default = "default_channels")]
    pub channels: ChannelSwitches,
    /// Overrides per notice kind.
    #[serde(default)]
    pub kinds: BTreeMap<String, ChannelSwitches>,
    /// Quiet hours, if any.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// E.164 number SMS go to.
    #[serde(default)]
    pub sms_phone: Option<String>,
}

fn default_channels() -> ChannelSwitches {
    CHANNELS
        .iter()
        .map(|c| ((*c).to_owned(), *c != "sms"))
        .collect()
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            channels: default_channels(),
            kinds: BTreeMap::new(),
            quiet_hours: None,
            sms_phone: None,
        }
    }
}

/// `HH:MM`, strictly.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    (s.len() == 5)
        .then(|| NaiveTime::parse_from_str(s, "%H:%M").ok())
        .flatten()
}

impl Preferences {
    /// Whether notices of `kind` go to `channel`.
    pub fn wants(&self, kind: &str, channel: &str) -> bool {
        self.kinds
            .get(kind)
            .and_then(|s| s.get(channel))
            .or_else(|| self.channels.get(channel))
            .copied()
            .unwrap_or(channel != "sms")
    }

    /// When quiet hours hold at `now_ms`, the instant (Unix ms) they end; `None` outside them.
    pub fn quiet_until(&self, now_ms: i64) -> Option<i64> {
        let q = self.quiet_hours.as_ref()?;
        let (start, end) = (parse_time(&q.start)?, parse_time(&q.end)?);
        let tz: Tz = q.time_zone.parse().ok()?;
        let now = Utc
            .timestamp_millis_opt(now_ms)
            .single()?
            .with_timezone(&tz);
        let t = now.time();
        let quiet = if start < end {
            t >= start && t < end
        } else {
            t >= start || t < end
        };
        if !quiet {
            return None;
        }
        let mut day = now.date_naive();
        if t >= end {
            day = day.succ_opt()?;
        }
        let local = day.and_time(end);
        // A DST gap swallowing `end` moves it an hour later.
        let end_at = tz.from_local_datetime(&local).earliest().or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })?;
        Some(end_at.timestamp_millis())
    }
}

/// Answer of `GET /v1/notifications`: one page of the account's inbox, newest first.
///
/// The items are the inbox's notification records with their `read_at` (`null` until read) and `seq`
/// (the page cursor). The server passes them as stored (`N` = a JSON value, so their text, timestamps
/// included, is what the change feed carries); devices read them as core's [`Notification`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(concrete(N = Notification)))]
pub struct InboxPage<N = Notification> {
    /// The notifications.
    #[serde(default = "Vec::new")]
    pub notifications: Vec<N>,
    /// The `before` of the next page, set when this one is full; `null` otherwise.
    #[serde(default)]
    pub next_before: Option<i64>,
    /// Notifications of the account without a read mark (the badge).
    #[serde(default)]
    pub unread: u32,
}

/// One delivery of a notice on one channel, as listed to its recipient and to staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Delivery id.
    pub id: String,
    /// The notice (and inbox notification) it carries.
    pub notice_id: String,
    /// Recipient.
    pub account_id: String,
    /// Notice kind.
    pub kind: String,
    /// Notice title.
    pub title: String,
    /// `email`, `webpush`, `fcm`, `apns` or `sms`.
    pub channel: String,
    /// Push target id, or the channel name.
    pub target_id: String,
    /// Facility charged (SMS on its behalf); `null` otherwise.
    pub facility_id: Option<String>,
    /// `pending`, `sending`, `sent` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// Next attempt (pending), Unix ms.
    pub next_attempt_ms: i64,
    /// SMS parts billed.
    pub segments: i64,
    /// Stable code of the last failure, `null` if none.
    pub last_code: Option<String>,
    /// Detail of the last failure, `null` if none.
    pub last_error: Option<String>,
    /// Creation, Unix ms.
    pub created_ms: i64,
    /// Last change, Unix ms.
    pub updated_ms: i64,
}

/// Answer of `GET /v1/me/deliveries` and `GET /v1/staff/deliveries`, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliveries {
    /// The deliveries.
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

/// One move of a facility's SMS credits (a top-up, a send, a refund).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditMove {
    /// Credits added (positive) or spent (negative).
    pub delta: i64,
    /// Why (`top_up`, `sms`, `refund`…).
    pub reason: String,
    /// The delivery it paid for, `null` for a top-up.
    pub delivery_id: Option<String>,
    /// The account that moved it (staff for a top-up), `null` when none.
    pub account_id: Option<String>,
    /// When, Unix ms.
    pub at_ms: i64,
}

/// Answer of `GET /v1/facilities/{id}/sms-credits`: the balance and the 50 newest moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsCredits {
    /// Facility.
    pub facility_id: String,
    /// Remaining credits (one per SMS part).
    pub balance: i64,
    /// Alert level.
    pub low_threshold: i64,
    /// Newest moves first.
    #[serde(default)]
    pub moves: Vec<CreditMove>,
}

/// `POST /v1/staff/facilities/{id}/sms-credits`: staff add credits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    /// Credits to add (1 to 1 000 000).
    pub amount: i64,
}

/// Answer of a top-up: the new balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToppedUp {
    /// Facility.
    pub facility_id: String,
    /// Credits after the top-up.
    pub balance: i64,
}

/// Answer of `GET /v1/push/vapid-public-key`: the application server key web clients subscribe with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VapidKey {
    /// The key (base64url), `null` when the server has no Web Push key (clients then offer no push).
    pub key: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

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

    #[test]
    fn answers_read_back_and_requests_refuse_unknown_fields() {
        let prefs: Preferences = serde_json::from_value(json!({"sms_phone": "+33612345678"}))
            .expect("defaults fill the rest");
        assert!(prefs.wants("x", "email") && !prefs.wants("x", "sms"));
        assert!(serde_json::from_value::<Preferences>(json!({"fax": true})).is_err());
        assert!(serde_json::from_value::<TopUp>(json!({"amount": 1, "why": "x"})).is_err());
        let page = json!({"notifications": [{"id": "0193a000-0000-7000-8000-000000000009",
            "kind": "proposal_received", "title": "T", "body": "B", "created_at": "2026-11-23T03:00:00.000Z",
            "payload": {}, "read_at": null, "seq": 42}], "next_before": null, "unread": 3});
        let stored: InboxPage<Value> = serde_json::from_value(page.clone()).expect("as stored");
        assert_eq!(serde_json::to_value(&stored).unwrap_or_default(), page);
        let read: InboxPage = serde_json::from_value(page).expect("as a device reads it");
        assert_eq!(read.notifications[0].kind, "proposal_received");
        let target = RegisteredPushTarget {
            id: "t".into(),
            device_id: "d".into(),
            kind: "fcm".into(),
            address: "tok".into(),
            p256dh: None,
            topic: None,
            created_ms: 1,
        };
        assert_eq!(
            serde_json::to_value(&target).unwrap_or_default(),
            json!({"id": "t", "device_id": "d", "kind": "fcm", "address": "tok", "created_ms": 1})
        );
    }
}
