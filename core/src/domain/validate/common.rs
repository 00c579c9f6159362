//! What every validator of this folder shares: the `string_newtype!` impls and the length guard. A leaf
//! of its own so the validators import it from here, not from `validate/mod.rs`, which re-exports
//! them (that would be an import loop, see `scripts/check-imports.py`).

use crate::domain::error::ValidationError;

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
) -> Result<(), ValidationError> {
    if value.len() > max {
        Err(ValidationError::TooLong { field, max })
    } else {
        Ok(())
    }
}
