//! French postcodes (codes postaux): five digits, in the ranges La Poste allocates.

use super::common::{check_length, string_newtype};
use crate::domain::error::ValidationError;

/// A French postcode, metropolitan or overseas.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Postcode(String);

impl Postcode {
    /// Parses a postcode: exactly five ASCII digits, in an allocated range (01000–95999 for metropolitan
    /// France and Corsica, 97100–97699 and 98600–98899 overseas). 98000–98099 is Monaco, not France.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        check_length("postcode", input, 32)?;
        let code = input.trim();
        if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::PostcodeFormat);
        }
        let n: u32 = code.parse().map_err(|_| ValidationError::PostcodeFormat)?;
        let allocated = matches!(n, 1_000..=95_999 | 97_100..=97_699 | 98_600..=98_899);
        if allocated {
            Ok(Self(code.to_owned()))
        } else {
            Err(ValidationError::PostcodeUnknown {
                code: code.to_owned(),
            })
        }
    }

    /// Whether the postcode is outside metropolitan France (DOM or COM).
    pub fn is_overseas(&self) -> bool {
        self.0.starts_with("97") || self.0.starts_with("98")
    }
}

string_newtype!(Postcode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_postcodes() {
        for code in [
            "75013", "01000", "20000", "20290", "57000", "97200", "97133", "97600", "98800",
            "95999",
        ] {
            assert!(Postcode::parse(code).is_ok(), "{code}");
        }
        assert!(Postcode::parse("97411").unwrap().is_overseas());
        assert!(!Postcode::parse("69003").unwrap().is_overseas());
    }

    #[test]
    fn rejects_malformed_and_unallocated() {
        assert_eq!(
            Postcode::parse("7501").unwrap_err().code(),
            "postcode_format"
        );
        assert_eq!(
            Postcode::parse("75 013").unwrap_err().code(),
            "postcode_format"
        );
        assert_eq!(
            Postcode::parse("７５０１３").unwrap_err().code(),
            "postcode_format"
        );
        assert_eq!(
            Postcode::parse("00500").unwrap_err().code(),
            "postcode_unknown"
        );
        assert_eq!(
            Postcode::parse("96000").unwrap_err().code(),
            "postcode_unknown"
        );
        assert_eq!(
            Postcode::parse("98000").unwrap_err().code(),
            "postcode_unknown"
        );
    }
}
