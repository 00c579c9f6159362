//! The doctor's calendar feed on [`OfflineCalendar`] (`docs/calendar-sync.md`): the secret address
//! that Google Calendar, Apple Calendar or Outlook subscribe to, with their missions and, if the
//! doctor chooses, their open availabilities. The shells show the `webcal://` link (which opens the
//! phone's calendar app) and draw its QR code; everything else is here and on the server.

use rempla_client::SyncClient;
use rempla_client::feeds::{FeedView, NewFeed};

use crate::account::client_config;
use crate::calendar::OfflineCalendar;
use crate::error::RemplaError;

/// A calendar feed with its secret address.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CalendarFeedRecord {
    /// The feed.
    pub id: String,
    /// The name calendars show for it.
    pub name: String,
    /// The secret address (`https://…/feeds/{id}/{secret}.ics`): whoever has it reads the feed.
    pub url: String,
    /// The same address as `webcal://`: opening it starts the subscription in the calendar app.
    pub webcal_url: String,
    /// Whether the open availabilities are published too.
    pub include_availabilities: bool,
    /// When a calendar program last fetched it (ms since the epoch), if ever.
    pub last_read_ms: Option<i64>,
}

fn record(f: FeedView) -> CalendarFeedRecord {
    CalendarFeedRecord {
        id: f.id,
        name: f.name,
        url: f.url,
        webcal_url: f.webcal_url,
        include_availabilities: f.include_availabilities,
        last_read_ms: f.last_read_ms,
    }
}

fn feed_id(id: &str) -> Result<uuid::Uuid, RemplaError> {
    id.trim().parse().map_err(|_| RemplaError::Invalid {
        code: "invalid_id".into(),
        reason: "identifiant d'abonnement invalide".into(),
    })
}

#[uniffi::export]
impl OfflineCalendar {
    /// The signed-in doctor's calendar feeds (needs the network).
    pub fn calendar_feeds(&self) -> Result<Vec<CalendarFeedRecord>, RemplaError> {
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        Ok(client
            .api()
            .feeds()?
            .feeds
            .into_iter()
            .map(record)
            .collect())
    }

    /// Makes the doctor's feed; `include_availabilities` also publishes their open availabilities.
    pub fn create_calendar_feed(
        &self,
        include_availabilities: bool,
    ) -> Result<CalendarFeedRecord, RemplaError> {
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        let body = NewFeed {
            include_availabilities,
            ..NewFeed::default()
        };
        Ok(record(client.api().create_feed(&body)?))
    }

    /// Gives the feed a new secret address: calendars subscribed to the old one stop receiving it.
    pub fn rotate_calendar_feed(&self, id: String) -> Result<CalendarFeedRecord, RemplaError> {
        let id = feed_id(&id)?;
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        Ok(record(client.api().rotate_feed(id)?))
    }

    /// Deletes the feed.
    pub fn revoke_calendar_feed(&self, id: String) -> Result<(), RemplaError> {
        let id = feed_id(&id)?;
        let client = SyncClient::from_store(&self.store(), &client_config())?;
        Ok(client.api().revoke_feed(id)?)
    }
}
