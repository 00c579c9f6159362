//! SIREN (9 digits) and SIRET (14 digits) company identifiers, both Luhn-checked.

use super::common::{check_length, string_newtype};
use super::luhn;
use crate::domain::error::ValidationError;

/// La Poste's SIREN: its establishments' SIRETs use a sum-of-digits-divisible-by-5 rule instead of Luhn
/// (INSEE documents this single exception).
const LA_POSTE_SIREN: &str = "356000000";

/// A legal entity's SIREN number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Siren(String);

/// An establishment's SIRET number: SIREN + 5-digit NIC.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Siret(String);

fn digits_only(field: &'static str, input: &str, len: usize) -> Result<String, ValidationError> {
    check_length(field, input, 64)?;
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(character) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(ValidationError::NotDigits { field, character });
    }
    if digits.len() != len {
        return Err(ValidationError::WrongLength {
            field,
            expected: len,
            len: digits.len(),
        });
    }
    Ok(digits)
}

impl Siren {
    /// Parses a SIREN (spaces tolerated).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let digits = digits_only("siren", input, 9)?;
        if luhn::is_valid(&digits) {
            Ok(Self(digits))
        } else {
            Err(ValidationError::Checksum { field: "siren" })
        }
    }
}

impl Siret {
    /// Parses a SIRET (spaces tolerated).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let digits = digits_only("siret", input, 14)?;
        let valid = if digits.starts_with(LA_POSTE_SIREN) && digits != "35600000000048" {
            digits.chars().filter_map(|c| c.to_digit(10)).sum::<u32>() % 5 == 0
        } else {
            luhn::is_valid(&digits)
        };
        if valid {
            Ok(Self(digits))
        } else {
            Err(ValidationError::Checksum { field: "siret" })
        }
    }

    /// The SIREN of the legal entity owning this establishment.
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }
}

string_newtype!(Siren);
string_newtype!(Siret);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers() {
        // SIREN 267 500 452 (Assistance Publique – Hôpitaux de Paris) and a Luhn-valid establishment of it.
        assert!(Siren::parse("267 500 452").is_ok());
        let siret = Siret::parse("26750045200011").unwrap();
        assert_eq!(siret.siren().as_str(), "267500452");
        // La Poste establishment (sum-of-digits rule).
        assert!(Siret::parse("35600000000048").is_ok());
        assert!(Siret::parse("35600000049837").is_ok());
    }

    #[test]
    fn errors_have_codes() {
        assert_eq!(Siren::parse("267500453").unwrap_err().code(), "checksum");
        assert_eq!(
            Siret::parse("2675004520001").unwrap_err().code(),
            "wrong_length"
        );
        assert_eq!(
            Siret::parse("2675004520001A").unwrap_err().code(),
            "not_digits"
        );
        assert_eq!(
            Siret::parse("26750045200015").unwrap_err().code(),
            "checksum"
        );
    }
}
