//! Plain values that cross the boundary. Ids and instants are strings (RFC 3339, UTC with `Z`), local
//! dates are `YYYY-MM-DD`, kinds are enums: simple to show, store and compare in Kotlin and Swift.
//!
//! The enums that are core's own ([`ShiftKind`], [`AvailabilityStatus`], [`ProposalState`]) are not
//! mirrored here: core derives their uniffi shape (`rempla-core`'s `uniffi` feature) and they are
//! re-exported, so Kotlin and Swift see the same names and variants as before.

// Core's own enums, derived for uniffi in core behind its `uniffi` feature (one definition, no mirror).
pub use rempla_core::calendar::ShiftKind;
pub use rempla_core::domain::{AvailabilityStatus, ProposalState};

/// What the add/edit form sends: a kind on a local date in a département (hours from the template), or a
/// `Custom` period with explicit RFC 3339 bounds; optionally repeated by an RRULE minus some dates.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AvailabilityInput {
    /// Kind of shift.
    pub kind: ShiftKind,
    /// Local date of the (first) shift, `YYYY-MM-DD`; required unless `kind` is `Custom`.
    pub date: Option<String>,
    /// Département where the doctor offers it (`75`, `2A`, `971`): its zone and holidays apply.
    pub department: String,
    /// Start of a `Custom` period, RFC 3339.
    pub custom_start: Option<String>,
    /// End of a `Custom` period, RFC 3339.
    pub custom_end: Option<String>,
    /// Recurrence rule, e.g. `FREQ=WEEKLY;BYDAY=MO,TU;COUNT=10`.
    pub rrule: Option<String>,
    /// Local dates (`YYYY-MM-DD`) on which the series does not happen.
    pub exceptions: Vec<String>,
    /// Free text for the doctor.
    pub note: Option<String>,
}

/// One stored availability (a slot or a whole series), e.g. to fill the edit form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AvailabilityRecord {
    /// Id (UUID).
    pub id: String,
    /// Kind of shift.
    pub kind: ShiftKind,
    /// Start of the (first) period, RFC 3339 UTC.
    pub start: String,
    /// End of the (first) period, RFC 3339 UTC.
    pub end: String,
    /// IANA zone the period was expressed in.
    pub zone: String,
    /// Local date of the (first) start in that zone, `YYYY-MM-DD`.
    pub local_date: String,
    /// Recurrence rule, if a series.
    pub rrule: Option<String>,
    /// Local dates removed from the series.
    pub exceptions: Vec<String>,
    /// Booking state.
    pub status: AvailabilityStatus,
    /// Free text.
    pub note: Option<String>,
    /// Revision, bumped by every change.
    pub revision: u32,
}

/// One occurrence in a listed window: what a month or week view draws.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Occurrence {
    /// Id of the availability (the series' id for an occurrence of a series).
    pub availability_id: String,
    /// Kind of shift.
    pub kind: ShiftKind,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
    /// IANA zone of the availability.
    pub zone: String,
    /// Local date of the start in that zone, `YYYY-MM-DD` (the day cell it belongs to).
    pub local_date: String,
    /// Local start time `HH:MM` in that zone.
    pub local_start: String,
    /// Local end time `HH:MM` in that zone.
    pub local_end: String,
    /// Booking state.
    pub status: AvailabilityStatus,
    /// Whether it belongs to a recurring series.
    pub is_series: bool,
    /// Free text.
    pub note: Option<String>,
}

/// What an `.ics` import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ImportSummary {
    /// Busy periods read from the file.
    pub periods: u64,
    /// Added or changed.
    pub upserted: u64,
    /// Removed (no longer in this source).
    pub removed: u64,
    /// Identical to what was stored.
    pub unchanged: u64,
}

/// One notification of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NotificationRecord {
    /// Id (UUID).
    pub id: String,
    /// Machine kind (`proposal_received`, `deadline_reminder`…).
    pub kind: String,
    /// Title, French.
    pub title: String,
    /// Body, French.
    pub body: String,
    /// Creation instant, RFC 3339 UTC.
    pub created_at: String,
    /// When read, RFC 3339 UTC.
    pub read_at: Option<String>,
    /// Structured data as JSON text (ids of the request, proposal…).
    pub payload_json: String,
}

/// A latitude/longitude rectangle (the visible map); `west > east` crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct MapBounds {
    /// Southern latitude, degrees.
    pub south: f64,
    /// Western longitude, degrees.
    pub west: f64,
    /// Northern latitude, degrees.
    pub north: f64,
    /// Eastern longitude, degrees.
    pub east: f64,
}

/// One shift of a cached request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RequestShiftRecord {
    /// Kind of shift.
    pub kind: ShiftKind,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
}

/// An open replacement request cached on the device (for the map and list, offline).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CachedRequest {
    /// Id (UUID).
    pub id: String,
    /// Specialty code.
    pub specialty: String,
    /// Département of the site.
    pub department: String,
    /// IANA zone of the site.
    pub zone: String,
    /// Latitude of the site.
    pub lat: f64,
    /// Longitude of the site.
    pub lon: f64,
    /// Shifts needed, by start.
    pub shifts: Vec<RequestShiftRecord>,
    /// Doctors needed per shift.
    pub doctors_needed: u8,
    /// Remuneration per day in euro cents, if stated.
    pub remuneration_cents_per_day: Option<i64>,
    /// Only doctors who defended their thesis.
    pub thesed_only: bool,
}

/// One public holiday.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HolidayRecord {
    /// Local date, `YYYY-MM-DD`.
    pub date: String,
    /// French name.
    pub name: String,
}

/// A shift kind with its French label and local hours, for pickers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ShiftKindInfo {
    /// The kind.
    pub kind: ShiftKind,
    /// Stable snake_case name (`garde_night`).
    pub code: String,
    /// French label (« garde de nuit »).
    pub label: String,
    /// Local start `HH:MM`, absent for `Custom`.
    pub local_start: Option<String>,
    /// Local end `HH:MM` (next day when before the start), absent for `Custom`.
    pub local_end: Option<String>,
    /// Only on Sundays and public holidays (day gardes).
    pub sundays_and_holidays_only: bool,
}

/// The doctor sign-up form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignUpInput {
    /// Login e-mail (the activation link is sent there).
    pub email: String,
    /// Password, at least 10 characters (checked by the server).
    pub password: String,
    /// RPPS number (11 digits, Luhn key), checked here and by the server.
    pub rpps: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Specialty codes (`medecine-generale`, `anesthesie-reanimation`…).
    pub specialties: Vec<String>,
}

/// A sign-up received: the app says "look in your mailbox" (the activation link, or for an address
/// already registered a notice to its owner — the server answers both alike).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignUpResult {
    /// The address the mail went to.
    pub email: String,
}

/// The terms of use to show before accepting them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TermsRecord {
    /// Version.
    pub version: String,
    /// SHA-256 of the text (the proof kept by the server).
    pub sha256: String,
    /// The text, French.
    pub text: String,
}

/// This device's session after a login.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionInfo {
    /// The server, normalized (`https://host`).
    pub server: String,
    /// The account.
    pub account_id: String,
    /// `doctor`, `facility_member`, `staff`.
    pub role: String,
    /// The doctor profile, for a doctor (the calendar now belongs to it).
    pub doctor_id: Option<String>,
    /// The terms version accepted during this login, if they had to be.
    pub terms_accepted: Option<String>,
    /// Records typed before the first login that were given to the account.
    pub adopted_records: u64,
}

/// A local change the server refused: rolled back on this device, kept until dismissed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConflictRecord {
    /// The refused change (to dismiss it).
    pub op_id: String,
    /// Kind of record (`availability`…).
    pub entity: String,
    /// The record's id.
    pub entity_id: String,
    /// The server's stable code (`slot_booked`, `record_deleted`…).
    pub code: String,
    /// French explanation.
    pub message: String,
    /// When the device learnt of it, RFC 3339 UTC.
    pub at: String,
}

/// What one sync round did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSummary {
    /// Local changes sent and answered.
    pub pushed: u64,
    /// Of those, applied by the server.
    pub applied: u64,
    /// Of those, refused (rolled back; see `conflicts`).
    pub rejected: u64,
    /// Server changes received.
    pub pulled: u64,
    /// The refusals of this round.
    pub conflicts: Vec<ConflictRecord>,
    /// Local changes still waiting (made during the round).
    pub pending: u64,
}

/// Whether the server was reachable at the last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConnectionState {
    /// No sync attempted on this device yet.
    Unknown,
    /// The last attempt reached the server.
    Online,
    /// The last attempt could not reach it (no network, server down): changes wait.
    Offline,
}

/// The sync banner: session, pending changes, last sync, connection, conflicts to review.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStateRecord {
    /// Whether this device holds a session.
    pub signed_in: bool,
    /// The server of the session (kept after logout).
    pub server: Option<String>,
    /// The account of the session.
    pub account_id: Option<String>,
    /// The doctor of the session.
    pub doctor_id: Option<String>,
    /// Local changes waiting to be sent.
    pub pending: u64,
    /// End of the last successful round, RFC 3339.
    pub last_sync_at: Option<String>,
    /// Last attempt, successful or not, RFC 3339.
    pub last_attempt_at: Option<String>,
    /// Code of the last attempt's failure (`offline`, `token_revoked`…), none after a success.
    pub last_error_code: Option<String>,
    /// Reachability at the last attempt.
    pub connection: ConnectionState,
    /// The pull cursor (opaque; for support).
    pub cursor: Option<String>,
    /// Refused changes not dismissed yet.
    pub conflicts: u64,
}

/// The signed-in doctor's profile as the server knows it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DoctorProfileRecord {
    /// Doctor id.
    pub id: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Specialty codes.
    pub specialties: Vec<String>,
    /// `pending`, `verified`, `rejected` or `suspended` (only verified doctors see requests).
    pub status: String,
    /// Thesis defended (else an intern with a licence).
    pub thesed: bool,
    /// Départements where any site is accepted.
    pub departments: Vec<String>,
    /// Travel radius from the base, km.
    pub travel_radius_km: u16,
    /// Latitude of the base, if given.
    pub base_lat: Option<f64>,
    /// Longitude of the base, if given.
    pub base_lon: Option<f64>,
}

/// A cached open request this doctor's calendar fits.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RequestMatch {
    /// The request.
    pub request: CachedRequest,
    /// Every shift is covered by the doctor's free time (else only some).
    pub complete: bool,
    /// Score out of 1,000, the same the facility sees.
    pub score: u32,
    /// Distance from the doctor's base, km, when known.
    pub distance_km: Option<f64>,
    /// The score's criteria in French, one sentence each.
    pub explanations: Vec<String>,
}

/// One bubble (or pin) of the requests map.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MapCluster {
    /// Latitude of the bubble (mean of its requests).
    pub lat: f64,
    /// Longitude of the bubble.
    pub lon: f64,
    /// Requests in it.
    pub count: u64,
    /// The request, when the bubble holds exactly one (draw a pin).
    pub request_id: Option<String>,
}
