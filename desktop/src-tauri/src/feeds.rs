//! The calendar-feed commands of the planning screen: make the facility's (or a site's) subscription
//! address, give it a new one, delete it. The list is `area_list`'s `feeds`. The server decides who
//! may; its refusals come back as [`DesktopError`]s in plain French.

use rempla_client::feeds::{FeedView, NewFeed};
use rempla_core::domain::{FacilityId, SiteId};
use tauri::AppHandle;

use crate::commands::{Feature, blocking, checked_id, with_api};
use crate::error::DesktopError;

/// Makes a subscription address for the facility's calendar, or one site's (`POST /v1/me/feeds`).
#[tauri::command]
pub async fn feed_create(
    app: AppHandle,
    facility_id: String,
    site_id: Option<String>,
) -> Result<Feature<FeedView>, DesktopError> {
    blocking(move || {
        let facility: FacilityId = checked_id(&facility_id)?;
        let site: Option<SiteId> = site_id.as_deref().map(checked_id).transpose()?;
        let body = NewFeed {
            facility_id: Some(facility),
            site_id: site,
            include_availabilities: false,
        };
        with_api(&app, |api| api.create_feed(&body))
    })
    .await
}

/// Gives a feed a new secret address; calendars subscribed to the old one stop receiving it.
#[tauri::command]
pub async fn feed_rotate(
    app: AppHandle,
    feed_id: String,
) -> Result<Feature<FeedView>, DesktopError> {
    blocking(move || {
        let id: uuid::Uuid = checked_id(&feed_id)?;
        with_api(&app, |api| api.rotate_feed(id))
    })
    .await
}

/// Deletes a feed.
#[tauri::command]
pub async fn feed_revoke(app: AppHandle, feed_id: String) -> Result<Feature<()>, DesktopError> {
    blocking(move || {
        let id: uuid::Uuid = checked_id(&feed_id)?;
        with_api(&app, |api| api.revoke_feed(id))
    })
    .await
}
