//! The calendar feeds' calls (`docs/calendar-sync.md`) as typed methods of [`ApiClient`]: list the
//! caller's feeds with their secret addresses, make one (a doctor's own, or a facility's or one of its
//! sites'), give one a new address, delete one. The desktop and the phone layer share them.

use crate::error::SyncClientError;
use crate::http::ApiClient;

pub use rempla_core::api::feeds::{FeedList, FeedView, NewFeed};

impl ApiClient {
    /// The caller's feeds (`GET /v1/me/feeds`).
    pub fn feeds(&self) -> Result<FeedList, SyncClientError> {
        self.get_json("/v1/me/feeds")
    }

    /// Makes a feed (`POST /v1/me/feeds`); `too_many_feeds` past 20.
    pub fn create_feed(&self, feed: &NewFeed) -> Result<FeedView, SyncClientError> {
        self.post_json("/v1/me/feeds", feed)
    }

    /// A new secret address for a feed (`POST /v1/me/feeds/{id}/rotate`): the old one stops at once.
    pub fn rotate_feed(&self, feed: uuid::Uuid) -> Result<FeedView, SyncClientError> {
        self.post_json(
            &format!("/v1/me/feeds/{feed}/rotate"),
            &serde_json::json!({}),
        )
    }

    /// Deletes a feed (`DELETE /v1/me/feeds/{id}`).
    pub fn revoke_feed(&self, feed: uuid::Uuid) -> Result<(), SyncClientError> {
        self.delete(&format!("/v1/me/feeds/{feed}"))
    }
}
