//! [`DocumentError`]: why an upload, a share or a verification step is refused, with its stable code and
//! status.

use axum::http::StatusCode;
use rempla_core::api::ErrorCode;

/// Everything that can go wrong with a document, each with a stable code and HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document trop volumineux : 10 Mio au plus")]
    TooLarge,
    /// An empty body.
    #[error("document vide")]
    Empty,
    /// A declared type outside [`ACCEPTED_TYPES`].
    #[error("type de document refusé : PDF, JPEG ou PNG uniquement")]
    UnsupportedType,
    /// The content is not what the declared type says.
    #[error("le contenu du fichier ({found}) ne correspond pas au type déclaré ({declared})")]
    Mislabelled {
        /// Declared `Content-Type`.
        declared: String,
        /// What the bytes are.
        found: String,
    },
    /// The right magic bytes, but not a whole file of that type: no end marker where the format puts
    /// it, or markup a browser could run.
    #[error("fichier {0} incomplet ou altéré : déposez l'original")]
    Malformed(&'static str),
    /// The doctor already keeps [`MAX_DOCUMENTS_PER_DOCTOR`] documents.
    #[error("50 documents au plus : supprimez-en avant d'en déposer d'autres")]
    QuotaExceeded,
    /// The same person (name and birth date, or the same identity document) has another account.
    #[error("cette identité est déjà enregistrée pour un autre compte")]
    DuplicateIdentity,
    /// A verified doctor's identity (checked by staff) cannot be changed by a new document.
    #[error("identité vérifiée : contactez l'équipe Rempla pour la modifier")]
    IdentityLocked,
    /// Approval needs an identity document.
    #[error("aucune pièce d'identité déposée : validation impossible")]
    IdentityMissing,
    /// A rejection needs a reason the doctor can act on.
    #[error("un motif est obligatoire pour refuser")]
    ReasonRequired,
    /// Only a pending doctor is in the queue.
    #[error("ce médecin n'est pas en attente de vérification")]
    NotPending,
    /// A chosen document is not the doctor's, or expired.
    #[error("document non partageable : {0}")]
    NotShareable(String),
    /// Stored bytes that no longer match their checksum.
    #[error("document altéré : empreinte SHA-256 différente")]
    Corrupt,
}

impl DocumentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::TooLarge => ErrorCode::DocumentTooLarge,
            Self::Empty => ErrorCode::DocumentEmpty,
            Self::UnsupportedType => ErrorCode::UnsupportedMediaType,
            Self::Mislabelled { .. } => ErrorCode::MediaTypeMismatch,
            Self::Malformed(_) => ErrorCode::DocumentMalformed,
            Self::QuotaExceeded => ErrorCode::DocumentQuota,
            Self::DuplicateIdentity => ErrorCode::DuplicateIdentity,
            Self::IdentityLocked => ErrorCode::IdentityLocked,
            Self::IdentityMissing => ErrorCode::IdentityDocumentMissing,
            Self::ReasonRequired => ErrorCode::ReasonRequired,
            Self::NotPending => ErrorCode::NotPending,
            Self::NotShareable(_) => ErrorCode::DocumentNotShareable,
            Self::Corrupt => ErrorCode::DocumentCorrupt,
        }
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedType | Self::Mislabelled { .. } | Self::Malformed(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::Empty | Self::ReasonRequired | Self::NotShareable(_) => StatusCode::BAD_REQUEST,
            Self::QuotaExceeded
            | Self::DuplicateIdentity
            | Self::IdentityLocked
            | Self::IdentityMissing
            | Self::NotPending => StatusCode::CONFLICT,
            Self::Corrupt => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl crate::http::error::Refuse for DocumentError {
    fn code(&self) -> ErrorCode {
        DocumentError::code(self)
    }
    fn status(&self) -> StatusCode {
        DocumentError::status(self)
    }
}
