//! Phone numbers, parsed with `phonenumber` (a port of Google's libphonenumber) and kept in E.164.

use super::common::{check_length, string_newtype};
use crate::domain::error::ValidationError;

/// A valid phone number stored in E.164 form (`+33612345678`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses E.164 (`+33 6 12 34 56 78`, `+262 692…`) or French national format (`06 12 34 56 78`,
    /// `01.23.45.67.89`); national numbers are read as metropolitan France unless they carry an overseas
    /// prefix, which libphonenumber resolves through the French numbering plan.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        check_length("phone", input, 40)?;
        let number =
            phonenumber::parse(Some(phonenumber::country::Id::FR), input.trim()).map_err(|e| {
                ValidationError::Phone {
                    reason: e.to_string(),
                }
            })?;
        if !phonenumber::is_valid(&number) {
            return Err(ValidationError::Phone {
                reason: "numéro inexistant dans le plan de numérotation".to_owned(),
            });
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The number in French national display form (`06 12 34 56 78`) when French, E.164 otherwise.
    pub fn display_national(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(n) if n.code().value() == 33 => {
                n.format().mode(phonenumber::Mode::National).to_string()
            }
            _ => self.0.clone(),
        }
    }
}

string_newtype!(PhoneNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms() {
        assert_eq!(
            PhoneNumber::parse("06 12 34 56 78").unwrap().as_str(),
            "+33612345678"
        );
        assert_eq!(
            PhoneNumber::parse("01.42.34.56.78").unwrap().as_str(),
            "+33142345678"
        );
        assert_eq!(
            PhoneNumber::parse("+33 6 12 34 56 78").unwrap().as_str(),
            "+33612345678"
        );
        assert_eq!(
            PhoneNumber::parse("+262 692 12 34 56").unwrap().as_str(),
            "+262692123456"
        );
        assert_eq!(
            PhoneNumber::parse("+33612345678")
                .unwrap()
                .display_national(),
            "06 12 34 56 78"
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "12", "hello", "+33 6 12", "06 12 34 56 78 90 12"] {
            assert_eq!(
                PhoneNumber::parse(bad).unwrap_err().code(),
                "phone",
                "{bad}"
            );
        }
        assert_eq!(
            PhoneNumber::parse(&"0".repeat(100)).unwrap_err().code(),
            "too_long"
        );
    }
}
