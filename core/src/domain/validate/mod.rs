//! Validated French identifiers. Each type can only be built through `parse`, so holding one means the
//! value was checked; serde goes through the same check.

mod email;
mod luhn;
mod phone;
mod postcode;
mod rpps;
mod siret;

pub use email::Email;
pub use phone::PhoneNumber;
pub use postcode::Postcode;
pub use rpps::Rpps;
pub use siret::{Siren, Siret};

/// Implements `Display`, `FromStr`, `AsRef<str>` and string serde for a validated newtype wrapping a
/// `String`, delegating to its `parse` constructor.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The canonical text form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_newtype;

/// Rejects absurdly long input before any parsing work, so hostile strings cost nothing.
pub(crate) fn check_length(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), super::ValidationError> {
    if value.len() > max {
        Err(super::ValidationError::TooLong { field, max })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Hostile text never panics a validator, and whatever is accepted re-parses to itself.
        #[test]
        fn validators_never_panic_and_are_idempotent(input in "\\PC{0,80}") {
            if let Ok(v) = Rpps::parse(&input) { prop_assert_eq!(Rpps::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Siret::parse(&input) { prop_assert_eq!(Siret::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Siren::parse(&input) { prop_assert_eq!(Siren::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Postcode::parse(&input) { prop_assert_eq!(Postcode::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = Email::parse(&input) { prop_assert_eq!(Email::parse(v.as_str()), Ok(v.clone())); }
            if let Ok(v) = PhoneNumber::parse(&input) { prop_assert_eq!(PhoneNumber::parse(v.as_str()), Ok(v.clone())); }
        }

        /// Every 10-digit payload has exactly one valid RPPS key.
        #[test]
        fn exactly_one_key_per_payload(payload in "[0-9]{10}") {
            let valid = (0..10).filter(|k| Rpps::parse(&format!("{payload}{k}")).is_ok()).count();
            prop_assert_eq!(valid, 1);
        }
    }
}
