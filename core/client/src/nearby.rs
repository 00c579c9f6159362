//! Requests near me, offline, over the open requests the last sync cached: core's matching (the same
//! rules and scores the facilities see) run on a small index holding this one doctor, their calendar,
//! their busy periods and the cached requests. One implementation for every front end — the phones
//! through the FFI, the desktop's doctor space — so a doctor sees the same list everywhere.

use rempla_core::calendar::{CoverageStatus, Interval};
use rempla_core::domain::{Doctor, Request, RequestStatus};
use rempla_core::matching::from_domain::{availability_slots, doctor_profile, open_request};
use rempla_core::matching::{BusyBlock, Criterion, MatchingIndex, Reach, requests_for_doctor};
use rempla_store::{Store, StoreError};
use thiserror::Error;

/// Longest window a list covers (a year and a bit: what a doctor plans).
pub const MAX_WINDOW_DAYS: i64 = 400;

/// Why the list could not be made.
#[derive(Debug, Error)]
pub enum NearbyError {
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The window is longer than [`MAX_WINDOW_DAYS`].
    #[error("période de plus de {MAX_WINDOW_DAYS} jours : réduisez-la")]
    WindowTooWide,
    /// Core refused the doctor's profile or calendar (`code` is core's).
    #[error("{message}")]
    Rules {
        /// Core's code (`unknown_department`…).
        code: &'static str,
        /// In French.
        message: String,
    },
}

impl NearbyError {
    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Store(e) => e.code(),
            Self::WindowTooWide => "window_too_wide",
            Self::Rules { code, .. } => code,
        }
    }
}

/// A cached open request the doctor's calendar fits, completely or in part.
#[derive(Clone, Debug, PartialEq)]
pub struct NearbyRequest {
    /// The request as cached.
    pub request: Request,
    /// Every shift covered (else some).
    pub complete: bool,
    /// Core's score (higher first).
    pub score: u32,
    /// Distance from the doctor's base, when known.
    pub distance_km: Option<f64>,
    /// Each criterion explained in French, as the facility sees it.
    pub explanations: Vec<String>,
}

/// The cached open requests with shifts in `window` that `doctor`'s calendar fits, best first.
pub fn requests_near_me(
    store: &Store,
    doctor: &Doctor,
    window: Interval,
) -> Result<Vec<NearbyRequest>, NearbyError> {
    if window.end() - window.start() > chrono::Duration::days(MAX_WINDOW_DAYS) {
        return Err(NearbyError::WindowTooWide);
    }
    let rules = |code: &'static str, message: String| NearbyError::Rules { code, message };
    // Core's conversions, the same as the server's index (a series' occurrences get derived ids).
    let mut slots = Vec::new();
    for a in store.list_range(doctor.id, window)? {
        slots.extend(availability_slots(&a, &window).map_err(|e| rules(e.code(), e.to_string()))?);
    }
    let busy = store
        .list_busy_range(doctor.id, window)?
        .into_iter()
        .map(|b| BusyBlock {
            doctor: doctor.id,
            interval: b.interval,
        })
        .collect();
    let requests: Vec<Request> = store
        .list_requests_in_range(window)?
        .into_iter()
        .filter(|r| r.status == RequestStatus::Open)
        .collect();
    let profile = doctor_profile(doctor, true).map_err(|e| rules(e.code(), e.to_string()))?;
    let mut index = MatchingIndex::build(vec![profile], slots, busy, vec![], &[])
        .map_err(|e| rules(e.code(), e.to_string()))?;
    // A cached request this build cannot read (unknown specialty) is left out.
    for r in requests
        .iter()
        .filter_map(|r| open_request(r).ok().flatten())
    {
        // A request the index refuses (overlapping shifts…) is left out, not fatal for the list.
        let _ = index.upsert_request(r);
    }
    let fits =
        requests_for_doctor(&index, doctor.id).map_err(|e| rules(e.code(), e.to_string()))?;
    Ok(fits
        .into_iter()
        .filter_map(|fit| {
            let request = requests.iter().find(|r| r.id == fit.request)?.clone();
            let distance_km = match fit.reach {
                Reach::Radius { distance_km, .. } => Some(distance_km),
                Reach::Department { distance_km } => distance_km,
            };
            Some(NearbyRequest {
                request,
                complete: fit.status == CoverageStatus::Complete,
                score: fit.score,
                distance_km,
                explanations: fit.criteria.iter().map(Criterion::explanation).collect(),
            })
        })
        .collect())
}
