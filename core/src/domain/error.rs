//! [`ValidationError`], the one error of the domain API surface, in a leaf file: the domain modules and
//! validators import it from here, not from `domain/mod.rs`, which re-exports them (that would be an
//! import loop, see `scripts/check-imports.py`).

/// The one error of the domain API surface (identifiers, validators, record invariants). Each variant has
/// a stable [`ValidationError::code`]; messages are French because they reach users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// Not a UUID.
    #[error("« {value} » n'est pas un identifiant valide (UUID attendu)")]
    InvalidId {
        /// The offending text, truncated.
        value: String,
    },
    /// Input longer than any legitimate value of the field.
    #[error("le champ {field} dépasse {max} caractères")]
    TooLong {
        /// Field name.
        field: &'static str,
        /// Maximum accepted length in bytes.
        max: usize,
    },
    /// An RPPS number containing something else than digits.
    #[error("un numéro RPPS ne contient que des chiffres (caractère « {character} » refusé)")]
    RppsNotDigits {
        /// First offending character.
        character: char,
    },
    /// An RPPS number of the wrong length.
    #[error("un numéro RPPS compte 11 chiffres ({len} reçus)")]
    RppsLength {
        /// Number of digits received.
        len: usize,
    },
    /// An RPPS number whose Luhn key is wrong (typo).
    #[error("clé de contrôle du numéro RPPS incorrecte (faute de frappe ?)")]
    RppsChecksum,
    /// A numeric identifier containing something else than digits.
    #[error("le champ {field} ne contient que des chiffres (caractère « {character} » refusé)")]
    NotDigits {
        /// Field name.
        field: &'static str,
        /// First offending character.
        character: char,
    },
    /// A numeric identifier of the wrong length.
    #[error("le champ {field} compte {expected} chiffres ({len} reçus)")]
    WrongLength {
        /// Field name.
        field: &'static str,
        /// Expected number of digits.
        expected: usize,
        /// Number received.
        len: usize,
    },
    /// A numeric identifier whose check digit is wrong.
    #[error("clé de contrôle incorrecte pour le champ {field}")]
    Checksum {
        /// Field name.
        field: &'static str,
    },
    /// A postcode that is not five digits.
    #[error("un code postal compte exactement 5 chiffres")]
    PostcodeFormat,
    /// Five digits that La Poste never allocated in France.
    #[error("le code postal {code} n'existe pas en France")]
    PostcodeUnknown {
        /// The code received.
        code: String,
    },
    /// An invalid e-mail address.
    #[error("adresse e-mail invalide : {reason}")]
    Email {
        /// Why.
        reason: String,
    },
    /// An invalid phone number.
    #[error("numéro de téléphone invalide : {reason}")]
    Phone {
        /// Why.
        reason: String,
    },
    /// Coordinates outside the Earth.
    #[error("coordonnées hors de la Terre : latitude {lat}, longitude {lon}")]
    Coordinates {
        /// Latitude given, as text.
        lat: String,
        /// Longitude given, as text.
        lon: String,
    },
    /// A specialty code absent from the catalogue.
    #[error("spécialité inconnue : « {code} »")]
    UnknownSpecialty {
        /// The code received, truncated.
        code: String,
    },
    /// A required list or text is empty.
    #[error("le champ {field} ne peut pas être vide")]
    Empty {
        /// Field name.
        field: &'static str,
    },
    /// A number outside its accepted range.
    #[error("le champ {field} doit être compris entre {min} et {max}")]
    OutOfRange {
        /// Field name.
        field: &'static str,
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A state change the life cycle does not allow.
    #[error("transition impossible : {from} → {to}")]
    Transition {
        /// Current state.
        from: &'static str,
        /// Requested state.
        to: &'static str,
    },
}

impl ValidationError {
    /// Stable machine-readable code, shared by the CLI, the FFI and the server.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidId { .. } => "invalid_id",
            Self::TooLong { .. } => "too_long",
            Self::RppsNotDigits { .. } => "rpps_not_digits",
            Self::RppsLength { .. } => "rpps_length",
            Self::RppsChecksum => "rpps_checksum",
            Self::NotDigits { .. } => "not_digits",
            Self::WrongLength { .. } => "wrong_length",
            Self::Checksum { .. } => "checksum",
            Self::PostcodeFormat => "postcode_format",
            Self::PostcodeUnknown { .. } => "postcode_unknown",
            Self::Email { .. } => "email",
            Self::Phone { .. } => "phone",
            Self::Coordinates { .. } => "coordinates",
            Self::UnknownSpecialty { .. } => "unknown_specialty",
            Self::Empty { .. } => "empty",
            Self::OutOfRange { .. } => "out_of_range",
            Self::Transition { .. } => "transition",
        }
    }
}
