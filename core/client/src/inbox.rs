//! The account's notifications inbox kept by the server (`GET /v1/notifications`,
//! `docs/api/notifications.md`), as a typed method of [`ApiClient`]. The same records also reach devices
//! through the sync feed; this is the paged, durable list with the unread count.

use crate::error::SyncClientError;
use crate::http::ApiClient;

pub use rempla_core::api::notify::InboxPage;

impl ApiClient {
    /// A page of the inbox (`GET /v1/notifications`): `before` a `seq` for the next page, `limit`
    /// between 1 and 200 (50 when `None`).
    pub fn notifications(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<InboxPage, SyncClientError> {
        let query: Vec<String> = [
            before.map(|b| format!("before={b}")),
            limit.map(|l| format!("limit={l}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let path = if query.is_empty() {
            "/v1/notifications".to_owned()
        } else {
            format!("/v1/notifications?{}", query.join("&"))
        };
        self.get_json(&path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facility::decode;
    use serde_json::json;

    #[test]
    fn a_page_decodes_the_documented_answer() {
        let page: InboxPage = decode(json!({"notifications": [{
            "id": "0193a000-0000-7000-8000-000000000009", "kind": "proposal_received", "title": "T",
            "body": "B", "created_at": "2026-11-23T03:00:00.000Z", "payload": {"proposal_id": "p"},
            "read_at": null, "seq": 42
        }], "next_before": null, "unread": 3}))
        .unwrap();
        assert_eq!(page.notifications[0].kind, "proposal_received");
        assert_eq!(page.unread, 3);
    }
}
