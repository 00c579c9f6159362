//! [`MatchingError`], the one error of the matching API surface, in a leaf file: the matching modules
//! import it from here, not from `matching/mod.rs`, which re-exports them (that would be an import loop,
//! see `scripts/check-imports.py`).

/// The one error of the matching API surface. Each variant has a stable [`MatchingError::code`];
/// messages are French because they reach users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchingError {
    /// No request with this id in the index.
    #[error("demande inconnue : {id}")]
    UnknownRequest {
        /// The id asked for.
        id: String,
    },
    /// No doctor with this id in the index.
    #[error("médecin inconnu : {id}")]
    UnknownDoctor {
        /// The id asked for.
        id: String,
    },
    /// No slot with this id in the index.
    #[error("disponibilité inconnue : {id}")]
    UnknownSlot {
        /// The id asked for.
        id: String,
    },
    /// Two records of one kind share an id.
    #[error("identifiant en double ({kind}) : {id}")]
    DuplicateId {
        /// Record kind.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A doctor without any specialty.
    #[error("le médecin {doctor} n'a aucune spécialité")]
    EmptySpecialties {
        /// The doctor.
        doctor: String,
    },
    /// A request without shifts.
    #[error("la demande {request} n'a aucun créneau")]
    NoShifts {
        /// The request.
        request: String,
    },
    /// More shifts than one request may hold.
    #[error("la demande {request} a {count} créneaux (au plus {max})")]
    TooManyShifts {
        /// The request.
        request: String,
        /// Shifts given.
        count: usize,
        /// Largest accepted.
        max: usize,
    },
    /// Two shifts of one request overlap.
    #[error("deux créneaux de la demande {request} se chevauchent")]
    OverlappingShifts {
        /// The request.
        request: String,
    },
    /// A period that ends before (or when) it starts.
    #[error("{what} se termine avant de commencer : {start} → {end}")]
    ReversedInterval {
        /// Which record, in words.
        what: String,
        /// Start given.
        start: String,
        /// End given.
        end: String,
    },
    /// Coordinates outside the Earth.
    #[error("{what} : coordonnées hors de la Terre (latitude {lat}, longitude {lon})")]
    Coordinates {
        /// Which record, in words.
        what: String,
        /// Latitude given.
        lat: String,
        /// Longitude given.
        lon: String,
    },
    /// A slot or busy block whose doctor is not in the index.
    #[error("{what} appartient à un médecin inconnu : {doctor}")]
    OrphanRecord {
        /// Which record, in words.
        what: String,
        /// The doctor id given.
        doctor: String,
    },
    /// A dataset that is not JSON at all.
    #[error(
        "le jeu de données n'est pas du JSON valide (ligne {line}, colonne {column}) : {reason}"
    )]
    DatasetSyntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser says.
        reason: String,
    },
    /// JSON that does not follow the dataset format.
    #[error("jeu de données non conforme (ligne {line}, colonne {column}) : {reason}")]
    DatasetFormat {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A dataset of another format version.
    #[error("version de jeu de données {found} non prise en charge (attendue : {expected})")]
    DatasetVersion {
        /// Version found.
        found: u32,
        /// Version this code reads.
        expected: u32,
    },
    /// An invalid field value (specialty, département, coordinates…), with the record it is in.
    #[error("{what} : {reason}")]
    InvalidField {
        /// Which record and field, in words.
        what: String,
        /// The validator's message.
        reason: String,
        /// The validator's code.
        code: &'static str,
    },
    /// A generator parameter outside what it can produce.
    #[error("paramètre de génération invalide : {reason}")]
    InvalidGeneratorConfig {
        /// What is wrong.
        reason: String,
    },
    /// The gazetteer could not be read.
    #[error(transparent)]
    Geo(#[from] crate::geo::GeoError),
}

impl MatchingError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownRequest { .. } => "unknown_request",
            Self::UnknownDoctor { .. } => "unknown_doctor",
            Self::UnknownSlot { .. } => "unknown_slot",
            Self::DuplicateId { .. } => "duplicate_id",
            Self::EmptySpecialties { .. } => "empty_specialties",
            Self::NoShifts { .. } => "no_shifts",
            Self::TooManyShifts { .. } => "too_many_shifts",
            Self::OverlappingShifts { .. } => "overlapping_shifts",
            Self::ReversedInterval { .. } => "reversed_interval",
            Self::Coordinates { .. } => "coordinates",
            Self::OrphanRecord { .. } => "orphan_record",
            Self::DatasetSyntax { .. } => "dataset_not_json",
            Self::DatasetFormat { .. } => "dataset_format",
            Self::DatasetVersion { .. } => "dataset_version",
            Self::InvalidField { code, .. } => code,
            Self::InvalidGeneratorConfig { .. } => "generator_config",
            Self::Geo(e) => e.code(),
        }
    }
}
