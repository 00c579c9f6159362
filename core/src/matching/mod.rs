//! Matching: which doctors can take a request (completely or in part, or together as a split), and which
//! requests fit one doctor's calendar; ranked on objective criteria with a French explanation of each.
//!
//! - [`model`]: the inputs (doctor profile view, slots, busy blocks, open requests).
//! - [`index`]: the incremental index (spatial R-trees per specialty, per-doctor interval lists,
//!   département lists, declines) that every query runs on.
//! - [`evaluate`]: the hard filters and the exact coverage of one request by one doctor (the one place the
//!   rules live; the index only decides which pairs to evaluate).
//! - [`caps`]: the hour caps (24 h in a row, 48 h in any 7 days).
//! - [`candidates`]: request → ranked candidates, and a brute-force reference used by tests.
//! - [`rank`]: scores, weights, tie-break hash and French explanations.
//! - [`split`]: the smallest set of doctors covering a request nobody covers alone.
//! - [`for_doctor`]: doctor → the open requests their calendar fits.
//! - [`from_domain`]: stored records (doctor, request, availability series) → matching inputs.
//! - [`clusters`]: map clusters of requests at any zoom.
//! - `error`: [`MatchingError`], a leaf so the modules here never import this file.
//! - `dataset`: the documented JSON dataset format (see `docs/matching.md`) and its loading; and
//!   `synthetic`: the deterministic national synthetic dataset generator. Both behind the `datasets`
//!   feature (the CLI, benches and tests turn it on).
//!
//! Everything is pure: functions over an [`index::MatchingIndex`] value, so a server handler, the CLI and
//! the phone call the same code.

pub mod candidates;
pub mod caps;
pub mod clusters;
#[cfg(feature = "datasets")]
pub mod dataset;
mod error;
pub mod evaluate;
pub mod for_doctor;
pub mod from_domain;
pub mod index;
pub mod model;
pub mod rank;
pub mod split;
#[cfg(feature = "datasets")]
pub mod synthetic;

pub use candidates::{Candidate, Reach, RequestMatches, brute_force_candidates, match_request};
pub use clusters::{Cluster, cluster_requests};
#[cfg(feature = "datasets")]
pub use dataset::Dataset;
pub use error::MatchingError;
pub use for_doctor::{RequestFit, brute_force_requests_for_doctor, requests_for_doctor};
pub use index::MatchingIndex;
pub use model::{BusyBlock, DoctorProfile, OpenRequest, Shift, Slot};
pub use rank::{Criterion, Facts, WEIGHTS, tie_hash};
pub use split::{Split, SplitMethod, SplitPart, split_coverage};
#[cfg(feature = "datasets")]
pub use synthetic::{SyntheticConfig, generate};
