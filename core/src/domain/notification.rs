//! In-app notifications: the inbox every user has on every device.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::NotificationId;

/// One message in a user's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Notification {
    /// Server-created id.
    pub id: NotificationId,
    /// Machine-readable kind (e.g. `proposal_received`, `deadline_reminder`).
    pub kind: String,
    /// Short title, already localised.
    pub title: String,
    /// Body text, already localised.
    pub body: String,
    /// When the server created it.
    pub created_at: DateTime<Utc>,
    /// When the user read it on any device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    /// Structured data for the client (ids of the request, proposal…).
    #[serde(default)]
    pub payload: serde_json::Value,
}
