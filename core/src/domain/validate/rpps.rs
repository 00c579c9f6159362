//! RPPS numbers (Répertoire partagé des professionnels de santé): 11 digits, the last a Luhn key.

use super::common::{check_length, string_newtype};
use super::luhn;
use crate::domain::error::ValidationError;

/// A doctor's RPPS number, checked (11 digits, valid Luhn key).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rpps(String);

impl Rpps {
    /// Parses an RPPS number. Spaces are tolerated (as printed on some documents); a national id of a
    /// professional card ("8" + RPPS, 12 digits) is accepted and reduced to the RPPS.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        check_length("rpps", input, 64)?;
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(ValidationError::RppsNotDigits { character: bad });
        }
        let digits = match digits.len() {
            11 => digits,
            12 if digits.starts_with('8') => digits[1..].to_owned(),
            len => return Err(ValidationError::RppsLength { len }),
        };
        if luhn::is_valid(&digits) {
            Ok(Self(digits))
        } else {
            Err(ValidationError::RppsChecksum)
        }
    }

    /// Builds the valid RPPS number whose first ten digits are `payload` by appending its Luhn key; used to
    /// generate demo and synthetic datasets.
    pub fn with_key(payload: &str) -> Result<Self, ValidationError> {
        if payload.len() != 10 {
            return Err(ValidationError::RppsLength {
                len: payload.len() + 1,
            });
        }
        let key = luhn::check_digit(payload).ok_or(ValidationError::RppsChecksum)?;
        Self::parse(&format!("{payload}{key}"))
    }

    /// The identifier printed on the professional card (CPS): "8" followed by the RPPS.
    pub fn national_id(&self) -> String {
        format!("8{}", self.0)
    }
}

string_newtype!(Rpps);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers() {
        assert_eq!(Rpps::parse("10000001916").unwrap().as_str(), "10000001916");
        assert_eq!(
            Rpps::parse(" 100 000 019 16 ").unwrap().as_str(),
            "10000001916"
        );
        assert_eq!(Rpps::parse("810000001916").unwrap().as_str(), "10000001916");
        assert_eq!(
            Rpps::parse("10000001916").unwrap().national_id(),
            "810000001916"
        );
    }

    #[test]
    fn invalid_numbers_say_why() {
        assert_eq!(
            Rpps::parse("10000001917").unwrap_err().code(),
            "rpps_checksum"
        );
        assert_eq!(Rpps::parse("1000000191").unwrap_err().code(), "rpps_length");
        assert_eq!(
            Rpps::parse("1000000191X").unwrap_err().code(),
            "rpps_not_digits"
        );
        assert_eq!(Rpps::parse("").unwrap_err().code(), "rpps_length");
        assert_eq!(
            Rpps::parse(&"1".repeat(1000)).unwrap_err().code(),
            "too_long"
        );
        assert_eq!(
            Rpps::parse("٣٣٣٣٣٣٣٣٣٣٣").unwrap_err().code(),
            "rpps_not_digits"
        );
    }

    #[test]
    fn keys_are_computed() {
        assert_eq!(
            Rpps::with_key("1000000191").unwrap().as_str(),
            "10000001916"
        );
        assert_eq!(Rpps::with_key("123").unwrap_err().code(), "rpps_length");
        assert_eq!(
            Rpps::with_key("12345abcde").unwrap_err().code(),
            "rpps_checksum"
        );
    }

    #[test]
    fn serde_validates() {
        let ok: Rpps = serde_json::from_str("\"10000001916\"").unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"10000001916\"");
        assert!(serde_json::from_str::<Rpps>("\"10000001917\"").is_err());
    }
}
