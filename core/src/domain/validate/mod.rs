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
