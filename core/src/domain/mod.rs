//! The records of the product and the validators of the French identifiers they carry.
//!
//! Types here are plain serde values shared by the offline store, the sync protocol, the server and the
//! FFI. Identifiers and contact data are validated once, at construction (`parse`/`new`), so a value of
//! those types is valid wherever it travels.

pub mod availability;
pub mod busy;
pub mod doctor;
mod error;
pub mod facility;
pub mod geo_point;
pub mod ids;
pub mod mission;
pub mod notification;
pub mod proposal;
pub mod request;
pub mod request_draft;
pub mod specialty;
pub mod validate;

pub use availability::{Availability, AvailabilityDraft, AvailabilityStatus};
pub use busy::BusyPeriod;
pub use doctor::{ContactDetails, Doctor, DoctorStatus, Qualification};
pub use error::ValidationError;
pub use facility::{Delegation, Facility, FacilityKind, Member, MemberRole, Right, Site, Unit};
pub use geo_point::GeoPoint;
pub use ids::*;
pub use mission::{Mission, MissionStatus};
pub use notification::Notification;
pub use proposal::{Initiator, Proposal, ProposalState};
pub use request::{Request, RequestShift, RequestStatus, Requirements};
pub use request_draft::{MAX_SHIFTS, RequestDraft, RequestDraftError, ShiftDraft, build_request};
pub use specialty::Specialty;
pub use validate::{Email, PhoneNumber, Postcode, Rpps, Siren, Siret};
