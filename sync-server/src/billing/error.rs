//! [`BillingError`]: why a billing rule refuses an amount, a rate or a date, with its stable code (always a
//! 400: the request's values are wrong).

use rempla_core::api::ErrorCode;

/// Why a billing request is refused; each variant has a stable [`BillingError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BillingError {
    /// A negative amount or rate.
    #[error("montant négatif refusé : {0}")]
    NegativeAmount(String),
    /// An amount beyond the limits (or one whose arithmetic would overflow).
    #[error("montant hors limites")]
    AmountTooLarge,
    /// A VAT rate outside 0–10 000 basis points.
    #[error("taux de TVA invalide : {0} points de base (0 à 10 000)")]
    InvalidVatRate(i64),
    /// A date that is not `AAAA-MM-JJ`.
    #[error("date invalide : {0} (format AAAA-MM-JJ)")]
    InvalidDate(String),
    /// A tariff starting before today: charges already made must keep the grid they were made with.
    #[error("une grille tarifaire ne peut pas commencer dans le passé ({0})")]
    TariffRetroactive(String),
    /// `from` after `to`.
    #[error("période invalide : le début est après la fin")]
    InvalidPeriod,
    /// A statement format other than `json` or `csv`.
    #[error("format inconnu : {0} (json ou csv)")]
    InvalidFormat(String),
    /// Charging a mission without shifts.
    #[error("mission sans créneau : rien à facturer")]
    NoShifts,
}

impl BillingError {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NegativeAmount(_) => ErrorCode::NegativeAmount,
            Self::AmountTooLarge => ErrorCode::AmountTooLarge,
            Self::InvalidVatRate(_) => ErrorCode::InvalidVatRate,
            Self::InvalidDate(_) => ErrorCode::InvalidDate,
            Self::TariffRetroactive(_) => ErrorCode::TariffRetroactive,
            Self::InvalidPeriod => ErrorCode::InvalidPeriod,
            Self::InvalidFormat(_) => ErrorCode::InvalidFormat,
            Self::NoShifts => ErrorCode::NoShifts,
        }
    }
}

impl crate::http::error::Refuse for BillingError {
    fn code(&self) -> ErrorCode {
        BillingError::code(self)
    }
    fn status(&self) -> axum::http::StatusCode {
        axum::http::StatusCode::BAD_REQUEST
    }
}
