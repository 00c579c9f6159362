//! Requests near me and the map, on [`OfflineCalendar`], offline, over the open requests the last sync
//! cached: the list is `rempla_client::nearby` (core's matching on a one-doctor index, shared with the
//! desktop's doctor space); the map, core's grid clusters.
//!
//! The doctor's profile (specialties, base, radius, départements, qualification) comes from the server
//! (`GET /v1/me`) at login and after each successful sync; see [`crate::account`].

use rempla_client::nearby;
use rempla_core::calendar::Interval;
use rempla_core::domain::{Doctor, GeoPoint, Request};
use rempla_core::matching::cluster_requests;
use rempla_store::{BoundingBox, Store};

use crate::calendar::OfflineCalendar;
use crate::convert::{self, utc_text};
use crate::error::RemplaError;
use crate::records::{
    CachedRequest, DoctorProfileRecord, MapBounds, MapCluster, RequestMatch, RequestShiftRecord,
};

/// The cached request as the map and the list show it.
pub(crate) fn cached_request(r: &Request) -> CachedRequest {
    CachedRequest {
        id: r.id.to_string(),
        specialty: r.specialty.clone(),
        department: r.department.clone(),
        zone: r.zone.name().to_owned(),
        lat: r.location.lat,
        lon: r.location.lon,
        shifts: r
            .shifts
            .iter()
            .map(|s| RequestShiftRecord {
                kind: s.kind,
                start: utc_text(s.interval.start()),
                end: utc_text(s.interval.end()),
            })
            .collect(),
        doctors_needed: r.doctors_needed,
        remuneration_cents_per_day: r.remuneration_cents_per_day,
        thesed_only: r.requirements.thesed_only,
    }
}

/// A map rectangle, checked, as the store's box.
pub(crate) fn bounding_box(bounds: &MapBounds) -> Result<BoundingBox, RemplaError> {
    // GeoPoint::new checks the corners are real coordinates (finite, on Earth).
    GeoPoint::new(bounds.south, bounds.west)?;
    GeoPoint::new(bounds.north, bounds.east)?;
    if bounds.south > bounds.north {
        return Err(RemplaError::invalid(
            "invalid_bounds",
            "la limite sud de la carte est au nord de sa limite nord",
        ));
    }
    Ok(BoundingBox {
        south: bounds.south,
        west: bounds.west,
        north: bounds.north,
        east: bounds.east,
    })
}

/// The profile saved at the last login or sync; `NotFound` (`doctor_profile_missing`) before.
pub(crate) fn saved_profile(store: &Store) -> Result<Doctor, RemplaError> {
    let missing = || RemplaError::NotFound {
        code: "doctor_profile_missing".to_owned(),
        reason: "profil médecin inconnu sur cet appareil : connectez-vous en tant que médecin"
            .to_owned(),
    };
    let profile = store
        .setting(&rempla_store::settings::DOCTOR_PROFILE)?
        .ok_or_else(missing)?;
    serde_json::from_value(profile).map_err(|_| missing())
}

#[uniffi::export]
impl OfflineCalendar {
    /// The doctor's profile as the server knows it (saved at login and after each sync), e.g. for the
    /// profile screen; `NotFound` (`doctor_profile_missing`) before a doctor has signed in.
    pub fn doctor_profile(&self) -> Result<DoctorProfileRecord, RemplaError> {
        let d = saved_profile(&self.store())?;
        Ok(DoctorProfileRecord {
            id: d.id.to_string(),
            first_name: d.first_name.clone(),
            last_name: d.last_name.clone(),
            specialties: d.specialties.iter().map(|s| s.code().to_owned()).collect(),
            status: serde_json::to_value(d.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            thesed: matches!(d.qualification, rempla_core::domain::Qualification::Thesed),
            departments: d.departments.clone(),
            travel_radius_km: d.travel_radius_km,
            base_lat: d.base.map(|p| p.lat),
            base_lon: d.base.map(|p| p.lon),
        })
    }

    /// The cached open requests whose shifts fall in `[from, to)` (RFC 3339) and that this doctor's
    /// calendar fits, completely or in part, best first, with the same score and French explanations
    /// the facility sees. Works offline. At most 400 days (`window_too_wide`).
    pub fn requests_near_me(
        &self,
        from: String,
        to: String,
    ) -> Result<Vec<RequestMatch>, RemplaError> {
        let window = Interval::new(convert::instant(&from)?, convert::instant(&to)?)?;
        let store = self.store();
        let doctor = saved_profile(&store)?;
        let list = nearby::requests_near_me(&store, &doctor, window).map_err(|e| match e {
            nearby::NearbyError::Store(e) => e.into(),
            e => RemplaError::invalid(e.code(), e.to_string()),
        })?;
        Ok(list
            .iter()
            .map(|n| RequestMatch {
                request: cached_request(&n.request),
                complete: n.complete,
                score: n.score,
                distance_km: n.distance_km,
                explanations: n.explanations.clone(),
            })
            .collect())
    }

    /// Open requests cached on the device whose site lies in `bounds` (the visible map), by first shift.
    pub fn cached_requests_in_box(
        &self,
        bounds: MapBounds,
    ) -> Result<Vec<CachedRequest>, RemplaError> {
        let bbox = bounding_box(&bounds)?;
        Ok(self
            .store()
            .list_requests_in_box(&bbox)?
            .iter()
            .map(cached_request)
            .collect())
    }

    /// Clusters of the cached open requests inside `bounds` at map zoom `zoom` (0–22): one bubble per
    /// cell with its count, or a pin (`request_id`) when a cell holds one request. Clusters nest from
    /// one zoom to the next, so bubbles split without jumping when the user zooms in.
    pub fn map_clusters(
        &self,
        bounds: MapBounds,
        zoom: u8,
    ) -> Result<Vec<MapCluster>, RemplaError> {
        let bbox = bounding_box(&bounds)?;
        let requests = self.store().list_requests_in_box(&bbox)?;
        Ok(
            cluster_requests(requests.iter().map(|r| (r.id, r.location)), zoom)
                .into_iter()
                .map(|c| MapCluster {
                    lat: c.center.lat,
                    lon: c.center.lon,
                    count: c.count as u64,
                    request_id: c.request.map(|id| id.to_string()),
                })
                .collect(),
        )
    }
}
