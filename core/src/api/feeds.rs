//! The calendar feeds' bodies (`docs/calendar-sync.md`): a secret address per feed that Google
//! Calendar, Apple Calendar, Outlook or Thunderbird subscribe to. A doctor's feed holds their missions
//! (and, if they choose, their open availabilities); a facility's feed, per site or for the whole
//! facility, its confirmed missions and the shifts still to fill.

use serde::{Deserialize, Serialize};

use crate::domain::{FacilityId, SiteId};

/// `POST /v1/me/feeds`: a new feed. A doctor's account makes its own feed (no `facility_id`); a
/// facility member names the facility and, optionally, one of its sites.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    /// The facility whose calendar this is (facility members only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub facility_id: Option<FacilityId>,
    /// Only this site of the facility; absent for all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub site_id: Option<SiteId>,
    /// A doctor's feed only: also publish the open availabilities (off by default: they are the
    /// doctor's to share).
    #[serde(default)]
    pub include_availabilities: bool,
}

/// One feed as its owner sees it, with its secret address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedView {
    /// The feed.
    pub id: String,
    /// `doctor` or `facility`.
    pub scope: String,
    /// The facility, for a facility's feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub facility_id: Option<FacilityId>,
    /// The site, for a feed of one site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub site_id: Option<SiteId>,
    /// Whether a doctor's feed publishes their open availabilities.
    #[serde(default)]
    pub include_availabilities: bool,
    /// The name calendars show for it.
    pub name: String,
    /// The secret address (`https://…/feeds/{id}/{secret}.ics`): whoever has it reads the feed.
    pub url: String,
    /// The same address as `webcal://`, which opens the subscription in most calendar programs.
    pub webcal_url: String,
    /// When it was made (ms since the epoch).
    pub created_ms: i64,
    /// When its address last changed (rotation), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rotated_ms: Option<i64>,
    /// When a calendar program last fetched it, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_read_ms: Option<i64>,
}

/// Answer of `GET /v1/me/feeds`: the caller's feeds, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeedList {
    /// The caller's live feeds.
    #[serde(default)]
    pub feeds: Vec<FeedView>,
}
